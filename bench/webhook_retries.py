"""Webhook retry timings against a real server and a real receiver.

Run: .venv/bin/python bench/webhook_retries.py [--fail 4] [--backoff 1.0] [--messages 3]

A ``hotline serve`` on a SQLite file with a world whose FLASH policy sends the mediator a webhook at
the deadline; a receiver on loopback checks each signature, answers 500 to the first ``--fail``
attempts of each event and 200 after. For every retry the gap since the previous attempt is printed
beside its target range: exponential backoff with equal jitter, attempt n+1 waits between
base*2^(n-1)/2 and base*2^(n-1) seconds (plus the notifier's pass), and each event is taken once.
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.server
import statistics
import tempfile
import threading
import time
from importlib import resources
from pathlib import Path

import orjson

from hotline.testing import ServerProcess, free_port, login

SECRET = "bench-secret-0123456789abcdef"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--fail", type=int, default=4)
    ap.add_argument("--backoff", type=float, default=1.0)
    ap.add_argument("--messages", type=int, default=3)
    args = ap.parse_args()

    attempts: dict[str, list[float]] = {}
    accepted: set[str] = set()
    bad = 0
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            nonlocal bad
            body = self.rfile.read(int(self.headers["content-length"]))
            ts = self.headers["Hotline-Timestamp"]
            good = hmac.compare_digest("v1=" + hmac.new(SECRET.encode(), ts.encode() + b"." + body,
                                                        hashlib.sha256).hexdigest(),
                                       self.headers["Hotline-Signature"])
            event = self.headers["Hotline-Event-Id"]
            with lock:
                bad += not good
                attempts.setdefault(event, []).append(time.monotonic())
                status = 200 if event in accepted or len(attempts[event]) > args.fail else 500
                if status == 200:
                    accepted.add(event)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_a: object) -> None:
            pass

    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as tmp:
        world = resources.files("hotline.demo").joinpath("world.toml").read_text("utf-8").replace(
            "FLASH = 120", "FLASH = 1") + f"""
[[escalation.policies]]
party = "syr"
kind = "message.FLASH"
steps = [{{ delay = 0, targets = ["mediator"], channels = ["webhook"] }}]

[[escalation.contacts]]
target = "mediator"
webhook = "http://127.0.0.1:{port}/hook"
"""
        path = Path(tmp) / "world.toml"
        path.write_text(world, "utf-8")
        server = ServerProcess(f"sqlite:///{tmp}/bench.db", world=str(path), env={
            "HOTLINE_WEBHOOK_SECRET": SECRET, "HOTLINE_WEBHOOK_BACKOFF_S": str(args.backoff),
            "HOTLINE_WEBHOOK_ATTEMPTS": str(args.fail + 2), "HOTLINE_WEBHOOK_DISABLE_AFTER": "1000"})
        server.prepare()
        with server.start():
            isr = login(server.base_url, "isr-duty")
            for i in range(args.messages):
                isr.post("/api/v1/channels/joint/messages", json={"precedence": "FLASH", "subject": f"bench {i}",
                                                                  "body": "x"})
            deadline = time.monotonic() + 30 + args.messages * args.backoff * 2 ** args.fail
            while len(accepted) < args.messages and time.monotonic() < deadline:
                time.sleep(0.1)
    httpd.shutdown()

    print(f"events taken: {len(accepted)} of {args.messages} (target: all, each once); "
          f"bad signatures: {bad} (target 0)")
    for n in range(1, args.fail + 1):
        gaps = [times[n] - times[n - 1] for times in attempts.values() if len(times) > n]
        step = args.backoff * 2 ** (n - 1)
        if gaps:
            print(f"retry {n}: gap median {statistics.median(gaps):.3f} s, min {min(gaps):.3f}, max {max(gaps):.3f} "
                  f"(target {step / 2:.2f}..{step:.2f} s + one notifier pass)")
    extra = sum(max(0, len(t) - args.fail - 1) for t in attempts.values())
    print(f"attempts after the 200: {extra} (target 0)")
    print(orjson.dumps({k: [round(x - v[0], 3) for x in v] for k, v in attempts.items()}).decode())


if __name__ == "__main__":
    main()
