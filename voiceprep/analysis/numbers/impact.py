"""Quantified outcomes in a story: money, percentages, factors, time saved, users, incidents.

Used for the `impact` cue: "cut p99 from 800 ms to 200 ms" is quantified, "it got quicker" is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceprep.analysis.numbers.quantities import Quantity, Sentence, scan
from voiceprep.analysis.numbers.spoken import TIME

_IMPACT_WORDS = re.compile(r"\b(sav\w*|cut|reduc\w*|improv\w*|increas\w*|decreas\w*|faster|slower|grew|"
                           r"grow\w*|drop\w*|down|up|from|lower\w*|rais\w*|boost\w*|revenue|churn|"
                           r"adopt\w*|sign-?ups?|resolved|fewer|more|less|went|brought|result\w*)\b", re.I)
_IMPACT_UNITS = {"$", "%", "x", "users", "customers", "incidents", "tickets", "signups", "servers",
                 "requests", "orders", "engineers", "teams"}


def impact_numbers(sentences: list[Sentence]) -> list[Quantity]:
    """Quantified outcomes (money, percent, factor, time saved, users, incidents) in a story.

    Used for the `impact` cue: "cut p99 from 800 ms to 200 ms" counts, "it got quicker" does not.
    Money, percentages and factors always count; durations and counts only in a sentence that
    talks about a change ("saved", "reduced", "from ... to", "grew").
    """
    out: list[Quantity] = []
    for n, s in enumerate(sentences):
        change = bool(_IMPACT_WORDS.search(s.text))
        for q in scan(s, n):
            if q.implicit or q.unit is None:
                continue
            if q.unit in ("$", "%", "x") or (change and (q.unit in _IMPACT_UNITS or q.unit in TIME.values())):
                out.append(q)
    return out


@dataclass(frozen=True)
class Outcome:
    """A quantified result of a story, with the sentence that says it and its time in the recording."""

    quantity: Quantity
    sentence: str
    start: float | None
    end: float | None

    def to_dict(self) -> dict:
        r = lambda x: None if x is None else round(x, 2)  # noqa: E731
        return {"text": self.quantity.text, "value": self.quantity.value, "unit": self.quantity.unit,
                "sentence": self.sentence, "start": r(self.start), "end": r(self.end)}


def quantified_outcomes(sentences: list[Sentence]) -> list[Outcome]:
    """Each quantified outcome with its sentence: what the report quotes for the story's result."""
    return [Outcome(q, sentences[q.sentence].text, q.start if q.start is not None else sentences[q.sentence].start,
                    q.end if q.end is not None else sentences[q.sentence].end)
            for q in impact_numbers(sentences)]
