"""The one error the geography layer raises.

``GeoError(field, detail)`` names the input field at fault (``geometry.coordinates``, ``window.end``,
``forces.tanks``, ``location``) and says in a full sentence what is wrong and how to fix it, so the API
can turn it into a problem+json field error without knowing anything about geography.
"""

from __future__ import annotations

__all__ = ["GeoError"]


class GeoError(ValueError):
    """Invalid geographic input: ``field`` is the offending input path, ``detail`` the explanation."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field}: {detail}")
        self.field = field
        self.detail = detail
