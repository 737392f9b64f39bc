"""The one rule for free text a person writes into a record (a description, a question, a position): not
empty where it is required, and at most ``limit`` bytes of UTF-8, since that is what the record stores.
"""

from __future__ import annotations

from .errors import Invalid

__all__ = ["check_text"]


def check_text(value: str, name: str, limit: int, *, required: bool = True) -> None:
    """Raise ``Invalid`` naming the field ``name`` if ``value`` is empty (when ``required``) or too long."""
    if required and not value.strip():
        raise Invalid(f"The {name} is empty; write it out.", field=name)
    if len(value.encode("utf-8")) > limit:
        raise Invalid(f"The {name} is longer than {limit} bytes; shorten it.", field=name)
