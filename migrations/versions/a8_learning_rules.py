"""learning rules: checkpoint tries, optional goals

- `responses.try_number` (1 or 2) and `responses.reveals_key`: a checkpoint may be tried twice
  before its key is shown; both tries are stored, one row each. The unique constraint moves from
  (attempt, question) to (attempt, question, try), which keeps exactly-once per try.
- `lessons.checkpoint_tries` (front matter `tries:`, default 2) and
  `lessons.final_includes_optional` (front matter `final_includes_optional:`).
- `learning_goals.optional` (a goal's `optional: true`) and `screens.optional` (a slide marked
  `<!-- optional -->`, or a checkpoint question measuring optional goals only).

Revision ID: a8_learning_rules
Revises: a7_media
"""
import sqlalchemy as sa
from alembic import op

revision = 'a8_learning_rules'
down_revision = 'a7_media'
branch_labels = None
depends_on = None

# SQLite reflects the initial schema's unnamed UNIQUE(attempt_id, question_id) without a name;
# this convention names it so batch mode can drop it.
SQLITE_NAMES = {"uq": "uq_%(table_name)s_%(column_0_name)s"}
OLD_UNIQUE_PG = 'responses_attempt_id_question_id_key'


def _drop_old_unique():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint(OLD_UNIQUE_PG, 'responses', type_='unique')
        return
    with op.batch_alter_table('responses', naming_convention=SQLITE_NAMES) as batch_op:
        batch_op.drop_constraint('uq_responses_attempt_id', type_='unique')


def upgrade():
    with op.batch_alter_table('responses') as batch_op:
        batch_op.add_column(sa.Column('try_number', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('reveals_key', sa.Boolean(), nullable=False, server_default=sa.true()))
    _drop_old_unique()
    with op.batch_alter_table('responses') as batch_op:
        batch_op.create_unique_constraint('uq_responses_try', ['attempt_id', 'question_id', 'try_number'])
    with op.batch_alter_table('lessons') as batch_op:
        batch_op.add_column(sa.Column('checkpoint_tries', sa.Integer(), nullable=False, server_default='2'))
        batch_op.add_column(sa.Column('final_includes_optional', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    with op.batch_alter_table('learning_goals') as batch_op:
        batch_op.add_column(sa.Column('optional', sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table('screens') as batch_op:
        batch_op.add_column(sa.Column('optional', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('screens') as batch_op:
        batch_op.drop_column('optional')
    with op.batch_alter_table('learning_goals') as batch_op:
        batch_op.drop_column('optional')
    with op.batch_alter_table('lessons') as batch_op:
        batch_op.drop_column('final_includes_optional')
        batch_op.drop_column('checkpoint_tries')
    # keep only the last try of each question: the old constraint allows one row per question
    bind = op.get_bind()
    responses = sa.table('responses', sa.column('id', sa.Integer), sa.column('attempt_id', sa.Integer),
                         sa.column('question_id', sa.Integer), sa.column('try_number', sa.Integer))
    later = sa.alias(responses, 'later')
    bind.execute(sa.delete(responses).where(sa.exists().where(
        later.c.attempt_id == responses.c.attempt_id, later.c.question_id == responses.c.question_id,
        later.c.try_number > responses.c.try_number)))
    with op.batch_alter_table('responses') as batch_op:
        batch_op.drop_constraint('uq_responses_try', type_='unique')
    if bind.dialect.name == 'postgresql':
        op.create_unique_constraint(OLD_UNIQUE_PG, 'responses', ['attempt_id', 'question_id'])
        with op.batch_alter_table('responses') as batch_op:
            batch_op.drop_column('reveals_key')
            batch_op.drop_column('try_number')
    else:
        with op.batch_alter_table('responses') as batch_op:
            batch_op.drop_column('reveals_key')
            batch_op.drop_column('try_number')
            batch_op.create_unique_constraint('uq_responses_attempt_id', ['attempt_id', 'question_id'])
