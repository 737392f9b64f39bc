"""One error family for every rule the system enforces.

Each error carries the HTTP status it maps to and a full-sentence ``detail`` naming the cause and the
fix; ``field`` points at the offending input where there is one. The API renders them as RFC 9457
problem details; the CLI prints ``detail``.
"""

from __future__ import annotations

__all__ = [
    "DomainError",
    "Invalid",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unauthorized",
    "TooMany",
]


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field

    def problem(self) -> dict[str, object]:
        body: dict[str, object] = {"title": self.title, "status": self.status, "detail": self.detail}
        if self.field:
            body["errors"] = [{"field": self.field, "detail": self.detail}]
        return body


class Invalid(DomainError):
    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unauthorized(DomainError):
    status = 401
    title = "Unauthorized"


class TooMany(DomainError):
    status = 429
    title = "Too many requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
