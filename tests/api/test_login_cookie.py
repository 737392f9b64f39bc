"""Login authenticates by password: a stale session cookie the client carries does not make it a cross-site
request; a login whose Origin names another site is refused. Against a real server, as a script would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hotline.testing import DEMO_PASSWORD, ServerProcess

CREDENTIALS = {"username": "isr-duty", "password": DEMO_PASSWORD}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    folder: Path = tmp_path_factory.mktemp("login")
    srv = ServerProcess(f"sqlite:///{folder / 'hotline.db'}", log=folder / "server.log")
    srv.prepare()
    with srv.start():
        yield srv


def test_one_cookie_keeping_client_logs_in_twice_and_after_logout(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        first = client.post("/api/v1/auth/login", json=CREDENTIALS)
        assert first.status_code == 200, first.text
        assert client.cookies.get("hotline_session") == first.json()["token"]
        second = client.post("/api/v1/auth/login", json=CREDENTIALS)  # carries the first session's cookie
        assert second.status_code == 200, second.text
        token = second.json()["token"]
        assert token != first.json()["token"]
        assert client.get("/api/v1/me").json()["username"] == "isr-duty"  # the new cookie authenticates
        out = client.post("/api/v1/auth/logout", headers={"authorization": f"Bearer {token}"})
        assert out.status_code == 204
        # A client that kept the revoked cookie anyway (a script that ignores the deletion) still logs in.
        client.cookies.set("hotline_session", token)
        assert client.get("/api/v1/me").status_code == 401
        third = client.post("/api/v1/auth/login", json=CREDENTIALS)
        assert third.status_code == 200, third.text
        me = client.get("/api/v1/me", headers={"authorization": f"Bearer {third.json()['token']}"})
        assert me.json()["username"] == "isr-duty"


@pytest.mark.parametrize("with_cookie", [False, True])
def test_a_login_from_another_site_is_refused_and_opens_no_session(server: ServerProcess, with_cookie: bool) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        if with_cookie:
            assert client.post("/api/v1/auth/login", json=CREDENTIALS).status_code == 200
        before = client.cookies.get("hotline_session")
        r = client.post("/api/v1/auth/login", json=CREDENTIALS, headers={"origin": "http://evil.example"})
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
        assert "set-cookie" not in r.headers and client.cookies.get("hotline_session") == before
        same = client.post("/api/v1/auth/login", json=CREDENTIALS, headers={"origin": server.base_url})
        assert same.status_code == 200, same.text


def test_other_writes_with_a_cookie_still_need_this_origin(server: ServerProcess) -> None:
    with httpx.Client(base_url=server.base_url) as client:
        assert client.post("/api/v1/auth/login", json=CREDENTIALS).status_code == 200
        r = client.post("/api/v1/channels/joint/messages", json={"precedence": "ROUTINE", "subject": "s", "body": "b"})
        assert r.status_code == 403  # a cookie and no Origin: refused as before
        assert client.post("/api/v1/auth/logout").status_code == 403
        assert client.post("/api/v1/auth/logout", headers={"origin": server.base_url}).status_code == 204
