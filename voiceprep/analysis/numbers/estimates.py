"""Check back-of-the-envelope steps in a spoken answer: "100 million a month is about 39 a second".

A step is a stated result ("so", "that's", "which is", "we need" + a quantity) and the
quantities said just before it in the same sentence (or, when those are only modifiers such
as "peak is 3x", the last result of the previous sentence). Two ways to recompute it:

* spoken arithmetic ("150 million times 2 divided by 86,400 is about 3,500"), evaluated under
  each reading of mixed "divided by ... times" and judged off only if every reading is off;
* an implied product with unit bookkeeping: rates converted between periods, counts times
  per-item sizes, retention, percentages, peak factors, read:write ratios, load / per-server
  capacity.

Precision first: telling a candidate that correct maths is wrong is worse than silence, so a
step whose inputs cannot be read with confidence (unknown units, two candidate bases,
mismatched dimensions, a result more than 1000x away) yields no check at all. A step is "off"
when its stated result is more than 2x from what its own inputs give.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceprep.analysis.numbers.arithmetic import TOLERANCE, describe, fmt, log_ratio, scalar, spoken_arithmetic
from voiceprep.analysis.numbers.quantities import Quantity, Sentence
from voiceprep.analysis.numbers.spoken import BITS, BYTE_SCALE, SECONDS, UNIT_SECONDS
from voiceprep.analysis.numbers.steps import Step, is_constant, is_duration, steps

IMPLAUSIBLE = 1000.0  # further apart than this: we probably misread the step; say nothing

_SERVER_UNITS = {"servers"}
_FLOW_UNITS = {"requests", "writes", "reads", "messages", "tweets", "posts", "uploads", "events",
               "orders", "queries", "urls", "photos", "videos", "files", "clicks", "views"}
_STOCK_UNITS = {"users", "connections", "customers"}

_CAPACITY_VERBS = {"handles", "handle", "handling", "does", "do", "doing", "take", "takes", "serve",
                   "serves", "holds", "hold", "supports", "support", "sustain", "sustains", "manage",
                   "manages", "can"}
_SERVER_WORDS = {"server", "servers", "box", "boxes", "node", "nodes", "machine", "machines", "host",
                 "hosts", "instance", "instances"}
_PERIOD_WORDS = re.compile(r"\b(per|a|an|each|every)\s+(second|sec|minute|hour|day|week|month|year)\b|"
                           r"\b(daily|monthly|yearly|annually|hourly|weekly|retention|retain\w*|keep|kept|"
                           r"years?|months?|ttl|forever|dau|mau|qps|rps)\b|/s\b", re.I)
_CACHE_WORDS = re.compile(r"\b(cache[ds]?|caching|memory|ram|redis|memcached|hot)\b", re.I)


@dataclass(frozen=True)
class Check:
    """One estimation step and whether its stated result follows from its own inputs."""

    kind: str                 # rate, peak, ratio, storage, bandwidth, servers, cache, count, growth
    stated: float | None
    expected: float | None
    verdict: str              # "ok" | "off" | "missing_unit"
    explanation: str
    sentence: str
    start: float | None


# ----------------------------------------------------------------------------- implied products


@dataclass
class Terms:
    """Running product of a step's inputs in base units (bytes, per second) and its dimensions."""

    value: float = 1.0
    bytes: int = 0
    time: int = 0            # -1 for a rate, +1 for a retention
    period: str | None = None
    text: list[str] | None = None
    flow_without_period: bool = False
    ratio: Quantity | None = None
    capacity: Quantity | None = None


def _is_capacity(step: Step, q: Quantity) -> bool:
    """"one server handles 5,000", "each box doing 10,000 QPS", "50,000 per server"."""
    if q.per in ("server", "node", "box", "machine", "host", "instance"):
        return True
    before = [t.low for t in step.toks[max(0, q.first - 5):q.first] if t.low]
    return any(w in _SERVER_WORDS for w in before) and any(w in _CAPACITY_VERBS for w in before)


_SHRINK_WORDS = {"compress", "compressed", "compression", "gzip", "zstd", "dedup", "deduplication",
                 "smaller", "reduction", "reduces", "reduce", "shrinks", "down", "ratio"}
_PEAK_SUBJECTS = {"peak", "factor", "average", "traffic", "load", "burst", "spike", "spikes", "growth",
                  "multiplier", "replication", "redundancy", "headroom", "overhead", "that", "it", "peaks",
                  "surge", "busiest", "qps", "rps", "requests", "reads", "writes"}


