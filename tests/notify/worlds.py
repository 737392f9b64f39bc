"""World files for the notification tests: the demo world plus an escalation policy with short delays."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["policy_world", "demo_text"]


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
