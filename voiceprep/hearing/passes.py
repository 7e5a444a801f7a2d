"""How a transcript was made, as typed facts: how far each incremental lane got, each of its
passes, and the summary that goes into report.json (`transcription`) and the benchmark."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Literal, Sequence

from voiceprep.core.transcript import Word

Lane = Literal["front", "careful"]


class LaneProgress:
    """How far one lane of passes got over the answer: its cuts, its words, and where they are final."""

    def __init__(self) -> None:
        self.cuts: list[int] = [0]   # absolute samples where its chunks begin
        self.words: list[Word] = []
        self.done_to = 0             # absolute sample up to which its words are final

    def window_start(self, overlap: int, pauses: Sequence[int] = ()) -> int:
        """The cut or pause (all in silences) nearest to `overlap` samples before done_to."""
        earlier = [c for c in (*self.cuts, *pauses) if c < self.done_to] or [self.cuts[0]]
        return min(earlier, key=lambda c: abs(self.done_to - overlap - c))


@dataclass(frozen=True)
class Pass:
    """One pass of a lane: a window transcribed, a stretch skipped, or a failure.

    `seconds` is None for what took no decoding time (skips, errors); `note` names the safety
    net of nets.hear that decided the window ("" when none did)."""

    lane: Lane
    window: tuple[float, float] | None = None   # seconds in the recording
    new_s: float | None = None                  # audio new to the lane
    words: int = 0                               # words kept
    seconds: float | None = None
    final: bool = False
    note: str = ""
    cancelled: bool = False                      # a pass given up when the answer ended
    skipped: tuple[float, float] | None = None   # the careful lane took the front lane's words here
    error: str = ""

    def to_dict(self) -> dict[str, Any]:
        """The fields that say something, as JSON."""
        out: dict[str, Any] = {"lane": self.lane}
        for key in ("window", "new_s", "seconds", "skipped"):
            value = getattr(self, key)
            if value is not None:
                out[key] = list(value) if isinstance(value, tuple) else value
        if self.window is not None and not self.cancelled:
            out.update(words=self.words, final=self.final, note=self.note)
        if self.cancelled:
            out["cancelled"] = True
        if self.error:
            out["error"] = self.error
        return out


@dataclass(frozen=True)
class StreamFacts:
    """What report.json says of how the transcript was made."""

    mode: Literal["incremental", "whole-file"]
    passes: int = 0
    busy_s: float = 0.0
    careful_to_s: float = 0.0
    careful_nets: dict[str, int] = field(default_factory=dict)
    cancelled: int = 0
    last_passes: tuple[Pass, ...] = ()

    @classmethod
    def of(cls, passes: Sequence[Pass], careful_to_s: float) -> StreamFacts:
        """The summary of an incremental stream's passes."""
        timed = [p for p in passes if p.seconds is not None]
        # careful windows where a safety net decided (as whole-file transcription's would),
        # or skipped when the lane fell behind (there the front lane's words stand)
        nets = Counter("skipped" if p.skipped else p.note for p in passes if p.lane == "careful")
        nets.pop("", None)
        return cls("incremental", passes=len(timed), busy_s=round(sum(p.seconds or 0.0 for p in timed), 2),
                   careful_to_s=round(careful_to_s, 2), careful_nets=dict(nets),
                   cancelled=sum(p.cancelled for p in passes), last_passes=tuple(timed[-4:]))

    def to_dict(self) -> dict[str, Any]:
        if self.mode == "whole-file":
            return {"mode": "whole-file"}
        return {"mode": self.mode, "passes": self.passes, "busy_s": self.busy_s, "careful_to_s": self.careful_to_s,
                "careful_nets": self.careful_nets, "cancelled": self.cancelled,
                "last_passes": [p.to_dict() for p in self.last_passes]}
