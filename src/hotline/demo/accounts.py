"""The demo accounts: one duty officer and one supervisor per party, an observer and an admin."""

from __future__ import annotations

DEMO_ACCOUNTS: tuple[tuple[str, str | None, str, str], ...] = (
    # username, party, role, display name
    ("isr-duty", "isr", "operator", "Israel duty officer"),
    ("isr-super", "isr", "supervisor", "Israel supervisor"),
    ("syr-duty", "syr", "operator", "Syria duty officer"),
    ("syr-super", "syr", "supervisor", "Syria supervisor"),
    ("usa-duty", "usa", "operator", "US duty officer (mediator)"),
    ("usa-super", "usa", "supervisor", "US supervisor (mediator)"),
    ("observer", "usa", "observer", "Observer (read only)"),
    ("admin", None, "admin", "Administrator"),
)
