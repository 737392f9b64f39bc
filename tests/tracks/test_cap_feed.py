"""CAP 1.2 feed of findings: Atom index and alerts in the reader's language, only what the reader may see."""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - parsing our own server's answer in a test

import pytest

from hotline.interop.cap import ATOM_NS, CAP_NS
from hotline.testing import Api, FakeClock

from .test_geofence_findings import fly

pytestmark = pytest.mark.anyio
C = f"{{{CAP_NS}}}"


async def test_a_geofence_finding_is_a_cap_alert_in_each_partys_language(api: Api, clock: FakeClock) -> None:
    await fly(api, clock, "syr-duty", "syr-uav-9", type="a-f-G-U-C", callsign="RAED 9")
    r = await api.as_("isr-duty", "GET", "/api/v1/cap/findings.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    feed = ET.fromstring(r.content)  # noqa: S314
    links = [e.get("href") for e in feed.iter(f"{{{ATOM_NS}}}link")]
    assert len(links) == 1 and "lang=he" in links[0]  # isr reads in its party's language by default
    path = links[0].split("http://hotline.test", 1)[1]
    r = await api.as_("isr-duty", "GET", path)
    assert r.headers["content-type"].startswith("application/cap+xml")
    alert = ET.fromstring(r.content)  # noqa: S314
    assert alert.findtext(f"{C}msgType") == "Alert" and alert.findtext(f"{C}scope") == "Restricted"
    info = alert.find(f"{C}info")
    assert info is not None and info.findtext(f"{C}language") == "he-IL"
    assert "אזור ההפרדה" in (info.findtext(f"{C}headline") or "")  # the Area of Separation's agreed Hebrew name
    assert "RAED 9" in (info.findtext(f"{C}description") or "")
    r = await api.as_("syr-duty", "GET", path.replace("lang=he", "lang=ar"))
    assert "منطقة" in r.text or "مسار" in r.text


async def test_a_finding_released_to_the_mediator_only_is_not_in_syrs_feed(api: Api, clock: FakeClock) -> None:
    await fly(api, clock, "isr-duty", "isr-recce-2", type="a-f-G-U-C-R", channel="isr-usa")
    assert "isr-recce-2" not in (await api.as_("syr-duty", "GET", "/api/v1/cap/findings.atom")).text
    r = await api.as_("usa-duty", "GET", "/api/v1/cap/findings.atom")
    feed = ET.fromstring(r.content)  # noqa: S314
    [link] = [e.get("href") for e in feed.iter(f"{{{ATOM_NS}}}link")]
    path = link.split("http://hotline.test", 1)[1]
    assert (await api.as_("syr-duty", "GET", path)).status_code == 404
    assert "isr-recce-2" in (await api.as_("usa-duty", "GET", path)).text
