"""api: personal access tokens

Revision ID: a6_api_tokens
Revises: a5_classes
"""
from alembic import op
import sqlalchemy as sa


revision = 'a6_api_tokens'
down_revision = 'a5_classes'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
