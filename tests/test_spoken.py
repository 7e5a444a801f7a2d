"""The demo's candidate as a Recorder (audio/spoken.py): sentences made while earlier ones are fed,
in order, at the pace asked for, and a pause (not a rush) when synthesis falls behind."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from voiceprep.audio.spoken import PAUSE_S, SpokenRecorder
from voiceprep.core.errors import DeviceError
from voiceprep.testing import FakeClock, FakeVoice

TEXT = "I would add a cache. Then shard the store by key. Finally watch the latency."


def drain(rec: SpokenRecorder, clock: FakeClock, limit: int = 10_000) -> tuple[np.ndarray, list[float]]:
    """Every block until exhausted, and the clock when each arrived."""
    blocks, times = [], []
    for _ in range(limit):
        if rec.exhausted:
            break
        block = rec.read(timeout=0.5)
        if block is not None:
            blocks.append(block.samples)
            times.append(clock())
    return np.concatenate(blocks), times


def test_every_sentence_is_fed_in_order_with_a_pause_after_each_in_real_time():
    clock, voice = FakeClock(), FakeVoice(sample_rate=16000)
    rec = SpokenRecorder(TEXT, voice, get_time=clock, sleep=clock.sleep)
    rec.start()
    audio, times = drain(rec, clock)
    words = [5, 6, 4]  # 100 samples a word (FakeVoice), then the pause
    pause = int(16000 * PAUSE_S)
    assert len(audio) == sum(100 * w for w in words) + 3 * pause
    expected = np.concatenate([np.concatenate([np.full(100 * w, int(k / 100 * 32767), np.int16),
                                               np.zeros(pause, np.int16)]) for k, w in zip((1, 2, 3), words)])
    assert np.array_equal(audio, expected)  # FakeVoice: the k-th sentence made is all k / 100
    assert times[-1] == pytest.approx(len(audio) / 16000, abs=0.1)  # fed in real time
    assert rec.read(0.5) is None and rec.exhausted


def test_speed_feeds_faster_than_real_time():
    clock = FakeClock()
    rec = SpokenRecorder(TEXT, FakeVoice(sample_rate=16000), speed=4.0, get_time=clock, sleep=clock.sleep)
    rec.start()
    audio, times = drain(rec, clock)
    assert times[-1] == pytest.approx(len(audio) / 16000 / 4, abs=0.05)


def test_a_sentence_still_being_made_pauses_the_candidate_instead_of_rushing():
    gate = threading.Event()
    clock = FakeClock()
    voice = FakeVoice(sample_rate=16000, gates={"Then shard the store by key.": gate})
    rec = SpokenRecorder(TEXT, voice, get_time=clock, sleep=clock.sleep)
    rec.start()
    first = int((500 + 16000 * PAUSE_S) // 1600)  # whole blocks of the first sentence and its pause
    got = [rec.read(0.5) for _ in range(first)]
    assert all(b is not None for b in got)
    assert rec.read(0.01) is None  # the second sentence is not made yet: nothing to feed
    clock.t += 5.0  # five seconds pass while it is made
    gate.set()
    before = clock()
    block = None
    while block is None:
        block = rec.read(0.5)
    assert clock() - before <= 0.1  # goes on from now, not 5 s of audio at once
    audio, times = drain(rec, clock)
    assert times[-1] - before == pytest.approx(len(audio) / 16000 + 0.1, abs=0.15)


def test_stop_ends_the_answer():
    clock = FakeClock()
    rec = SpokenRecorder(TEXT, FakeVoice(sample_rate=16000), get_time=clock, sleep=clock.sleep)
    rec.start()
    assert rec.read(0.5) is not None
    rec.stop()
    assert rec.exhausted and rec.read(0.5) is None


def test_a_failing_voice_is_a_device_error():
    clock = FakeClock()
    rec = SpokenRecorder(TEXT, FakeVoice(sample_rate=16000, fail_on="I would add a cache."),
                         get_time=clock, sleep=clock.sleep)
    rec.start()
    with pytest.raises(DeviceError, match="the candidate's voice failed"):
        rec.read(0.5)
