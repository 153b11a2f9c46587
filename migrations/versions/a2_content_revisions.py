"""content: question identity, course retirement, revisions

Revision ID: a2_content_revisions
Revises: a1_accounts_sessions
"""
from alembic import op
import sqlalchemy as sa


revision = 'a2_content_revisions'
down_revision = 'a1_accounts_sessions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
