"""The expected answer of an estimation question, as bank data.

An estimation question ("How much storage does a photo service with 50 million uploads a day
need for five years?") carries its answer and the steps of a reference chain in the bank:

    [question.estimate]
    value = 180
    unit = "PB"
    tolerance = 2.0            # within 2x counts as right, as for any back-of-the-envelope figure
    assumptions = "2 MB per photo, 3 copies"
    [[question.estimate.steps]]
    label = "uploads per second"
    value = 580
    unit = "uploads"
    per = "second"

`parse_estimate` validates that table; `analysis.numbers.target` grades a spoken answer against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from voiceprep.core.errors import BankError

PERIODS = ("second", "minute", "hour", "day", "week", "month", "year")
DEFAULT_TOLERANCE = 2.0


@dataclass(frozen=True)
class EstimateStep:
    """One figure of the reference chain: what it is, its value, unit and period."""

    label: str
    value: float
    unit: str | None = None
    per: str | None = None


@dataclass(frozen=True)
class EstimateTarget:
    """The expected final figure, how far off still counts as right, and the chain that gets there."""

    value: float
    unit: str | None
    per: str | None = None
    tolerance: float = DEFAULT_TOLERANCE
    assumptions: str = ""
    steps: tuple[EstimateStep, ...] = ()

    @property
    def final(self) -> EstimateStep:
        """The final figure as a step of its own, for matching and display."""
        return EstimateStep("final figure", self.value, self.unit, self.per)


Fail = Callable[[str, str], BankError]


def _figure(raw: dict, fail: Fail, prefix: str) -> tuple[float, str | None, str | None]:
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise fail(f"{prefix}value", "must be a number > 0")
    unit, per = raw.get("unit"), raw.get("per")
    if unit is not None and (not isinstance(unit, str) or not unit.strip()):
        raise fail(f"{prefix}unit", "must be a non-empty string")
    if per is not None and per not in PERIODS:
        raise fail(f"{prefix}per", f"must be one of: {', '.join(PERIODS)}")
    return float(value), unit.strip() if unit else None, per


def parse_estimate(raw: Any, fail: Fail) -> EstimateTarget:
    """Validate a question's `estimate` table; `fail(field, message)` builds the error to raise."""
    if not isinstance(raw, dict):
        raise fail("estimate", "must be a table ([question.estimate])")
    allowed = {"value", "unit", "per", "tolerance", "assumptions", "steps"}
    for key in raw:
        if key not in allowed:
            raise fail(f"estimate.{key}", f"unknown field (expected one of: {', '.join(sorted(allowed))})")
    value, unit, per = _figure(raw, fail, "estimate.")
    tolerance = raw.get("tolerance", DEFAULT_TOLERANCE)
    if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or tolerance <= 1:
        raise fail("estimate.tolerance", "must be a factor > 1 (2.0: within 2x either way)")
    assumptions = raw.get("assumptions", "")
    if not isinstance(assumptions, str):
        raise fail("estimate.assumptions", "must be a string")
    steps_raw = raw.get("steps", [])
    if not isinstance(steps_raw, list) or not all(isinstance(s, dict) for s in steps_raw):
        raise fail("estimate.steps", "must be an array of tables ([[question.estimate.steps]])")
    steps = []
    for i, s in enumerate(steps_raw, 1):
        label = s.get("label")
        if not isinstance(label, str) or not label.strip():
            raise fail(f"estimate.steps[{i}].label", "must be a non-empty string")
        extra = set(s) - {"label", "value", "unit", "per"}
        if extra:
            raise fail(f"estimate.steps[{i}].{min(extra)}", "unknown field (expected label, value, unit, per)")
        steps.append(EstimateStep(label.strip(), *_figure(s, fail, f"estimate.steps[{i}].")))
    return EstimateTarget(value, unit, per, float(tolerance), assumptions.strip(), tuple(steps))
