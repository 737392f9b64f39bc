"""Build the demo world in a database: schema, accounts, and a few messages to look at."""

from __future__ import annotations

from hotline.domain.errors import Invalid
from hotline.service.auth import hash_password
from hotline.service.config import Settings
from hotline.service.hotline import Hotline

from .accounts import DEMO_ACCOUNTS

__all__ = ["prepare_demo"]


async def prepare_demo(settings: Settings, password: str, *, talks: bool = False, zones: bool | None = None,
                       scenario: bool = False) -> tuple[tuple[str, str | None, str, str], ...]:
    """Create (or reset the passwords of) the demo accounts; with ``zones`` (by default, whenever ``talks``: the
    full demo of ``hotline demo``), record the agreed geography as zone events; with ``talks``, also record the
    rounds of talks of
    ``talks.toml`` (idempotent); with ``scenario``, a few messages, incidents and a dispute. Returns the
    accounts."""
    hl = Hotline(settings)
    await hl.db.migrate()
    digest = hash_password(password)  # one password for every demo account: hash it once
    try:
        for username, party, role, name in DEMO_ACCOUNTS:
            try:
                await hl.auth.add_user(username, password, party=party, role=role, display_name=name,
                                       password_hash=digest)
            except Invalid:
                await hl.auth.set_password(username, password, password_hash=digest)
        if talks:
            from .talks import seed_talks

            hl.writer.start()
            try:
                await seed_talks(hl)
            finally:
                await hl.writer.stop()
        if talks if zones is None else zones:  # the agreed geography, recorded as events once (idempotent)
            from hotline.service.deconfliction import seed_zones

            hl.writer.start()
            try:
                await seed_zones(hl, list(hl.world.geography.zone_features))
            finally:
                await hl.writer.stop()
        if scenario:  # a day on the line: messages, incidents, a dispute (idempotent)
            from .scenario import seed_scenario

            hl.writer.start()
            try:
                await seed_scenario(hl)
            finally:
                await hl.writer.stop()
    finally:
        await hl.db.dispose()
    return DEMO_ACCOUNTS
