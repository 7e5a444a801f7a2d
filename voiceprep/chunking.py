"""Where to cut a stream of speech into chunks: at pauses, within Whisper's window.

Pure functions over speech spans (sample offsets from a VAD) and samples; the
incremental transcriber (incremental.py) decides when to ask.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from .audio import SAMPLE_RATE


@dataclass(frozen=True)
class ChunkPolicy:
    min_chunk_s: float = 3.0    # new audio before the front pass considers a cut
    max_chunk_s: float = 20.0   # always cut by here (with the overlap, within Whisper's 30 s window)
    min_gap_s: float = 0.25     # a silence this long is a place to cut
    overlap_s: float = 4.0      # audio already transcribed that goes along again, for context
    careful_overlap_s: float = 10.0
    check_every_s: float = 0.5  # look for a cut after this much new audio
    context_words: int = 40     # text before the window given to Whisper as its prompt
    careful_min_s: float = 8.0  # the careful pass waits for this much new audio...
    careful_first_s: float = 4.0  # ...except the first one, so short answers get a careful pass too
    careful_max_s: float = 20.0
    careful_max_lag_s: float = 120.0  # further behind, the careful lane skips ahead (bounded memory)


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


__all__ = ["ChunkPolicy", "find_cut", "quietest"]
