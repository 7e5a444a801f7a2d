"""How close a spoken estimate came to an estimation question's expected answer, and where it went wrong.

The question carries its expected figure and reference chain (`core.estimate.EstimateTarget`).
Each figure of the chain is matched with the spoken quantity of the same kind (bytes, bits,
money, a count, a duration; a total or a rate per unit of time) that is closest to it, after
converting units ("100 TB a day" and "1.16 GB a second" are the same rate). The first step
that is missing or off by more than the tolerance is where the chain went wrong.

The final figure is the spoken quantity of the target's kind closest to the expected value:
an answer that says the right total anywhere gets credit for it, and one that never says a
figure of that kind is "missing", not "off".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from voiceprep.analysis.numbers.arithmetic import fmt
from voiceprep.analysis.numbers.quantities import Quantity
from voiceprep.analysis.numbers.spoken import BITS, BYTE_SCALE, SECONDS, UNIT_SECONDS
from voiceprep.core.estimate import EstimateStep, EstimateTarget

_TIME_SCALE = {**UNIT_SECONDS, "ms": 0.001}
_SERVERS = {"servers"}


def _kind(unit: str | None, per: str | None) -> tuple[str, str | None, float]:
    """(family, period or item, factor to base units) of a unit and its `per`."""
    if unit in BITS:
        family, scale = "bits", BYTE_SCALE[unit]
    elif unit in BYTE_SCALE:
        family, scale = "bytes", BYTE_SCALE[unit]
    elif unit in _TIME_SCALE:
        family, scale = "time", _TIME_SCALE[unit]
    elif unit in ("$", "%", "x"):
        family, scale = unit, 1.0
    elif unit in _SERVERS:
        family, scale = "servers", 1.0
    else:
        family, scale = "count", 1.0
    if per in SECONDS:
        return family, "time", scale / SECONDS[per]
    return family, per, scale


def _base(value: float, unit: str | None, per: str | None) -> tuple[tuple[str, str | None], float]:
    family, per_kind, scale = _kind(unit, per)
    return (family, per_kind), value * scale


def how_far(ratio: float) -> str:
    """A ratio said plainly: "on the mark", "1.4x too high", "100x too low"."""
    factor = ratio if ratio >= 1 else 1 / ratio
    if factor < 1.05:
        return "on the mark"
    said = f"{factor:.2g}x" if factor < 10 else f"{factor:,.0f}x"
    return f"{said} too {'high' if ratio > 1 else 'low'}"


@dataclass(frozen=True)
class StepGrade:
    """One expected figure against the closest spoken one, in the expected figure's units."""

    step: EstimateStep
    stated: float | None          # None: no spoken figure of this kind
    text: str = ""                # the words it came from
    start: float | None = None
    tolerance: float = 2.0

    @property
    def ratio(self) -> float | None:
        return None if self.stated is None else self.stated / self.step.value

    @property
    def verdict(self) -> str:
        """"ok" within the tolerance, "off" outside it, "missing" when not said."""
        if self.ratio is None:
            return "missing"
        return "ok" if abs(math.log(self.ratio)) <= math.log(self.tolerance) else "off"

    def describe(self) -> str:
        unit = f" {self.step.unit}" if self.step.unit else ""
        per = f" per {self.step.per}" if self.step.per else ""
        expected = f"{fmt(self.step.value)}{unit}{per}"
        if self.stated is None:
            return f"{self.step.label}: not said (about {expected})"
        return f"{self.step.label}: you said “{self.text.strip()}”, about {expected} expected ({how_far(self.ratio)})"

    def to_dict(self) -> dict:
        return {"label": self.step.label, "expected": self.step.value, "unit": self.step.unit,
                "per": self.step.per, "stated": None if self.stated is None else round(self.stated, 6),
                "text": self.text, "start": self.start, "verdict": self.verdict, "explanation": self.describe()}


@dataclass(frozen=True)
class EstimateGrade:
    """The final figure and each step of the reference chain, graded."""

    target: EstimateTarget
    final: StepGrade
    steps: tuple[StepGrade, ...]

    @property
    def verdict(self) -> str:
        return self.final.verdict

    @property
    def wrong_step(self) -> StepGrade | None:
        """The first step of the chain that is off or missing, if any."""
        return next((s for s in self.steps if s.verdict != "ok"), None)

    def summary(self) -> str:
        """One line: how close the spoken figure was."""
        t = self.target
        expected = f"{fmt(t.value)}" + (f" {t.unit}" if t.unit else "") + (f" per {t.per}" if t.per else "")
        if self.final.stated is None:
            return f"No figure of the kind asked for: expected about {expected}."
        mark = "within" if self.verdict == "ok" else "outside"
        return (f"You said “{self.final.text.strip()}”; expected about {expected}: {how_far(self.final.ratio)}, "
                f"{mark} the {t.tolerance:g}x tolerance.")

    def to_dict(self) -> dict:
        return {"expected": self.target.value, "unit": self.target.unit, "per": self.target.per,
                "tolerance": self.target.tolerance, "assumptions": self.target.assumptions,
                "verdict": self.verdict, "final": self.final.to_dict(),
                "steps": [s.to_dict() for s in self.steps],
                "wrong_step": self.wrong_step.step.label if self.wrong_step else None,
                "summary": self.summary()}


_GENERIC = {None, "requests"}   # a bare "ten thousand a second", or "QPS": any kind of request


def _same_thing(step: EstimateStep, q: Quantity) -> bool:
    """Counts must count the same thing: "4,000 writes a second" is not the reads asked for."""
    if _kind(step.unit, step.per)[0] != "count":
        return True
    return step.unit == q.unit or q.unit in _GENERIC or step.unit in _GENERIC


def _closest(step: EstimateStep, quantities: list[Quantity], tolerance: float) -> StepGrade:
    key, expected = _base(step.value, step.unit, step.per)
    best: tuple[float, Quantity, float] | None = None
    for q in quantities:
        qkey, value = _base(q.value, q.unit, q.per)
        if qkey != key or value <= 0 or not _same_thing(step, q):
            continue
        distance = abs(math.log(value / expected))
        if best is None or distance < best[0]:
            best = (distance, q, value)
    if best is None:
        return StepGrade(step, None, tolerance=tolerance)
    _, q, value = best
    return StepGrade(step, value / expected * step.value, q.text, q.start, tolerance)


def grade_estimate(target: EstimateTarget, quantities: list[Quantity] | tuple[Quantity, ...]) -> EstimateGrade:
    """Grade the spoken quantities of an answer against the question's expected figure and chain."""
    qs = list(quantities)
    return EstimateGrade(target, _closest(target.final, qs, target.tolerance),
                         tuple(_closest(s, qs, target.tolerance) for s in target.steps))
