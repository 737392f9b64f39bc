"""The login throttle on real servers: shared by two processes on one PostgreSQL, deaf to forged headers."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from hotline.testing import DEMO_PASSWORD, ServerProcess, fresh_postgres

pytestmark = pytest.mark.postgres


def login(server: ServerProcess, user: str, password: str = DEMO_PASSWORD, **headers: str) -> httpx.Response:
    return httpx.post(server.base_url + "/api/v1/auth/login", json={"username": user, "password": password},
                      headers=headers, timeout=10)


def test_failures_through_one_process_count_at_the_other(tmp_path: Path) -> None:
    with fresh_postgres() as url:
        a = ServerProcess(url, log=tmp_path / "a.log")  # no trusted proxy: X-Forwarded-For is noise
        a.prepare()
        b = ServerProcess(url, log=tmp_path / "b.log", env={"HOTLINE_TRUSTED_PROXIES": "127.0.0.1"})
        with a.start(), b.start():
            # Through A, from loopback, each guess claiming another address: all count against 127.0.0.1.
            for i in range(5):
                r = login(a, "isr-duty", "wrong-password-z", **{"x-forwarded-for": f"198.18.0.{i}"})
                assert r.status_code == 401, r.text
            r = login(a, "isr-duty", "wrong-password-z", **{"x-forwarded-for": "192.0.2.77"})
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            # Wait out each doubling wait and fail again, until the wait is long enough that a loaded
            # machine cannot let it lapse before B is asked (the first wait is one second).
            while int(r.headers["retry-after"]) < 8:
                time.sleep(int(r.headers["retry-after"]) + 0.2)
                r = login(a, "isr-duty", "wrong-password-z")
                assert r.status_code == 401, r.text
                r = login(a, "isr-duty", "wrong-password-z")
                assert r.status_code == 429, r.text
            # B counts A's failures: isr-duty from 127.0.0.1 waits there too, even with the right password ...
            r = login(b, "isr-duty")
            assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
            # ... while the other users of that address sign in through either process,
            assert login(b, "syr-duty").status_code == 200
            assert login(a, "usa-duty").status_code == 200
            # and B, behind which 127.0.0.1 is a trusted proxy, believes the client it names.
            assert login(b, "isr-duty", **{"x-forwarded-for": "192.0.2.44"}).status_code == 200
    a_log = (tmp_path / "a.log").read_text()
    b_log = (tmp_path / "b.log").read_text()
    assert "login throttle: refused key=account:isr-duty@127.0.0.1" in a_log
    assert "login throttle: refused key=account:isr-duty@127.0.0.1" in b_log
    assert "wrong-password-z" not in a_log + b_log