def _near(step: Step, q: Quantity, words: set[str], span: int) -> bool:
    """Whether one of `words` is said within `span` tokens of q, in the step's sentence."""
    toks = step.toks if q.sentence == step.result.sentence else ()
    around = toks[max(0, q.first - span):q.first] + toks[q.last + 1:q.last + 1 + span]
    return any(t.low in words for t in around)


def _factor_subject_known(step: Step) -> bool:
    """"peak is 3x" multiplies the running rate; "the fan-out is 50x" may replace an earlier factor."""
    for q in step.inputs:
        if q.unit != "x" or q.sentence != step.result.sentence or q.first < 2:
            continue
        before = [t.low for t in step.toks[max(0, q.first - 3):q.first]]
        if before and before[-1] in ("is", "of", "=", "are", "becomes") and len(before) > 1:
            if before[-2].isalpha() and before[-2] not in _PEAK_SUBJECTS:
                return False
    return True


def _add(terms: Terms, q: Quantity, dau: bool, shrinks: bool = False) -> bool:
    """Fold one input into the product; False when it cannot be read with confidence.

    `shrinks`: the factor is a compression or reduction ("gzip at 5x"), so it divides.
    """
    terms.text.append(describe(q))
    if q.unit == "%":
        terms.value *= q.value / 100
    elif q.unit == "x":
        terms.value = terms.value / q.value if shrinks else terms.value * q.value
        terms.text[-1] = ("÷ " if shrinks else "") + terms.text[-1]
    elif q.unit in BYTE_SCALE:
        terms.value *= scalar(q)
        terms.bytes += 1
        _add_period(terms, q.per)
    elif is_duration(q):
        terms.value *= q.value * UNIT_SECONDS[q.unit]
        terms.time += 1
    elif q.unit in _STOCK_UNITS:
        terms.value *= q.value
    elif q.unit in ("ms", "s", "min", "h") or (q.unit is None and q.per is None):
        return False
    else:
        terms.value *= q.value
        per = q.per if q.per in SECONDS else ("day" if dau and q.per is None else None)
        if per is None and q.per is None:
            terms.flow_without_period = q.unit in _FLOW_UNITS
        _add_period(terms, per)
    return True


def _add_period(terms: Terms, per: str | None) -> None:
    """Turn a per-period input into per second and note the period."""
    if per in SECONDS:
        terms.value /= SECONDS[per]
        terms.time -= 1
        terms.period = per


def _collect(step: Step) -> Terms | None:
    """The product of a step's inputs, or None when they are ambiguous."""
    inputs = [q for q in step.inputs if not is_constant(q)]
    users = [q for q in inputs if q.unit == "users"]
    if len(users) > 1:
        daily = [q for q in users if q.per == "day"]
        if len(daily) != 1:
            return None
        inputs = [q for q in inputs if q.unit != "users" or q is daily[0]]
    if sum(q.unit == "%" for q in inputs) > 1 or sum(q.unit in BYTE_SCALE for q in inputs) > 1:
        return None
    dau = any(q.unit == "users" and q.per == "day" for q in inputs)
    terms = Terms(text=[])
    for q in inputs:
        if q.unit == "ratio" and terms.ratio is None:
            terms.ratio = q
        elif _is_capacity(step, q) and terms.capacity is None:
            terms.capacity = q
        elif not _add(terms, q, dau, q.unit == "x" and _near(step, q, _SHRINK_WORDS, 6)):
            return None
    flows = [q for q in inputs if q.unit not in _STOCK_UNITS | set(BYTE_SCALE) | {"%", "x", "ratio"}
             and not is_duration(q) and q is not terms.capacity]
    return terms if len(flows) <= 1 and terms.text else None


_RETENTION = re.compile(r"\b(years?|months?|weeks?|retention|retain\w*|keep|kept|ttl|forever|decades?|"
                        r"annual\w*|yearly|monthly|history|archive\w*)\b", re.I)


def _before(step: Step) -> str:
    """The words of the previous sentence and of this one up to the result."""
    prev = step.context[: len(step.context) - len(step.sentence.text)]
    return prev + step.sentence.text[: step.toks[step.result.first].start]


def _join(parts: list[str]) -> str:
    """"a × b ÷ c": the arithmetic of an implied product, as said back to the candidate."""
    return "".join((p if n == 0 else (" " + p if p.startswith("÷") else " × " + p)) for n, p in enumerate(parts))


