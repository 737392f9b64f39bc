"""World files whose escalation policy breaks a rule are refused at load (``hotline init`` and start)
with one line naming the file and the key; nothing is written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from hotline.domain.errors import Invalid
from hotline.service.config import Settings, load_world
from hotline.service.hotline import Hotline

from .worlds import demo_text, policy_world

STEP = '{ delay = 0, targets = ["supervisors"], channels = ["console"] }'


def policy(steps: str = STEP, **keys: str) -> str:
    extra = "".join(f"{k} = {v}\n" for k, v in keys.items())
    return f'\n[[escalation.policies]]\nparty = "syr"\nkind = "message.FLASH"\n{extra}steps = [{steps}]\n'


CASES = {
    "negative_delay": (policy('{ delay = -5, targets = ["desk"], channels = ["console"] }'),
                       "escalation.policies[0].steps[0].delay"),
    "unknown_target": (policy('{ delay = 0, targets = ["president"], channels = ["console"] }'),
                       "escalation.policies[0].steps[0].targets[0]"),
    "unknown_principal": (policy('{ delay = 0, targets = ["principal:nobody"], channels = ["console"] }'),
                          "escalation.policies[0].steps[0].targets[0]"),
    "unknown_channel": (policy('{ delay = 0, targets = ["desk"], channels = ["pager"] }'),
                        "escalation.policies[0].steps[0].channels[0]"),
    "no_targets": (policy('{ delay = 0, targets = [], channels = ["console"] }'),
                   "escalation.policies[0].steps[0].targets"),
    "unknown_kind": ('\n[[escalation.policies]]\nparty = "syr"\nkind = "message.URGENT"\nsteps = [' + STEP + ']\n',
                     "escalation.policies[0].kind"),
    "unknown_party": ('\n[[escalation.policies]]\nparty = "egy"\nkind = "finding"\nsteps = [' + STEP + ']\n',
                      "escalation.policies[0].party"),
    "loop": ('\n[[escalation.policies]]\nid = "a"\nparty = "syr"\nkind = "finding"\nthen = "b"\nsteps = [' + STEP
             + ']\n\n[[escalation.policies]]\nid = "b"\nparty = "isr"\nkind = "finding"\nthen = "a"\nsteps = ['
             + STEP + ']\n', "escalation.policies[0].then"),
    "webhook_not_http": ('\n[[escalation.contacts]]\ntarget = "mediator"\nwebhook = "file:///etc/passwd"\n',
                         "escalation.contacts[0].webhook"),
    "webhook_javascript": ('\n[[escalation.contacts]]\ntarget = "mediator"\nwebhook = "javascript:alert(1)"\n',
                           "escalation.contacts[0].webhook"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_policy_is_refused_naming_the_file_and_key(case: str, tmp_path: Path) -> None:
    snippet, key = CASES[case]
    path = tmp_path / "world.toml"
    path.write_text(demo_text() + snippet, "utf-8")
    with pytest.raises(Invalid) as info:
        load_world(str(path))
    assert info.value.field == key
    assert info.value.detail.startswith(f"{path}: {key}:")


def test_a_loop_names_the_policies_it_goes_through(tmp_path: Path) -> None:
    path = tmp_path / "world.toml"
    path.write_text(demo_text() + CASES["loop"][0], "utf-8")
    with pytest.raises(Invalid, match=r"loop \(a -> b -> a\)"):
        load_world(str(path))


def test_a_good_policy_chain_flattens_into_one_list_of_steps(tmp_path: Path) -> None:
    path = tmp_path / "world.toml"
    path.write_text(demo_text() + (
        '\n[[escalation.policies]]\nid = "a"\nparty = "syr"\nkind = "message"\nthen = "b"\nsteps = [' + STEP
        + ']\n\n[[escalation.policies]]\nid = "b"\nparty = "isr"\nkind = "finding"\nsteps = ['
        '{ delay = 60, targets = ["mediator"], channels = ["console", "webhook"] }]\n'), "utf-8")
    world = load_world(str(path))
    chain = world.escalation.policy_for("message.IMMEDIATE", "syr")
    assert chain is not None and [s.delay_s for s in chain.steps] == [0, 60]
    assert world.escalation.policy_for("message.FLASH", "isr") is None


def test_hotline_init_refuses_the_world_in_one_line_and_creates_nothing(tmp_path: Path) -> None:
    path = tmp_path / "world.toml"
    path.write_text(demo_text() + CASES["negative_delay"][0], "utf-8")
    db = tmp_path / "h.db"
    env = {**os.environ, "HOTLINE_WORLD": str(path), "HOTLINE_DATABASE_URL": f"sqlite:///{db}"}
    r = subprocess.run([sys.executable, "-m", "hotline.cli", "init"], env=env, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "escalation.policies[0].steps[0].delay" in lines[0]
    assert not db.exists()


def test_hotline_serve_refuses_a_webhook_to_itself_in_one_line(tmp_path: Path) -> None:
    port = 18765
    path = policy_world(tmp_path, f"http://localhost:{port}/api/v1/events")
    env = {**os.environ, "HOTLINE_WORLD": path, "HOTLINE_DATABASE_URL": f"sqlite:///{tmp_path / 'h.db'}",
           "HOTLINE_WEBHOOK_SECRET": "x" * 32}
    env.pop("HOTLINE_PUBLIC_URL", None)
    r = subprocess.run([sys.executable, "-m", "hotline.cli", "serve", "--port", str(port)], env=env,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "escalation.contacts[1].webhook" in lines[0] and "points at this hotline" in lines[0]


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://localhost:8000/x",
                                 "https://hotline.example/api/v1/messages"])
def test_a_webhook_pointing_at_the_server_itself_is_refused_at_start(url: str, tmp_path: Path) -> None:
    path = policy_world(tmp_path, url)
    for public in ("http://127.0.0.1:8000", "https://hotline.example"):
        settings = Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", world=path,
                            extra={"HOTLINE_PUBLIC_URL": public})
        if ("hotline.example" in url) != ("hotline.example" in public):
            continue
        with pytest.raises(Invalid, match="points at this hotline server") as info:
            Hotline(settings).notifier.check()
        assert info.value.field == "escalation.contacts[1].webhook"


def test_a_webhook_on_another_port_of_loopback_is_allowed(tmp_path: Path) -> None:
    path = policy_world(tmp_path, "http://127.0.0.1:9999/hook")
    Hotline(Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", world=path, extra={
        "HOTLINE_PUBLIC_URL": "http://127.0.0.1:8000", "HOTLINE_WEBHOOK_SECRET": "x" * 32})).notifier.check()


def test_webhooks_without_a_long_secret_are_refused_at_start(tmp_path: Path) -> None:
    path = policy_world(tmp_path, "http://127.0.0.1:9999/hook")
    for secret in ("", "short"):
        with pytest.raises(Invalid, match="HOTLINE_WEBHOOK_SECRET") as info:
            Hotline(Settings(database_url=f"sqlite:///{tmp_path / 'h.db'}", world=path,
                             extra={"HOTLINE_WEBHOOK_SECRET": secret})).notifier.check()
        assert info.value.field == "HOTLINE_WEBHOOK_SECRET"
