"""classes: class groups, members, join codes, assignments

Revision ID: a5_classes
Revises: a4_authoring
"""
import sqlalchemy as sa
from alembic import op

revision = 'a5_classes'
down_revision = 'a4_authoring'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'class_groups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('join_code', sa.String(length=16), nullable=False),
        sa.Column('code_open', sa.Boolean(), nullable=False),
        sa.Column('archived_at', sa.DateTime(), nullable=True),
        sa.Column('is_demo', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('join_code'),
    )
    for table, extra in (
        ('class_teachers', [sa.Column('role', sa.String(length=16), nullable=False),
                            sa.Column('created_at', sa.DateTime(), nullable=False)]),
        ('class_students', [sa.Column('joined_at', sa.DateTime(), nullable=False)]),
    ):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), nullable=False),
            sa.Column('class_id', sa.Integer(), nullable=False),
            sa.Column('user_id', sa.Integer(), nullable=False),
            *extra,
            sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], ondelete='CASCADE'),
            sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
            sa.PrimaryKeyConstraint('id'),
            sa.UniqueConstraint('class_id', 'user_id'),
        )
        with op.batch_alter_table(table) as batch:
            batch.create_index(f'ix_{table}_class_id', ['class_id'])
            batch.create_index(f'ix_{table}_user_id', ['user_id'])
    op.create_table(
        'assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('class_id', sa.Integer(), nullable=False),
        sa.Column('lesson_id', sa.Integer(), nullable=False),
        sa.Column('due_at', sa.DateTime(), nullable=True),
        sa.Column('attempts_allowed', sa.Integer(), nullable=True),
        sa.Column('counting', sa.String(length=16), nullable=False),
        sa.Column('pass_mark', sa.Integer(), nullable=False),
        sa.Column('key_reveal', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['class_id'], ['class_groups.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['lesson_id'], ['lessons.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('class_id', 'lesson_id'),
    )
    with op.batch_alter_table('assignments') as batch:
        batch.create_index('ix_assignments_class_id', ['class_id'])
        batch.create_index('ix_assignments_lesson_id', ['lesson_id'])
    op.create_table(
        'attempt_resets',
        sa.Column('attempt_id', sa.Integer(), nullable=False),
        sa.Column('reset_by', sa.Integer(), nullable=True),
        sa.Column('reset_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reset_by'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('attempt_id'),
    )
    op.create_table(
        'course_settings',
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('mastery_method', sa.String(length=24), nullable=False),
        sa.Column('decay_weight', sa.Float(), nullable=False),
        sa.Column('n_correct', sa.Integer(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['courses.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('course_id'),
    )


def downgrade():
    op.drop_table('course_settings')
    op.drop_table('attempt_resets')
    with op.batch_alter_table('assignments') as batch:
        batch.drop_index('ix_assignments_lesson_id')
        batch.drop_index('ix_assignments_class_id')
    op.drop_table('assignments')
    for table in ('class_students', 'class_teachers'):
        with op.batch_alter_table(table) as batch:
            batch.drop_index(f'ix_{table}_user_id')
            batch.drop_index(f'ix_{table}_class_id')
        op.drop_table(table)
    op.drop_table('class_groups')
