"""Find the estimation steps of an answer: a stated result and the quantities that lead to it.

A result is a quantity announced by a marker ("so", "that's", "which is", "we need", "gives")
with only filler words in between ("so that's roughly 4,000 a second"). Its inputs are the
quantities said since the previous result in the same sentence (that result included, so
chains like "40 a second, and with 100 to 1, 4,000 reads a second" work). When the inputs are
only modifiers ("peak is 3x"), the last result of the previous sentence is carried over.
Factors, percentages and retentions are never results; they are always inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceprep.analysis.numbers.numerals import Token, is_number_start, tokenize
from voiceprep.analysis.numbers.quantities import Quantity, Sentence, scan
from voiceprep.analysis.numbers.spoken import BYTE_SCALE, SECONDS, TIME_CONSTANTS

_MARKERS = {"so", "that's", "thats", "which", "gives", "giving", "give", "equals", "=", "means", "is",
            "are", "need", "needs", "becomes", "or", "leads", "translate", "translates", "comes",
            "makes", "see", "totals", "plan", "lands", "that", "works"}
_GAP_WORDS = _MARKERS | {"about", "roughly", "around", "approximately", "nearly", "almost", "~", "maybe",
                         "some", "like", "only", "just", "it's", "its", "it", "we", "we'd", "we're", "we'll",
                         "would", "will", "be", "then", "and", "a", "total", "of", "to", "us", "call",
                         "say", "for", "in", "at", "peak", "per", "day", "second", "on", "average", ",",
                         "you", "i'd", "gets", "get", "we've", "have", "has", "been", "around", "into",
                         "up", "this", "sum", "something", "write", "read", "qps", "storage", "bandwidth",
                         "egress", "ingress", "memory", "cache", "dau", "each", "over", "across",
                         "plan", "design", "provision", "size", "budget", "daily", "active", "users",
                         "kept", "keep", "stored", "retained", "out",
                         "reads", "writes", "requests", "messages", "uploads", "needs", "can", "could",
                         "should", "there", "there's", "they", "our", "the", "result", "answer", "gives"}


@dataclass(frozen=True)
class Step:
    """A stated result with the quantities that lead to it and the words in between."""

    result: Quantity
    inputs: tuple[Quantity, ...]
    toks: tuple[Token, ...]
    sentence: Sentence
    context: str              # this sentence and the previous one, for period and cache words


def words_between(toks: list[Token], a: int, b: int) -> list[str]:
    """Lower-cased words of toks[a:b]: what was said between two quantities."""
    return [t.low for t in toks[a:b]]


_OPERATOR_WORDS = {"times", "x", "×", "*", "multiplied", "divided", "over", "/", "plus", "+"}
_STRONG_MARKERS = {"so", "that's", "thats", "which", "gives", "equals", "=", "means", "need", "needs",
                   "becomes", "leads", "translates"}
_FACTOR_NOUNS = {"replication", "replicas", "redundancy", "copies", "headroom", "overhead", "factor"}
_APPROX_WORDS = {"about", "roughly", "around", "approximately", "nearly", "almost"}


def _is_operand_or_subject(toks: list[Token], q: Quantity) -> bool:
    """"so 100 million times 12 ..." (an operand) or "so 1B messages a day is 250 GB" (a premise)."""
    k = q.last + 1
    after = toks[k].low if k < len(toks) else ""
    if after in ("is", "are"):
        return True
    if after not in _OPERATOR_WORDS:
        return False
    k += 2 if k + 1 < len(toks) and toks[k + 1].low == "by" else 1
    if after == "over" and k + 1 < len(toks) and toks[k + 1].low in ("years", "year", "months", "days", "weeks"):
        then = toks[k + 2].low if k + 2 < len(toks) else ""
        return then in ("is", "are", "that's", "thats", "which", "so", "gives", "comes")  # spread over: operand
    return is_number_start(toks, k)


def _is_result(toks: list[Token], prev_end: int, q: Quantity, skipped: tuple[int, int] | None = None,
               factor: bool = False) -> bool:
    """Whether q is announced as a result: only marker and filler words since the last quantity.

    `skipped` is the token span of a retention said in between ("so for 10 years about 19 PB").
    """
    if _is_operand_or_subject(toks, q):
        return False
    gap = words_between(toks, prev_end, q.first)
    if skipped:
        gap = words_between(toks, prev_end, skipped[0]) + words_between(toks, skipped[1] + 1, q.first)
    if factor and gap and set(gap) <= _GAP_WORDS | _FACTOR_NOUNS and gap[-1] in _APPROX_WORDS:
        return True                                  # "with 3x replication about 600 TB"
    strong = [i for i, w in enumerate(gap) if w in _STRONG_MARKERS]
    if strong and not all(w in _GAP_WORDS for w in gap):
        gap = gap[strong[-1]:]                       # "... carry media, so 100 million files a day"
    if not gap or any(w not in _GAP_WORDS for w in gap):
        return False
    if any(w in _MARKERS for w in gap):
        if gap[-1] == "to":
            return len(gap) > 1 and gap[-2] in ("leads", "translates", "translate", "comes", "up", "out")
        if gap[-1] == "for":
            return len(gap) > 1 and gap[-2] in ("plan", "design", "provision", "size", "budget")
        return not (gap[-1] in ("in", "at", "of", "over") or "at" in gap[-2:])
    return gap[0] == "," and set(gap[1:]) <= {"about", "roughly", "around", "approximately", "call", "it"} \
        and len(gap) > 1


def is_duration(q: Quantity) -> bool:
    """A retention such as "5 years" or "30 days" (not a rate, not a latency)."""
    return q.unit in ("day", "week", "month", "year") and q.per is None


def _results(qs: list[Quantity], toks: list[Token]) -> list[int]:
    """Indices in qs of quantities stated as results (durations are looked through)."""
    out = []
    for k, q in enumerate(qs):
        if q.implicit or q.unit in ("x", "%", "ratio") or is_duration(q):
            continue                                 # factors and retentions are inputs, never results
        prev_end, skipped = (qs[k - 1].last + 1 if k else 0), None
        if k > 1 and is_duration(qs[k - 1]):
            prev_end, skipped = qs[k - 2].last + 1, (qs[k - 1].first, qs[k - 1].last)
        if k > 0 and qs[k - 1].implicit and words_between(toks, prev_end, q.first) == ["to"]:
            out.append(k)                            # "that doubles to 80M"
        elif k > 0 and _is_result(toks, prev_end, q, skipped, qs[k - 1].unit in ("x", "%")):
            out.append(k)
        elif k == 0 and _is_result(toks, 0, q) and any(w in _MARKERS for w in words_between(toks, 0, q.first)):
            out.append(k)
    return out


def steps(sentences: list[Sentence], allowed: set[tuple[int, int]] | None = None) -> list[Step]:
    """Every step of the answer, with its inputs, in order."""
    out: list[Step] = []
    carry: Quantity | None = None
    for n, s in enumerate(sentences):
        toks = tokenize(s.text)
        qs = [q for q in scan(s, n, toks) if q.implicit or allowed is None or (n, q.first) in allowed]
        context = (sentences[n - 1].text + " " if n else "") + s.text
        start = 0
        for k in _results(qs, toks):
            inputs = list(qs[start:k])
            inputs += _trailing_durations(qs, k, toks)
            if not any(_is_base(q) for q in inputs) and carry is not None and start == 0:
                inputs.insert(0, carry)
            out.append(Step(qs[k], tuple(inputs), tuple(toks), s, context))
            start = k
        results = _results(qs, toks)
        carry = qs[results[-1]] if results else _single_base(qs)
    return out


def _trailing_durations(qs: list[Quantity], k: int, toks: list[Token]) -> list[Quantity]:
    """"250 TB over 10 years": a retention said right after the result belongs to the step."""
    if k + 1 < len(qs) and is_duration(qs[k + 1]):
        gap = words_between(toks, qs[k].last + 1, qs[k + 1].first)
        if gap in (["over"], ["for"], ["in"], ["across"]):
            return [qs[k + 1]]
    return []


def is_constant(q: Quantity) -> bool:
    """Seconds in a day or month said as a conversion ("86,400", "10^5 seconds")."""
    return q.unit in ("s", None) and q.per in (None, "day", "month", "year") and \
        any(abs(q.value - c) <= 0.01 * c for c in TIME_CONSTANTS) and (q.unit == "s" or q.value == 86400)


def _is_base(q: Quantity) -> bool:
    """A quantity a modifier can act on: a count, a rate or an amount of bytes."""
    if q.implicit or is_constant(q) or is_duration(q):
        return False
    if q.unit in ("x", "%", "ratio", "ms", "s", "min", "h"):
        return False
    if q.unit in BYTE_SCALE and q.per not in SECONDS and q.per is not None:
        return False      # a per-item size
    return not (q.unit is None and q.per is None)


def _single_base(qs: list[Quantity]) -> Quantity | None:
    """The only base quantity of a sentence, if there is exactly one (to carry to the next)."""
    bases = [q for q in qs if _is_base(q)]
    return bases[0] if len(bases) == 1 else None
