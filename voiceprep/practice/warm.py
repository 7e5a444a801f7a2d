"""Read the answer while it is spoken: the terms of the words heard so far are put right and the
semantic detector embeds the corrected sentences, so that when the answer ends only its last
sentences are left to correct and embed (feedback within 1 s)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence

from voiceprep.analysis.points import clause_texts
from voiceprep.analysis.semantic import Detector
from voiceprep.core.transcript import Transcript
from voiceprep.hearing.runtime import lower_priority
from voiceprep.hearing.stream import Stream

EVERY_S = 4.0  # how often the words heard so far are looked at


class Warmer:
    """Every EVERY_S, on a thread at the lowest CPU priority: the words heard so far, their terms
    put right by `correct` (whose look-ups are kept: hearing/lexicon.py), and the corrected
    sentences embedded, which is the text the analysis reads at the end.

    It does nothing for a whole-file stream (which hears nothing before the end), and embeds
    nothing while the detector is not loaded yet. `stop` ends it and waits for the pass under
    way. With `threaded=False` no thread is started and the caller calls `step()` (tests)."""

    def __init__(self, stream: Stream, detector: Callable[[], Detector | None], texts: Sequence[str] = (),
                 correct: Callable[[Transcript], Transcript] = lambda t: t, threaded: bool = True) -> None:
        self.stream, self.detector, self.correct = stream, detector, correct
        self.texts = list(texts)  # the key points' references: embedded on the first pass with a detector
        self.passes = 0
        self._seen: tuple[int, bool] = (0, False)  # words heard and whether the detector was there
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if threaded:
            self._thread = threading.Thread(target=self._run, name="voiceprep-warm", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        lower_priority()
        while not self._stop.wait(EVERY_S):
            try:
                self.step()
            except Exception:  # noqa: BLE001 - warming only saves time; the end does what is missing
                return

    def step(self) -> None:
        """One pass over the words heard so far, if there is anything new to do."""
        detector = self.detector()
        words = self.stream.heard()
        if not words or (len(words), detector is not None) == self._seen:
            return
        self._seen = (len(words), detector is not None)
        sentences = self.correct(Transcript.from_words(words)).sentences()
        if detector is not None:
            detector.warm(sentences[:-1])  # the last one may still grow
            detector.embed(self.texts + clause_texts(sentences[:-1]))  # what the point matcher reads too
            self.texts = []
        self.passes += 1

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
