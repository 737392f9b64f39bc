import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from hotline.ledger.envelope import canonical

scalars = (st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text())
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(), inner, max_size=4), max_leaves=20)


def reference(value):
    try:
        return rfc8785.dumps(value)
    except Exception as e:  # noqa: BLE001 - the reference refuses; so must the fast path
        return type(e)


def ours(value):
    try:
        return canonical(value)
    except Exception as e:  # noqa: BLE001
        return type(e)


@settings(max_examples=1500)
@given(json_values)
def test_canonical_is_byte_identical_to_rfc8785(value):
    assert ours(value) == reference(value)


@given(st.dictionaries(st.text(alphabet=st.characters(min_codepoint=0xE000, max_codepoint=0x1F64F)),
                       st.integers(-1000, 1000), min_size=2, max_size=6))
def test_keys_beyond_the_bmp_sort_by_utf16_like_rfc8785(value):
    assert canonical(value) == rfc8785.dumps(value)


def test_integers_at_the_edge_of_the_safe_range():
    for n in (2**53 - 1, -(2**53 - 1), 2**53, -(2**53)):
        assert ours({"n": n}) == reference({"n": n})
