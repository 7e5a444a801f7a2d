"""What the rest of voiceprep may ask of a speech-to-text model: every capability, declared.

A `Transcriber` turns a whole recording into words and can load its model ahead of time.
Incremental transcription needs more (words of one window, speech spans, a second model for
the careful lane); a transcriber that can do that says so by returning a `ChunkTranscriber`
from `chunker()`, and one that cannot returns None (the answer is then transcribed whole).
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from voiceprep.core.transcript import Transcript, Word

Spans = list[tuple[int, int]]  # speech as (start, end) sample offsets


class ChunkTranscriber(Protocol):
    """What the incremental lanes need from a model: words of one window, in the window's own time."""

    def chunk_words(self, audio: np.ndarray, vocabulary: Sequence[str], context: str, fast: bool,
                    plain: bool = False, speech_end_s: float | None = None,
                    cancelled: Callable[[], bool] | None = None) -> list[Word]: ...

    def speech_spans(self, audio: np.ndarray, min_silence_s: float) -> Spans: ...

    def load_careful(self) -> None:
        """Load the careful lane's model now (while the question is spoken), not at its first window."""
        ...


class Transcriber(Protocol):
    """Turns 16 kHz mono float32 audio into a Transcript with word times."""

    def transcribe(self, audio: np.ndarray, vocabulary: Sequence[str] = ()) -> Transcript: ...

    def load(self) -> object:
        """Load the model now, so the first transcription does not wait for it (returns it, or None)."""
        ...

    def chunker(self) -> ChunkTranscriber | None:
        """What incremental transcription needs, or None when this transcriber cannot do windows."""
        ...
