"""The one rule for the ids a caller may choose or name (a message, incident, dispute, notice, round,
understanding, commitment, sighting, translation): 3 or 4 to 64 letters, digits, '-' or '_' (notices also
'.'; a sighting's begins with a letter or digit; a translation's, derived from a message id, is longer).

Ids become projection keys, URLs and file names in exports, so they are checked once, here, before any
decision; every kind states only how it differs from the rule.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .errors import Conflict, Invalid

__all__ = ["check_id", "retried"]

_ASCII = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def check_id(value: str, what: str = "An id", *, shortest: int = 4, longest: int = 64, dots: bool = False,
             any_letters: bool = False, leading_alnum: bool = False, field: str = "id") -> str:
    """``value`` if it is a well-formed id, else ``Invalid`` naming ``field``.

    ``any_letters``: letters and digits of any script (message ids have always allowed them).
    ``leading_alnum``: the first character is a letter or digit (sighting ids have always required it)."""
    allowed = _ASCII | {"."} if dots else _ASCII
    ok_chars = (all(c.isalnum() or c in "-_" for c in value) if any_letters else set(value) <= allowed)
    if leading_alnum and value[:1] in ("-", "_", "."):
        ok_chars = False
    if not (shortest <= len(value) <= longest) or not ok_chars:
        extra = ", '_' or '.'" if dots else " or '_'"
        raise Invalid(f"{what} has {shortest} to {longest} letters, digits, '-'{extra}.", field=field)
    return value


def retried(existing: Mapping[str, Any] | None, same: Callable[[Mapping[str, Any]], bool], conflict: str) -> bool:
    """Whether a command that creates a record under a caller's id repeats one that did: False when the id
    is free; True when it holds the same record (the first one stands, the retry writes nothing);
    ``Conflict`` with the message ``conflict`` when it holds a different record."""
    if existing is None:
        return False
    if same(existing):
        return True
    raise Conflict(conflict, field="id")
