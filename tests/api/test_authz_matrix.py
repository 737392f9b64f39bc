"""The authorization matrix: every route x every demo user (each role of each party, the mediator, the
admin) x each party relation (own, other) against the one policy table in api/policy.py.

Generated from the app's route table, so a new route without a row fails here. Real requests on a
real SQLite file: a refused call answers 403 (or 404 for what the caller may not see) and writes nothing.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute, iter_route_contexts

from hotline.api import policy
from hotline.api.app import create_app
from hotline.demo.accounts import DEMO_ACCOUNTS
from hotline.service.hotline import Hotline
from hotline.testing import Api

# Tables a refused request must leave as they were. Not watched: sessions and login failures (logging
# in) and checkpoints (the server signs its heads in the background, after an earlier accepted write).
WATCHED = ("events", "chains", "aggregates", "users", "meta", "evidence", "cosignatures", "deliveries",
           "notify_targets")
PARAM = re.compile(r"{(\w+)(?::\w+)?}")

pytestmark = pytest.mark.anyio


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    yield f"sqlite:///{tmp_path / 'hotline.db'}"


def _routes(service: Hotline) -> list[tuple[str, str]]:
    app = create_app(service, start=False)
    out: list[tuple[str, str]] = []
    for r in (c.original_route for c in iter_route_contexts(app.routes)):  # into included routers
        if isinstance(r, APIRoute):
            out += [(m, r.path) for m in sorted(r.methods - {"HEAD"})]
        elif isinstance(r, APIWebSocketRoute):
            out.append(("WS", r.path))
    return out


def _snapshot(database_url: str) -> dict[str, int]:
    with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
        return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in WATCHED}  # noqa: S608


def _relations(service: Hotline, party: str | None, path: str) -> dict[str, dict[str, str]]:
    """Path values for the caller's own resources and, where one exists, another party's."""
    names = set(PARAM.findall(path))
    own: dict[str, str] = {}
    other: dict[str, str] = {}
    mine = sorted(service.world.channels_of(party))
    strange = sorted(set(service.world.channels) - set(mine))
    parties = sorted(service.world.parties)
    for name in names:
        if name == "channel_id":
            own[name] = mine[0] if mine else "joint"
            if strange:
                other[name] = strange[0]
        elif name in ("party", "desk"):
            own[name] = party or "isr"
            theirs = [p for p in parties if p != party]
            if party is not None and theirs:
                other[name] = theirs[0]
        elif name == "seq":
            own[name] = "1"
        elif name == "sha256":
            own[name] = "0" * 64
        else:
            own[name] = "nope-1"
    out = {"own": own}
    if other:
        out["other"] = {**own, **other}
    return out


async def test_every_route_has_exactly_one_row_and_every_row_a_route(service: Hotline) -> None:
    routes = set(_routes(service))
    missing = sorted(routes - set(policy.POLICY))
    stale = sorted(set(policy.POLICY) - routes)
    assert not missing, f"routes with no row in api/policy.py: {missing}"
    assert not stale, f"rows in api/policy.py for no route: {stale}"


async def test_the_route_table_against_the_policy_for_every_role_and_party(
        api: Api, service: Hotline, database_url: str) -> None:
    wrong: list[str] = []
    calls = 0
    for method, template in _routes(service):
        rule = policy.POLICY[(method, template)]
        if method == "WS" or rule.public:
            continue
        for username, party, role, _ in DEMO_ACCOUNTS:
            own_status = 0
            for relation, values in _relations(service, party, template).items():
                url = PARAM.sub(lambda m, v=values: v[m.group(1)], template)  # type: ignore[misc]
                before = _snapshot(database_url)
                kw: dict[str, Any] = {"json": {}} if method in ("POST", "DELETE") else {}
                r = await api.as_(username, method, url, **kw)
                calls += 1
                if template.endswith("/auth/logout"):
                    api._tokens.pop(username, None)  # that session is gone; log in afresh for the next route
                where = f"{method} {url} as {username} ({relation}): {r.status_code}"
                if r.status_code >= 500:
                    wrong.append(f"{where} server error")
                after = _snapshot(database_url)
                if r.status_code >= 400 and after != before:
                    wrong.append(f"{where} refused but wrote: {before} -> {after}")
                refused_by_policy = r.status_code == 403 and "may not call" in r.text
                if not rule.allows(role):
                    if not refused_by_policy:
                        wrong.append(f"{where} should be refused by the policy")
                    elif r.headers["content-type"] != "application/problem+json":
                        wrong.append(f"{where} refusal is not problem+json")
                elif refused_by_policy:
                    wrong.append(f"{where} refused though the policy admits {role}")
                if relation == "own":
                    own_status = r.status_code
                # Another party's resource reads as absent; a body refused before any lookup (422) says
                # nothing about it as long as the caller's own resource gets the same answer.
                elif r.status_code not in (403, 404) and not (r.status_code == own_status == 422):
                    wrong.append(f"{where} another party's resource must answer 403 or 404")
    assert calls > 1000
    assert not wrong, "\n".join(wrong)


ZONE = {"type": "Feature", "id": "aos-north-ext", "geometry": {"type": "Polygon", "coordinates": [[
    [35.68, 33.43], [35.72, 33.43], [35.72, 33.47], [35.68, 33.47], [35.68, 33.43]]]},
    "properties": {"kind": "separation", "binds": ["isr", "syr"], "names": {
        "en": "Northern extension", "he": "הרחבה צפונית", "ar": "الامتداد الشمالي"}}}


async def test_duty_officers_neither_propose_nor_decide_agreed_zones(api: Api, database_url: str) -> None:
    before = _snapshot(database_url)
    r = await api.as_("syr-duty", "POST", "/api/v1/zones/proposals", json={"feature": ZONE})
    assert r.status_code == 403 and r.headers["content-type"] == "application/problem+json"
    r = await api.as_("syr-duty", "POST", "/api/v1/zones/import",
                      json={"format": "geojson", "document": {"type": "FeatureCollection", "features": [ZONE]}})
    assert r.status_code == 403
    assert _snapshot(database_url) == before
    r = await api.as_("syr-super", "POST", "/api/v1/zones/proposals", json={"feature": ZONE})
    assert r.status_code == 201, r.text
    pid = r.json()["proposal"]["proposal_id"]
    decided = _snapshot(database_url)
    for verb in ("accept", "reject"):
        r = await api.as_("isr-duty", "POST", f"/api/v1/zones/aos-north-ext/proposals/{pid}/{verb}", json={})
        assert r.status_code == 403, r.text
    assert _snapshot(database_url) == decided
    zone = (await api.as_("isr-duty", "GET", "/api/v1/zones/aos-north-ext")).json()
    assert zone["active"] is None and zone["proposal"]["proposal_id"] == pid
    r = await api.as_("isr-super", "POST", f"/api/v1/zones/aos-north-ext/proposals/{pid}/accept")
    assert r.status_code == 201 and r.json()["active"]["properties"]["status"] == "active"
