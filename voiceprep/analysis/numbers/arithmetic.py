"""Numbers said back to a candidate, and spoken arithmetic ("150 million times 2 divided by 86,400").

`fmt` and `describe` render values the way one would say them; `spoken_arithmetic` evaluates
an operator-joined run of quantities under each reading of mixed "divided by ... times" (so
"a divided by b times c" is tried as a / (b * c) too), because speech has no parentheses.
"""

from __future__ import annotations

import math

from voiceprep.analysis.numbers.numerals import Token
from voiceprep.analysis.numbers.quantities import Quantity
from voiceprep.analysis.numbers.spoken import BYTE_SCALE
from voiceprep.analysis.numbers.steps import Step, is_duration

TOLERANCE = 2.0      # a stated result within 2x of its inputs is fine for an estimate

_OPERATORS = {"times": "*", "x": "*", "×": "*", "*": "*", "multiplied": "*", "divided": "/", "over": "/",
              "/": "/", "plus": "+", "+": "+"}


# ----------------------------------------------------------------------------- formatting


def fmt(x: float) -> str:
    """A number the way one would say it: 38.6, 4,000, 1.2 million, 0.0116."""
    for size, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
        if abs(x) >= size:
            return f"{x / size:.3g} {word}"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def describe(q: Quantity) -> str:
    """How a quantity is shown in an explanation: its value and unit, with its period."""
    unit = "" if q.unit in (None, "x", "%", "ratio", "$") else f" {q.unit}"
    value = {"x": f"{fmt(q.value)}x", "%": f"{fmt(q.value)}%", "ratio": f"{fmt(q.value)}:1",
             "$": f"${fmt(q.value)}"}.get(q.unit or "", fmt(q.value))
    return f"{value}{unit}" + (f" per {q.per}" if q.per else "")


# ----------------------------------------------------------------------------- spoken arithmetic


def scalar(q: Quantity) -> float:
    """A value for arithmetic: bytes and bits scaled to units, percent as a fraction."""
    if q.unit in BYTE_SCALE:
        return q.value * BYTE_SCALE[q.unit]
    return q.value / 100 if q.unit == "%" else q.value


def _operator(toks: tuple[Token, ...], a: Quantity, b: Quantity) -> str | None:
    """The operator said between two quantities ("times", "divided by", "over"), if that is all."""
    gap = [t.low for t in toks[a.last + 1:b.first]]
    ops = [_OPERATORS[w] for w in gap if w in _OPERATORS]
    rest = [w for w in gap if w not in _OPERATORS and w not in ("by", "and", ",", "then")]
    if len(ops) != 1 or rest:
        return "%" if gap == ["of"] and a.unit == "%" else None
    if ops[0] == "/" and "over" in gap and is_duration(b):
        return None                                  # "over 5 years" is retention: not arithmetic
    return ops[0]


def _chain(step: Step) -> tuple[list[Quantity], list[str]] | None:
    """The operator-joined run of quantities ending just before the result, if any."""
    qs = [q for q in step.inputs if not q.implicit]
    if len(qs) < 2:
        return None
    chain, ops = [qs[-1]], []
    for q in reversed(qs[:-1]):
        op = _operator(step.toks, q, chain[0])
        if op is None or q.sentence != chain[0].sentence:
            break
        chain.insert(0, q)
        ops.insert(0, "*" if op == "%" else op)
    return (chain, ops) if ops else None


def _readings(values: list[float], ops: list[str]) -> list[float]:
    """Left to right, and "a divided by b times c" as a / (b * c); sums split first."""
    out = []
    for grouped in (False, True):
        total, term, divisor, dividing = 0.0, values[0], 1.0, False
        for op, v in zip(ops, values[1:]):
            if op == "+":
                total, term, divisor, dividing = total + term / divisor, v, 1.0, False
            elif op == "/" or (grouped and dividing):
                divisor, dividing = divisor * v, True
            else:
                term *= v
            if not grouped and op == "/":
                term, divisor = term / divisor, 1.0
        out.append(total + term / divisor)
    return out


def spoken_arithmetic(step: Step) -> tuple[float, str] | None:
    """(expected in the result's units, the arithmetic) for a spoken calculation."""
    found = _chain(step)
    if found is None:
        return None
    chain, ops = found
    r = step.result
    if (r.unit in BYTE_SCALE) != any(q.unit in BYTE_SCALE for q in chain):
        return None
    scale = BYTE_SCALE.get(r.unit or "", 1.0) / (100 if r.unit == "%" else 1)
    readings = [v / scale for v in _readings([scalar(q) for q in chain], ops) if v > 0]
    if not readings:
        return None
    best = min(readings, key=lambda e: abs(log_ratio(r.value, e)))
    words = {"*": "×", "/": "÷", "+": "+"}
    text = " ".join([describe(chain[0])] + [f"{words[o]} {describe(q)}" for o, q in zip(ops, chain[1:])])
    return best, text


def log_ratio(a: float, b: float) -> float:
    """Signed distance of a from b in log space; inf when either is not positive."""
    return math.log(a / b) if a > 0 and b > 0 else float("inf")
