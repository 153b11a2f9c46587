"""authoring: course owners and editors

Revision ID: a4_authoring
Revises: a3_attempt_slots
"""
from alembic import op
import sqlalchemy as sa


revision = 'a4_authoring'
down_revision = 'a3_attempt_slots'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
