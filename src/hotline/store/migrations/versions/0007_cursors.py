"""Per-party cursors and the envelope version.

Each party's own gapless numbering of the events it may read (``cursors``, ``cursor_heads``), and the
envelope version of each event (``events.v``: 1 for every event written before this revision, whose
hash covers the global seq). The cursors of events written before this revision are assigned by the
server at start (``hotline.service.cursors``), since which parties may read an event is the world's
to say, not the schema's.

Revision ID: 0007_cursors
Revises: 0006_track_points
"""
import sqlalchemy as sa
from alembic import op

revision = "0007_cursors"
down_revision = "0006_track_points"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("events", sa.Column("v", sa.Integer, nullable=False, server_default="1"))
    op.create_table(
        "cursors",
        sa.Column("party", sa.String(32), primary_key=True),
        sa.Column("pseq", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.UniqueConstraint("party", "seq", name="uq_cursors_party_seq"),
    )
    op.create_table(
        "cursor_heads",
        sa.Column("party", sa.String(32), primary_key=True),
        sa.Column("length", sa.BigInteger, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cursor_heads")
    op.drop_table("cursors")
    with op.batch_alter_table("events") as batch:
        batch.drop_column("v")
