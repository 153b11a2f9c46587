"""attempts: one open final per student, attempt slots

Revision ID: a3_attempt_slots
Revises: a2_content_revisions

- `attempt_slots`: one row per question of an attempt (version and displayed option order);
  existing attempts get slots in stored (identity) order, so their review pages look as before.
- `responses.slot_id` replaces `responses.position` (a slide position for checkpoints, a quiz
  place for finals); `attempts.version_ids` moves into the slots.
- At most one open final quiz per student and lesson, and one OPEN lesson run (a closed run
  stays as history when the student starts the lesson again): partial unique indexes.
- `question_versions.fixed_order` for questions whose options must not be shuffled.
"""
import sqlalchemy as sa
from alembic import op

revision = 'a3_attempt_slots'
down_revision = 'a2_content_revisions'
branch_labels = None
depends_on = None

OPEN_FINAL = "kind = 'final' AND status = 'open'"
OPEN_LESSON_RUN = "kind = 'lesson' AND status = 'open'"

attempts = sa.table('attempts', sa.column('id', sa.Integer), sa.column('user_id', sa.Integer),
                    sa.column('lesson_id', sa.Integer), sa.column('kind', sa.String),
                    sa.column('status', sa.String), sa.column('version_ids', sa.JSON))
versions = sa.table('question_versions', sa.column('id', sa.Integer), sa.column('question_id', sa.Integer),
                    sa.column('options', sa.JSON))
responses = sa.table('responses', sa.column('id', sa.Integer), sa.column('attempt_id', sa.Integer),
                     sa.column('question_id', sa.Integer), sa.column('question_version_id', sa.Integer),
                     sa.column('position', sa.Integer), sa.column('slot_id', sa.Integer))
slots = sa.table('attempt_slots', sa.column('id', sa.Integer), sa.column('attempt_id', sa.Integer),
                 sa.column('number', sa.Integer), sa.column('question_id', sa.Integer),
                 sa.column('question_version_id', sa.Integer), sa.column('option_order', sa.JSON))