def _servers(step: Step, terms: Terms) -> tuple[str, float | None, str] | None:
    """Load divided by per-server capacity; missing_unit when the load has no period."""
    cap = terms.capacity
    if cap is None or terms.bytes or terms.ratio:
        return None
    if terms.time == 0 and terms.flow_without_period and not _PERIOD_WORDS.search(_before(step)):
        return "missing_unit", None, f"{_join(terms.text)} has no period"
    cap_value = cap.value / SECONDS[cap.per] if cap.per in SECONDS else cap.value
    if terms.time not in (-1, 0) or (terms.time == 0 and cap.per in SECONDS):
        return None
    return "check", terms.value / cap_value, f"{_join(terms.text)} ÷ {describe(cap)}"


def _reconcile(step: Step, terms: Terms) -> tuple[str, float] | None:
    """Match the inputs' period to the result's; ("check"|"missing_unit", value per result period)."""
    r = step.result
    r_time = -1 if r.per in SECONDS and r.unit not in _STOCK_UNITS else 0
    if terms.time == r_time:
        return "check", terms.value
    scaled = terms.ratio is not None or any(q.unit in ("x", "%") for q in step.inputs)
    if terms.time == -1 and r.unit is None and r.per is None and not terms.bytes and scaled:
        return "check", terms.value * SECONDS[terms.period]   # "peak is 2x, so 70,000": same period
    if terms.time == -1 and r_time == 0 and r.unit in BYTE_SCALE and terms.period in ("second", "minute"):
        return "check", terms.value                  # "100 MB a second, which is 800 megabits"
    if terms.time == -1 and r_time == 0 and r.unit in BYTE_SCALE:
        per_period = terms.value * SECONDS[terms.period]
        if _CACHE_WORDS.search(step.context):
            return "check", per_period               # the cache holds one period's worth
        if not _RETENTION.search(step.context):
            return "missing_unit", per_period        # a storage total with no retention
        return None
    if terms.time == 0 and r_time == -1 and terms.flow_without_period:
        if r.per != "second" and not _PERIOD_WORDS.search(_before(step)):
            return "check", terms.value / SECONDS[r.per]   # "a billion messages is 100 GB a day"
        if not _PERIOD_WORDS.search(_before(step)):
            return "missing_unit", 0.0
    return None


def _apply_ratio(step: Step, terms: Terms, value: float) -> tuple[float, bool]:
    """Apply a read:write ratio; the bool says whether the direction was known (else no "off")."""
    n = terms.ratio.value
    base = next((q.unit for q in step.inputs if q.unit in ("reads", "writes")), None)
    r_unit = step.result.unit
    if r_unit is None:                               # "reads are 20,000 a second"
        before = [t.low for t in step.toks[max(0, step.result.first - 4):step.result.first]]
        r_unit = next((w for w in reversed(before) if w in ("reads", "writes")), None)
    if base and r_unit in ("reads", "writes") and base != r_unit:
        flipped = re.search(r"\bwrites? to reads?\b", step.context, re.I) is not None
        up = (r_unit == "reads") != flipped
        return (value * n if up else value / n), True
    up, down = value * n, value / n
    closer = up if abs(log_ratio(step.result.value, up)) < abs(log_ratio(step.result.value, down)) else down
    return closer, False


def _implied(step: Step) -> tuple[str, float | None, str, bool] | None:
    """(verdict hint, expected, arithmetic, may_be_off) for a step with no spoken operators."""
    terms = _collect(step)
    r = step.result
    if terms is None or (r.per is not None and r.per not in SECONDS and r.unit not in BYTE_SCALE):
        return None
    if r.unit in _SERVER_UNITS:
        found = _servers(step, terms)
        return (*found, True) if found else None
    r_bytes = r.unit in BYTE_SCALE
    if terms.capacity or terms.bytes != int(r_bytes) or r.unit in ("%", "ratio", "$", "ms", "s", "x"):
        return None
    used = len(terms.text) + (terms.ratio is not None)
    single = [q for q in step.inputs if not is_constant(q)]
    if used < 2 and (len(single) != 1 or single[0].per == r.per or single[0].unit in _STOCK_UNITS):
        return None                                   # nothing was computed (MAU is not a rate)
    found = _reconcile(step, terms)
    if found is None:
        return None
    hint, value = found
    sure = _factor_subject_known(step)
    if terms.ratio is not None:
        value, sure = _apply_ratio(step, terms, value)
        terms.text.append(f"{describe(terms.ratio)}")
    if terms.period and r.per in SECONDS and terms.period != r.per and terms.time == -1:
        big, small = sorted((terms.period, r.per), key=SECONDS.get, reverse=True)
        article = "an" if big == "hour" else "a"
        terms.text[-1] += f" ({article} {big} is {fmt(SECONDS[big] / SECONDS[small])} {small}s)"
    bits = 8 if r.unit in BITS and not any(q.unit in BITS for q in step.inputs) else 1
    r_base = scalar(r) / (SECONDS[r.per] if r.per in SECONDS and r.unit not in _STOCK_UNITS else 1)
    if hint == "missing_unit" and value and not 1 / TOLERANCE <= r_base / (value * bits) <= TOLERANCE:
        return None                                   # not even the daily figure: unsure, stay quiet
    return hint, value * bits / r_base * r.value, _join(terms.text), sure


