"""The notifier: escalation steps in the ledger become deliveries, and deliveries are attempted until
they succeed or give up. Its durability contract, as the writer's:

- Planning is exactly once: the rows a step calls for are inserted in the same transaction that moves
  the planner's position (``meta: notify.position``) past the step's event, with ids derived from it.
  A restart (even after SIGKILL) plans from the stored position, so no step is lost or planned twice.
- Sending is at least once: a row is leased before an attempt and its outcome saved after; a process
  killed between the two retries that attempt after the lease runs out, or at once on SQLite, where
  the process that starts is the database's only one, so every lease it finds is a dead process's.
  Webhook receivers drop the repeat by ``Hotline-Event-Id``; e-mails carry ``Hotline-Delivery-Id``.
- A delivery that gives up, and a webhook target disabled after repeated failures, are written to the
  ledger (``notify.delivery_failed``, ``notify.target_disabled``): the party's supervisors see them on
  the console.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from hotline.domain.errors import Invalid
from hotline.domain.events import SYSTEM, Pending
from hotline.domain.timefmt import dtg, iso, parse_iso
from hotline.ledger.envelope import Event
from hotline.service.unit_of_work import UnitOfWork
from hotline.store import deliveries as store
from hotline.store.cursors import seq_to_cursor
from hotline.store.ledger import last_seq, load_aggregate, read_events
from hotline.tasks import cancel_and_wait

from .email import build_email, send_email
from .routing import aggregate_kind, is_step, plan_deliveries
from .settings import NotifySettings
from .texts import render_email, word
from .webhooks import backoff, post_webhook, refuse_self

if TYPE_CHECKING:
    from hotline.service.hotline import Hotline

__all__ = ["Notifier"]

log = logging.getLogger("hotline.notify")


class Notifier:
    def __init__(self, hl: Hotline) -> None:
        self.hl = hl
        self.settings = NotifySettings.load(hl.settings.extra)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._client: httpx.AsyncClient | None = None

    def check(self) -> None:
        """Refuse a world whose webhooks point at this server or would go unsigned (``hotline serve`` calls
        this before it listens; ``start`` again)."""
        hooks = [(i, c.webhook) for i, c in enumerate(self.hl.world.escalation.contacts) if c.webhook]
        for i, url in hooks:
            refuse_self(url, self.settings.public_url, f"escalation.contacts[{i}].webhook")
        if hooks and len(self.settings.webhook_secret) < 16:
            # Fail closed: an unsigned (or guessably signed) webhook could be forged by anyone.
            raise Invalid("The world file names webhooks but HOTLINE_WEBHOOK_SECRET is unset or shorter than 16 "
                          "characters; set a long random secret and give it to the receivers.",
                          field="HOTLINE_WEBHOOK_SECRET")

    async def prepare(self) -> None:
        """Ready to plan and send (tests drive ``plan`` and ``run_due`` by hand after this)."""
        async with self.hl.db.write() as conn:
            if self.hl.db.is_sqlite:
                await store.release_leases(conn)
            if await store.get_position(conn) is None:
                # A new deployment (or one upgraded to this feature) starts from now, not from history.
                await store.set_position(conn, await last_seq(conn), is_sqlite=self.hl.db.is_sqlite)
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)

    async def start(self) -> None:
        self.check()
        await self.prepare()
        self.hl.listeners.append(self._on_commit)
        self._task = asyncio.create_task(self._run(), name="hotline-notify")

    async def stop(self) -> None:
        if self._on_commit in self.hl.listeners:
            self.hl.listeners.remove(self._on_commit)
        await cancel_and_wait(self._task)
        self._task = None
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def lease_s(self) -> float:
        # Long enough for an attempt to end by its own timeout (an e-mail's connect, TLS and DATA may
        # each take one) and no longer: after a crash the lease is how long an alert waits to be retried.
        s = self.settings
        return 3 * max(s.smtp_timeout_s, s.webhook_timeout_s) + 5

    def _on_commit(self, events: list[Event]) -> None:
        if any(is_step(e) for e in events):
            self._wake.set()

    async def _run(self) -> None:
        while True:
            self._wake.clear()
            delay = 5.0
            try:
                await self.plan()
                await self.run_due()
                async with self.hl.db.read() as conn:
                    nxt = await store.next_delivery_at(conn)
                if nxt is not None:
                    delay = min(delay, max(0.05, (parse_iso(nxt) - self.hl.clock()).total_seconds()))
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("notification pass failed; retrying shortly")
                delay = 1.0
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass

    async def plan(self) -> int:
        """Create the deliveries of every step recorded since the stored position; returns how many."""
        created = 0
        while True:
            # Read outside the write lock (the ledger's writer shares it); write only rows and position.
            async with self.hl.db.read() as conn:
                position = await store.get_position(conn) or 0
                batch = await read_events(conn, after=position, channels=None, limit=500)
            if not batch:
                return created
            rows = [r for e in batch if is_step(e) for r in plan_deliveries(self.hl.world, e)]
            async with self.hl.db.write() as conn:
                if (await store.get_position(conn) or 0) != position:
                    continue  # another process planned these meanwhile
                await store.add_deliveries(conn, [{**r, "log": orjson.dumps(r["log"]).decode()} for r in rows],
                                           is_sqlite=self.hl.db.is_sqlite)
                await store.set_position(conn, batch[-1].seq, is_sqlite=self.hl.db.is_sqlite)
            created += len(rows)

    async def run_due(self) -> int:
        """Attempt every delivery due now; returns the number of attempts."""
        now = self.hl.clock()
        async with self.hl.db.read() as conn:  # most passes find nothing due: no write lock for them
            nxt = await store.next_delivery_at(conn)
        if nxt is None or nxt > iso(now):
            return 0
        async with self.hl.db.write() as conn:
            rows = await store.claim_due(conn, iso(now), iso(now + timedelta(seconds=self.lease_s())))
        await asyncio.gather(*(self._attempt(row) for row in rows))
        return len(rows)

    async def _item(self, row: dict[str, Any]) -> dict[str, Any] | None:
        kind = aggregate_kind(row["event_type"])
        async with self.hl.db.read() as conn:
            return await load_aggregate(conn, kind, row["item_id"])

    def _facts(self, row: dict[str, Any], state: dict[str, Any] | None, language: str) -> dict[str, Any]:
        world = self.hl.world
        state = state or {}

        def name(party: str | None) -> str:
            p = world.parties.get(party or "")
            return (p.names.get(language) or p.names.get("en") or p.id) if p else (party or "-")

        channel = world.channels.get(row["channel"])
        posted = (state.get("posted_at") or state.get("created_at") or state.get("reported_at")
                  or state.get("since") or row["created_at"])
        return {
            "precedence": state.get("precedence", "FLASH"), "summary": self._summary(row, state, language),
            "step": _step_of(row), "steps": "?", "party": name(row["party"]),
            "kind": row["event_type"].split(".", 1)[0], "sender": name(state.get("party")),
            "channel": (channel.names.get(language) or channel.id) if channel else row["channel"],
            "dtg": dtg(parse_iso(posted)), "link": f"{self.settings.public_url.rstrip('/')}/#timeline",
        }

    def _summary(self, row: dict[str, Any], state: dict[str, Any], language: str) -> str:
        """One line saying what the step is about, in ``language`` where it is made of catalog words."""
        kind = row["event_type"].split(".", 1)[0]
        if kind in ("linktest", "desk") and state.get("id") in self.hl.world.desks:
            desk = self.hl.world.desks[state["id"]]
            name = desk.names.get(language) or desk.names.get("en") or desk.id
            if kind == "desk":
                return f"{name} ({word(language, 'status.' + str(state.get('status')))})"
            esc = (state.get("linktest") or {}).get("escalation") or {}
            last = (state.get("linktest") or {}).get("last") or {}
            return f"{name}: {esc.get('test_id') or last.get('id') or ''}".rstrip(": ")
        if kind == "incident" and state.get("category"):
            return f"{row['item_id']}: {word(language, 'category.' + state['category'])}"
        return str(state.get("subject") or state.get("title") or row["item_id"])

    def _body_allowed(self, row: dict[str, Any], state: dict[str, Any] | None) -> bool:
        if not state or "precedence" not in state:
            return False
        policy = self.hl.world.escalation.policy_for(f"message.{state['precedence']}", row["party"] or "")
        return bool(policy and policy.body)

    def _language(self, row: dict[str, Any]) -> str:
        target = row["target"].rsplit("/", 1)[-1]
        contact = self.hl.world.escalation.contact(target, None if target.startswith(("mediator", "principal:"))
                                                   else row["target_party"])
        if contact and contact.language:
            return contact.language
        party = self.hl.world.parties.get(row["target_party"] or "")
        return party.language if party and party.language in ("en", "he", "ar") else "en"

    async def _attempt(self, row: dict[str, Any]) -> None:
        attempt = row["attempts"] + 1
        now = self.hl.clock()
        entry: dict[str, Any] = {"at": iso(now), "attempt": attempt}
        s = self.settings
        ok, detail, limit, base = False, "", 1, 1.0
        try:
            state = await self._item(row)
            if row["medium"] == "email":
                limit, base = s.smtp_attempts, s.smtp_backoff_s
                language = self._language(row)
                facts = self._facts(row, state, language)
                facts["steps"] = _steps_of(state, row)
                subject, text = render_email(language, facts, body=state.get("body") if state and
                                             self._body_allowed(row, state) else None)
                _reader, cursor = await self._reader_cursor(row)
                delivery_id = f"{cursor}:{row['id'].partition(':')[2]}"  # as the delivery log shows it
                detail = await send_email(s, build_email(s, row["address"], subject, text, language=language,
                                                         delivery_id=delivery_id))
                ok = True
            elif row["medium"] == "webhook":
                limit, base = s.webhook_attempts, s.webhook_backoff_s
                async with self.hl.db.read() as conn:
                    disabled = await store.target_disabled(conn, row["address"])
                if disabled:
                    entry.update(outcome="skipped", detail="the target is disabled after repeated failures")
                    await self._save(row, "skipped", attempt, entry, None)
                    return
                reader, cursor = await self._reader_cursor(row)
                status = await post_webhook(self._client or httpx.AsyncClient(), row["address"], s.webhook_secret,
                                            f"hotline-{reader}-{cursor}", self._webhook_body(row, state, cursor),
                                            int(time.time()), s.webhook_timeout_s)
                ok, detail = 200 <= status < 300, f"HTTP {status}"
        except Exception as e:  # a refusal, a timeout, a reset: all are outcomes to log and retry
            detail = f"{type(e).__name__}: {e}"[:300]
        entry.update(outcome="delivered" if ok else "error", detail=detail)
        if row["medium"] == "webhook":
            async with self.hl.db.write() as conn:
                disabled_now = await store.note_target(conn, row["address"], ok, iso(now),
                                                       disable_after=s.webhook_disable_after,
                                                       is_sqlite=self.hl.db.is_sqlite)
            if disabled_now:
                await self._report(row, "notify.target_disabled", {"failures": s.webhook_disable_after})
                limit = attempt  # nothing more goes to a disabled target
        if ok:
            await self._save(row, "delivered", attempt, entry, None)
        elif attempt < limit:
            wait = backoff(attempt, base, s.webhook_backoff_max_s)
            entry["retry_in_s"] = round(wait, 3)
            await self._save(row, "retrying", attempt, entry, iso(now + timedelta(seconds=wait)))
        else:
            await self._save(row, "failed", attempt, entry, None)
            await self._report(row, "notify.delivery_failed", {"attempts": attempt, "reason": detail})

    async def _save(self, row: dict[str, Any], status: str, attempts: int, entry: dict[str, Any],
                    next_at: str | None) -> None:
        row["log"] = [*row["log"], entry]
        async with self.hl.db.write() as conn:
            await store.save_attempt(conn, row["id"], status=status, attempts=attempts, log=row["log"],
                                     next_at=next_at, now=entry["at"])

    async def _reader_cursor(self, row: dict[str, Any]) -> tuple[str, int | None]:
        """The party told and its own cursor of the event, as its API and stream number it: what it is
        told must not carry the ledger seq, by which it could count events it may not read."""
        reader = row["target_party"] or row["party"]
        async with self.hl.db.read() as conn:
            return reader, (await seq_to_cursor(conn, reader, [row["event_seq"]])).get(row["event_seq"])

    def _webhook_body(self, row: dict[str, Any], state: dict[str, Any] | None, cursor: int | None) -> bytes:
        state = state or {}
        reader = row["target_party"] or row["party"]
        body: dict[str, Any] = {
            "id": f"hotline-{reader}-{cursor}", "type": row["event_type"], "seq": cursor,
            "channel": row["channel"], "item": {"kind": row["event_type"].split(".", 1)[0], "id": row["item_id"]},
            "party": row["party"], "target": row["target"], "step": _step_of(row),
            "precedence": state.get("precedence"), "summary": self._summary(row, state, self._language(row)),
            "link": f"{self.settings.public_url.rstrip('/')}/#timeline"}
        if self._body_allowed(row, state):
            body["body"] = state.get("body")
        return orjson.dumps(body)

    async def _report(self, row: dict[str, Any], event_type: str, extra: dict[str, Any]) -> None:
        """Put a delivery that gave up on the console of the party's supervisors (a ledger event)."""
        kind = row["event_type"].split(".", 1)[0]
        # Named by item and step, not by the ledger seq of the escalation: every member of the channel
        # reads this payload, and a global seq would let it count events of channels it may not read.
        payload = {f"{kind}_id": row["item_id"], "item_id": row["item_id"], "step": _step_of(row),
                   "target": row["target"],
                   "medium": row["medium"], "party": row["target_party"] or row["party"],
                   "escalated_to": "supervisors", **extra}

        async def handle(_uow: UnitOfWork) -> list[Pending]:
            return [Pending(row["channel"], event_type, None, SYSTEM, payload)]

        try:
            await self.hl.writer.submit(handle)
        except Exception:
            log.exception("could not record %s for delivery %s", event_type, row["id"])


def _step_of(row: dict[str, Any]) -> int:
    return int(row.get("step") or 0)


def _steps_of(state: dict[str, Any] | None, row: dict[str, Any]) -> int | str:
    """How many steps the policy that wrote this step has (as the item's record fixed them)."""
    state = state or {}
    kind = row["event_type"].split(".", 1)[0]
    if kind == "linktest":
        esc = (state.get("linktest") or {}).get("escalation")
        return len(esc["steps"]) if esc else "?"  # answered meanwhile: the record no longer holds it
    if kind == "desk":
        return len(state.get("unmanned_policy") or [0, 0])
    entries = state.get("addressees") or state.get("acks") or {}
    entry = entries.get(row["party"] or "", {})
    return len(entry.get("plan") or [0, 0])
