"""media: the stored hash at the last sync

- `media_files.stored_sha256_at_sync`: the hash of what was stored from the file (or written to
  it by export) at the last sync or export; None when the image was never in a file. Sync decides
  "changed in the database since the last sync" by comparing `sha256` with it. It used to compare
  `sha256` with `synced_sha256`, the hash of the FILE, but a PNG, JPEG or WebP is re-encoded when
  stored, so those two always differ for a synced raster image: replacing or deleting its file
  was reported as a conflict although nobody had uploaded anything.

Existing rows are filled so that what was a real change in the database stays one and a synced
raster image no longer is:
- never in a file (`synced_sha256` NULL): NULL, as sync keeps it.
- an SVG: `synced_sha256`. An SVG is stored as it came, so what a sync stored from the file has
  the file's hash; an upload since then still differs from it. Exactly the old comparison.
- a raster image last written by an upload (`author_id` set; sync and export never set it):
  `synced_sha256`. What the sync stored is gone, and anything that differs from the current hash
  keeps the upload a change since the sync: a changed file is still a conflict, as before.
- any other raster image was last written by a sync (or exported, when both hashes are equal
  anyway): its current `sha256`, so it is unchanged since that sync.
One case cannot be told apart: an upload whose author has since been deleted (`author_id` set to
NULL) looks like a sync, so a later change of its file takes the file without a conflict.

Revision ID: a11_media_sync_hash
Revises: a10_course_updated_at
"""
import sqlalchemy as sa
from alembic import op

revision = 'a11_media_sync_hash'
down_revision = 'a10_course_updated_at'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('media_files') as batch_op:
        batch_op.add_column(sa.Column('stored_sha256_at_sync', sa.String(length=64), nullable=True))
    op.execute(sa.text(
        "UPDATE media_files SET stored_sha256_at_sync = CASE"
        " WHEN synced_sha256 IS NULL THEN NULL"
        " WHEN content_type = 'image/svg+xml' OR author_id IS NOT NULL THEN synced_sha256"
        " ELSE sha256 END"))


def downgrade():
    with op.batch_alter_table('media_files') as batch_op:
        batch_op.drop_column('stored_sha256_at_sync')
