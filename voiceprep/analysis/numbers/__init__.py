"""Spoken numbers in an answer: quantities, quantified outcomes, and checked estimates.

The one module the rest of voiceprep imports for the `numbers` report field and for the
`numbers` and `impact` cues; the work is done in `quantities` (finding "100M QPS",
"fifteen grand", "5 KB per tweet") and `estimates` (recomputing "so that's 4,000 a second").
Pure standard library, no models: it must run offline and in milliseconds after Whisper.
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceprep.core.transcript import Transcript

from voiceprep.analysis.numbers.estimates import Check, check_estimates
from voiceprep.analysis.numbers.impact import Outcome, impact_numbers, quantified_outcomes
from voiceprep.analysis.numbers.quantities import Quantity, Sentence, find_quantities

__all__ = ["Check", "NumbersFound", "Outcome", "Quantity", "Sentence", "check_estimates", "find_numbers",
           "find_quantities", "impact_numbers", "numbers_report", "quantified_outcomes"]


@dataclass(frozen=True)
class NumbersFound:
    """The quantities an answer states and its estimate steps, checked."""

    quantities: tuple[Quantity, ...] = ()
    checks: tuple[Check, ...] = ()

    def to_dict(self) -> dict:
        """The `numbers` field of the JSON report (docs/scripting.md)."""
        return {
            "quantities": [{"value": q.value, "unit": q.unit, "per": q.per, "text": q.text,
                            "start": q.start, "end": q.end} for q in self.quantities],
            "checks": [{"kind": c.kind, "stated": c.stated, "expected": c.expected, "verdict": c.verdict,
                        "explanation": c.explanation, "sentence": c.sentence, "start": c.start}
                       for c in self.checks],
        }


def find_numbers(transcript: Transcript) -> NumbersFound:
    """Every quantity of the answer and every estimate step that can be followed with confidence."""
    sentences = transcript.sentences()
    quantities = find_quantities(sentences)
    return NumbersFound(tuple(quantities), tuple(check_estimates(sentences, quantities)))


def numbers_report(sentences: list[Sentence]) -> dict:
    """The `numbers` field for sentences without a transcript (the labeled passages)."""
    quantities = find_quantities(sentences)
    return NumbersFound(tuple(quantities), tuple(check_estimates(sentences, quantities))).to_dict()
