"""attempts: one open final per student, attempt slots

Revision ID: a3_attempt_slots
Revises: a2_content_revisions
"""
from alembic import op
import sqlalchemy as sa


revision = 'a3_attempt_slots'
down_revision = 'a2_content_revisions'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
