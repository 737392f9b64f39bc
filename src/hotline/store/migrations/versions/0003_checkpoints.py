"""Signed checkpoints of the channels' Merkle trees and the parties' cosignatures of them.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "checkpoints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("seq", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("issued_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_checkpoints_channel_size", "checkpoints", ["channel", "size"])
    op.create_table(
        "cosignatures",
        sa.Column("checkpoint_id", sa.BigInteger, nullable=False),
        sa.Column("party", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("size", sa.BigInteger, nullable=False),
        sa.Column("key_id", sa.String(8), nullable=False),
        sa.Column("timestamp", sa.BigInteger, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("received_at", sa.String(32), nullable=False),
        sa.UniqueConstraint("checkpoint_id", "party", name="uq_cosignatures_party"),
    )
    op.create_index("ix_cosignatures_channel_size", "cosignatures", ["channel", "size"])


def downgrade() -> None:
    op.drop_table("cosignatures")
    op.drop_table("checkpoints")
