"""The cache of the newest events' cursors that answers read before the store."""

from __future__ import annotations

from hotline.service.cursors import RecentCursors


def test_a_known_event_gives_the_readers_cursor_and_hides_it_from_a_party_that_may_not_read_it() -> None:
    recent = RecentCursors()
    recent.add({78: {"isr": 40, "syr": 30, "usa": 50}, 79: {"isr": 41, "usa": 51}})
    assert recent.lookup("syr", [78, 79, 80]) == ({78: 30}, {80})  # 79 is isr-usa: neither found nor missing
    assert recent.lookup("usa", [79]) == ({79: 51}, set())


def test_the_oldest_events_leave_first_and_are_then_read_from_the_store() -> None:
    recent = RecentCursors(limit=3)
    for seq in range(1, 6):
        recent.add({seq: {"isr": seq}})
    assert recent.lookup("isr", range(1, 6)) == ({3: 3, 4: 4, 5: 5}, {1, 2})
