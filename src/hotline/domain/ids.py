"""The one rule for the ids a caller may choose for a new record (a message, incident, dispute, notice,
round, understanding or commitment): 3 or 4 to 64 letters, digits, '-' or '_' (notices also '.').

Ids become projection keys, URLs and file names in exports, so they are checked once, here, before any
decision; every kind states only its shortest length and whether a dot is allowed.
"""

from __future__ import annotations

from .errors import Invalid

__all__ = ["check_id"]

_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def check_id(value: str, what: str = "An id", *, shortest: int = 4, dots: bool = False, any_letters: bool = False,
             field: str = "id") -> str:
    """``value`` if it is a well-formed id, else ``Invalid`` naming ``field``.

    ``any_letters``: letters and digits of any script (message ids have always allowed them)."""
    allowed = _ASCII | {"."} if dots else _ASCII
    ok_chars = (all(c.isalnum() or c in "-_" for c in value) if any_letters else set(value) <= allowed)
    if not (shortest <= len(value) <= 64) or not ok_chars:
        extra = ", '_' or '.'" if dots else " or '_'"
        raise Invalid(f"{what} has {shortest} to 64 letters, digits, '-'{extra}.", field=field)
    return value
