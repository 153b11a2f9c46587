"""classes: class groups, members, join codes, assignments

Revision ID: a5_classes
Revises: a4_authoring
"""
from alembic import op
import sqlalchemy as sa


revision = 'a5_classes'
down_revision = 'a4_authoring'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
