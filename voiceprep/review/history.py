"""Progress over time: the attempts table, each cue's hit rate, self-review agreement,
a comparison of two attempts at the same question, and the cues to focus on.

Everything here works on index rows and report documents (dicts); reading them from
disk is the index's and the store's job, printing is the CLI's.
"""

from __future__ import annotations

import difflib
import random
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from voiceprep.core.bank import Bank, Question
from voiceprep.core.timefmt import clock
from voiceprep.review.voice_history import VoiceTrend, render_voice_trends
from voiceprep.storage.attempt import StoredAttempt
from voiceprep.storage.index import Attempt

RECENT = 10  # attempts per cue that count as "recent" for trends and focus


@dataclass
class CueTrend:
    """How one cue has gone: over all attempts, early versus recent, and the recent run."""

    cue: str
    outcomes: list[bool] = field(default_factory=list)  # oldest first
    reviewed: int = 0
    agreed: int = 0

    @property
    def rate(self) -> float:
        return sum(self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def recent_rate(self) -> float:
        tail = self.outcomes[-RECENT:]
        return sum(tail) / len(tail) if tail else 0.0

    @property
    def early_rate(self) -> float | None:
        """Hit rate before the recent window; None when every attempt is recent."""
        head = self.outcomes[:-RECENT]
        return sum(head) / len(head) if head else None

    @property
    def run(self) -> str:
        return "".join("✔" if h else "✘" for h in self.outcomes[-RECENT:])

    def to_dict(self) -> dict:
        return {"cue": self.cue, "attempts": len(self.outcomes), "hits": sum(self.outcomes),
                "rate": round(self.rate, 3), "recent_rate": round(self.recent_rate, 3),
                "early_rate": None if self.early_rate is None else round(self.early_rate, 3),
                "recent": [bool(h) for h in self.outcomes[-RECENT:]],
                "self_review": {"reviewed": self.reviewed, "agreed": self.agreed}}


def cue_trends(outcomes: Iterable[tuple[str, str, int, int | None]]) -> list[CueTrend]:
    """Per cue, from (cue, attempt, hit, agree) rows in attempt order; weakest recent rate first."""
    trends: dict[str, CueTrend] = {}
    for cue, _attempt, hit, agree in outcomes:
        t = trends.setdefault(cue, CueTrend(cue))
        t.outcomes.append(bool(hit))
        if agree is not None:
            t.reviewed += 1
            t.agreed += bool(agree)
    return sorted(trends.values(), key=lambda t: (t.recent_rate, t.cue))


def agreement(attempts: Sequence[Attempt]) -> dict:
    """How often self-review agreed with the automatic verdicts, over reviewed attempts."""
    reviewed = sum(a.reviewed for a in attempts)
    agreed = sum(a.agreed for a in attempts)
    return {"attempts_reviewed": sum(1 for a in attempts if a.reviewed), "verdicts": reviewed,
            "agreed": agreed, "rate": round(agreed / reviewed, 3) if reviewed else None}


# --- comparing attempts at one question ------------------------------------------------------

@dataclass
class Comparison:
    before: StoredAttempt
    after: StoredAttempt
    gained: list[str]
    lost: list[str]
    diff: list[tuple[str, str]]  # (op, text): op is "=", "-" or "+"

    def to_dict(self) -> dict:
        return {"before": self.before.figures(), "after": self.after.figures(),
                "cues_gained": self.gained, "cues_lost": self.lost,
                "word_diff": [{"op": op, "text": text} for op, text in self.diff]}


def compare(before: StoredAttempt, after: StoredAttempt) -> Comparison:
    """Which cues changed between two attempts, and a word diff of their transcripts."""
    hit_before = {c.id: c.hit for c in before.cues}
    hit_after = {c.id: c.hit for c in after.cues}
    gained = [c for c, h in hit_after.items() if h and not hit_before.get(c, False)]
    lost = [c for c, h in hit_after.items() if not h and hit_before.get(c, False)]
    return Comparison(before, after, gained, lost, word_diff(before.text, after.text))


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Runs of equal, removed and added words (compared without case and punctuation)."""
    a, b = old.split(), new.split()
    norm = lambda ws: [w.strip(".,;:!?\"'").lower() for w in ws]  # noqa: E731
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, norm(a), norm(b), autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("=", " ".join(b[j1:j2])))
            continue
        if i2 > i1:
            out.append(("-", " ".join(a[i1:i2])))
        if j2 > j1:
            out.append(("+", " ".join(b[j1:j2])))
    return out


# --- focus: questions that exercise the weakest cues -------------------------------------------

def weakest(trends: Sequence[CueTrend], n: int = 3, min_attempts: int = 2) -> list[CueTrend]:
    """The cues missed most often recently (only cues with enough attempts to judge)."""
    judged = [t for t in trends if len(t.outcomes) >= min_attempts and t.recent_rate < 1.0]
    return sorted(judged, key=lambda t: (t.recent_rate, -len(t.outcomes), t.cue))[:n]


def pick_focus(bank: Bank, trends: Sequence[CueTrend], recent_questions: Sequence[str],
               category: str | None = None, count: int = 1, rng: random.Random | None = None) -> list[Question]:
    """Questions that exercise the weak cues: a question scores each weak cue's miss rate,
    twice when the question names the cue in its `focus`; recently asked questions lose ties.

    With no history yet (nothing weak), the choice is random, like plain practice."""
    rng = rng or random.Random()
    pool = bank.list_questions(category)
    weak = weakest(trends)
    last_seen = {q: i for i, q in enumerate(recent_questions)}  # higher = more recent

    def score(q: Question) -> tuple[float, float, float]:
        cues = {c.id for c in bank.cues_for(q.category, q)}
        s = sum((1 - t.recent_rate) * (2 if t.cue in q.focus else 1) for t in weak if t.cue in cues)
        return (s, -last_seen.get(q.id, -1), rng.random())

    ranked = sorted(pool, key=score, reverse=True)
    picks = ranked[:count]
    while len(picks) < count and ranked:
        picks.append(ranked[len(picks) % len(ranked)])
    return picks


# --- terminal rendering --------------------------------------------------------------------------

def render_history(attempts: Sequence[Attempt], total: int, trends: Sequence[CueTrend], agree: dict,
                   labels: dict[str, str], voice: Sequence[VoiceTrend] = ()) -> RenderableType:
    table = Table(title=f"Attempts ({len(attempts)} newest of {total})" if total > len(attempts)
                  else f"Attempts ({total})")
    for col, justify in (("attempt", "left"), ("question", "left"), ("time", "right"),
                         ("wpm", "right"), ("fillers", "right"), ("cues", "right"), ("self", "right")):
        table.add_column(col, justify=justify, no_wrap=col != "question")  # type: ignore[arg-type]
    for a in attempts:
        table.add_row(a.id[:15], a.question or a.category,
                      clock(a.duration_s), f"{a.wpm:.0f}" if a.wpm is not None else "-",
                      f"{a.fillers_per_100:.1f}" if a.fillers_per_100 is not None else "-",
                      f"{a.cues_hit}/{a.cues_total}", f"{a.rating}/5" if a.rating else "-")
    table.caption = ("attempt: when it started (YYYYmmdd-HHMMSS), an id prefix for replay, report and export"
                     " · fillers: per 100 words")
    cues = Table(title="Cues, weakest first")
    for col in ("cue", "hit rate", "earlier", f"last {RECENT}", "run", "agreed"):
        cues.add_column(col, no_wrap=True)
    for t in trends:
        early = "-" if t.early_rate is None else f"{t.early_rate:.0%}"
        arrow = ""
        if t.early_rate is not None and abs(t.recent_rate - t.early_rate) >= 0.1:
            arrow = " [green]↑[/]" if t.recent_rate > t.early_rate else " [red]↓[/]"
        cues.add_row(labels.get(t.cue, t.cue), f"{t.rate:.0%} of {len(t.outcomes)}", early,
                     f"{t.recent_rate:.0%}{arrow}", t.run,
                     f"{t.agreed}/{t.reviewed}" if t.reviewed else "-")
    if agree["verdicts"]:
        footer = Text(f"Self-review agreed with {agree['agreed']} of {agree['verdicts']} automatic verdicts "
                      f"({agree['rate']:.0%}) over {agree['attempts_reviewed']} reviewed attempts.")
    else:
        footer = Text("No self-reviews yet: pick [s] after an answer to rate it.", style="dim")
    if voice:  # a trend line per voice measure
        return Group(table, cues, render_voice_trends(voice), footer)
    return Group(table, cues, footer)


def render_comparison(c: Comparison, labels: dict[str, str]) -> RenderableType:
    t = Table(title=f"{c.before.id} → {c.after.id}")
    for col in ("", "before", "after"):
        t.add_column(col)
    d = c.to_dict()
    for key, name in (("duration_s", "duration"), ("wpm", "wpm"), ("fillers_per_100", "fillers/100w"),
                      ("cues_hit", "cues hit")):
        b, a = d["before"][key], d["after"][key]
        t.add_row(name, _fmt(key, b), _fmt(key, a))
    changes = Text()
    for cue in c.gained:
        changes.append(f"✔ now hit: {labels.get(cue, cue)}\n", style="green")
    for cue in c.lost:
        changes.append(f"✘ now missed: {labels.get(cue, cue)}\n", style="red")
    if not c.gained and not c.lost:
        changes.append("Same cues hit in both attempts.\n", style="dim")
    diff = Text()
    for op, text in c.diff:
        style = {"=": "", "-": "red strike", "+": "green underline"}[op]
        diff.append(text + " ", style=style)
    return Group(t, changes, Text("Word diff (red: only before, green: only after)", style="bold"), diff)


def _fmt(key: str, value: float | None) -> str:
    if value is None:
        return "-"
    return clock(value) if key == "duration_s" else f"{value:.0f}" if key != "fillers_per_100" else f"{value:.1f}"


__all__ = ["CueTrend", "Comparison", "cue_trends", "agreement", "compare", "word_diff", "weakest",
           "pick_focus", "render_history", "render_comparison", "RECENT"]
