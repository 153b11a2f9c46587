"""question feedback and points

- `question_versions.feedback_html`: the question's general feedback (quiz file `feedback:`),
  rendered and sanitised like the stem, shown to the student once the question is graded.
- `question_versions.points` (quiz file `points:`, 1-100, default 1): the question's weight in
  the final quiz's score.

Revision ID: a9_feedback_points
Revises: a8_learning_rules
"""
import sqlalchemy as sa
from alembic import op

revision = 'a9_feedback_points'
down_revision = 'a8_learning_rules'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('question_versions') as batch_op:
        batch_op.add_column(sa.Column('feedback_html', sa.Text(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('points', sa.Integer(), nullable=False, server_default='1'))


def downgrade():
    with op.batch_alter_table('question_versions') as batch_op:
        batch_op.drop_column('points')
        batch_op.drop_column('feedback_html')
