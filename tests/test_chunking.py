"""Where a stream is cut into chunks, and how a whole answer is grouped into windows (chunking.py)."""

from __future__ import annotations

import numpy as np
import pytest

from voiceprep.hearing.chunking import ChunkPolicy, Window, find_cut, group_spans, next_window, quietest, window_bounds

R = 16000
P = ChunkPolicy()


def s(x: float) -> int:
    return int(x * R)


@pytest.mark.parametrize("spans, length, expected", [
    ([], 2.0, None),                                         # too little audio yet
    ([], 5.0, s(5.0) - s(0.25)),                             # silence only: dropped
    ([(0.5, 2.0), (2.1, 4.5)], 4.6, None),                   # gaps too short, under max: wait
    ([(0.5, 2.0), (2.5, 4.5)], 5.0, s(4.75)),                # trailing silence after the min: cut 0.25 s in
    ([(0.5, 3.5), (4.0, 6.0)], 6.1, s(3.75)),                # a pause past min_chunk: its middle
    ([(0.5, 2.0), (2.6, 6.0)], 6.1, None),                   # the only pause is before min_chunk
    ([(0.5, 3.5), (4.0, 8.0), (8.6, 9.0)], 9.0, s(8.3)),     # the latest pause wins
    ([(0.5, 21.0), (21.5, 22.0)], 22.0, s(20.0)),            # every pause past max: forced cut
])
def test_find_cut(spans, length, expected):
    got = find_cut([(s(a), s(b)) for a, b in spans], s(length), P, energy=lambda lo, hi: hi)
    assert got == expected


def test_quietest_finds_the_silent_stretch():
    audio = np.ones(s(3.0), np.float32)
    audio[s(2.0):s(2.3)] = 0
    assert s(2.0) <= quietest(audio, 0, len(audio)) <= s(2.3)


@pytest.mark.parametrize("spans, longest, expected", [
    ([], 10, []),
    ([(0, 4)], 10, [[(0, 4)]]),
    ([(0, 4), (5, 9), (10, 14)], 10, [[(0, 4), (5, 9)], [(10, 14)]]),
    ([(0, 30)], 10, [[(0, 30)]]),                                  # one span longer than a window stays whole
    ([(0, 2), (3, 30), (31, 33)], 10, [[(0, 2)], [(3, 30)], [(31, 33)]]),
    ([(0, 1), (2, 3), (4, 5), (6, 7)], 5, [[(0, 1), (2, 3), (4, 5)], [(6, 7)]]),
])
def test_group_spans_up_to_a_length(spans, longest, expected):
    assert group_spans(spans, longest) == expected


@pytest.mark.parametrize("group, before, after, expected", [
    ([(s(1.0), s(3.0))], 0, s(5.0), (s(0.8), s(3.2))),                       # 0.2 s into long silences
    ([(s(1.0), s(3.0)), (s(3.5), s(4.0))], s(0.9), s(4.1), (s(0.95), s(4.05))),  # half of short ones
    ([(s(0.1), s(2.0))], 0, s(2.0), (s(0.05), s(2.0))),                      # the answer's edges
])
def test_window_bounds_pad_into_the_silence_around(group, before, after, expected):
    assert window_bounds(group, before, after) == expected


LOOK = 27.0  # look_ahead() of a 25 s window


@pytest.mark.parametrize("spans, done, look_to, at_end, before, expected", [
    ([], 0.0, LOOK, False, 0.0, LOOK - 1.0),                                  # silence: keep its last second
    ([], 10.0, 15.0, True, 0.0, 15.0),                                         # silence to the end: done
    ([(5.0, 8.0)], 0.0, LOOK, False, 0.0, 4.5),                                # speech later: move close to it
    ([(0.5, 8.0), (9.0, 20.0), (21.0, 26.0)], 0.0, LOOK, False, 0.0,          # grouped up to 25 s, padded
     ((0.3, 20.2), ((0.5, 8.0), (9.0, 20.0)))),
    ([(0.5, 8.0), (8.3, 10.0)], 0.0, 12.0, True, 0.0,                          # the last window: to the end
     ((0.3, 10.2), ((0.5, 8.0), (8.3, 10.0)))),
    ([(30.1, 40.0), (40.3, 57.0)], 30.0, 57.0, False, 29.9,                    # a span past 25 s: the next window's
     ((30.0, 40.15), ((30.1, 40.0),))),
    ([(30.5, 57.0)], 30.0, 57.0, False, 29.0,                                  # speech with no pause in the look: cut there
     ((30.3, 57.0), ((30.5, 57.0),))),
])
def test_next_window(spans, done, look_to, at_end, before, expected):
    got = next_window([(s(a), s(b)) for a, b in spans], s(done), s(look_to), at_end, s(before))
    if isinstance(expected, float):
        assert got == s(expected)
    else:
        (start, end), speech = expected
        assert got == Window(s(start), s(end), tuple((s(a), s(b)) for a, b in speech))
