"""A summary of a py-spy profile (``py-spy record -f raw``: one collapsed stack and its count a line).

    python bench/_profile.py profile.txt [--top 25]

Prints where the samples end (self time, grouped by package and by function) and how much of the time
passes through a few frames worth watching on the hot path (inclusive), so a before and an after can be
read side by side.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

__all__ = ["summarize"]

# frame text: "function (path/to/module.py:line)"
_FRAME = re.compile(r"^(?P<fn>.*?) \((?P<path>[^:]*)(?::\d+)?\)$")
WATCH = {
    "sqlalchemy": "sqlalchemy/", "aiosqlite": "aiosqlite/", "greenlet/await_only": "await_only",
    "fastapi dependency solving": "solve_dependencies", "pydantic": "pydantic", "starlette": "starlette/",
    "uvicorn": "uvicorn/", "websockets": "websockets/", "hashing (hashlib)": "sha256",
    "json encoding": "dumps", "hotline.service": "hotline/service/", "hotline.store": "hotline/store/",
    "hotline.realtime": "hotline/realtime/", "hotline.api": "hotline/api/", "prometheus": "prometheus_client",
    "argon2": "argon2", "idle (selector wait)": "select (selectors.py",
}


def _package(frame: str) -> str:
    m = _FRAME.match(frame)
    path = m.group("path") if m else frame
    for marker, name in (("/hotline/", "hotline."), ("site-packages/", ""), ("/lib/python3", "stdlib:")):
        if marker in path:
            rest = path.split(marker, 1)[1]
            if name == "stdlib:":
                rest = rest.split("/", 1)[1] if "/" in rest else rest
            parts = rest.split("/")
            return name + (parts[0] if name != "hotline." else "/".join(parts[:1]))
    return path or "?"


def summarize(text: str, top: int = 25) -> str:
    total = 0
    self_fn: Counter[str] = Counter()
    self_pkg: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    for line in text.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        leaf = frames[-1]
        self_fn[leaf] += n
        self_pkg[_package(leaf)] += n
        for name, marker in WATCH.items():
            if marker in stack:
                inclusive[name] += n
    out = [f"{total} samples"]
    out.append("self time by package:")
    out += [f"  {n / total * 100:5.1f}%  {pkg}" for pkg, n in self_pkg.most_common(12)]
    out.append("inclusive (samples whose stack passes through):")
    out += [f"  {n / total * 100:5.1f}%  {name}" for name, n in inclusive.most_common()]
    out.append(f"top {top} functions by self time:")
    out += [f"  {n / total * 100:5.1f}%  {fn[:150]}" for fn, n in self_fn.most_common(top)]
    return "\n".join(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("profile", type=Path)
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()
    print(summarize(args.profile.read_text(), args.top))


if __name__ == "__main__":
    main()
