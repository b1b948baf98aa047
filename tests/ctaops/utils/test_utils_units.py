"""ctaops.utils.units: sizes and durations, one parser shared with the Rust command line."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ctaops.errors import InvalidArgumentError
from ctaops.utils.units import format_size, format_size_decimal, format_size_human, parse_duration, parse_size


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
        # With B, a unit is SI (as CTA and EOS print sizes); iB or a bare letter is IEC.
        ("2gb", 2_000_000_000),
        ("2GiB", 2 * 2**30),
        ("1MB", 1_000_000),
        ("1MiB", 2**20),
        ("1kB", 1000),
        (" 7 M ", 7 * 2**20),
        ("10.2M", 10_695_475),
        ("10.2MB", 10_200_000),
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


def test_negative_size_says_so() -> None:
    with pytest.raises(InvalidArgumentError, match="negative"):
        parse_size("-5MB")


def test_human_sizes_are_si_with_one_decimal() -> None:
    assert format_size_human(999) == "999 B"
    assert format_size_human(10_200_000_000) == "10.2 GB"


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30.0), ("30", 30.0), ("5m", 300.0), ("2h", 7200.0), ("1d", 86400.0), ("1.5h", 5400.0)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("bad", ["", "-5s", "5x", "soon"])
def test_bad_duration(bad: str) -> None:
    with pytest.raises(InvalidArgumentError, match="invalid duration"):
        parse_duration(bad)


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
