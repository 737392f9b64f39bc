"""Ids a caller chooses are checked by one rule (hotline.domain.ids), named by the field."""

from __future__ import annotations

import pytest

from hotline.domain.errors import Invalid
from hotline.domain.ids import check_id


@pytest.mark.parametrize("value", ["inc-1", "a_b-c", "x" * 64])
def test_a_well_formed_id_is_accepted(value: str) -> None:
    assert check_id(value, "An incident id") == value


@pytest.mark.parametrize("value", ["abc", "x" * 65, "a b c d", "inc/../1", "inc-1\n", "ntc.1", "מסר-1234"])
def test_a_malformed_id_is_refused_naming_its_field(value: str) -> None:
    with pytest.raises(Invalid, match="An incident id has 4 to 64 letters") as e:
        check_id(value, "An incident id")
    assert e.value.field == "id"


def test_each_kind_states_its_shortest_length_and_dots() -> None:
    assert check_id("ntc.7", "An id", shortest=3, dots=True) == "ntc.7"
    assert check_id("r-1", "A round id", shortest=3) == "r-1"
    assert check_id("מסר-1234", "A message id", any_letters=True) == "מסר-1234"
    with pytest.raises(Invalid, match=r"'-', '_' or '\.'") as e:
        check_id("a/b", "An id", shortest=3, dots=True, field="zone_id")
    assert e.value.field == "zone_id"
