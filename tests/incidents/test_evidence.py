"""Evidence files: type by content, size limit, stored by SHA-256, served only to who may see the incident."""

from __future__ import annotations

import base64
import hashlib

import pytest

from hotline.service.hotline import Hotline
from hotline.service.incidents import MAX_EVIDENCE_BYTES
from hotline.testing import Api

from .helpers import EXE, JPEG, PDF, PNG, count_events, report_body

pytestmark = pytest.mark.anyio


async def _incident(api: Api, user: str = "syr-duty", **fields: object) -> str:
    r = await api.as_(user, "POST", "/api/v1/incidents", json=report_body(**fields))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


@pytest.mark.parametrize(("name", "data", "declared", "media"), [
    ("photo.png", PNG, "image/png", "image/png"),
    ("photo.jpg", JPEG, "image/jpeg", "image/jpeg"),
    ("report.pdf", PDF, "application/pdf", "application/pdf"),
    ("log.txt", "שלום, سلام, hello\n".encode(), "text/plain; charset=utf-8", "text/plain"),
    ("unknown.bin", PNG, "application/octet-stream", "image/png"),
])
async def test_served_file_matches_its_hash(api: Api, name: str, data: bytes, declared: str, media: str) -> None:
    iid = await _incident(api)
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/evidence", files={"file": (name, data, declared)})
    assert r.status_code == 201, r.text
    entry = r.json()["evidence"][0]
    sha = hashlib.sha256(data).hexdigest()
    assert (entry["sha256"], entry["size"], entry["media_type"]) == (sha, len(data), media)
    got = await api.as_("isr-duty", "GET", f"/api/v1/incidents/{iid}/evidence/{sha}")
    assert got.status_code == 200
    assert got.content == data and hashlib.sha256(got.content).hexdigest() == sha
    assert got.headers["x-content-sha256"] == sha
    b64 = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert got.headers["repr-digest"] == f"sha-256=:{b64}:"
    assert got.headers["digest"] == f"SHA-256={b64}"
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"].startswith(media)


async def test_same_file_twice_is_attached_once(api: Api, service: Hotline) -> None:
    iid = await _incident(api)
    r1 = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/evidence", files={"file": ("a.png", PNG)})
    before = await count_events(service)
    r2 = await api.as_("syr-super", "POST", f"/api/v1/incidents/{iid}/evidence", files={"file": ("b.png", PNG)})
    assert (r1.status_code, r2.status_code) == (201, 200)
    assert len(r2.json()["evidence"]) == 1 and await count_events(service) == before


REFUSED = [
    ("executable", ("tool.exe", EXE, "application/octet-stream"), 415),
    ("executable declared as an image", ("photo.png", EXE, "image/png"), 415),
    ("pdf declared as an image", ("photo.png", PDF, "image/png"), 415),
    ("binary declared as text", ("notes.txt", b"abc\x00\x01\x02", "text/plain"), 415),
    ("empty", ("empty.txt", b"", "text/plain"), 422),
    ("one byte over the limit", ("big.png", PNG + b"\x00" * (MAX_EVIDENCE_BYTES + 1 - len(PNG)), "image/png"), 413),
]


@pytest.mark.parametrize(("case", "upload", "status"), REFUSED, ids=[c for c, _, _ in REFUSED])
async def test_refused_file_names_the_field_and_leaves_the_incident_unchanged(
        api: Api, service: Hotline, case: str, upload: tuple[str, bytes, str], status: int) -> None:
    iid = await _incident(api)
    before_state = (await api.as_("syr-duty", "GET", f"/api/v1/incidents/{iid}")).json()
    before = await count_events(service)
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/evidence", files={"file": upload})
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"][0]["field"] == "file"
    assert await count_events(service) == before
    assert (await api.as_("syr-duty", "GET", f"/api/v1/incidents/{iid}")).json() == before_state


async def test_file_at_the_limit_is_accepted(api: Api) -> None:
    iid = await _incident(api)
    data = PNG + b"\x00" * (MAX_EVIDENCE_BYTES - len(PNG))
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/evidence", files={"file": ("max.png", data)})
    assert r.status_code == 201 and r.json()["evidence"][0]["size"] == MAX_EVIDENCE_BYTES


async def test_evidence_of_a_channel_the_party_is_not_in_is_not_found(api: Api, service: Hotline) -> None:
    # Reported by Syria with nobody else involved: the Syria–US channel, which Israel does not see.
    iid = await _incident(api, involved=[])
    r = await api.as_("syr-duty", "POST", f"/api/v1/incidents/{iid}/evidence", files={"file": ("p.png", PNG)})
    assert r.json()["channel"] == "syr-usa"
    sha = hashlib.sha256(PNG).hexdigest()
    assert (await api.as_("usa-duty", "GET", f"/api/v1/incidents/{iid}/evidence/{sha}")).content == PNG
    for url in (f"/api/v1/incidents/{iid}/evidence/{sha}", f"/api/v1/incidents/{iid}"):
        r = await api.as_("isr-duty", "GET", url)
        assert r.status_code == 404 and "visible" in r.json()["detail"]
    before = await count_events(service)
    upload = {"file": ("x.jpg", JPEG, "image/jpeg")}
    r = await api.as_("isr-duty", "POST", f"/api/v1/incidents/{iid}/evidence", files=upload)
    assert r.status_code == 404 and await count_events(service) == before


async def test_a_hash_not_attached_to_this_incident_is_not_served(api: Api) -> None:
    a = await _incident(api)
    b = await _incident(api)
    await api.as_("syr-duty", "POST", f"/api/v1/incidents/{a}/evidence", files={"file": ("p.png", PNG)})
    sha = hashlib.sha256(PNG).hexdigest()
    r = await api.as_("syr-duty", "GET", f"/api/v1/incidents/{b}/evidence/{sha}")
    assert r.status_code == 404 and r.json()["errors"][0]["field"] == "sha256"
