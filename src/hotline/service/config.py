"""Settings from the environment, and the world from its TOML file."""

from __future__ import annotations

import ipaddress
import json
import os
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from hotline.domain.errors import Invalid
from hotline.domain.geography import Geography
from hotline.domain.world import World

__all__ = ["Settings", "load_world", "DEMO_WORLD", "parse_proxies"]

DEMO_WORLD = "demo:world.toml"


def load_world(source: str | Path = DEMO_WORLD) -> World:
    """A world from a TOML file path, or ``demo:NAME`` for a file shipped in ``hotline.demo``.

    The files its ``[geography]`` table names (``gazetteer``, ``zones``) are read relative to it
    (``demo:PATH``: a file shipped in ``hotline.demo``)."""
    folder: Traversable
    if isinstance(source, str) and source.startswith("demo:"):
        folder = resources.files("hotline.demo")
        name = source[5:]
    else:
        folder, name = Path(source).parent, Path(source).name
    data = tomllib.loads(folder.joinpath(name).read_text("utf-8"))
    named = data.get("geography", {})
    if not isinstance(named, dict):
        raise Invalid("[geography] must be a table naming the gazetteer and zones files.", field="geography")

    def read(key: str) -> Any:
        if key not in named:
            return None
        try:
            name = str(named[key])
            # ``demo:PATH`` is a file shipped in hotline.demo, as for the world itself: a copy of the
            # demo world edited elsewhere (other deadlines, say) still finds the demo's geography.
            where = resources.files("hotline.demo").joinpath(name[5:]) if name.startswith("demo:") else \
                folder.joinpath(name)
            return json.loads(where.read_text("utf-8"))
        except (OSError, ValueError) as e:
            raise Invalid(f"The {key} file {named[key]!r} named by the world could not be read ({e}); give "
                          "a path relative to the world file.", field=f"geography.{key}") from e

    try:
        return World.from_dict(data, Geography.from_data(read("gazetteer"), read("zones")))
    except Invalid as e:  # name the file too: the operator may keep several worlds
        raise Invalid(f"{source}: {e.detail}", field=e.field) from None


def parse_proxies(text: str) -> tuple[str, ...]:
    """``HOTLINE_TRUSTED_PROXIES``: a comma list of addresses or CIDR networks, each checked here."""
    out = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        try:
            out.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError as e:
            raise ValueError(f"HOTLINE_TRUSTED_PROXIES: {item!r} is not an address or a CIDR network "
                             "(e.g. 10.0.0.5 or 10.0.0.0/24).") from e
    return tuple(out)


@dataclass
class Settings:
    database_url: str = "sqlite:///hotline.db"
    world: str = DEMO_WORLD
    session_ttl_s: int = 12 * 3600
    # Secure cookies need HTTPS; "auto" sets the flag whenever the request came over HTTPS.
    cookie_secure: str = "auto"
    max_request_bytes: int = 512 * 1024
    heartbeat_s: float = 15.0
    stream_queue: int = 2000
    streams_per_user: int = 8
    origin: str = "hotline.example"
    # Reverse proxies whose X-Forwarded-For names the client (networks); from anyone else it is ignored.
    trusted_proxies: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, **overrides: object) -> Settings:
        env = os.environ
        s = cls(
            database_url=env.get("HOTLINE_DATABASE_URL", cls.database_url),
            world=env.get("HOTLINE_WORLD", cls.world),
            session_ttl_s=int(env.get("HOTLINE_SESSION_TTL", cls.session_ttl_s)),
            cookie_secure=env.get("HOTLINE_COOKIE_SECURE", cls.cookie_secure),
            heartbeat_s=float(env.get("HOTLINE_HEARTBEAT", cls.heartbeat_s)),
            stream_queue=int(env.get("HOTLINE_STREAM_QUEUE", cls.stream_queue)),
            streams_per_user=int(env.get("HOTLINE_STREAMS_PER_USER", cls.streams_per_user)),
            trusted_proxies=parse_proxies(env.get("HOTLINE_TRUSTED_PROXIES", "")),
        )
        for key, value in overrides.items():
            setattr(s, key, value)
        return s