def upgrade():
    op.add_column('question_versions',
                  sa.Column('fixed_order', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table('attempt_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('option_order', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_versions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('attempt_id', 'question_id')
    )
    op.add_column('responses', sa.Column('slot_id', sa.Integer(), nullable=True))

    bind = op.get_bind()
    _drop_duplicate_open_finals(bind)
    _slots_for_existing_attempts(bind)

    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.alter_column('slot_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key('fk_responses_slot', 'attempt_slots', ['slot_id'], ['id'])
        batch_op.drop_column('position')
    # SQLite rebuilds the table to drop a column: drop the partial index first, then recreate
    # it with its new meaning (one OPEN run, so a closed run can stay as history).
    op.drop_index('uq_attempts_lesson_run', table_name='attempts')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('version_ids')
    op.create_index('uq_attempts_lesson_run', 'attempts', ['user_id', 'lesson_id'], unique=True,
                    sqlite_where=sa.text(OPEN_LESSON_RUN), postgresql_where=sa.text(OPEN_LESSON_RUN))
    op.create_index('uq_attempts_open_final', 'attempts', ['user_id', 'lesson_id'], unique=True,
                    sqlite_where=sa.text(OPEN_FINAL), postgresql_where=sa.text(OPEN_FINAL))


def _drop_duplicate_open_finals(bind):
    """Two tabs could start two open finals before this constraint: keep the newest of each pair.
    An open final holds no responses (they are written when it is handed in), so nothing is lost."""
    newest = {}
    duplicates = []
    for attempt_id, user_id, lesson_id in bind.execute(
            sa.select(attempts.c.id, attempts.c.user_id, attempts.c.lesson_id)
            .where(attempts.c.kind == 'final', attempts.c.status == 'open').order_by(attempts.c.id.desc())):
        if (user_id, lesson_id) in newest:
            duplicates.append(attempt_id)
        else:
            newest[(user_id, lesson_id)] = attempt_id
    if duplicates:
        bind.execute(sa.delete(attempts).where(attempts.c.id.in_(duplicates)))


def _slots_for_existing_attempts(bind):
    """Slots in stored order: final quizzes from their version list, lesson runs from their answers."""
    option_counts = {}
    question_of = {}
    for version_id, question_id, options in bind.execute(
            sa.select(versions.c.id, versions.c.question_id, versions.c.options)):
        option_counts[version_id] = len(options or [])
        question_of[version_id] = question_id
    rows = []
    for attempt_id, version_ids in bind.execute(
            sa.select(attempts.c.id, attempts.c.version_ids).where(attempts.c.kind == 'final')):
        for number, version_id in enumerate(version_ids or [], start=1):
            rows.append({'attempt_id': attempt_id, 'number': number, 'question_id': question_of[version_id],
                         'question_version_id': version_id,
                         'option_order': list(range(option_counts[version_id]))})
    for attempt_id, question_id, version_id, position in bind.execute(
            sa.select(responses.c.attempt_id, responses.c.question_id, responses.c.question_version_id,
                      responses.c.position)
            .join(attempts, attempts.c.id == responses.c.attempt_id).where(attempts.c.kind == 'lesson')):
        rows.append({'attempt_id': attempt_id, 'number': position, 'question_id': question_id,
                     'question_version_id': version_id, 'option_order': list(range(option_counts[version_id]))})
    if rows:
        bind.execute(sa.insert(slots), rows)
    bind.execute(sa.update(responses).values(slot_id=sa.select(slots.c.id).where(
        slots.c.attempt_id == responses.c.attempt_id, slots.c.question_id == responses.c.question_id)
        .scalar_subquery()))


def downgrade():
    op.drop_index('uq_attempts_open_final', table_name='attempts')
    op.drop_index('uq_attempts_lesson_run', table_name='attempts')
    op.add_column('attempts', sa.Column('version_ids', sa.JSON(), nullable=True))
    op.add_column('responses', sa.Column('position', sa.Integer(), nullable=True))
    bind = op.get_bind()
    # a lesson run per student and lesson again: closed runs are merged into nothing, so drop them
    closed = [row[0] for row in bind.execute(sa.select(attempts.c.id).where(
        attempts.c.kind == 'lesson', attempts.c.status != 'open'))]
    if closed:
        slot_ids = sa.select(slots.c.id).where(slots.c.attempt_id.in_(closed))
        bind.execute(sa.delete(responses).where(responses.c.attempt_id.in_(closed)))
        bind.execute(sa.delete(slots).where(slots.c.id.in_(slot_ids)))
        bind.execute(sa.delete(attempts).where(attempts.c.id.in_(closed)))
    by_attempt = {}
    for attempt_id, version_id in bind.execute(sa.select(slots.c.attempt_id, slots.c.question_version_id)
                                               .order_by(slots.c.attempt_id, slots.c.number)):
        by_attempt.setdefault(attempt_id, []).append(version_id)
    for attempt_id, kind in bind.execute(sa.select(attempts.c.id, attempts.c.kind)):
        ids = by_attempt.get(attempt_id, []) if kind == 'final' else []
        bind.execute(sa.update(attempts).where(attempts.c.id == attempt_id).values(version_ids=ids))
    bind.execute(sa.update(responses).values(position=sa.select(slots.c.number).where(
        slots.c.id == responses.c.slot_id).scalar_subquery()))
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.alter_column('version_ids', existing_type=sa.JSON(), nullable=False)
    op.create_index('uq_attempts_lesson_run', 'attempts', ['user_id', 'lesson_id'], unique=True,
                    sqlite_where=sa.text("kind = 'lesson'"), postgresql_where=sa.text("kind = 'lesson'"))
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_constraint('fk_responses_slot', type_='foreignkey')
        batch_op.drop_column('slot_id')
        batch_op.alter_column('position', existing_type=sa.Integer(), nullable=False)
    op.drop_table('attempt_slots')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_column('fixed_order')
