"""A process killed while it held a delivery (leased, attempt not saved) does not hold the alert up for
long: on SQLite the next start gives every lease back at once (it is the database's only process); on
PostgreSQL, where another live process may hold it, the lease runs out after about three attempt
timeouts, not minutes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.domain.timefmt import iso
from hotline.service.hotline import Hotline
from hotline.store import deliveries
from hotline.testing import Api, FakeClock

from .receivers import Mailbox

pytestmark = pytest.mark.anyio


async def test_an_email_leased_by_a_killed_process_is_sent_after_the_restart(
        service: Hotline, api: Api, clock: FakeClock, mailbox: tuple[Mailbox, int]) -> None:
    await api.post_message("isr-duty", subject="Flight", body="x")
    clock.advance(seconds=90)  # the policy's e-mail step falls due
    await service.timers.run_due()
    assert await service.notifier.plan()
    now, lease = clock(), timedelta(seconds=service.notifier.lease_s())
    assert lease < timedelta(minutes=1)
    async with service.db.write() as conn:  # a process leases the e-mail, then dies before its attempt
        held = await deliveries.claim_due(conn, iso(now), iso(now + lease))
    assert [d["medium"] for d in held] == ["email"]

    await service.notifier.prepare()  # the restart
    await service.notifier.run_due()
    box = mailbox[0]
    if service.db.is_sqlite:
        assert len(box.wait(1, timeout=5)) == 1
        return
    assert box.wait(1, timeout=0.5) == []  # PostgreSQL: the lease may be another live process's
    clock.advance(seconds=lease.total_seconds() - 1)
    await service.notifier.run_due()
    assert box.wait(1, timeout=0.5) == []
    clock.advance(seconds=2)
    await service.notifier.run_due()
    assert len(box.wait(1, timeout=5)) == 1
