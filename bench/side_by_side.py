"""Two versions of the hotline side by side, at the same moment under the same load: CPU per message.

    python bench/side_by_side.py --before /path/to/old/src [--rate 150] [--seconds 12] [--per-party 1]
                                 [--rounds 4]

On a shared machine the CPU a message costs moves by tens of percent from one run to the next, more
than most changes are worth. Here the two servers (``--before``: an unpacked ``src`` put first on the
older server's ``PYTHONPATH``, e.g. ``git archive <commit> src | tar -x -C DIR``; the other one this
checkout) run at once, each with its own paced poster and listeners, so whatever else the machine
does falls on both; each round prints both servers' CPU per message (from ``/proc``) and their ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _load import Listeners, cpu_seconds, finish_paced, pct, run_paced  # noqa: E402 (the helpers next to this script)
from delivery import hotline_env, listener_tokens, tokens_of  # noqa: E402

from hotline.testing import ServerProcess


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--before", type=Path, required=True, help="the older version's src directory")
    ap.add_argument("--rate", type=float, default=150)
    ap.add_argument("--seconds", type=float, default=12)
    ap.add_argument("--per-party", type=int, default=1, help="listeners per party")
    ap.add_argument("--rounds", type=int, default=4)
    args = ap.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="hotline-sbs-"))
    servers: dict[str, ServerProcess] = {}
    try:
        for name, extra in (("before", {"PYTHONPATH": str(args.before.resolve())}), ("after", {})):
            srv = ServerProcess(f"sqlite:///{folder / (name + '.db')}", log=folder / f"{name}.log",
                                env={**hotline_env(), **extra})
            srv.prepare()
            srv.start(timeout=60)
            servers[name] = srv
        cost: dict[str, list[float]] = {name: [] for name in servers}
        for r in range(args.rounds):
            tokens = {name: tokens_of(srv.base_url) for name, srv in servers.items()}
            listeners = {name: Listeners(srv.base_url, listener_tokens(tokens[name], args.per_party)).start()
                         for name, srv in servers.items()}
            time.sleep(1)
            started = time.monotonic()
            cpu0 = {name: cpu_seconds(srv.proc.pid) for name, srv in servers.items()}  # type: ignore[union-attr]
            posters = {name: run_paced(srv.base_url, tokens[name]["isr-duty"], args.rate, args.seconds, "paced")
                       for name, srv in servers.items()}
            posted = {name: finish_paced(*posters[name], started) for name in servers}
            time.sleep(1)  # the last deliveries
            parts = []
            for name, srv in servers.items():
                ms = (cpu_seconds(srv.proc.pid) - cpu0[name]) / max(1, posted[name].ok) * 1000  # type: ignore[union-attr]
                counts, lat = listeners[name].finish()
                cost[name].append(ms)
                parts.append(f"{name} {ms:.3f} ms/msg ({sum(counts)}/{posted[name].ok * len(counts)} delivered) "
                             f"p50 {pct(lat, 50):.2f} p99 {pct(lat, 99):.2f} ms")
            ratio = cost["after"][-1] / cost["before"][-1]
            print(f"round {r + 1}: " + " | ".join(parts) + f" | after/before {ratio:.3f}", flush=True)
        before, after = statistics.median(cost["before"]), statistics.median(cost["after"])
        print(f"median CPU per message: before {before:.3f} ms, after {after:.3f} ms, "
              f"after/before {after / before:.3f}")
    finally:
        for srv in servers.values():
            srv.stop()


if __name__ == "__main__":
    main()
