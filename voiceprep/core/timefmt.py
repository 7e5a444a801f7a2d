"""How times in the recording are written for people: m:ss."""

from __future__ import annotations


def clock(seconds: float | None) -> str:
    """`seconds` as m:ss (rounded to the second); "-" when unknown."""
    if seconds is None:
        return "-"
    s = int(round(seconds))
    return f"{s // 60}:{s % 60:02d}"