# ----------------------------------------------------------------------------- verdicts


def _kind(step: Step) -> str:
    """What the step sizes, from the result's unit and the words of the step."""
    r = step.result
    words = " ".join(t.low for t in step.toks[: r.first])
    factor = any(q.unit == "x" for q in step.inputs)
    if r.unit in _SERVER_UNITS:
        return "servers"
    if factor and "peak" in words:
        return "peak"
    if any(q.unit == "ratio" for q in step.inputs):
        return "ratio"
    if r.unit in BYTE_SCALE:
        if r.per in ("second", "minute") or r.unit in BITS:
            return "bandwidth"
        return "cache" if _CACHE_WORDS.search(step.sentence.text) else "storage"
    if factor and re.search(r"\bgrow", words):
        return "growth"
    return "rate" if r.per in SECONDS else "count"


def _unit_text(q: Quantity) -> str:
    """The unit words of a result as shown after a recomputed value (" requests per second")."""
    return describe(q)[len(fmt(q.value)):] if q.unit not in ("x", "%", "ratio", "$") else ""


def _verdict(step: Step, expected: float, arithmetic: str, may_be_off: bool) -> Check | None:
    """ok / off with the arithmetic shown; None when the gap is implausibly large (misread)."""
    r = step.result
    if expected <= 0 or r.value <= 0:
        return None
    ratio = r.value / expected
    if ratio > IMPLAUSIBLE or ratio < 1 / IMPLAUSIBLE:
        return None
    off = ratio > TOLERANCE or ratio < 1 / TOLERANCE
    if off and not may_be_off:
        return None
    unit = _unit_text(r)
    if off:
        text = f"{arithmetic} is about {fmt(expected)}{unit}, not {fmt(r.value)}."
    else:
        text = f"{arithmetic} ≈ {fmt(expected)}{unit}; {fmt(r.value)} is in line."
    return Check(_kind(step), r.value, expected, "off" if off else "ok", text, step.sentence.text, r.start)


def judge(step: Step) -> Check | None:
    """The check for one step, or None when it cannot be followed with confidence."""
    arith = spoken_arithmetic(step)
    if arith is not None:
        return _verdict(step, arith[0], arith[1], True)
    found = _implied(step)
    if found is None:
        return None
    hint, expected, text, sure = found
    if hint == "missing_unit":
        r = step.result
        why = (f"{text}: no period given (per day? per month?), so {describe(r)} cannot be checked."
               if r.per in SECONDS or r.unit in _SERVER_UNITS else
               f"{describe(r)} is {text} for one {_period_of(step)}; say how long the data is kept.")
        return Check(_kind(step), r.value, None, "missing_unit", why, step.sentence.text, r.start)
    return _verdict(step, expected, text, sure)


def _period_of(step: Step) -> str:
    """The period of the step's rate input, for "one day's worth" explanations."""
    return next((q.per for q in step.inputs if q.per in SECONDS), "period")


def check_estimates(sentences: list[Sentence], quantities: list[Quantity] | None = None) -> list[Check]:
    """Checks for the estimation steps of an answer, in order; silent on steps it cannot follow.

    `quantities` are those of `find_quantities(sentences)`; steps are built only from them
    (plus spoken factors such as "twice"), so a caller may drop quantities it distrusts.
    """
    allowed = None if quantities is None else {(q.sentence, q.first) for q in quantities}
    out = []
    for step in steps(sentences, allowed):
        check = judge(step)
        if check is not None:
            out.append(check)
    return out
