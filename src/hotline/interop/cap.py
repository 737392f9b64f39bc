"""CAP 1.2 alerts and an Atom index of findings, for the civilian workstreams' alerting systems.

One finding is one CAP ``alert`` (``application/cap+xml``); a cleared finding is sent as ``msgType``
``Cancel`` referencing the alert. Scope is ``Restricted``: the feed is read with a party's credentials
and carries only the findings of channels that party belongs to. The ``info`` block is written in the
reader's language (en, he, ar): a headline by rule, the zone's agreed name, and the place and time in
figures; the engine's English explanation is added as ``instruction``-free ``description`` text only
in English. ElementTree escapes every text, so no user text becomes markup.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - building only, nothing is parsed here
from collections.abc import Iterable, Mapping
from typing import Any

__all__ = ["CAP_NS", "ATOM_NS", "alert_xml", "atom_feed", "HEADLINES"]

CAP_NS = "urn:oasis:names:tc:emergency:cap:1.2"
ATOM_NS = "http://www.w3.org/2005/Atom"

HEADLINES: dict[str, dict[str, str]] = {
    "geofence.entered": {"en": "Track entered {zone} without a notice",
                         "he": "מסלול נכנס ל{zone} ללא הודעה מוקדמת",
                         "ar": "مسار دخل {zone} دون إخطار"},
    "airspace.restricted": {"en": "Activity in restricted airspace {zone}",
                            "he": "פעילות במרחב אווירי מוגבל {zone}",
                            "ar": "نشاط في المجال الجوي المقيد {zone}"},
    "": {"en": "Deconfliction finding: {zone}", "he": "ממצא תיאום: {zone}", "ar": "نتيجة فض الاشتباك: {zone}"},
}
_WORDS = {
    "en": {"track": "Track", "where": "Where", "since": "Since", "party": "Party"},
    "he": {"track": "מסלול", "where": "מיקום", "since": "מאז", "party": "צד"},
    "ar": {"track": "المسار", "where": "الموقع", "since": "منذ", "party": "الطرف"},
}


def _sub(parent: ET.Element, tag: str, text: str) -> ET.Element:
    el = ET.SubElement(parent, f"{{{CAP_NS}}}{tag}")
    el.text = text
    return el


def alert_xml(state: Mapping[str, Any], *, sender: str, lang: str, zone_names: Mapping[str, Mapping[str, str]]
              ) -> bytes:
    """The CAP 1.2 alert for one finding's state (a ``finding`` aggregate), in ``lang``."""
    lang = lang if lang in _WORDS else "en"
    f = state["finding"]
    zone = str(f.get("zone") or "")
    zname = zone_names.get(zone, {}).get(lang) or zone_names.get(zone, {}).get("en") or zone
    ident = f"{sender}:finding:{state['finding_id']}"
    cleared = state["status"] == "cleared"
    ET.register_namespace("", CAP_NS)
    root = ET.Element(f"{{{CAP_NS}}}alert")
    _sub(root, "identifier", ident + (":cancel" if cleared else ""))
    _sub(root, "sender", sender)
    _sub(root, "sent", (state["cleared"]["at"] if cleared else state["raised_at"])[:19] + "+00:00")
    _sub(root, "status", "Actual")
    _sub(root, "msgType", "Cancel" if cleared else "Alert")
    _sub(root, "scope", "Restricted")
    _sub(root, "restriction", f"Parties of channel {state['channel']}")
    if cleared:
        _sub(root, "references", f"{sender},{ident},{state['raised_at'][:19]}+00:00")
    info = ET.SubElement(root, f"{{{CAP_NS}}}info")
    _sub(info, "language", {"en": "en-US", "he": "he-IL", "ar": "ar"}[lang])
    _sub(info, "category", "Security")
    _sub(info, "event", f["rule"])
    _sub(info, "urgency", "Immediate")
    _sub(info, "severity", "Severe")
    _sub(info, "certainty", "Observed")
    headline = HEADLINES.get(f["rule"], HEADLINES[""])[lang].format(zone=zname)
    _sub(info, "headline", headline)
    w = _WORDS[lang]
    where = f.get("where") or {}
    lines = [headline]
    track = f.get("track")
    if track:
        lines.append(f"{w['track']}: {track['callsign']} ({track['uid']}, {track['type']})")
    lines.append(f"{w['party']}: {', '.join(f['parties'])}")
    if "lat" in where:
        lines.append(f"{w['where']}: {where['lat']:.5f}, {where['lon']:.5f}")
    lines.append(f"{w['since']}: {f['when']['start']}")
    if lang == "en":
        lines.append(f["explanation"])
    _sub(info, "description", "\n".join(lines))
    _sub(info, "web", f"/api/v1/findings/{state['finding_id']}")
    if "lat" in where:
        area = ET.SubElement(info, f"{{{CAP_NS}}}area")
        _sub(area, "areaDesc", zname or headline)
        _sub(area, "circle", f"{where['lat']},{where['lon']} 0.5")
    return bytes(ET.tostring(root, encoding="utf-8", xml_declaration=True))


def atom_feed(states: Iterable[Mapping[str, Any]], *, sender: str, lang: str, base: str, updated: str) -> bytes:
    """An Atom index of the findings' CAP alerts, newest first."""
    ET.register_namespace("", ATOM_NS)
    feed = ET.Element(f"{{{ATOM_NS}}}feed")

    def sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
        el = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            el.text = text
        return el

    sub(feed, "id", f"{sender}:cap:findings:{lang}")
    sub(feed, "title", f"{sender} findings ({lang})")
    sub(feed, "updated", updated)
    sub(sub(feed, "author"), "name", sender)
    for st in states:
        f = st["finding"]
        e = sub(feed, "entry")
        sub(e, "id", f"{sender}:finding:{st['finding_id']}")
        sub(e, "title", f"{f['rule']} {f.get('zone') or ''}".strip())
        sub(e, "updated", (st["cleared"]["at"] if st["status"] == "cleared" else st["raised_at"])[:19] + "Z")
        sub(e, "link", rel="alternate", type="application/cap+xml",
            href=f"{base}/api/v1/cap/findings/{st['finding_id']}.xml?lang={lang}")
    return bytes(ET.tostring(feed, encoding="utf-8", xml_declaration=True))
