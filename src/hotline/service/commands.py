"""The one shape of a command on one aggregate: load it and what it names, decide, commit, answer.

Messages, incidents, disputes and commitments all act this way; having it once means every such
command gets the batch's single read (``keys``), and a new record can never take the id of another
kind of record (which would overwrite that record's projection row).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from hotline.domain.errors import Conflict
from hotline.domain.events import Pending
from hotline.service.unit_of_work import UnitOfWork

from .hotline import Hotline

__all__ = ["on_aggregate"]

State = dict[str, Any]
Decide = Callable[[State | None, dict[str, State | None], datetime], list[Pending]]


async def on_aggregate(hl: Hotline, kind: str, agg_id: str, decide: Decide, *, new: bool = False,
                       also: Iterable[tuple[str, str]] = ()) -> tuple[Any, bool]:
    """Run ``decide(state, others, now)`` on the aggregate ``kind``/``agg_id`` in the writer.

    ``also`` names other aggregates (kind, id) the decision reads; they come in ``others`` by id.
    ``new``: the command creates ``agg_id``, so an id already held by another kind of record is refused.
    Returns the aggregate's state after the command and whether the command wrote anything.
    """
    others_keys = tuple(also)

    async def handle(uow: UnitOfWork) -> list[Pending]:
        state = await uow.load(kind, agg_id)
        if new and state is None and uow.peek(agg_id) is not None:
            raise Conflict(f"The id {agg_id!r} is taken by another record; use a new id.", field="id")
        others = {other_id: await uow.load(other_kind, other_id) for other_kind, other_id in others_keys}
        return decide(state, others, uow.now)

    events, state = await hl.writer.submit(handle, lambda uow: uow.peek(agg_id),
                                           keys=(agg_id, *(i for _, i in others_keys)))
    return state, bool(events)
