"""Where to cut a stream of speech into chunks: at pauses, within Whisper's window.

Pure functions over speech spans (sample offsets from a VAD) and samples; the
incremental transcriber (incremental.py) decides when to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator, Sequence

import numpy as np

from voiceprep.core.samples import SAMPLE_RATE


@dataclass(frozen=True)
class ChunkPolicy:
    min_chunk_s: float = 3.0    # new audio before the front pass considers a cut
    max_chunk_s: float = 20.0   # always cut by here (with the overlap, within Whisper's 30 s window)
    min_gap_s: float = 0.25     # a silence this long is a place to cut
    overlap_s: float = 4.0      # audio already transcribed that goes along again, for context
    final_overlap_s: float = 1.5  # the same for the pass after the answer ended: the user waits for it
    check_every_s: float = 0.5  # look for a cut after this much new audio
    context_words: int = 40     # text before the window given to Whisper as its prompt
    careful_window_s: float = 25.0  # the careful lane's windows: as whole-file transcription's (below)
    careful_min_silence_s: float = 0.3
    careful_max_lag_s: float = 120.0  # further behind, the careful lane skips ahead (bounded memory)


# Windows over a whole answer, for whole-file transcription and for the careful lane alike: at
# most 25 s of audio, cut in silences of 0.3 s or more, padded by up to 0.2 s of the silence on
# each side. Both lanes of one answer then hear the same windows, so the careful lane's words
# are those of a whole-file pass, with the words before as context.
WINDOW_S = 25.0
WINDOW_MIN_SILENCE_S = 0.3
WINDOW_PAD_S = 0.2


def group_spans(spans: Sequence[tuple[int, int]], longest: int) -> list[list[tuple[int, int]]]:
    """Consecutive spans grouped so that each group lasts at most `longest` samples (a longer
    span is a group of its own)."""
    groups: list[list[tuple[int, int]]] = []
    for a, b in spans:
        if groups and b - groups[-1][0][0] <= longest:
            groups[-1].append((a, b))
        else:
            groups.append([(a, b)])
    return groups


@dataclass(frozen=True)
class Window:
    """One window of a whole answer: where it starts and ends, and its speech (absolute samples)."""

    start: int
    end: int
    spans: tuple[tuple[int, int], ...]


def look_ahead(window_s: float = WINDOW_S) -> int:
    """How much audio (samples) the VAD is given to find the next window: a window and 2 s more."""
    return int((window_s + 2.0) * SAMPLE_RATE)


def next_window(spans: Sequence[tuple[int, int]], done: int, look_to: int, at_end: bool, before: int,
                window_s: float = WINDOW_S, min_silence_s: float = WINDOW_MIN_SILENCE_S) -> Window | int:
    """The next window after `done`, or where to move `done` past silence.

    `spans` is the VAD of the audio from `done` to `look_to` (absolute samples), which is
    done + look_ahead(window_s) or, when `at_end`, the end of the answer. Given the same audio,
    the same windows come out one by one while recording (the careful lane) as after it
    (whole-file transcription), because the VAD sees the same slices. Its results depend on
    where a slice starts, and windows a few hundredths of a second apart changed tiny.en's
    words."""
    rate = SAMPLE_RATE
    if not spans:  # silence: keep its last second, in case speech starts right at the end
        return look_to if at_end else look_to - rate
    if spans[0][0] - done > rate:
        return spans[0][0] - rate // 2
    longest, gap = int(window_s * rate), int(min_silence_s * rate)
    group = group_spans(spans, longest)[0]
    if group[-1][1] > look_to - gap and not at_end:  # speech with no pause for the whole look: cut there
        group[-1] = (group[-1][0], look_to)
        return Window(max(done, group[0][0] - int(WINDOW_PAD_S * rate)), look_to, tuple(group))
    after = spans[len(group)][0] if len(group) < len(spans) else look_to
    start, end = window_bounds(group, before, after)
    return Window(max(start, done), end, tuple(group))


def windows(audio: np.ndarray, speech_spans: Callable[[np.ndarray, float], list[tuple[int, int]]],
            window_s: float = WINDOW_S, min_silence_s: float = WINDOW_MIN_SILENCE_S) -> Iterator[Window]:
    """The windows of a whole answer, one VAD look at a time (see next_window)."""
    done, before, look = 0, 0, look_ahead(window_s)
    while done < len(audio):
        look_to = min(len(audio), done + look)
        spans = [(done + a, done + b) for a, b in speech_spans(audio[done:look_to], min_silence_s)]
        window = next_window(spans, done, look_to, look_to == len(audio), before, window_s, min_silence_s)
        if isinstance(window, int):
            done = window
            continue
        yield window
        done, before = window.end, window.spans[-1][1]


def window_bounds(group: Sequence[tuple[int, int]], before: int, after: int,
                  pad: int = int(WINDOW_PAD_S * SAMPLE_RATE)) -> tuple[int, int]:
    """Where a group's window starts and ends: `pad` into the silences around it, or half of
    a shorter one (`before`: where the speech before it ends, `after`: where the next begins)."""
    first, last = group[0][0], group[-1][1]
    return max(before + (first - before) // 2, first - pad), min(last + (after - last) // 2, last + pad)


def find_cut(spans: Sequence[tuple[int, int]], length: int, policy: ChunkPolicy,
             energy: Callable[[int, int], int] | None = None) -> int | None:
    """Where to cut `length` samples of audio with these speech spans (sample offsets), or None to wait.

    The latest pause of at least `min_gap_s` past `min_chunk_s` wins: the chunk is as long as
    possible for context, and what is left is short. Trailing silence counts as a pause, so
    a finished sentence is transcribed while the speaker draws breath."""
    rate = SAMPLE_RATE
    min_len, max_len, gap = int(policy.min_chunk_s * rate), int(policy.max_chunk_s * rate), int(policy.min_gap_s * rate)
    if length < min_len:
        return None
    if not spans:  # silence only: drop it, keeping a little in case speech starts right at the end
        return length - gap
    bounds = [(a_end, b_start) for (_, a_end), (b_start, _) in zip(spans, spans[1:])]
    bounds.append((spans[-1][1], length))
    cuts = [(lo + hi) // 2 if hi < length else min(lo + gap, length)
            for lo, hi in bounds if hi - lo >= gap]
    cuts = [c for c in cuts if min_len <= c <= max_len]
    if cuts:
        return max(cuts)
    if length >= max_len:  # no pause in reach: cut at the quietest moment
        return energy(min_len, max_len) if energy else max_len
    return None


def quietest(audio: np.ndarray, lo: int, hi: int, window: int = SAMPLE_RATE // 10) -> int:
    """Middle of the quietest 100 ms between samples lo and hi."""
    seg = audio[lo:hi]
    n = len(seg) // window
    if n == 0:
        return hi
    energy = (seg[: n * window].reshape(n, window) ** 2).mean(axis=1)
    return lo + int(np.argmin(energy)) * window + window // 2


__all__ = ["ChunkPolicy", "WINDOW_MIN_SILENCE_S", "WINDOW_PAD_S", "WINDOW_S", "Window", "find_cut", "group_spans",
           "look_ahead", "next_window", "quietest", "window_bounds", "windows"]
