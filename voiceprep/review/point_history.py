"""Which key points come and go across attempts at one question or tellings of one story
(`history --question ID` / `--story ID`)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text

from voiceprep.storage.attempt import StoredAttempt


@dataclass(frozen=True)
class PointTrend:
    """One point over the attempts, oldest first: True made, False missed, None not checked then."""

    id: str
    text: str
    source: str
    outcomes: tuple[bool | None, ...]

    @property
    def status(self) -> str:
        seen = [o for o in self.outcomes if o is not None]
        if not seen:
            return "not checked"
        if all(seen):
            return "always made"
        if not any(seen):
            return "always missed"
        return "comes and goes" if seen[-1] else "dropped last time"

    def to_dict(self) -> dict:
        return {"id": self.id, "text": self.text, "source": self.source, "outcomes": list(self.outcomes),
                "made": sum(bool(o) for o in self.outcomes), "checked": sum(o is not None for o in self.outcomes),
                "status": self.status}


def point_trends(attempts: list[StoredAttempt]) -> list[PointTrend]:
    """Every point seen in the attempts (by source and id, in first-seen order) with its outcome in each."""
    keys: dict[tuple[str, str], str] = {}
    for a in attempts:
        for p in a.points:
            keys.setdefault((p.source, p.id), p.text)
    out = []
    for (source, pid), text in keys.items():
        outcomes = tuple(next((p.hit for p in a.points if (p.source, p.id) == (source, pid)), None) for a in attempts)
        out.append(PointTrend(pid, text, source, outcomes))
    return out


def render_point_trends(trends: list[PointTrend], attempts: list[StoredAttempt], title: str) -> Table:
    """One row per point: ✔/✘ per attempt (oldest first) and whether it stays, comes and goes, or is dropped."""
    t = Table(title=f"Points across {len(attempts)} attempt(s): {title}")
    t.add_column("point", ratio=1)
    t.add_column("attempts (oldest → newest)", no_wrap=True)
    t.add_column("status", no_wrap=True)
    marks = {True: ("✔", "green"), False: ("✘", "red"), None: ("·", "dim")}
    style = {"always made": "green", "always missed": "red", "dropped last time": "yellow", "comes and goes": "yellow"}
    for tr in trends:
        row = Text()
        for o in tr.outcomes[-12:]:
            mark, color = marks[o]
            row.append(mark + " ", style=color)
        label = tr.text + (" (story)" if tr.source == "story" else "")
        t.add_row(label, row, Text(tr.status, style=style.get(tr.status, "dim")))
    return t


@dataclass(frozen=True)
class Missed:
    """A question or a story, and the share of its key points missed in its recent attempts."""

    kind: str   # "question" or "story"
    id: str
    rate: float
    attempts: int


def most_missed(attempts: list[StoredAttempt], recent: int = 5) -> list[Missed]:
    """Questions and stories by the share of points missed in their last `recent` attempts, most first
    (`practice --focus points`). A story's share counts its bullets only."""
    groups: dict[tuple[str, str], list[StoredAttempt]] = {}
    for a in attempts:
        if a.story_id:
            groups.setdefault(("story", a.story_id), []).append(a)
        elif a.question_id and a.points:
            groups.setdefault(("question", a.question_id), []).append(a)
    out = []
    for (kind, gid), group in groups.items():
        points = [p for a in group[-recent:] for p in a.points if kind == "question" or p.source == "story"]
        if points:
            out.append(Missed(kind, gid, sum(not p.hit for p in points) / len(points), len(group[-recent:])))
    return sorted(out, key=lambda m: (-m.rate, m.kind, m.id))
