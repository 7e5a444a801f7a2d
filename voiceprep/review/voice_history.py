"""The voice over time: a trend line per voice measure, and `--focus` on one of them.

Works on the index's voice rows (one per attempt with audio). A measure's problem is "gone"
in an attempt when nothing of it was flagged there; attempts whose voice could not be judged
(too noisy, clipped) count for nothing either way.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Sequence

from rich.table import Table

from voiceprep.core.bank import Bank, Question
from voiceprep.storage.index import VoiceRow

RECENT = 10
_BARS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class VoiceMeasure:
    """A measure history follows: its index column, how it reads, and whether more is better."""

    key: str
    label: str
    unit: str
    higher_is_better: bool = False


MEASURES = (VoiceMeasure("monotone_s", "monotone", "s flagged"), VoiceMeasure("quiet_s", "too quiet", "s flagged"),
            VoiceMeasure("trailing_off", "trailing off", "sentences"),
            VoiceMeasure("pace_jumps", "rushed sentences", "sentences"),
            VoiceMeasure("repetition", "repeated words", "repeats"),
            VoiceMeasure("spread_st", "pitch spread", "st", higher_is_better=True))
# `practice --focus NAME`: the voice measures it can target, by the name the user types
FOCUS = {"monotone": "monotone_s", "quiet": "quiet_s", "trailing_off": "trailing_off", "pace": "pace_jumps",
         "repetition": "repetition"}


@dataclass
class VoiceTrend:
    measure: VoiceMeasure
    values: list[float] = field(default_factory=list)  # oldest first; judged attempts only

    @property
    def recent(self) -> list[float]:
        return self.values[-RECENT:]

    @property
    def recent_mean(self) -> float | None:
        return sum(self.recent) / len(self.recent) if self.recent else None

    @property
    def early_mean(self) -> float | None:
        head = self.values[:-RECENT]
        return sum(head) / len(head) if head else None

    @property
    def present_in(self) -> int:
        """Recent attempts where the problem showed (for pitch spread: none)."""
        return 0 if self.measure.higher_is_better else sum(v > 0 for v in self.recent)

    def line(self) -> str:
        """A sparkline of the recent values, tallest for the largest."""
        top = max(self.recent, default=0) or 1
        return "".join(_BARS[min(len(_BARS) - 1, int(v / top * (len(_BARS) - 1)))] for v in self.recent)

    def to_dict(self) -> dict:
        r = lambda x: None if x is None else round(x, 2)  # noqa: E731
        return {"measure": self.measure.key, "label": self.measure.label, "unit": self.measure.unit,
                "attempts": len(self.values), "recent": [r(v) for v in self.recent],
                "recent_mean": r(self.recent_mean), "early_mean": r(self.early_mean), "present_in": self.present_in}


def voice_trends(rows: Sequence[VoiceRow]) -> list[VoiceTrend]:
    """One trend per measure from the rows (oldest first); unjudged values are skipped."""
    trends = [VoiceTrend(m) for m in MEASURES]
    for row in rows:
        for t in trends:
            value = getattr(row, t.measure.key)
            if value is not None:
                t.values.append(float(value))
    return [t for t in trends if t.values]


def render_voice_trends(trends: Sequence[VoiceTrend]) -> Table:
    table = Table(title="Voice over time")
    for col in ("measure", f"last {RECENT}", "earlier", "recent", "showed in"):
        table.add_column(col, no_wrap=True)
    for t in trends:
        m = t.measure
        early, recent = t.early_mean, t.recent_mean or 0.0
        arrow = ""
        if early is not None and abs(recent - early) >= 0.1 * max(abs(early), 1e-9):
            better = recent > early if m.higher_is_better else recent < early
            arrow = " [green]↑ better[/]" if better else " [red]↓ worse[/]"
        table.add_row(m.label, t.line(), "-" if early is None else f"{early:.1f} {m.unit}",
                      f"{recent:.1f} {m.unit}{arrow}",
                      "-" if m.higher_is_better else f"{t.present_in} of {len(t.recent)}")
    return table


def focus_status(trend: VoiceTrend | None, name: str) -> str:
    """The line `--focus NAME` opens with: how often the measure showed lately."""
    if trend is None or not trend.values:
        return f"Focus: {name} (no recorded answers judged yet)"
    return f"Focus: {name} (showed in {trend.present_in} of the last {len(trend.recent)} answers)"


def pick_voice_focus(bank: Bank, recent_questions: Sequence[str], category: str | None = None, count: int = 1,
                     rng: random.Random | None = None) -> list[Question]:
    """Questions for practising a voice measure: the longest answers first (more speech to work
    on, and monotony and trailing off show over minutes), the recently asked last."""
    rng = rng or random.Random()
    pool = bank.list_questions(category)
    last_seen = {q: i for i, q in enumerate(recent_questions)}
    ranked = sorted(pool, key=lambda q: (-q.target_s, last_seen.get(q.id, -1), rng.random()))
    picks = ranked[:count]
    while len(picks) < count and ranked:
        picks.append(ranked[len(picks) % len(ranked)])
    return picks


def gone(report_voice: dict | None, name: str) -> bool | None:
    """Whether the focused measure's problem is absent from a report's `voice` (None: not judged)."""
    if report_voice is None or (name != "repetition" and name != "pace" and not report_voice.get("reliable")):
        return None
    key = {"pace": "pace_jumps"}.get(name, name)
    return not report_voice.get(key)
