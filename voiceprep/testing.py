"""Fakes for tests and benchmarks, behind the same Protocols as the real parts.

Every fake here satisfies the Protocol its real counterpart does (Transcriber, Speaker,
Recorder, Keys, ...), so a test exercises the same code paths a real run takes.
"""

from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from voiceprep.core.samples import SAMPLE_RATE
from voiceprep.core.transcript import Transcript, Word


class FakeTranscriber:
    """A Transcriber for tests and demos: returns a scripted transcript.

    Give it a Transcript, or text to be laid out at `wpm` words per minute.
    `calls` records the vocabulary of each call so tests can check what was asked.
    """

    def __init__(self, result: Transcript | str | Callable[[np.ndarray], Transcript], wpm: float = 150.0) -> None:
        self._result = result
        self._wpm = wpm
        self.calls: list[list[str]] = []

    def transcribe(self, audio: np.ndarray, vocabulary: Sequence[str] = ()) -> Transcript:
        self.calls.append(list(vocabulary))
        if callable(self._result):
            return self._result(audio)
        if isinstance(self._result, Transcript):
            return self._result
        return timed_transcript(self._result, self._wpm, duration=len(audio) / SAMPLE_RATE or None)


def timed_transcript(text: str, wpm: float = 150.0, start: float = 0.5,
                     duration: float | None = None) -> Transcript:
    """Lay text out as evenly timed words (for fakes and tests)."""
    step = 60.0 / wpm
    words = [Word(" " + tok, start + i * step, start + i * step + step * 0.8)
             for i, tok in enumerate(text.split())]
    end = words[-1].end if words else 0.0
    return Transcript.from_words(words, duration=max(duration or 0.0, end))


class FakeSpeaker:
    """Remembers what it was asked to say; says nothing."""

    def __init__(self) -> None:
        self.said: list[str] = []

    def say(self, text: str) -> None:
        self.said.append(text)
