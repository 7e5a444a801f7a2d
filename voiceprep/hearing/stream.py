"""What the recording loop hands its blocks to: the Stream protocol and how one is chosen.

A Stream takes blocks while the answer is recorded and gives back the transcript when it
ends. Transcribers that can do chunks get an IncrementalStream (incremental.py: transcribed
while the answer is spoken); any other Transcriber gets WholeFileStream (kept, then
transcribed at the end), as does `--whole-file`.
"""

from __future__ import annotations

from typing import Callable, Protocol, Sequence

import numpy as np

from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.incremental import IncrementalStream
from voiceprep.hearing.passes import StreamFacts
from voiceprep.hearing.protocols import Transcriber


class Stream(Protocol):
    """What the recording loop talks to: blocks in, a transcript out."""

    def feed(self, samples: np.ndarray) -> None: ...

    def finish(self) -> Transcript: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...

    def facts(self) -> StreamFacts:
        """How the transcript was made (report.json's `transcription`)."""
        ...

    def heard(self) -> list[Word]:
        """The words heard so far, while the answer is still being spoken ([] if none yet)."""
        ...


class WholeFileStream:
    """The Stream of transcribers without chunk support: keep the audio, transcribe at the end."""

    def __init__(self, transcriber: Transcriber, vocabulary: Sequence[str] = ()) -> None:
        self.transcriber, self.vocabulary = transcriber, vocabulary
        self._blocks: list[np.ndarray] = []

    def feed(self, samples: np.ndarray) -> None:
        self._blocks.append(samples)

    def finish(self) -> Transcript:
        pcm = np.concatenate(self._blocks) if self._blocks else np.zeros(0, np.int16)
        audio = pcm.astype(np.float32) / 32768.0 if pcm.dtype == np.int16 else pcm
        return self.transcriber.transcribe(audio, self.vocabulary)

    def cancel(self) -> None:
        self._blocks.clear()

    def close(self) -> None:
        self._blocks.clear()

    def facts(self) -> StreamFacts:
        return StreamFacts("whole-file")

    def heard(self) -> list[Word]:
        return []  # transcribed only when the answer ends


def open_stream(transcriber: Transcriber, vocabulary: Sequence[str], incremental: bool = True,
                on_words: Callable[[list[Word]], None] | None = None) -> Stream:
    """An incremental stream when the transcriber can do chunks, else a whole-file one."""
    chunker = transcriber.chunker() if incremental else None
    if chunker is not None:
        return IncrementalStream(chunker, vocabulary, on_words=on_words)
    return WholeFileStream(transcriber, vocabulary)
