"""Numbers as Whisper writes them and candidates say them: tokens and their values.

"15,000", "10^5", "100M", "a hundred and twenty thousand", "three sixty five", "one point
five billion", "a couple of": `leading_number` reads the number that starts at a token and
`apply_scale` the scale words after it. `quantities` builds units and "per" on top of these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceprep.analysis.numbers.spoken import BYTES, GLUED_SCALES, ONES, SCALES, TENS


@dataclass(frozen=True)
class Token:
    """A word, number or symbol; `glued` when no space separates it from the previous token."""

    text: str
    low: str
    start: int
    end: int
    glued: bool


_TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?(?:\^-?\d+)?|\.\d+|[A-Za-z]+(?:['’-][A-Za-z]+)*|[$%/*×+~:;,.?!()^=-]")


def tokenize(text: str) -> list[Token]:
    """Split text into tokens, remembering which ones are glued to the one before ("100M")."""
    out: list[Token] = []
    for m in _TOKEN.finditer(text):
        glued = bool(out) and out[-1].end == m.start()
        parts = m.group(0).lower().split("-")
        if len(parts) > 1 and all(p in ONES or p in TENS for p in parts):   # "ninety-nine"
            pos = m.start()
            for n, p in enumerate(parts):
                out.append(Token(p, p, pos, pos + len(p), glued or n > 0))
                pos += len(p) + 1
            continue
        low = m.group(0).lower().replace("’", "'").replace("-", "")
        out.append(Token(m.group(0), low, m.start(), m.end(), glued))
    return out


# ----------------------------------------------------------------------------- numbers


def digit_value(tok: Token) -> float | None:
    """Value of a digit token: "15,000" -> 15000, "10^5" -> 1e5, ".5" -> 0.5."""
    text = tok.text.replace(",", "")
    if "^" in text:
        base, exp = text.split("^")
        return float(base) ** int(exp)
    try:
        return float(text)
    except ValueError:
        return None


def word_number(toks: list[Token], i: int) -> tuple[float, int] | None:
    """Parse spoken words from toks[i]: "a hundred and twenty thousand" -> (120000, next index)."""
    total, current, j, seen = 0.0, 0.0, i, False
    while j < len(toks):
        w = toks[j].low
        nxt = toks[j + 1].low if j + 1 < len(toks) else ""
        if w in ("a", "an") and not seen and nxt in ("hundred", "thousand", "million", "billion", "trillion"):
            current, seen = 1.0, True
        elif w in ONES and not (seen and current % 100 and w != "zero" and current % 10):
            if seen and 1 <= current <= 9 and nxt in TENS:   # "three sixty five" -> 365
                current = current * 100
            current += ONES[w]
            seen = True
        elif w in TENS and (not (seen and current % 100 >= 10) or (total == 0 and 10 < current <= 99)):
            if seen and 1 <= current <= 99 and total == 0 and current == int(current):
                current *= 100                                 # "one fifty", "fifty seven eighty seven"
            current += TENS[w]
            seen = True
        elif w == "hundred" and seen:
            current = (current or 1) * 100
        elif w in ("thousand", "million", "billion", "trillion") and seen:
            total += (current or 1) * SCALES[w]
            current = 0.0
        elif w == "and" and seen and (nxt in ONES or nxt in TENS) and toks[j - 1].low == "hundred":
            pass
        elif w == "point" and seen and (nxt in ONES or nxt == "oh"):
            frac, k, _scale = "", j + 1, 0.0
            while k < len(toks) and (toks[k].low in ONES and ONES[toks[k].low] < 10 or toks[k].low == "oh"):
                frac += str(ONES.get(toks[k].low, 0))
                k += 1
            current += float("0." + frac)
            j = k
            continue
        else:
            break
        j += 1
    return (total + current, j) if seen else None


def leading_number(toks: list[Token], i: int) -> tuple[float, int, str | None] | None:
    """A number starting at toks[i], with scale words; returns (value, next index, preset unit)."""
    t = toks[i]
    if t.low in ("a", "an") and i + 1 < len(toks) and toks[i + 1].low == "dozen":
        return 12.0, i + 2, None
    if t.low in ("a", "an") and i + 1 < len(toks) and BYTES.get(toks[i + 1].low, "b") != "b":
        return 1.0, i + 1, None                      # "a terabyte"
    if t.low in ("thousand", "million", "billion", "trillion") and i > 0 and toks[i - 1].low == "the":
        return SCALES[t.low], i + 1, None            # "the billion daily tweets"
    if t.low in ("a", "an") and i > 0 and toks[i - 1].low in ("for", "over", "in", "across") and \
            i + 1 < len(toks) and toks[i + 1].low in ("day", "week", "month", "year", "decade"):
        return 1.0, i + 1, None                      # "kept for a year": a retention of one year
    if t.low == "point":
        parsed = word_number([Token("zero", "zero", t.start, t.start, False)] + toks[i:], 0)
        return (parsed[0], i + parsed[1] - 1, None) if parsed and parsed[1] > 2 else None
    if t.low == "half" and i + 1 < len(toks) and toks[i + 1].low in ("a", "an"):
        return 0.5, i + 2, None
    if t.low in ("a", "an") and i + 2 < len(toks) and toks[i + 1].low == "couple" and toks[i + 2].low == "of":
        return 2.0, i + 3, None
    if t.text[0].isdigit() or t.text[0] == ".":
        value, j = digit_value(t), i + 1
        if value is None:
            return None
        while j < len(toks) and toks[j].glued and toks[j].low == "." and j + 1 < len(toks) and toks[j + 1].low.isdigit():
            return None  # version number "3.10.1"
    else:
        parsed = word_number(toks, i)
        if parsed is None:
            return None
        value, j = parsed
    return value, j, None


def apply_scale(toks: list[Token], j: int, value: float) -> tuple[float, int, bool]:
    """Apply glued ("100M") and spoken ("1.5 billion", "ten k") scales; flag a scale was used."""
    scaled = False
    if j < len(toks) and toks[j].glued and toks[j].low in GLUED_SCALES and toks[j - 1].text[-1].isdigit():
        if not (toks[j].low in ("b",) and _is_byte_context(toks, j)):
            return value * GLUED_SCALES[toks[j].low], j + 1, True
    if j < len(toks) and not toks[j].glued and toks[j].text in ("M", "K", "k") and j + 1 < len(toks) \
            and toks[j + 1].low.isalpha():
        return value * (1e6 if toks[j].text == "M" else 1e3), j + 1, True   # "5 M drivers"
    while j < len(toks) and toks[j].low in SCALES:
        value *= SCALES[toks[j].low]
        scaled = True
        j += 1
    return value, j, scaled


def _is_byte_context(toks: list[Token], j: int) -> bool:
    """"500B" reads as bytes when "each", "per" or "a <item>" follows."""
    nxt = toks[j + 1].low if j + 1 < len(toks) else ""
    return nxt in ("each", "per", "of") or nxt == "/"


def is_number_start(toks: list[Token], j: int) -> bool:
    """Whether a number begins at toks[j] (used to tell "3 times 4" from "3 times faster")."""
    if j >= len(toks):
        return False
    w = toks[j].low
    if w[0].isdigit() or w in ONES or w in TENS or w == "half":
        return True
    return w in ("a", "an") and j + 1 < len(toks) and toks[j + 1].low in ("hundred", "thousand", "million", "billion")
