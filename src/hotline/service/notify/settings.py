"""How the deployment reaches SMTP and webhooks: settings from ``Settings.extra`` or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from typing import Any

from hotline.domain.errors import Invalid

__all__ = ["NotifySettings"]


@dataclass(frozen=True, slots=True)
class NotifySettings:
    public_url: str = "http://127.0.0.1:8000"
    smtp_host: str = ""
    smtp_port: int = 25
    smtp_tls: str = "starttls"  # none | starttls | tls
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "hotline@localhost"
    smtp_ca_file: str = ""  # a CA bundle for the SMTP server's certificate (default: the system's)
    smtp_timeout_s: float = 10.0
    smtp_attempts: int = 5
    smtp_backoff_s: float = 30.0
    webhook_secret: str = ""
    webhook_attempts: int = 8
    webhook_backoff_s: float = 2.0
    webhook_backoff_max_s: float = 600.0
    webhook_timeout_s: float = 10.0
    webhook_disable_after: int = 10

    @classmethod
    def load(cls, extra: dict[str, Any] | None = None) -> NotifySettings:
        """``extra`` (the service's settings) first, then the environment, then the defaults."""
        def get(name: str, default: Any) -> Any:
            key = "HOTLINE_" + name.upper()
            raw = (extra or {}).get(key, os.environ.get(key))
            if raw is None:
                return default
            try:
                return type(default)(raw)
            except ValueError:
                raise Invalid(f"{key}={raw!r} is not a valid {type(default).__name__}.", field=key) from None

        s = cls(**{f.name: get(f.name, f.default) for f in fields(cls)})
        if s.smtp_tls not in ("none", "starttls", "tls"):
            raise Invalid(f"HOTLINE_SMTP_TLS={s.smtp_tls!r}: use none, starttls or tls.", field="HOTLINE_SMTP_TLS")
        return s
