"""HTTP hardening: headers and cross-site request checks, applied by ``edge.EdgeMiddleware`` (body size: ``limits``).

- A strict Content-Security-Policy: scripts only from this origin, no inline script, no eval.
- Strict-Transport-Security when the deployment says it is served over HTTPS (``HOTLINE_HSTS``).
- A cookie-authenticated request that changes something must come from this origin (the Origin
  header; OWASP's "verify origin with standard headers"), on top of SameSite=Strict cookies.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping
from typing import Any
from urllib.parse import urlsplit

import orjson

__all__ = ["SecurityPolicy", "COMMON", "CSP", "DOCS_CSP", "UNSAFE", "refuse", "tile_url", "hsts_headers"]

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self'; media-src 'self' data: blob:; object-src 'none'; base-uri 'none'; "
       "frame-ancestors 'none'; form-action 'self'")
# Swagger UI boots from an inline script; /docs shows no user text, so it alone may run one.
DOCS_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
    "style-src 'self'", "style-src 'self' 'unsafe-inline'")


def tile_url() -> str:
    """HOTLINE_TILE_URL, an optional map tile server (``https://tiles.example/{z}/{x}/{y}.png``); unset: offline."""
    return os.environ.get("HOTLINE_TILE_URL", "").strip()


def hsts_headers() -> list[tuple[bytes, bytes]]:
    """HOTLINE_HSTS: Strict-Transport-Security's max-age in seconds, for a deployment served over HTTPS
    (behind its TLS proxy). Unset or 0: no header, since HSTS on a plain-HTTP demo would lock browsers out."""
    raw = os.environ.get("HOTLINE_HSTS", "").strip()
    if not raw or raw in ("0", "false", "no"):
        return []
    if raw in ("1", "true", "yes"):
        age = 31536000
    elif raw.isdigit():
        age = int(raw)
    else:
        raise ValueError(f"HOTLINE_HSTS={raw!r}: give a max-age in seconds (e.g. 31536000), true, or 0 to turn it off.")
    return [(b"strict-transport-security", f"max-age={age}; includeSubDomains".encode())]


def _with_tiles(csp: str) -> str:
    """Let images come from the tile server's origin too, and from nowhere else."""
    parts = urlsplit(tile_url())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return csp
    return csp.replace("img-src 'self'", f"img-src 'self' {parts.scheme}://{parts.netloc}")


COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOGIN_PATH = "/api/v1/auth/login"


class SecurityPolicy:
    """The deployment's headers and the cross-site rule (the edge layer applies them to every request)."""

    def __init__(self, *, cookie_name: str, extra_csp: str = "") -> None:
        self.cookie_name = cookie_name.encode()
        self.csp = _with_tiles(CSP) + extra_csp
        self.hsts = hsts_headers()

    def refusal_headers(self) -> list[tuple[bytes, bytes]]:
        """What a cross-site refusal carries besides the common headers."""
        return [*self.hsts, (b"content-security-policy", self.csp.encode()), (b"cache-control", b"no-store")]

    def cross_site(self, scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
        """Whether an unsafe request without a bearer token must be refused as cross-site."""
        if scope["path"] == LOGIN_PATH:
            # Login authenticates by the password, never by the cookie it may carry (a stale one from an
            # earlier session, kept by a script's client): only an Origin naming another site is refused,
            # so no page elsewhere can sign a visitor in to an account of its choosing (login CSRF).
            return b"origin" in headers and not _same_origin(scope, headers)
        return self.cookie_name in headers.get(b"cookie", b"") and not _same_origin(scope, headers)


def _same_origin(scope: dict[str, Any], headers: dict[bytes, bytes]) -> bool:
    origin = headers.get(b"origin")
    host = headers.get(b"host")
    if origin is None or host is None:
        return False
    scheme = "https" if scope.get("scheme") in ("https", "wss") else "http"
    return bool(origin.decode("latin-1") == f"{scheme}://{host.decode('latin-1')}")


def same_origin_ws(scope: MutableMapping[str, Any]) -> bool:
    headers = dict(scope["headers"])
    origin = headers.get(b"origin")
    host = headers.get(b"host")
    if origin is None or host is None:
        return False
    scheme = "https" if scope.get("scheme") == "wss" else "http"
    return bool(origin.decode("latin-1") == f"{scheme}://{host.decode('latin-1')}")


async def refuse(send: Any, status: int, title: str, detail: str, extra: list[tuple[bytes, bytes]]) -> None:
    body = orjson.dumps({"type": "about:blank", "title": title, "status": status, "detail": detail})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/problem+json"),
                            (b"content-length", str(len(body)).encode()), *COMMON, *extra]})
    await send({"type": "http.response.body", "body": body})
