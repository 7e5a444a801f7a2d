"""Replay: play a stored answer while its transcript follows along, and jump between flagged moments.

`Player` owns the position; the output stream's callback pulls audio from it, so pause
and seek take effect within one block. `moments` lists what is worth hearing again
(a cue's evidence, a long pause, a cluster of fillers) from the report document.
`replay` ties them to a console and a key source; `play` is the plain blocking playback
the practice menu uses.
"""

from __future__ import annotations

import os
import select
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
from rich.console import Console, Group
from rich.live import Live
from rich.text import Text

from voiceprep.audio.capture import import_sounddevice
from voiceprep.audio.wav import decode
from voiceprep.core.errors import DeviceError, StorageError
from voiceprep.core.keys import Keys, NoKeys
from voiceprep.core.timefmt import clock
from voiceprep.core.transcript import spaced
from voiceprep.storage.attempt import StoredAttempt, TimedWord

RATE = 16000
SKIP_S = 5.0
FILLER_CLUSTER = (3, 10.0)  # this many fillers within this many seconds are a moment


@dataclass(frozen=True)
class Moment:
    start: float
    kind: str   # "cue", "pause" or "fillers"
    label: str

    def to_dict(self) -> dict:
        return {"start": round(self.start, 2), "kind": self.kind, "label": self.label}


def moments(attempt: StoredAttempt) -> list[Moment]:
    """Flagged moments of an attempt, in time order: evidence of each cue, long pauses, filler clusters."""
    found: list[Moment] = []
    for cue in attempt.cues:
        for ev in cue.evidence:
            if ev.start is not None:
                found.append(Moment(ev.start, "cue", cue.label or cue.id))
    for p in attempt.timing.pauses if attempt.timing else ():
        found.append(Moment(p.start, "pause", f"pause {p.length_s:.1f} s"))
    n, span = FILLER_CLUSTER
    times = sorted(f.start for f in attempt.fillers if f.start is not None)
    i = 0
    while i + n <= len(times):
        if times[i + n - 1] - times[i] <= span:
            j = i + n
            while j < len(times) and times[j] - times[i] <= span:
                j += 1
            found.append(Moment(float(times[i]), "fillers", f"{j - i} fillers in {times[j - 1] - times[i]:.0f} s"))
            i = j
        else:
            i += 1
    return sorted(found, key=lambda m: (m.start, m.kind))


def start_of_cue(attempt: StoredAttempt, cue_id: str) -> float:
    """Where `--cue ID` starts: the first evidence of that cue."""
    cue = attempt.cue(cue_id)
    if cue is None:
        raise StorageError(f"attempt has no cue '{cue_id}' (its cues: {', '.join(c.id for c in attempt.cues) or 'none'})")
    starts = [e.start for e in cue.evidence if e.start is not None]
    if not starts:
        with_evidence = [c.id for c in attempt.cues if any(e.start is not None for e in c.evidence)]
        raise StorageError(f"cue '{cue_id}' was missed in this attempt, so there is no moment to start at "
                           f"(cues with evidence: {', '.join(with_evidence) or 'none'})")
    return float(min(starts))


class Player:
    """Audio and a position. `fill` is the output callback; everything else is thread-safe control."""

    def __init__(self, audio: np.ndarray, start_s: float = 0.0) -> None:
        self.audio = audio.astype(np.float32, copy=False)
        self._pos = 0
        self._lock = threading.Lock()
        self.paused = False
        self.seek(start_s)

    @property
    def duration(self) -> float:
        return len(self.audio) / RATE

    @property
    def position(self) -> float:
        return self._pos / RATE

    @property
    def done(self) -> bool:
        return self._pos >= len(self.audio)

    def seek(self, seconds: float) -> None:
        with self._lock:
            self._pos = int(min(max(seconds, 0.0), self.duration) * RATE)

    def skip(self, seconds: float) -> None:
        self.seek(self.position + seconds)

    def toggle(self) -> None:
        self.paused = not self.paused

    def fill(self, out: np.ndarray, frames: int) -> None:
        """Copy the next `frames` samples into `out` (shape frames x 1); silence when paused or done."""
        with self._lock:
            chunk = np.zeros(0, np.float32) if self.paused else self.audio[self._pos:self._pos + frames]
            if not self.paused:
                self._pos += len(chunk)
        out[:len(chunk), 0] = chunk
        out[len(chunk):, 0] = 0.0


