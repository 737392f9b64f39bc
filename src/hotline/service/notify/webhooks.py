"""Signed webhooks: HMAC-SHA256 over the timestamp and the body, retried with backoff and jitter.

A receiver checks ``Hotline-Signature: v1=<hex>`` against HMAC-SHA256(secret, f"{timestamp}.{body}")
with ``Hotline-Timestamp`` (Unix seconds; reject old ones to stop replays) and drops a second delivery
of the same ``Hotline-Event-Id``: a retry after a lost answer repeats it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import random
from urllib.parse import urlsplit

import httpx

from hotline.domain.errors import Invalid
from hotline.domain.policies import check_webhook_url

__all__ = ["sign", "verify", "backoff", "post_webhook", "refuse_self", "HEADER_SIGNATURE", "HEADER_TIMESTAMP",
           "HEADER_EVENT"]

HEADER_SIGNATURE = "Hotline-Signature"
HEADER_TIMESTAMP = "Hotline-Timestamp"
HEADER_EVENT = "Hotline-Event-Id"
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, *, now: int, tolerance_s: int = 300) -> bool:
    """The receiver's side, as the README describes it (used by the tests' receiver)."""
    if not timestamp.isdigit() or abs(now - int(timestamp)) > tolerance_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


def backoff(attempt: int, base_s: float, max_s: float, rng: random.Random | None = None) -> float:
    """Seconds before attempt ``attempt + 1``: exponential, with half of it random (equal jitter), so that
    many senders retrying at once spread out but none retries sooner than half its step."""
    step = min(max_s, base_s * (2 ** (attempt - 1)))
    return float(step / 2 + (rng or random).uniform(0, step / 2))


def _is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def refuse_self(url: str, public_url: str, key: str) -> None:
    """A webhook pointing at the hotline itself would let a world file make the server call its own API."""
    check_webhook_url(url, key)
    target, own = urlsplit(url), urlsplit(public_url)

    def port(parts: object) -> int:
        p = parts.port  # type: ignore[attr-defined]
        return p if p is not None else (443 if parts.scheme == "https" else 80)  # type: ignore[attr-defined]

    same_host = (target.hostname or "").lower() == (own.hostname or "").lower()
    both_local = _is_loopback(target.hostname or "") and _is_loopback(own.hostname or "")
    if (same_host or both_local) and port(target) == port(own):
        raise Invalid(f"{key}: {url!r} points at this hotline server ({public_url}); a webhook must reach "
                      "another system.", field=key)


async def post_webhook(client: httpx.AsyncClient, url: str, secret: str, event_id: str, body: bytes,
                       timestamp: int, timeout_s: float) -> int:
    """One attempt; returns the HTTP status (raises on a network error or timeout)."""
    headers = {"content-type": "application/json", HEADER_EVENT: event_id, HEADER_TIMESTAMP: str(timestamp),
               HEADER_SIGNATURE: sign(secret, timestamp, body), "user-agent": "hotline-webhook/1"}
    response = await client.post(url, content=body, headers=headers, timeout=timeout_s)
    return response.status_code
