"""The OpenAPI document states what the operations answer (the fuzzing against it is scripts/fuzz)."""

from __future__ import annotations

import pytest

from hotline.testing import Api

pytestmark = pytest.mark.anyio


@pytest.fixture
def database_url(tmp_path):  # type: ignore[no-untyped-def]
    return f"sqlite:///{tmp_path / 'hotline.db'}"


async def test_every_operation_documents_its_errors_as_problem_json(api: Api) -> None:
    doc = (await api.client.get("/openapi.json")).json()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    operations = 0
    for path, item in doc["paths"].items():
        for method, op in item.items():
            operations += 1
            codes = set(op["responses"])
            assert {"422"} <= codes, (method, path)
            if path != "/api/v1/auth/login" and path != "/healthz":
                assert {"401", "403", "404", "429"} <= codes, (method, path, codes)
            if method == "post":
                assert {"400", "409", "413", "415"} <= codes, (method, path, codes)
            for code, answer in op["responses"].items():
                if code.startswith("4"):
                    assert list(answer["content"]) == ["application/problem+json"], (method, path, code)
    assert operations > 90


async def test_the_events_page_is_documented_as_json_and_the_kml_zones_as_kml(api: Api) -> None:
    doc = (await api.client.get("/openapi.json")).json()
    events = doc["paths"]["/api/v1/events"]["get"]["responses"]["200"]["content"]
    assert events["application/json"]["schema"]["type"] == "object"
    zones = doc["paths"]["/api/v1/zones"]["get"]["responses"]["200"]["content"]
    assert set(zones) == {"application/json", "application/vnd.google-earth.kml+xml"}
    r = await api.as_("isr-duty", "GET", "/api/v1/events")
    assert r.headers["content-type"].startswith("application/json") and isinstance(r.json(), dict)


async def test_the_message_body_has_no_default_the_server_would_refuse(api: Api) -> None:
    doc = (await api.client.get("/openapi.json")).json()
    body = doc["components"]["schemas"]["MessageIn"]["properties"]["body"]
    assert "default" not in body and "template" in body["description"]
    r = await api.post_message("isr-duty", body="")
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "body"


async def test_options_names_every_method_served_at_the_path(api: Api) -> None:
    token = await api.token("isr-duty")
    r = await api.client.options("/api/v1/disputes", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, POST"
    assert r.headers["content-type"] == "application/problem+json"
    r = await api.client.request("PATCH", "/api/v1/channels/joint/messages",
                                 headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 405 and r.headers["allow"] == "GET, POST"
