"""Pitch and level frames block by block (the tracker fed while recording) against the whole file."""

from __future__ import annotations

import numpy as np
import pytest
from test_voice import build

from voiceprep.analysis.voice import analyse_audio, measure_voice
from voiceprep.analysis.voice_frames import STEP_S, VoiceTracker, analyse_frames


def test_the_tracker_fed_block_by_block_matches_the_whole_file():
    audio, transcript = build("lively", 12.0)
    tracker = VoiceTracker()
    pcm = (audio * 32767).astype(np.int16)
    for i in range(0, len(pcm), 1600):  # 100 ms blocks, as recorded
        tracker.feed(pcm[i: i + 1600])
    frames = tracker.finish()
    assert np.all(np.diff(frames.times) > 0) and np.max(np.diff(frames.times)) < 2 * STEP_S + 1e-6
    assert frames.times[-1] > 11.9
    whole = analyse_frames(audio)
    assert len(frames.times) == pytest.approx(len(whole.times), abs=15)
    assert np.median(frames.f0[frames.f0 > 0]) == pytest.approx(np.median(whole.f0[whole.f0 > 0]), rel=0.01)
    assert measure_voice(frames, transcript).spread_st == pytest.approx(analyse_audio(audio, transcript).spread_st,
                                                                         rel=0.05)


@pytest.mark.parametrize("threaded", [True, False])
def test_only_the_last_chunk_is_left_for_finish(threaded):
    tracker = VoiceTracker(chunk_s=2.0, threaded=threaded)
    audio, _ = build("lively", 10.0)
    for i in range(0, len(audio), 1600):
        tracker.feed(audio[i: i + 1600])
    if threaded:  # what the worker has done by now varies; finish waits for it
        frames = tracker.finish()
        assert frames.times[-1] > 9.9
    else:
        assert tracker.seconds - tracker.analysed_s <= 2.0 + 0.1
