"""Read the answer while it is spoken: the semantic detector embeds the sentences heard so far,
so that when the answer ends only its last sentences are left to embed (feedback within 1 s)."""

from __future__ import annotations

import threading
from typing import Callable, Sequence

from voiceprep.analysis.points import clause_texts
from voiceprep.analysis.semantic import Detector
from voiceprep.core.transcript import Transcript
from voiceprep.hearing.runtime import lower_priority
from voiceprep.hearing.stream import Stream

EVERY_S = 4.0  # how often the words heard so far are looked at


class Warmer:
    """A thread at the lowest CPU priority that embeds the stream's new sentences every EVERY_S.

    It does nothing while the detector is not loaded yet, nor for a whole-file stream (which
    hears nothing before the end). `stop` ends it and waits for the pass under way."""

    def __init__(self, stream: Stream, detector: Callable[[], Detector | None], texts: Sequence[str] = ()) -> None:
        self.stream, self.detector = stream, detector
        self.texts = list(texts)  # the key points' references: embedded on the first pass
        self._stop = threading.Event()
        self.passes = 0
        self._thread = threading.Thread(target=self._run, name="voiceprep-warm", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        lower_priority()
        seen = 0
        while not self._stop.wait(EVERY_S):
            detector = self.detector()
            words = self.stream.heard()
            if detector is None or len(words) == seen:
                continue
            seen = len(words)
            sentences = Transcript.from_words(words).sentences()
            try:
                detector.warm(sentences[:-1])  # the last one may still grow
                detector.embed(self.texts + clause_texts(sentences[:-1]))  # what the point matcher reads too
                self.texts = []
            except Exception:  # noqa: BLE001 - warming only saves time; the end embeds what is missing
                return
            self.passes += 1

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
