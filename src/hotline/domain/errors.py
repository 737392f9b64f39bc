"""One error family for every rule the system enforces.

Each error is a kind of refusal with a full-sentence ``detail`` naming the cause and the fix;
``field`` points at the offending input where there is one. The kinds say what went wrong, not how a
transport reports it: ``hotline.api.problems`` alone maps them to HTTP statuses and RFC 9457 problem
details, and the CLI, the witness and the CoT gateway print ``detail``.

    DomainError
     ├── Invalid          the input breaks a rule (a field, a value, a shape)
     ├── TooLarge         the input is bigger than allowed (an evidence file)
     ├── UnsupportedType  the input is of a kind not accepted (a file's media type)
     ├── NotFound         no such record, or not one the caller may see
     ├── Forbidden        the caller may not do this
     ├── Conflict         the record is in a state that does not allow it, or the id is taken
     ├── Unauthorized     the caller is not signed in
     └── TooMany          the caller must wait ``retry_after`` seconds
"""

from __future__ import annotations

__all__ = [
    "DomainError",
    "Invalid",
    "TooLarge",
    "UnsupportedType",
    "NotFound",
    "Forbidden",
    "Conflict",
    "Unauthorized",
    "TooMany",
]


class DomainError(Exception):
    def __init__(self, detail: str, *, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class Invalid(DomainError):
    pass


class TooLarge(DomainError):
    pass


class UnsupportedType(DomainError):
    pass


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Conflict(DomainError):
    pass


class Unauthorized(DomainError):
    pass


class TooMany(DomainError):
    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