class TerminalKeys:
    """Single key presses from a terminal in cbreak mode (no Enter needed); restores it on exit."""

    _NAMES = {"\x1b[C": "right", "\x1b[D": "left", " ": "space", "\n": "enter", "\r": "enter"}

    def __init__(self, stream: Any = None) -> None:
        self.fd = (stream or sys.stdin).fileno()
        self._saved: Any = None
        self._pending = ""

    def __enter__(self) -> "TerminalKeys":
        import termios
        import tty

        self._saved = termios.tcgetattr(self.fd)
        tty.setcbreak(self.fd)
        return self

    def __exit__(self, *exc: object) -> None:
        import termios

        termios.tcsetattr(self.fd, termios.TCSADRAIN, self._saved)

    def poll(self) -> str | None:
        """The next key, or None. Keys typed faster than we poll arrive together and are split here."""
        if select.select([self.fd], [], [], 0)[0]:
            self._pending += os.read(self.fd, 64).decode(errors="ignore")
        if not self._pending:
            return None
        if self._pending.startswith("\x1b["):
            seq, self._pending = self._pending[:3], self._pending[3:]
            return self._NAMES.get(seq)  # other escape sequences (up, down...) are ignored
        key, self._pending = self._pending[0], self._pending[1:]
        return self._NAMES.get(key, key.lower() if key != "\x1b" else None)


def replay(player: Player, words: Sequence[TimedWord], marks: Sequence[Moment], keys: Keys, console: Console,
           open_stream: Callable[[Callable[[np.ndarray, int], None]], Any],
           get_time: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
           title: str = "") -> dict:
    """Play until the end or `q`, redrawing the transcript around the current word.

    Returns what happened (for --json and tests): keys pressed and where playback ended."""
    pressed: list[str] = []
    stream = open_stream(player.fill)
    starts = [w.start for w in words]
    with stream, Live(console=console, auto_refresh=False, transient=False) as live:
        while not player.done:
            key = keys.poll()
            if key:
                pressed.append(key)
                if key == "q":
                    break
                _act(key, player, marks)
            live.update(_frame(player, words, starts, marks, title), refresh=True)
            sleep(0.05)
        live.update(_frame(player, words, starts, marks, title), refresh=True)
    return {"keys": pressed, "ended_at": round(player.position, 2), "finished": player.done}


def _act(key: str, player: Player, marks: Sequence[Moment]) -> None:
    if key == "space":
        player.toggle()
    elif key == "right":
        player.skip(SKIP_S)
    elif key == "left":
        player.skip(-SKIP_S)
    elif key in ("n", "p"):
        target = next_moment(marks, player.position, forward=key == "n")
        if target is not None:
            player.seek(target.start)


def next_moment(marks: Sequence[Moment], now: float, forward: bool = True) -> Moment | None:
    """The flagged moment after `now` (or before it, backwards); a little slack so n, n steps on."""
    if forward:
        return next((m for m in marks if m.start > now + 0.25), None)
    return next((m for m in reversed(marks) if m.start < now - 1.0), None)


def _frame(player: Player, words: Sequence[TimedWord], starts: list[float], marks: Sequence[Moment],
           title: str) -> Group:
    import bisect

    now = player.position
    i = max(bisect.bisect_right(starts, now) - 1, 0)
    text = Text()
    first = max(i - 40, 0)
    for j in range(first, min(i + 60, len(words))):
        style = "bold black on cyan" if j == i else ("" if j < i else "dim")
        word = spaced(words[j].word.strip())  # report words are stripped; Whisper's spacing is restored
        text.append(word.lstrip() if j == first else word, style=style)
    state = "⏸ paused" if player.paused else ("■ end" if player.done else "▶ playing")
    head = Text(f"{state}  {clock(now)} / {clock(player.duration)}", style="bold")
    if title:
        head.append(f"  {title}", style="dim")
    upcoming = next_moment(marks, now)
    if upcoming:
        head.append(f"\nnext flag [n]: {upcoming.label} at {clock(upcoming.start)}", style="yellow")
    hint = Text("space pause · ←/→ 5 s · n/p next/previous flag · q quit", style="dim")
    return Group(head, text, hint)


def output_stream(device: int | str | None) -> Callable[[Callable[[np.ndarray, int], None]], Any]:
    """A factory of started sounddevice output streams pulling from `fill`."""
    def open_stream(fill: Callable[[np.ndarray, int], None]) -> Any:
        sd = import_sounddevice()

        def callback(outdata, frames, _time, _status):
            fill(outdata, frames)
        try:
            stream = sd.OutputStream(samplerate=RATE, channels=1, dtype="float32", device=device,
                                     latency="high", callback=callback)
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(f"cannot open output device {device or 'default'}: {exc}") from None
        return stream
    return open_stream


def play(path: Path, device: int | str | None = None, start_s: float = 0.0) -> float:
    """Play a recording from `start_s`; blocks until done (Ctrl-C stops). Returns seconds played."""
    audio = decode(path)
    audio = audio[int(start_s * RATE):]
    sd = import_sounddevice()
    try:
        sd.play(audio, RATE, device=device, blocking=True)
    except KeyboardInterrupt:
        sd.stop()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"cannot play on output device {device or 'default'}: {exc}") from None
    return len(audio) / RATE


__all__ = ["Moment", "Player", "Keys", "NoKeys", "TerminalKeys", "moments", "start_of_cue", "next_moment",
           "replay", "output_stream", "play"]
