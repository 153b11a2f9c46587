"""course updated_at

- `courses.updated_at`: when the course row last changed (title, language, glossary…). Set on
  every change by the model (`onupdate`), it is part of the key of the page fragments rendered
  from a course (app/views/fragments.py), so an edit on any machine changes that key everywhere.

Revision ID: a10_course_updated_at
Revises: a9_feedback_points
"""
import sqlalchemy as sa
from alembic import op

revision = 'a10_course_updated_at'
down_revision = 'a9_feedback_points'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('courses') as batch_op:
        batch_op.add_column(sa.Column('updated_at', sa.DateTime(), nullable=False,
                                      server_default=sa.text('CURRENT_TIMESTAMP')))


def downgrade():
    with op.batch_alter_table('courses') as batch_op:
        batch_op.drop_column('updated_at')
