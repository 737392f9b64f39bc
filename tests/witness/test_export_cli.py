"""`hotline export` writes the full record; `hotline verify FILE` accepts it and refuses any tampered byte."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path

from typer.testing import CliRunner

from hotline.api.app import create_app
from hotline.cli import app
from hotline.demo.setup import prepare_demo
from hotline.ledger.checkpoint import ALG_COSIGNATURE_V1, Checkpoint, generate_key
from hotline.ledger.cosign import cosign
from hotline.service.config import Settings
from hotline.service.hotline import Hotline
from hotline.testing import DEMO_PASSWORD, Api

PARTIES = ("isr", "syr", "usa")


async def build(url: str) -> str:
    import httpx

    settings = Settings(database_url=url)
    await prepare_demo(settings, DEMO_PASSWORD)
    hl = Hotline(settings)
    await hl.start(timers=False)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=create_app(hl, start=False)),
                                     base_url="http://t") as client:
            api = Api(client)
            keys = {}
            for p in PARTIES:
                keys[p] = generate_key(f"{p}.example/w", ALG_COSIGNATURE_V1)
                r = await api.as_(f"{p}-super", "POST", f"/api/v1/witness/parties/{p}/keys",
                                  json={"vkey": keys[p].verifier.vkey})
                assert r.status_code == 201
            for i, (p, ch) in enumerate([("isr", "joint"), ("syr", "syr-usa"), ("usa", "isr-usa")] * 2):
                assert (await api.post_message(f"{p}-duty", channel=ch, subject=f"s{i}")).status_code == 201
            await hl.checkpoints.issue()
            for ch, members in (("joint", PARTIES), ("isr-usa", ("isr", "usa")), ("syr-usa", ("syr", "usa"))):
                note = (await api.as_("usa-duty", "GET", f"/api/v1/witness/channels/{ch}/checkpoint")).json()["note"]
                cp = Checkpoint.parse(note[: note.rfind("\n\n") + 1])
                for p in members:
                    r = await api.as_(f"{p}-duty", "POST", f"/api/v1/witness/channels/{ch}/cosignatures",
                                      json={"note": cosign(cp, keys[p], 1_790_000_000)})
                    assert r.status_code == 201, r.text
        return hl.checkpoints.vkey
    finally:
        await hl.stop()


def test_export_verifies_and_any_tampered_byte_fails(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    vkey = asyncio.run(build(f"sqlite:///{db}"))
    out = tmp_path / "export.jsonl"
    runner = CliRunner()
    r = runner.invoke(app, ["export", "--db", str(db), "-o", str(out)])
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["verify", str(out), "--server-key", vkey])
    assert r.exit_code == 0, r.output
    assert "VERIFIED" in r.output and "channel 'joint'" in r.output and "(isr, syr, usa): size" in r.output
    data = out.read_bytes()
    rng = random.Random(6)
    header_end = data.index(b"\n")
    for n in range(16):
        i = rng.randrange(header_end) if n < 4 else rng.randrange(len(data))  # the header too
        bad = bytearray(data)
        bad[i] = (bad[i] + rng.randrange(1, 256)) % 256
        path = tmp_path / "bad.jsonl"
        path.write_bytes(bytes(bad))
        r = runner.invoke(app, ["verify", str(path), "--server-key", vkey])
        assert r.exit_code != 0, (i, r.output)
    # The database itself still verifies (hash chains and chain heads).
    r = runner.invoke(app, ["verify", "--db", str(db)])
    assert r.exit_code == 0, r.output
