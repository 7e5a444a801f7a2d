"""Spoken quantities in an answer transcript: "a hundred million", "100M", "40%", "5 KB per tweet".

Whisper writes numbers both as digits ("10,000", "100M") and as words ("two hundred fifty
milliseconds"), and candidates say units many ways ("QPS", "writes a second", "daily").
This module turns one sentence into `Quantity` values with a normalised unit and "per", so
the rubric can say whether an answer was quantified and `estimates` can check the arithmetic.
It deliberately skips numbers that are not quantities: "one of the", ordinals, "two things",
HTTP status codes, versions, years, and percentile labels ("p99").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from voiceprep.analysis.numbers.numerals import Token, apply_scale, is_number_start, leading_number, tokenize
from voiceprep.analysis.numbers.spoken import (
    ADJECTIVES,
    ADVERB_PER,
    BPS,
    BYTE_UNITS,
    BYTES,
    CODE_CONTEXT,
    IMPLICIT,
    NOT_UNITS,
    NOUNS,
    OPERATORS,
    PERIODS,
    RATE_ACRONYMS,
    TIME,
    VERBS,
)

# ----------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Sentence:
    """A sentence of the transcript; stand-in for `voiceprep.transcript.Sentence`."""

    text: str
    start: float | None = None
    end: float | None = None


@dataclass(frozen=True)
class Quantity:
    """A spoken quantity: value in `unit` (None for a bare number), `per` a period or item."""

    value: float
    unit: str | None
    per: str | None
    text: str
    start: float | None
    end: float | None
    sentence: int = 0
    first: int = field(default=0, compare=False)   # token span in the sentence, for estimates
    last: int = field(default=0, compare=False)
    implicit: bool = field(default=False, compare=False)  # "twice", "doubles": factors only


# ----------------------------------------------------------------------------- units

def _per(toks: list[Token], j: int, unit: str | None) -> tuple[str | None, int]:
    """A "per" after a number or unit: "a second", "per day", "/s", "daily", "per tweet"."""
    if j >= len(toks):
        return None, j
    w = toks[j].low
    if w in ADVERB_PER:
        return ADVERB_PER[w], j + 1
    k = j + 1 if w in ("in", "every", "each") and j + 1 < len(toks) and toks[j + 1].low in ("a", "an") else j
    if toks[k].low in ("per", "a", "an", "/", "every", "each"):
        nxt = toks[k + 1].low if k + 1 < len(toks) else ""
        nxt = nxt[:-1] if nxt.endswith("s") and nxt[:-1] in PERIODS and toks[k].low == "/" else nxt
        if nxt in PERIODS and nxt not in ("s", "h", "d") or (nxt in ("s", "h", "d") and toks[k].low == "/"):
            return PERIODS[nxt], k + 2
        item = NOUNS.get(nxt)
        if toks[k].low == "per" and unit in BYTE_UNITS and nxt.isalpha() and not item:
            return nxt, k + 2                        # "2 KB per response"
        if item and (toks[k].low in ("per", "/") or unit in BYTE_UNITS or unit is None and toks[k].low == "a"
                     and nxt in ("server", "node", "box", "machine", "host", "user")):
            return _singular(nxt), k + 2
    return None, j


def _singular(word: str) -> str:
    """Item noun for "per": "tweets" -> "tweet", "boxes" -> "server" kept as spoken."""
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


_FUNCTION_WORDS = {"the", "a", "an", "of", "to", "in", "for", "and", "or", "per", "each", "every", "with", "at",
                   "on", "by", "from", "is", "are", "was", "were", "that", "this", "it", "so", "but", "if",
                   "than", "then", "as", "into", "over", "under", "about", "times", "x", "plus", "we", "you",
                   "they", "i", "out", "up", "down", "more", "less", "which", "what", "when", "where"}


def _noun_unit(toks: list[Token], j: int) -> tuple[str | None, str | None, int]:
    """A count noun after optional adjectives: "daily active users" -> ("users", "day")."""
    per, k = None, j
    while k < len(toks) and k - j < 3 and toks[k].low in ADJECTIVES:
        per = ADVERB_PER.get(toks[k].low, per)
        k += 1
    if k >= len(toks):
        return None, None, j
    w = toks[k].low
    if w in RATE_ACRONYMS:
        unit, acro_per = RATE_ACRONYMS[w]
        return unit, acro_per, k + 1
    if w in NOUNS or (w.endswith("s") and w[:-1] in NOUNS):
        nxt = toks[k + 1].low if k + 1 < len(toks) else ""
        if w in NOUNS and not w.endswith("s") and (nxt in NOUNS or nxt[:-1] in NOUNS) and nxt.endswith("s"):
            return NOUNS.get(nxt) or NOUNS[nxt[:-1]], per, k + 2   # "page views", "photo uploads"
        return NOUNS.get(w) or NOUNS[w[:-1]], per, k + 1
    if w.isalpha() and w.endswith("s") and len(w) > 3 and w not in NOT_UNITS and w not in VERBS:
        return w, per, k + 1
    nxt = toks[k + 1].low if k + 1 < len(toks) else ""
    if w.isalpha() and w not in _FUNCTION_WORDS and w not in VERBS and nxt.endswith("s") and len(nxt) > 3 \
            and nxt.isalpha() and nxt not in NOT_UNITS and nxt not in VERBS and not toks[k].glued:
        return NOUNS.get(nxt, nxt), per, k + 2       # "location updates", "page views"
    return None, None, j


def _unit(toks: list[Token], j: int) -> tuple[str | None, str | None, int, bool]:
    """Unit after a number; returns (unit, per, next index, is_operator_times)."""
    if j >= len(toks):
        return None, None, j, False
    w, glued = toks[j].low, toks[j].glued
    nxt = toks[j + 1].low if j + 1 < len(toks) else ""
    if w == "%" or w == "percent" or (w == "per" and nxt == "cent"):
        return "%", None, j + (2 if w == "per" else 1), False
    if w in ("x", "×", "times", "fold"):
        if is_number_start(toks, j + 1):
            return None, None, j, True
        if w == "times":
            per, k = _per(toks, j + 1, None)
            if per:
                return None, per, k, False
        return "x", None, j + 1, False
    if w == "to" and nxt in ("1", "one") or w == ":" and glued and nxt == "1":
        return "ratio", None, j + 2, False
    if w in BPS:
        return BPS[w], "second", j + 1, False
    if w in BYTES and (w != "b" or toks[j].text == "B" or glued):
        return BYTES[w], None, j + 1, False
    if w in TIME and (w not in ("s", "h") or glued):
        return TIME[w], None, j + 1, False
    if w in ("dollars", "dollar", "bucks", "usd"):
        return "$", None, j + 1, False
    unit, per, k = _noun_unit(toks, j)
    return unit, per, k, False


# ----------------------------------------------------------------------------- scanning


def _skip(toks: list[Token], i: int, end: int, q_unit: str | None, per: str | None, scaled: bool,
          word: bool, value: float) -> bool:
    """Numbers that are not quantities: "p99", "HTTP 200", "in 2019", "two things", "one of the"."""
    prev = toks[i - 1].low if i > 0 else ""
    if i > 0 and toks[i].glued and prev.isalpha():
        return True                                  # p99, v2, s3, ec2
    if prev == "/" and i > 1 and toks[i - 2].low in CODE_CONTEXT:
        return True                                  # HTTP/2
    if prev in CODE_CONTEXT and q_unit is None and not scaled:
        return True
    bare = q_unit is None and per is None and not scaled
    digits = toks[i].text[0].isdigit()
    if bare and digits and value == int(value):
        if 100 <= value <= 599 and len(toks[i].text) == 3 and prev in ("a", "an", "the", "got", "gets", "with"):
            return True                              # "returns a 202"
        if 1900 <= value <= 2099 and len(toks[i].text) == 4:
            return True                              # years
    if bare and word and value == int(value) and 1990 <= value <= 2039 and prev in ("in", "since", "by", "until"):
        return True                                  # "in twenty nineteen"
    nxt = toks[end].low if end < len(toks) else ""
    if bare and word and value < 10 and prev not in OPERATORS and nxt not in OPERATORS:
        return True                                  # "two of them", "one of the"
    return False


def _scan_one(toks: list[Token], i: int) -> tuple[float, str | None, str | None, int] | None:
    """Parse the quantity starting at toks[i]: (value, unit, per, next index) or None."""
    lead = leading_number(toks, i)
    if lead is None:
        return None
    value, j, unit = lead
    word = not toks[i].text[0].isdigit() and toks[i].low not in ("half",)
    if j < len(toks) and toks[j].glued and re.fullmatch(r"st|nd|rd|th", toks[j].low):
        return None                                  # 1st, 2nd
    value, j, scaled = apply_scale(toks, j, value)
    if j + 1 < len(toks) and toks[j].low == "-" and toks[j].glued:
        j += 1                                       # "5-year", "10-minute"
    if toks[j - 1].low == "grand":
        unit = "$"
    if i > 0 and toks[i - 1].low == "$":
        unit = "$"
    per = None
    if unit is None:
        unit, per, j, operator = _unit(toks, j)
        if operator:
            unit = None
    if j < len(toks) and toks[j].low in NOT_UNITS - OPERATORS and unit is None and value < 10:
        return None                                  # "two things", "three main"
    if unit == "users" and toks[i].low == "one" and per is None:
        return None
    more_per, j = _per(toks, j, unit)
    per = more_per or per
    if unit is None and per is None:
        unit2, per2, j2 = _noun_unit(toks, j)
        unit, per, j = (unit2, per2, j2) if unit2 else (unit, per, j)
    count_unit = unit is None or unit not in BYTE_UNITS | set(TIME.values()) | {"%", "x", "$", "ratio"}
    if toks[i].low == "one" and per is None and count_unit and (unit is None or not toks[j - 1].low.endswith("s")):
        return None                                  # "one of the", "one server handles"
    if _skip(toks, i, j, unit, per, scaled, word, value):
        return None
    return value, unit, per, j


def scan(sentence: Sentence, index: int = 0, toks: list[Token] | None = None) -> list[Quantity]:
    """All quantities of one sentence, including implicit factors ("twice") for `estimates`."""
    toks = tokenize(sentence.text) if toks is None else toks
    out: list[Quantity] = []
    i = 0
    while i < len(toks):
        if toks[i].low in IMPLICIT:
            out.append(_make(sentence, index, toks, i, i + 1, IMPLICIT[toks[i].low], "x", None, True))
            i += 1
            continue
        parsed = _scan_one(toks, i)
        if parsed is None:
            i += 1
            continue
        value, unit, per, j = parsed
        hidden = toks[i].low in ("a", "an") and unit in ("day", "week", "month", "year") and value == 1
        out.append(_make(sentence, index, toks, i, j, value, unit, per, hidden))
        i = max(j, i + 1)
    return _carry_from_to(toks, out)


def _make(sentence: Sentence, index: int, toks: list[Token], i: int, j: int, value: float,
          unit: str | None, per: str | None, implicit: bool) -> Quantity:
    """Build a Quantity with its words and, when the sentence has word times, its start."""
    first = i - 1 if i > 0 and toks[i - 1].low == "$" else i
    text = sentence.text[toks[first].start:toks[j - 1].end]
    time_at = getattr(sentence, "time_at", None)
    start = time_at(toks[first].start) if callable(time_at) else sentence.start
    return Quantity(value, unit, per, text, start, sentence.end, index, i, j - 1, implicit)


def find_quantities(sentences: list[Sentence]) -> list[Quantity]:
    """Every spoken quantity of the answer, in order; `sentence` is the index in `sentences`."""
    return [q for n, s in enumerate(sentences) for q in scan(s, n) if not q.implicit]


def _carry_from_to(toks: list[Token], qs: list[Quantity]) -> list[Quantity]:
    """"went from 800 ms to 120": the second number takes the first one's unit."""
    out = list(qs)
    for k in range(1, len(out)):
        a, b = out[k - 1], out[k]
        between = [t.low for t in toks[a.last + 1:b.first]]
        if b.unit is None and b.per is None and a.unit and between == ["to"] and a.first > 0 \
                and toks[a.first - 1].low == "from":
            out[k] = replace(b, unit=a.unit)
    return out
