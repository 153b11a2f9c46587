"""content: question identity, course retirement, revisions

The database holds the source of every content file as revisions (content_documents,
content_revisions); lessons and courses point at the revision they were built from; question
versions keep their own source block; lessons.position becomes an integer.

Revision ID: a2_content_revisions
Revises: a1_accounts_sessions
"""
import re

import sqlalchemy as sa
from alembic import op

revision = 'a2_content_revisions'
down_revision = 'a1_accounts_sessions'
branch_labels = None
depends_on = None

NUMBER_PREFIX = re.compile(r'^(\d+)-')


def upgrade():
    op.create_table(
        'content_documents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('path', sa.String(length=500), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('course_slug', sa.String(length=80), nullable=False),
        sa.Column('current_number', sa.Integer(), nullable=False),
        sa.Column('synced_number', sa.Integer(), nullable=True),
        sa.Column('synced_hash', sa.String(length=64), nullable=True),
        sa.Column('retired', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('path'),
    )
    op.create_table(
        'content_revisions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('source_hash', sa.String(length=64), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=False),
        sa.Column('origin', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['content_documents.id']),
        sa.ForeignKeyConstraint(['author_id'], ['users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'number'),
    )
    with op.batch_alter_table('courses') as batch:
        batch.add_column(sa.Column('revision_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_courses_revision', 'content_revisions', ['revision_id'], ['id'])

    # position: 'folder/01-stem' text -> the integer prefix of the file name (else order in folder)
    with op.batch_alter_table('lessons') as batch:
        batch.add_column(sa.Column('position_number', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('revision_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('quiz_revision_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_lessons_revision', 'content_revisions', ['revision_id'], ['id'])
        batch.create_foreign_key('fk_lessons_quiz_revision', 'content_revisions', ['quiz_revision_id'], ['id'])
    lessons = sa.table('lessons', sa.column('id', sa.Integer), sa.column('course_id', sa.Integer),
                       sa.column('position', sa.String), sa.column('position_number', sa.Integer))
    bind = op.get_bind()
    rows = bind.execute(sa.select(lessons.c.id, lessons.c.course_id, lessons.c.position)
                        .order_by(lessons.c.course_id, lessons.c.position)).all()
    order_in_course: dict[int, int] = {}
    for lesson_id, course_id, position in rows:
        order_in_course[course_id] = order_in_course.get(course_id, 0) + 1
        stem = (position or '').rsplit('/', 1)[-1]
        match = NUMBER_PREFIX.match(stem)
        number = int(match.group(1)) if match else order_in_course[course_id]
        bind.execute(lessons.update().where(lessons.c.id == lesson_id).values(position_number=number))
    with op.batch_alter_table('lessons') as batch:
        batch.drop_column('position')
    with op.batch_alter_table('lessons') as batch:
        batch.alter_column('position_number', new_column_name='position', existing_type=sa.Integer(),
                           nullable=False)

    with op.batch_alter_table('question_versions') as batch:
        batch.add_column(sa.Column('markdown', sa.Text(), nullable=False, server_default=''))


def downgrade():
    with op.batch_alter_table('question_versions') as batch:
        batch.drop_column('markdown')
    with op.batch_alter_table('lessons') as batch:
        batch.add_column(sa.Column('position_text', sa.String(length=200), nullable=True))
    lessons = sa.table('lessons', sa.column('id', sa.Integer), sa.column('position', sa.Integer),
                       sa.column('position_text', sa.String))
    bind = op.get_bind()
    for lesson_id, position in bind.execute(sa.select(lessons.c.id, lessons.c.position)).all():
        # zero-padded so the text sorts like the number did
        bind.execute(lessons.update().where(lessons.c.id == lesson_id).values(position_text=f'{position:04d}'))
    with op.batch_alter_table('lessons') as batch:
        batch.drop_constraint('fk_lessons_quiz_revision', type_='foreignkey')
        batch.drop_constraint('fk_lessons_revision', type_='foreignkey')
        batch.drop_column('quiz_revision_id')
        batch.drop_column('revision_id')
        batch.drop_column('position')
    with op.batch_alter_table('lessons') as batch:
        batch.alter_column('position_text', new_column_name='position', existing_type=sa.String(length=200),
                           nullable=False)
    with op.batch_alter_table('courses') as batch:
        batch.drop_constraint('fk_courses_revision', type_='foreignkey')
        batch.drop_column('revision_id')
    op.drop_table('content_revisions')
    op.drop_table('content_documents')
