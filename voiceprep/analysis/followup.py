"""The follow-up question after an answer: the one that matters most, in the candidate's own numbers.

In order: an estimate step that is off ("You said 100 million links a month is 4,000 writes a
second. Walk me through that again."); then a number that is missing (a peak rate with no
server count, a result with no figure); then the most important missed cue, in the rubric's
order, with its own follow-up question.
"""

from __future__ import annotations

from dataclasses import dataclass

from voiceprep.analysis.numbers import Quantity, impact_numbers
from voiceprep.analysis.report import Report
from voiceprep.analysis.rubric import CueResult

STORY_CATEGORIES = ("behavioral", "deep_dive")


@dataclass(frozen=True)
class FollowUp:
    """What the interviewer asks next, why, and the cue a good answer to it would recover."""

    prompt: str
    reason: str                      # "estimate", "servers", "impact" or "cue"
    cue: CueResult | None = None


def choose_follow_up(report: Report, fallback: str = "Anything you would add?") -> FollowUp:
    """The most useful follow-up for this answer."""
    for step in (_wrong_estimate, _missing_servers, _unquantified_result, _missed_cue):
        found = step(report)
        if found is not None:
            return found
    return FollowUp(fallback, "none")


def _wrong_estimate(report: Report) -> FollowUp | None:
    off = next((c for c in report.numbers.checks if c.verdict == "off"), None)
    if off is None:
        return None
    return FollowUp(f"You said: “{off.sentence.strip()}” Walk me through that estimate again, step by step.",
                    "estimate", _cue(report, "numbers"))


def _per_second(q: Quantity) -> bool:
    return q.per == "second" and q.unit not in ("B", "KB", "MB", "GB", "TB", "PB", "$", "%", "x")


def _missing_servers(report: Report) -> FollowUp | None:
    if report.category != "system_design":
        return None
    rates = [q for q in report.numbers.quantities if _per_second(q)]
    if not rates or any(q.unit in ("servers", "machines", "nodes", "instances") for q in report.numbers.quantities):
        return None
    top = max(rates, key=lambda q: q.value)
    return FollowUp(f"You estimated {top.text.strip()}. How many application servers is that, and what does one "
                    "server handle?", "servers", _cue(report, "scalability"))


def _unquantified_result(report: Report) -> FollowUp | None:
    impact = _cue(report, "impact")
    if report.category not in STORY_CATEGORIES or impact is None or impact.hit:
        return None
    if impact_numbers(report.transcript.sentences()):
        return None
    return FollowUp("You described the result. By how much did it improve: time, money, users, incidents?",
                    "impact", impact)


def _missed_cue(report: Report) -> FollowUp | None:
    missed = next((c for c in report.cues if not c.hit), None)
    return FollowUp(missed.cue.follow_up, "cue", missed) if missed is not None else None


def _cue(report: Report, cue_id: str) -> CueResult | None:
    return next((c for c in report.cues if c.cue.id == cue_id), None)
