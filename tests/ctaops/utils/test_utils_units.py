"""ctaops.utils.units: sizes as upstream writes them."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctaops.errors import InvalidArgumentError
from ctaops.utils.units import format_size, format_size_decimal, parse_size


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10G", 10 * 2**30),
        ("0B", 0),
        ("1G", 2**30),
        ("1.5T", 3 * 2**39),
        ("5368709120", 5 * 2**30),
        ("262144", 262144),
        ("4KiB", 4096),
        ("2gb", 2 * 2**30),
        (" 7 M ", 7 * 2**20),
    ],
)
def test_parse(text: str, expected: int) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("n", "text"), [(0, "0B"), (1023, "1023B"), (1024, "1K"), (10 * 2**30, "10G"), (3 * 2**39, "1.5T")]
)
def test_format(n: int, text: str) -> None:
    assert format_size(n) == text


def test_cta_admin_decimal_style() -> None:
    assert format_size_decimal(999) == "999"
    assert format_size_decimal(3_100_000_000) == "3.1G"


@pytest.mark.parametrize("bad", ["", "ten", "-1G", "10Q", "1.2.3G", "20E"])
def test_bad_input(bad: str) -> None:
    with pytest.raises(InvalidArgumentError, match="invalid size"):
        parse_size(bad)


def test_negative_int_is_rejected() -> None:
    with pytest.raises(OverflowError):
        format_size(-1)


@given(st.integers(min_value=0, max_value=1023), st.integers(min_value=0, max_value=6))
def test_round_trip_of_exact_multiples(n: int, power: int) -> None:
    size = n * 1024**power
    if size < 2**64:
        assert parse_size(format_size(size)) == size


@given(st.integers(min_value=1, max_value=2**63))
def test_format_is_close(n: int) -> None:
    assert abs(parse_size(format_size(n)) - n) <= n * 0.05
