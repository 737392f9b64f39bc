"""The SQL schema (SQLAlchemy Core). Alembic migrations under ``migrations/`` create it."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)

metadata = MetaData()

# The ledger. ``payload`` holds the canonical JSON text, so an export reproduces the hashed bytes.
events = Table(
    "events", metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False),
    Column("channel", String(64), nullable=False),
    Column("chain_index", BigInteger, nullable=False),
    Column("ts", String(32), nullable=False),
    Column("type", String(64), nullable=False),
    Column("party", String(32)),
    Column("actor", String(64)),
    Column("payload", Text, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    # The envelope version (hotline.ledger.envelope): 1 for events sealed before version 2.
    Column("v", Integer, nullable=False, server_default="1"),
    UniqueConstraint("channel", "chain_index", name="uq_events_chain"),
    Index("ix_events_channel_seq", "channel", "seq"),
)

# The head of each channel's chain: what the next append links to, and what verification checks the
# events against (so that a chain cut short at its end is noticed too).
chains = Table(
    "chains", metadata,
    Column("channel", String(64), primary_key=True),
    Column("length", BigInteger, nullable=False),
    Column("head_hash", String(64), nullable=False),
)

# Per-party cursors: each party's own gapless numbering of the events it may read, in ledger order.
# Written in the same transaction as the events, so every process reads the same cursor for an event.
# The API and the stream speak only in these; the global seq stays inside the server.
cursors = Table(
    "cursors", metadata,
    Column("party", String(32), primary_key=True),
    Column("pseq", BigInteger, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    UniqueConstraint("party", "seq", name="uq_cursors_party_seq"),
)

# The last cursor given to each party (what the next event it may read follows).
cursor_heads = Table(
    "cursor_heads", metadata,
    Column("party", String(32), primary_key=True),
    Column("length", BigInteger, nullable=False),
)

# Projections: one row per aggregate, its state as ``evolve`` derived it, written in the same
# transaction as the events. ``version`` is the seq of the last event applied (the tracking record).
aggregates = Table(
    "aggregates", metadata,
    Column("id", String(128), primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("state", Text, nullable=False),
    Column("created", BigInteger, nullable=False),
    Column("version", BigInteger, nullable=False),
    Column("due_at", String(32)),
    Column("awaiting", String(256), nullable=False, server_default=""),
    Index("ix_aggregates_kind_channel", "kind", "channel", "created"),
    Index("ix_aggregates_due", "due_at"),
)

users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("party", String(32)),
    Column("role", String(16), nullable=False),
    Column("display_name", String(128), nullable=False, server_default=""),
    Column("password_hash", Text, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    Column("created_at", String(32), nullable=False),
)

# Bearer tokens are stored only as their SHA-256: a read of this table yields no usable session.
sessions = Table(
    "sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False, index=True),
    Column("created_at", String(32), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

# Failed logins, shared by every server process (the throttle's memory). One row per attempt that has
# not (yet) succeeded; rows older than the throttle's window are purged. No password is stored.
login_failures = Table(
    "login_failures", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False),
    Column("address", String(64), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Index("ix_login_failures_address_at", "address", "at_ms"),
    Index("ix_login_failures_at", "at_ms"),
)

meta = Table(
    "meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

# Evidence bytes by content: the ledger event names the SHA-256, so any party can check what it got.
evidence = Table(
    "evidence", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("media_type", String(64), nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
)

# Signed checkpoints of each channel's Merkle tree, as issued (``note`` is the signed note, kept
# verbatim: it is what witnesses cosign). ``seq`` is the seq of the last event the tree covers, which
# decides which witness keys were valid for it. A rewritten ledger shows up as two rows of one size.
checkpoints = Table(
    "checkpoints", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("channel", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root_hash", String(64), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("note", Text, nullable=False),
    Column("issued_at", String(32), nullable=False),
    Index("ix_checkpoints_channel_size", "channel", "size"),
)

# Party cosignatures (C2SP cosignature/v1 notes), one per party and checkpoint.
cosignatures = Table(
    "cosignatures", metadata,
    Column("checkpoint_id", BigInteger, nullable=False),
    Column("party", String(32), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("key_id", String(8), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("note", Text, nullable=False),
    Column("received_at", String(32), nullable=False),
    UniqueConstraint("checkpoint_id", "party", name="uq_cosignatures_party"),
    Index("ix_cosignatures_channel_size", "channel", "size"),
)

# The delivery log (not the ledger): one row per notification of one escalation step to one target by
# one medium (console, email, webhook); ``log`` is the JSON list of attempts and their outcomes. The id
# is derived from the ledger event, so the same step is never delivered twice by the same means.
deliveries = Table(
    "deliveries", metadata,
    Column("id", String(96), primary_key=True),
    Column("event_seq", BigInteger, nullable=False),
    Column("event_type", String(64), nullable=False),
    Column("step", Integer, nullable=False),
    Column("channel", String(64), nullable=False),
    Column("item_id", String(128), nullable=False),
    Column("party", String(32)),
    Column("target", String(96), nullable=False),
    Column("target_party", String(32)),
    Column("medium", String(16), nullable=False),
    Column("address", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("log", Text, nullable=False),
    Column("next_at", String(32)),
    Column("lease_until", String(32)),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Index("ix_deliveries_item", "item_id"),
    Index("ix_deliveries_due", "status", "next_at"),
)

# Webhook targets that keep failing: consecutive failed attempts, and when the target was disabled.
notify_targets = Table(
    "notify_targets", metadata,
    Column("address", String(512), primary_key=True),
    Column("failures", Integer, nullable=False),
    Column("disabled_at", String(32)),
)

# Live track points: high volume, so not ledger events. Append-only: a row is written once, and its
# ``batch`` is set once, when the batch it belongs to is sealed into the ledger (``track.batch_sealed``
# carries the Merkle root over the canonical ``point`` texts, in ``id`` order).
track_points = Table(
    "track_points", metadata,
    Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("uid", String(128), nullable=False),
    Column("party", String(32), nullable=False),
    Column("channel", String(64), nullable=False),
    Column("time_ms", BigInteger, nullable=False),
    Column("point", Text, nullable=False),
    Column("batch", String(64)),
    Index("ix_track_points_channel_uid_time", "channel", "uid", "time_ms"),
    Index("ix_track_points_batch", "batch", "id"),
)
