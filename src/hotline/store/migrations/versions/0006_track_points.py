"""Live track points, sealed into the ledger in batches.

Revision ID: 0006_track_points
Revises: 0005_deliveries
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_track_points"
down_revision = "0005_deliveries"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "track_points",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(128), nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("time_ms", sa.BigInteger, nullable=False),
        sa.Column("point", sa.Text, nullable=False),
        sa.Column("batch", sa.String(64)),
    )
    op.create_index("ix_track_points_channel_uid_time", "track_points", ["channel", "uid", "time_ms"])
    op.create_index("ix_track_points_batch", "track_points", ["batch", "id"])


def downgrade() -> None:
    op.drop_table("track_points")
