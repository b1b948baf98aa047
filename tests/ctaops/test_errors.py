"""The exception tree: one root, stable codes, the classes Rust raises by code."""

from __future__ import annotations

import pickle

import pytest

from ctaops import errors


def _all_classes() -> list[type[errors.CtaOpsError]]:
    return [getattr(errors, n) for n in errors.__all__ if isinstance(getattr(errors, n), type)]


def test_every_class_has_a_unique_upper_snake_code() -> None:
    codes = [c.code for c in _all_classes()]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert code == code.upper()
        assert " " not in code


@pytest.mark.parametrize("cls", _all_classes())
def test_code_lookup_and_pickle(cls: type[errors.CtaOpsError]) -> None:
    assert errors.error_class_for_code(cls.code) is cls
    exc = errors._error_for_code(cls.code, "boom")
    assert isinstance(exc, errors.CtaOpsError)
    again = pickle.loads(pickle.dumps(exc))  # noqa: S301 (our own object)
    assert type(again) is cls
    assert str(again) == "boom"


def test_unknown_code_keeps_the_code_on_the_root_class() -> None:
    exc = errors._error_for_code("SOMETHING_NEW", "later release")
    assert type(exc) is errors.CtaOpsError
    assert exc.code == "SOMETHING_NEW"
    assert errors.CtaOpsError.code == "CTAOPS_ERROR"
