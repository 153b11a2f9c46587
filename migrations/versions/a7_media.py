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
    op.create_table(
        'media_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_slug', sa.String(length=80), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('synced_sha256', sa.String(length=64), nullable=True),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['users.id'], name='fk_media_files_author_id_users',
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name='pk_media_files'),
        sa.UniqueConstraint('path', name='uq_media_files_path'),
    )
    op.create_index('ix_media_files_course_slug', 'media_files', ['course_slug'])


def downgrade():
    op.drop_index('ix_media_files_course_slug', table_name='media_files')
    op.drop_table('media_files')
