"""authoring: course owners and editors

Revision ID: a4_authoring
Revises: a3_attempt_slots
"""
import sqlalchemy as sa
from alembic import op

revision = 'a4_authoring'
down_revision = 'a3_attempt_slots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'course_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('course_id', 'user_id'),
    )
    with op.batch_alter_table('course_members') as batch:
        batch.create_index('ix_course_members_course_id', ['course_id'])
        batch.create_index('ix_course_members_user_id', ['user_id'])


def downgrade():
    with op.batch_alter_table('course_members') as batch:
        batch.drop_index('ix_course_members_user_id')
        batch.drop_index('ix_course_members_course_id')
    op.drop_table('course_members')
