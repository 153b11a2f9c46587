"""media: images stored in the database

Revision ID: a7_media
Revises: a6_api_tokens
"""
from alembic import op
import sqlalchemy as sa


revision = 'a7_media'
down_revision = 'a6_api_tokens'
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
