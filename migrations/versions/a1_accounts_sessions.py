"""accounts: server-side sessions, login throttling

Revision ID: a1_accounts_sessions
Revises: 5b55817982e2
"""
from alembic import op
import sqlalchemy as sa


revision = 'a1_accounts_sessions'
down_revision = '5b55817982e2'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
