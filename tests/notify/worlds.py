"""World files for the notification tests: the demo world plus an escalation policy with short delays."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["policy_world", "demo_text", "kinds_world"]


def demo_text(flash_s: int = 60) -> str:
    text = resources.files("hotline.demo").joinpath("world.toml").read_text("utf-8")
    return text.replace("FLASH = 120", f"FLASH = {flash_s}")


def policy_world(folder: Path, webhook: str, *, flash_s: int = 60, delays: tuple[int, int, int] = (0, 30, 30),
                 body: bool = False, extra: str = "") -> str:
    """Syria's FLASH policy: its desk on the console at the deadline, its supervisors by e-mail, then the
    mediator by webhook; each ``delays`` seconds after the previous step."""
    d1, d2, d3 = delays
    text = demo_text(flash_s) + f"""

[[escalation.policies]]
id = "syr-flash"
party = "syr"
kind = "message.FLASH"
body = {'true' if body else 'false'}
steps = [
  {{ delay = {d1}, targets = ["desk"], channels = ["console"] }},
  {{ delay = {d2}, targets = ["supervisors"], channels = ["email"] }},
  {{ delay = {d3}, targets = ["mediator"], channels = ["webhook"] }},
]

[[escalation.contacts]]
target = "supervisors"
party = "syr"
email = ["syr-supervisors@syr.example"]

[[escalation.contacts]]
target = "mediator"
webhook = "{webhook}"
language = "en"
{extra}
"""
    path = folder / "world.toml"
    path.write_text(text, "utf-8")
    return str(path)


def kinds_world(folder: Path, webhook: str, *, linktest_s: tuple[int, int] = (600, 300),
                linktest_delays: tuple[int, int, int] = (0, 60, 1200)) -> str:
    """A policy for each kind the desks and incidents raise: Syria's unacknowledged incidents, Israel's
    missed link tests and Syria's desk left empty in a planned shift; each a three-step policy with the
    e-mail to the party's supervisors and the webhook to the mediator. Link tests every 10 minutes, not
    jittered, so the test knows when the next one goes out (``linktest_s``: interval and time to answer)."""
    text = demo_text()
    interval, answer = linktest_s
    l1, l2, l3 = linktest_delays
    for key, value in (("linktest_interval_s", interval), ("linktest_jitter_s", 0), ("linktest_answer_s", answer)):
        text = "\n".join(f"{key} = {value}" if line.startswith(f"{key} =") else line for line in text.splitlines())
    text += f"""

[[escalation.policies]]
party = "syr"
kind = "incident"
steps = [
  {{ delay = 0, targets = ["desk"], channels = ["console"] }},
  {{ delay = 30, targets = ["supervisors"], channels = ["email"] }},
  {{ delay = 30, targets = ["mediator"], channels = ["webhook"] }},
]

[[escalation.policies]]
party = "isr"
kind = "link_test"
steps = [
  {{ delay = {l1}, targets = ["supervisors"], channels = ["console", "email"] }},
  {{ delay = {l2}, targets = ["mediator"], channels = ["webhook"] }},
  {{ delay = {l3}, targets = ["principal:chief"], channels = ["console"] }},
]

[[escalation.policies]]
party = "syr"
kind = "desk_unmanned"
steps = [
  {{ delay = 60, targets = ["desk", "supervisors"], channels = ["console", "email"] }},
  {{ delay = 60, targets = ["mediator"], channels = ["webhook"] }},
  {{ delay = 600, targets = ["supervisors"], channels = ["email"] }},
]

[[escalation.principals]]
name = "chief"
party = "isr"

[[escalation.contacts]]
target = "supervisors"
party = "syr"
email = ["syr-supervisors@syr.example"]

[[escalation.contacts]]
target = "supervisors"
party = "isr"
email = ["isr-supervisors@isr.example"]

[[escalation.contacts]]
target = "mediator"
webhook = "{webhook}"
language = "en"
"""
    path = folder / "world.toml"
    path.write_text(text, "utf-8")
    return str(path)
