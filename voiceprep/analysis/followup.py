"""The follow-up question after an answer: the one that matters most, in the candidate's own numbers.

In order: an estimate step that is off ("You said 100 million links a month is 4,000 writes a
second. Walk me through that again."); then a number that is missing (a peak rate with no
server count, a result with no figure); then the most important missed key point (the
question's points in their order, then the story's bullets); then the most important missed
cue, in the rubric's order, with its own follow-up question.

A missed point comes before a missed cue: the cues say whether the answer has the shape of a
good one, the points whether it has the substance, and an interviewer probes the substance
("How would you handle accounts with millions of followers?"). Wrong or missing numbers stay
first: they are quoted from the answer itself and are the cheapest to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceprep.analysis.numbers import Quantity
from voiceprep.analysis.points import PointResult
from voiceprep.analysis.report import STORY_CATEGORIES, Report
from voiceprep.analysis.rubric import CueResult


@dataclass(frozen=True)
class FollowUp:
    """What the interviewer asks next, why, and the cue a good answer to it would recover."""

    prompt: str
    reason: str                      # "estimate", "servers", "impact", "point" or "cue"
    cue: CueResult | None = None
    point: PointResult | None = None  # reason "point": the missed point a good answer would make


def choose_follow_up(report: Report, fallback: str = "Anything you would add?") -> FollowUp:
    """The most useful follow-up for this answer."""
    for step in (_wrong_estimate, _missing_servers, _unquantified_result, _missed_point, _missed_cue):
        found = step(report)
        if found is not None:
            return found
    return FollowUp(fallback, "none")


def _wrong_estimate(report: Report) -> FollowUp | None:
    off = next((c for c in report.numbers.checks if c.verdict == "off"), None)
    if off is None:
        return _wrong_figure(report)
    return FollowUp(f"You said: “{off.sentence.strip()}” Walk me through that estimate again, step by step.",
                    "estimate", _cue(report, "numbers"))


def _wrong_figure(report: Report) -> FollowUp | None:
    """An estimation question with a step or the final figure off: ask about the first step that went wrong."""
    grade = report.estimate
    if grade is None:
        return None
    off = next((s for s in grade.steps if s.verdict == "off"), None)
    if grade.verdict == "ok" and off is None:  # right figure; a step merely not said is fine
        return None
    step = off or grade.wrong_step or grade.final
    if step.stated is None:
        prompt = f"How did you get to the final figure? What is the {step.step.label}?"
    else:
        prompt = f"You said {step.text.strip()} for the {step.step.label}. Walk me through that step again."
    return FollowUp(prompt, "estimate", _cue(report, "numbers"))


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
    if report.outcomes:
        return None
    return FollowUp("You described the result. By how much did it improve: time, money, users, incidents?",
                    "impact", impact)


def _missed_point(report: Report) -> FollowUp | None:
    """The first point not made (quantified ones are the impact step's): the question's own
    follow-up that shares most words with it, else the point asked as a question."""
    missed = next((p for p in report.points if not p.hit and not p.point.quantified), None)
    if missed is None:
        return None
    return FollowUp(point_prompt(missed, report.question.follow_ups if report.question else ()), "point", point=missed)


_STOP = frozenset("a an the and or of to in on for with from by is are be it that this you your how what do".split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP and len(w) > 2}


def point_prompt(result: PointResult, follow_ups: tuple[str, ...]) -> str:
    """Ask about a missed point: the bank's follow-up sharing at least two words with it, else
    a question made from the point's text (or, for a story bullet, the bullet itself)."""
    p = result.point
    said = _words(" ".join((p.text, *p.examples)))
    best = max(follow_ups, key=lambda f: len(_words(f) & said), default=None)
    if best is not None and len(_words(best) & said) >= 2:
        return best
    if result.source == "story":
        return f"Your notes say: “{p.text}”. Tell me about that part."
    return f"One thing you did not mention: {p.text.rstrip('.')}. Can you walk me through that?"


def _missed_cue(report: Report) -> FollowUp | None:
    missed = next((c for c in report.cues if not c.hit), None)
    return FollowUp(missed.cue.follow_up, "cue", missed) if missed is not None else None


def _cue(report: Report, cue_id: str) -> CueResult | None:
    return next((c for c in report.cues if c.cue.id == cue_id), None)
