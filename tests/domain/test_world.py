from __future__ import annotations

import pytest

from hotline.domain.errors import Invalid
from hotline.domain.world import World
from hotline.service.config import load_world


def test_demo_world_has_three_parties_and_the_mediators_bilateral_channels() -> None:
    world = load_world()
    assert set(world.parties) == {"isr", "syr", "usa"}
    assert world.mediator == "usa"
    assert world.channels_of("syr") == {"joint", "syr-usa"}
    assert world.channels_of("usa") == {"joint", "isr-usa", "syr-usa"}
    assert world.channels_of(None) == frozenset()
    for thing in [*world.parties.values(), *world.channels.values()]:
        assert set(thing.names) >= {"en", "he", "ar"}
    assert world.deadlines == {"FLASH": 120, "IMMEDIATE": 600, "PRIORITY": 1800, "ROUTINE": 14400}


def test_a_channel_naming_an_unknown_party_is_refused() -> None:
    with pytest.raises(Invalid, match="unknown parties"):
        World.from_dict({"parties": [{"id": "a"}], "channels": [{"id": "c", "members": ["a", "b"]}]})


def test_another_border_is_just_another_file() -> None:
    world = World.from_dict({
        "world": {"name": "Another line"},
        "precedence": {"FLASH": 60},
        "parties": [{"id": "n"}, {"id": "s"}, {"id": "un", "mediator": True}],
        "channels": [{"id": "all", "members": ["n", "s", "un"]}],
    })
    assert world.mediator == "un" and world.deadlines["FLASH"] == 60 and world.common_channel == "all"
