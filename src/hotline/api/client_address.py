"""The address a request came from, as the login throttle keys it.

``X-Forwarded-For`` is a header anyone can write. It is read only when the peer itself is one of the
configured reverse proxies (``HOTLINE_TRUSTED_PROXIES``); then the header is walked from the right
(the hop nearest to us) past every trusted proxy, and the first address that is not one is the
client. A malformed hop ends the walk: nothing further left can be believed. With no trusted
proxies (the default) the peer's address is the client, whatever the header says. ``hotline serve``
gives uvicorn the same list (its default believes any loopback client), so under uvicorn the peer
seen here is already the client a trusted proxy named; this function keeps the rule for any server.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from functools import lru_cache

from starlette.requests import HTTPConnection

__all__ = ["client_address"]

_Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=8)
def _networks(trusted: tuple[str, ...]) -> tuple[_Network, ...]:
    return tuple(ipaddress.ip_network(t, strict=False) for t in trusted)


def _ip(text: str) -> _Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(ip: _Address | None, networks: Sequence[_Network]) -> bool:
    return ip is not None and any(ip.version == n.version and ip in n for n in networks)


def client_address(conn: HTTPConnection, trusted: Sequence[str]) -> str:
    peer = conn.client.host if conn.client else "unknown"
    networks = _networks(tuple(trusted))
    if not _trusted(_ip(peer), networks):
        return peer
    hops = [h for value in conn.headers.getlist("x-forwarded-for") for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        ip = _ip(hop)
        if ip is None:
            break
        client = str(ip)
        if not _trusted(ip, networks):
            break
    return client
