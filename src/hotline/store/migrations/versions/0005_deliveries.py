"""The delivery log: every attempt to reach someone off the console, and the state of each webhook target.

Revision ID: 0005_deliveries
Revises: 0004_login_failures
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_deliveries"
down_revision = "0004_login_failures"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "deliveries",
        sa.Column("id", sa.String(96), primary_key=True),
        sa.Column("event_seq", sa.BigInteger, nullable=False),
        sa.Column("event_type", sa.String(64), nullable=False),
        sa.Column("step", sa.Integer, nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("item_id", sa.String(128), nullable=False),
        sa.Column("party", sa.String(32)),
        sa.Column("target", sa.String(96), nullable=False),
        sa.Column("target_party", sa.String(32)),
        sa.Column("medium", sa.String(16), nullable=False),
        sa.Column("address", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("log", sa.Text, nullable=False),
        sa.Column("next_at", sa.String(32)),
        sa.Column("lease_until", sa.String(32)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("updated_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_deliveries_item", "deliveries", ["item_id"])
    op.create_index("ix_deliveries_due", "deliveries", ["status", "next_at"])
    op.create_table(
        "notify_targets",
        sa.Column("address", sa.String(512), primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("disabled_at", sa.String(32)),
    )


def downgrade() -> None:
    op.drop_table("notify_targets")
    op.drop_table("deliveries")
