"""Numbers as written or spoken, read from tokens: digits, word numbers and scales."""

from __future__ import annotations

import pytest

from voiceprep.analysis.numbers.numerals import apply_scale, is_number_start, leading_number, tokenize


@pytest.mark.parametrize(("text", "value", "used"), [
    ("15,000 users", 15000, 1),
    ("10^5 keys", 1e5, 1),
    (".5 seconds", 0.5, 1),
    ("a hundred and twenty thousand", 120000, 5),
    ("three sixty five days", 365, 3),
    ("ninety-nine percent", 99, 2),
    ("one point five", 1.5, 3),
    ("a dozen shards", 12, 2),
    ("a couple of replicas", 2, 3),
    ("half a day", 0.5, 2),
    ("a terabyte", 1, 1),
])
def test_leading_number(text, value, used):
    toks = tokenize(text)
    got, end, _unit = leading_number(toks, 0)
    assert got == pytest.approx(value) and end == used


@pytest.mark.parametrize(("text", "expected"), [
    ("the cache", None),
    ("hundred", None),  # a scale word alone starts no number
    ("one of them", (1.0, 1, None)),  # a number here; `quantities` decides it is no quantity
])
def test_where_no_number_starts(text, expected):
    assert leading_number(tokenize(text), 0) == expected


@pytest.mark.parametrize(("text", "value", "scaled"), [
    ("100M", 1e8, True),
    ("5 M drivers", 5e6, True),
    ("1.5 billion", 1.5e9, True),
    ("ten k", 1e4, True),
    ("500B each", 500, False),  # bytes, not billions, before "each"
    ("40 servers", 40, False),
])
def test_apply_scale(text, value, scaled):
    toks = tokenize(text)
    first, j, _ = leading_number(toks, 0)
    got, _end, was_scaled = apply_scale(toks, j, first)
    assert got == pytest.approx(value) and was_scaled is scaled


def test_tokens_remember_glue_and_number_starts():
    toks = tokenize("100M a hundred")
    assert [(t.low, t.glued) for t in toks] == [("100", False), ("m", True), ("a", False), ("hundred", False)]
    assert is_number_start(toks, 0) and is_number_start(toks, 2) and not is_number_start(toks, 1)
    assert not is_number_start(toks, 9)
