"""Reading the answer while it is spoken (practice/warm.py): the words heard so far are corrected
and embedded, so the end of the answer finds them done."""

from __future__ import annotations

import threading

import pytest

from voiceprep.core.lexicon import load_lexicon
from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.lexicon import correct_terms
from voiceprep.practice.warm import Warmer
from voiceprep.testing import HeardStream, fake_detector

VOCABULARY = ["idempotent", "retry", "queue"]


def words(text: str, start: float = 0.0) -> list[Word]:
    return [Word(" " + w, start + i * 0.3, start + i * 0.3 + 0.25, 0.9) for i, w in enumerate(text.split())]


@pytest.fixture()
def stream() -> HeardStream:
    return HeardStream(words("Every write is item potent so retries are safe. We also keep a queue"))


def corrector(transcript: Transcript) -> Transcript:
    return correct_terms(transcript, load_lexicon(), VOCABULARY)


def test_the_corrected_sentences_are_embedded_but_not_the_one_still_growing(stream):
    detector = fake_detector()
    warmer = Warmer(stream, lambda: detector, correct=corrector, threaded=False)
    warmer.step()
    encoder = detector.encoder
    before = encoder.calls
    detector.embed(["Every write is idempotent so retries are safe."])  # what the analysis will read
    assert encoder.calls == before
    detector.embed(["Every write is item potent so retries are safe."])  # the words as Whisper wrote them
    assert encoder.calls == before + 1
    detector.embed(["We also keep a queue"])
    assert encoder.calls == before + 2
    assert warmer.passes == 1


@pytest.mark.parametrize("new_words, detector_late, passes", [
    ("", False, 1),             # nothing new heard: nothing to do
    ("and fast.", False, 2),    # new words
    ("", True, 2),              # the detector came: embed what was only corrected
])
def test_a_pass_runs_when_there_is_something_new(stream, new_words, detector_late, passes):
    detector = fake_detector()
    loaded = [not detector_late]
    warmer = Warmer(stream, lambda: detector if loaded[0] else None, correct=corrector, threaded=False)
    warmer.step()
    stream.words += words(new_words, start=stream.words[-1].end + 0.3)
    loaded[0] = True
    warmer.step()
    assert warmer.passes == passes


def test_the_key_points_references_are_embedded_once_and_nothing_before_words_come():
    detector = fake_detector()
    stream = HeardStream()
    warmer = Warmer(stream, lambda: detector, texts=["a job id returned with 202"], threaded=False)
    warmer.step()
    assert (warmer.passes, detector.encoder.calls) == (0, 0)
    stream.words = words("We return a job id. Then the client polls")
    warmer.step()
    calls = detector.encoder.calls
    detector.embed(["a job id returned with 202", "We return a job id."])
    assert detector.encoder.calls == calls


def test_the_thread_stops_and_waits_for_its_pass(stream):
    warmer = Warmer(stream, lambda: None, correct=corrector)
    warmer.stop()
    assert "voiceprep-warm" not in {t.name for t in threading.enumerate()}
