"""Failed logins kept in the database, so the login throttle holds across server processes.

Revision ID: 0004_login_failures
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_login_failures"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("address", sa.String(64), nullable=False),
        sa.Column("at_ms", sa.BigInteger, nullable=False),
    )
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at_ms"])
    op.create_index("ix_login_failures_at", "login_failures", ["at_ms"])


def downgrade() -> None:
    op.drop_table("login_failures")
