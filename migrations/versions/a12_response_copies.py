"""responses: no foreign keys on the copies of the slot's question and version

`responses.question_id` and `responses.question_version_id` copy the values of the response's slot
(`responses.slot_id` -> `attempt_slots`, whose own foreign keys name the question and the version):
they are kept on the response so that the statistics group answers without a join. Checking them
again as foreign keys proved nothing the slot's key does not, and cost most of what PostgreSQL spends
storing a final quiz: two lookups, each taking a share lock on a question row that the whole class
is answering at once, for every answer (bench/RESULTS.md). The slot's key stays, and with it the
guarantee that each response belongs to a real slot of a real question version.

Revision ID: a12_response_copies
Revises: a11_media_sync_hash
"""
import sqlalchemy as sa
from alembic import op

revision = 'a12_response_copies'
down_revision = 'a11_media_sync_hash'
branch_labels = None
depends_on = None

# The first schema left these keys unnamed; SQLite reports them without a name, and batch mode
# names them by this convention to drop them (PostgreSQL named them itself: `responses_<column>_fkey`)
# https://alembic.sqlalchemy.org/en/latest/batch.html#dropping-unnamed-or-named-foreign-key-constraints
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}
COPIES = {"question_id": "questions", "question_version_id": "question_versions"}


def upgrade():
    keys = [key for key in sa.inspect(op.get_bind()).get_foreign_keys("responses")
            if len(key["constrained_columns"]) == 1 and key["constrained_columns"][0] in COPIES]
    with op.batch_alter_table('responses', naming_convention=NAMING) as batch_op:
        for key in keys:
            column = key["constrained_columns"][0]
            batch_op.drop_constraint(key["name"] or f"fk_responses_{column}_{COPIES[column]}", type_="foreignkey")


def downgrade():
    with op.batch_alter_table('responses') as batch_op:
        for column, table in COPIES.items():
            batch_op.create_foreign_key(f"responses_{column}_fkey", table, [column], ["id"])
