"""The batch path of positions (``positions_from_dicts``, ``point_texts``) decides and writes exactly as
the one-position rules do: the same positions or the same refusal naming the same field, and the very
RFC 8785 bytes the sealed Merkle leaves are computed over."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from hotline.domain import tracks as trk
from hotline.domain.errors import Invalid
from hotline.ledger.envelope import canonical
from hotline.service.config import Settings, load_world

NOW = datetime(2026, 11, 29, 4, 0, tzinfo=UTC)
WORLD = load_world(Settings().world)

_numbers = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-10**7, 10**7),
                     st.floats(-1e-4, 1e-4), st.sampled_from([0.0, -0.0, 1e-6, 1.5e-6, 1e-5, 9999999.0]),
                     st.booleans(), st.none(), st.text(max_size=3))
_times = st.one_of(st.sampled_from([NOW.isoformat(), "2026-11-29T04:00:30Z", "2026-11-29T04:02:00+00:00",
                                    "2026-11-29T03:59:59.5Z", "2026-11-28T03:00:00Z", "2026-11-29T04:05:00Z",
                                    "2026-11-29T04:00:00", "soon", ""]),
                   st.datetimes(min_value=datetime(2026, 11, 27), max_value=datetime(2026, 12, 1),
                                timezones=st.just(UTC)).map(lambda d: d.isoformat()), st.integers())
_fields: dict[str, Any] = {
    "uid": st.one_of(st.sampled_from(["syr-1", "syr-2", "a" * 129, "-x", "ok.1:2_3"]), st.text(max_size=4),
                     st.integers()),
    "type": st.one_of(st.sampled_from(["a-f-A-M-F-Q", "a-f-G-U-C", "a-f-G", "b-m-p", "a-x"]), st.text(max_size=3)),
    "callsign": st.one_of(st.text(max_size=70), st.just("\ud800"), st.integers()),
    "channel": st.one_of(st.sampled_from([*WORLD.channels, "nope", ""]), st.none(), st.lists(st.just("x"))),
    "party": st.sampled_from(["syr", "isr"]),
    "lat": st.one_of(st.floats(-90, 90), _numbers), "lon": st.one_of(st.floats(-180, 180), _numbers),
    "hae": st.one_of(st.floats(-500, 30000), _numbers), "ce": _numbers, "le": _numbers,
    "course": st.one_of(st.floats(0, 360), _numbers), "speed": st.one_of(st.floats(0, 1500), _numbers),
    "time": _times, "stale": _times,
}
_body = st.fixed_dictionaries({"uid": _fields["uid"], "lat": _fields["lat"], "lon": _fields["lon"]},
                              optional={k: v for k, v in _fields.items() if k not in ("uid", "lat", "lon")})
_valid = st.fixed_dictionaries(
    {"uid": st.sampled_from(["syr-1", "syr-2"]), "lat": st.floats(-90, 90), "lon": st.floats(-180, 180)},
    optional={"hae": st.floats(-500, 30000), "ce": st.floats(0, 9999999),
              "le": st.one_of(st.floats(0, 1e-4),
                              st.sampled_from([1e-6, 1.5e-6, 8.679838980844234e-06, 1e-5, 2e-7, 7.0])),
              "course": st.one_of(st.none(), st.floats(0, 360)), "speed": st.floats(0, 1e-5),
              "channel": st.sampled_from([*WORLD.channels, "nope"]),
              "callsign": st.text(min_size=1, max_size=64), "type": st.just("a-f-A-M-F-Q"),
              "time": st.just("2026-11-29T03:59:00Z"), "stale": st.just("2026-11-29T04:10:00.25Z")})


def _one_at_a_time(bodies: list[Any]) -> list[trk.Position] | tuple[str, str]:
    out = []
    for i, b in enumerate(bodies):
        try:
            out.append(trk.position_from_dict(WORLD, "syr", b, NOW))
        except Invalid as e:
            return f"positions[{i}].{e.field}", e.detail
    return out


def _large(bodies: list[Any]) -> list[Any]:
    """The same bodies repeated into a batch large enough for the column paths (``_by_columns``,
    ``_column_texts``); its first bad body, if any, is at the same index."""
    return bodies * -(-300 // len(bodies))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_body, _valid, st.just([1])), min_size=1, max_size=6), st.booleans())
def test_a_batch_is_accepted_or_refused_exactly_as_one_position_at_a_time(bodies: list[Any], large: bool) -> None:
    if large:
        bodies = _large(bodies)
    want = _one_at_a_time(bodies)
    if isinstance(want, tuple):
        with pytest.raises(Invalid) as e:
            trk.positions_from_dicts(WORLD, "syr", bodies, NOW)
        assert (e.value.field, e.value.detail) == want
    else:
        assert trk.positions_from_dicts(WORLD, "syr", bodies, NOW) == want


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_valid, min_size=1, max_size=6), st.datetimes(timezones=st.just(UTC)), st.booleans())
def test_point_texts_are_the_canonical_bytes_of_the_point_records(bodies: list[Any], received: datetime,
                                                                 large: bool) -> None:
    assume(all(b.get("channel", "joint") in WORLD.channels_of("syr") for b in bodies))
    positions = trk.positions_from_dicts(WORLD, "syr", _large(bodies) if large else bodies, NOW)
    texts = trk.point_texts(positions, received)
    assert texts == [canonical(trk.point_record(p, received)).decode() for p in positions]


def test_a_large_batch_of_distinct_tracks_goes_by_columns_and_writes_the_canonical_bytes() -> None:
    """The common batch (many tracks, one time, non-integral and integral numbers, defaults) decided and
    written exactly as one position at a time."""
    bodies = [{"uid": f"syr-{i}", "type": "a-f-A-M-F-Q" if i % 2 else "a-f-G-U-C", "lat": 33.0 + i / 7919,
               "lon": 36.0 - i / 104729, "hae": float(i % 50) * 10.5, "ce": 5, "speed": i % 3 * 1.25 or None,
               "callsign": f"Eagle \"{i}\" é" if i % 97 == 0 else f"E{i}", "time": "2026-11-29T03:59:30Z"}
              for i in range(1000)]
    positions = trk.positions_from_dicts(WORLD, "syr", bodies, NOW)
    assert positions == _one_at_a_time(bodies)
    received = NOW + timedelta(microseconds=1234)
    assert trk.point_texts(positions, received) == [canonical(trk.point_record(p, received)).decode()
                                                    for p in positions]


def test_a_bad_position_deep_in_a_batch_is_named_by_its_index() -> None:
    good = {"uid": "syr-1", "lat": 33.0, "lon": 36.0, "time": NOW.isoformat()}
    bodies = [good] * 7 + [{**good, "stale": (NOW - timedelta(seconds=1)).isoformat()}] + [good]
    with pytest.raises(Invalid) as e:
        trk.positions_from_dicts(WORLD, "syr", bodies, NOW)
    assert e.value.field == "positions[7].stale"
