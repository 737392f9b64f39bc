"""Conflict engine benchmark: 10,000 active notices on the demo map.

Run: /work/venv/bin/python bench/conflicts.py [--notices 10000] [--new 200] [--subset 1500]

Targets: one new notice checked against 10,000 active in under 10 ms (median); all findings among
10,000 notices in under 1 s. Each figure is printed beside the straightforward pairwise check measured
in the same run, and the two must give the same findings (asserted). The all-pairs baseline over
10,000 notices is 50 million pairs, too slow to run here: it is timed on a subset and extrapolated
by n², and the findings are compared exactly on that subset.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from hotline.demo.geography import load_zones
from hotline.geo import ConflictEngine, Notice, all_conflicts_pairwise, conflicts_pairwise, notice_from_dict

NOW = datetime(2026, 11, 25, tzinfo=UTC)
TYPES = ["ground_movement", "exercise", "engineering", "humanitarian", "agricultural_burning", "demining", "air"]


def random_notice(rng: random.Random, i: int, prefix: str = "n") -> Notice:
    lon, lat = rng.uniform(35.6, 36.9), rng.uniform(32.65, 33.45)
    ntype = rng.choice(TYPES)
    d: dict[str, Any] = {
        "id": f"{prefix}{i:05d}",
        "party": rng.choice(["isr", "syr", "syr", "isr", "usa"]),
        "type": ntype,
    }
    shape = rng.random()
    if shape < 0.6:
        d |= {"geometry": {"type": "Point", "coordinates": [lon, lat]}, "radius_m": rng.uniform(100, 2000)}
    elif shape < 0.9:
        pts = [[lon + rng.uniform(-0.03, 0.03) * k, lat + rng.uniform(-0.03, 0.03) * k] for k in range(4)]
        d |= {"geometry": {"type": "LineString", "coordinates": pts}, "width_m": rng.uniform(20, 500)}
    else:
        s = rng.uniform(0.003, 0.02)
        d["geometry"] = {
            "type": "Polygon",
            "coordinates": [[[lon, lat], [lon + s, lat], [lon + s, lat + s], [lon, lat + s], [lon, lat]]],
        }
    start = NOW + timedelta(minutes=rng.randrange(60, 30 * 24 * 60))
    d["window"] = {"start": start.isoformat(), "end": (start + timedelta(hours=rng.uniform(1, 24))).isoformat()}
    if ntype == "air" or rng.random() < 0.2:
        lo = rng.uniform(0, 9000)
        d["altitude"] = {"min_m": lo, "max_m": lo + rng.uniform(200, 3000)}
    armed = ntype in ("ground_movement", "exercise") and rng.random() < 0.5
    d["forces"] = {
        "troops": rng.randrange(0, 800) if armed else 0,
        "tanks": rng.choice([0, 0, 4, 14, 30]) if armed else 0,
        "artillery": [{"count": rng.randrange(1, 20), "range_km": rng.choice([12, 18, 25])}]
        if armed and rng.random() < 0.3
        else [],
        "sam": 1 if armed and rng.random() < 0.02 else 0,
        "aircraft": rng.randrange(1, 4) if ntype == "air" else 0,
    }
    return notice_from_dict(d, now=NOW)


def line(label: str, value: str, target: str, baseline: str) -> None:
    print(f"  {label:<46} {value:>12}   target {target:<9} pairwise {baseline}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--notices", type=int, default=10_000)
    ap.add_argument("--new", type=int, default=200)
    ap.add_argument("--pairwise-new", type=int, default=40)
    ap.add_argument("--subset", type=int, default=1_500)
    ap.add_argument("--seed", type=int, default=1974)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    zones = load_zones()

    t = time.perf_counter()
    active = [random_notice(rng, i) for i in range(args.notices)]
    new = [random_notice(rng, i, "new") for i in range(args.new)]
    print(f"built {len(active):,} active + {len(new)} new notices (validated) in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    engine = ConflictEngine(zones, active)
    print(f"engine index (STRtree + arrays + zone membership) built in {1000 * (time.perf_counter() - t):.0f} ms\n")

    # 1. One new notice against all active ones.
    times, counts = [], []
    for n in new:
        t = time.perf_counter()
        found = engine.check(n)
        times.append(time.perf_counter() - t)
        counts.append(len(found))
    base_times = []
    for n in new[: args.pairwise_new]:
        expected = engine.check(n)
        t = time.perf_counter()
        got = conflicts_pairwise(n, zones, active)
        base_times.append(time.perf_counter() - t)
        assert got == expected, f"pairwise and engine differ for {n.id}"
    med, base = statistics.median(times) * 1000, statistics.median(base_times) * 1000
    print(
        f"check one new notice against {len(active):,} active (median of {len(new)}; "
        f"{sum(counts)} findings, {max(counts)} at most for one notice)"
    )
    line("engine.check", f"{med:.2f} ms", "< 10 ms", f"{base:.1f} ms (median of {len(base_times)}, same findings)")
    print(
        f"  p95 {statistics.quantiles(times, n=20)[-1] * 1000:.2f} ms, max {max(times) * 1000:.2f} ms; "
        f"{'PASS' if med < 10 else 'FAIL'}\n"
    )

    # 2. All findings among all active notices.
    t = time.perf_counter()
    everything = engine.all_findings()
    t_all = time.perf_counter() - t
    rules: dict[str, int] = {}
    for f in everything:
        rules[f.rule] = rules.get(f.rule, 0) + 1
    sub = active[: args.subset]
    sub_engine = ConflictEngine(zones, sub)
    t = time.perf_counter()
    sub_found = sub_engine.all_findings()
    t_sub_engine = time.perf_counter() - t
    t = time.perf_counter()
    sub_base = all_conflicts_pairwise(zones, sub)
    t_sub_base = time.perf_counter() - t
    assert sub_base == sub_found, "pairwise and engine differ on the subset"
    extrapolated = t_sub_base * (len(active) / len(sub)) ** 2
    print(f"all findings among {len(active):,} notices: {len(everything):,} findings {dict(sorted(rules.items()))}")
    line(
        "engine.all_findings",
        f"{t_all * 1000:.0f} ms",
        "< 1 s",
        f"~{extrapolated:.0f} s EXTRAPOLATED (n² from {len(sub):,} notices)",
    )
    print(
        f"  on the {len(sub):,}-notice subset: engine {t_sub_engine * 1000:.0f} ms, pairwise {t_sub_base:.2f} s "
        f"(measured), {len(sub_found)} findings, identical; {'PASS' if t_all < 1 else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
