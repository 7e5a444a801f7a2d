"""Which Stream the recording loop gets, and the whole-file one."""

from __future__ import annotations

import numpy as np

from voiceprep.hearing.incremental import IncrementalStream
from voiceprep.hearing.stream import WholeFileStream, open_stream
from voiceprep.testing import FakeTranscriber


class Chunky(FakeTranscriber):
    """A transcriber that can do chunks (hears nothing)."""

    def __init__(self) -> None:
        super().__init__("")

    def chunker(self) -> "Chunky":
        return self

    def load_careful(self) -> None:
        return None

    def speech_spans(self, audio, min_silence_s=0.25):
        return []

    def chunk_words(self, audio, vocabulary, context, fast, plain=False, speech_end_s=None, cancelled=None):
        return []


def test_open_stream_falls_back_to_whole_file_for_plain_transcribers():
    fake = FakeTranscriber("we shard it")
    stream = open_stream(fake, ["shard"])
    assert isinstance(stream, WholeFileStream)
    stream.feed(np.zeros(1600, np.int16))
    assert stream.finish().text == "we shard it" and fake.calls == [["shard"]]
    live = open_stream(Chunky(), [], incremental=True)
    assert isinstance(live, IncrementalStream)
    live.close()
    assert isinstance(open_stream(Chunky(), [], incremental=False), WholeFileStream)


def test_whole_file_stream_hands_int16_blocks_over_as_float32():
    got: list[np.ndarray] = []
    fake = FakeTranscriber(lambda audio: got.append(audio) or FakeTranscriber("ok").transcribe(audio))
    stream = WholeFileStream(fake)
    stream.feed(np.full(1600, 16384, np.int16))
    stream.finish()
    assert got[0].dtype == np.float32 and np.allclose(got[0], 0.5)
