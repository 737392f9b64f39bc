"""The demo accounts: a duty officer and a supervisor per party, a translator for Israel and for Syria,
an observer and an admin."""

from __future__ import annotations

DEMO_ACCOUNTS: tuple[tuple[str, str | None, str, str], ...] = (
    # username, party, role, display name
    ("isr-duty", "isr", "operator", "Israel duty officer"),
    ("isr-super", "isr", "supervisor", "Israel supervisor"),
    ("isr-translator", "isr", "translator", "Israel translator"),
    ("syr-duty", "syr", "operator", "Syria duty officer"),
    ("syr-super", "syr", "supervisor", "Syria supervisor"),
    ("syr-translator", "syr", "translator", "Syria translator"),
    ("usa-duty", "usa", "operator", "US duty officer (mediator)"),
    ("usa-super", "usa", "supervisor", "US supervisor (mediator)"),
    ("observer", "usa", "observer", "Observer (read only)"),
    ("admin", None, "admin", "Administrator"),
)
