"""The heavy part of the voice measures: pitch and level every 20 ms, block by block.

Praat's autocorrelation pitch tracker (praat-parselmouth; docs/voice.md says why and how it was
chosen) and an RMS level. `VoiceTracker` takes the blocks the recorder writes and analyses them
2 s at a time on a worker thread, so after the answer only the last seconds remain;
`analysis/voice.py` judges the frames.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass

import numpy as np

from voiceprep.core.samples import SAMPLE_RATE

STEP_S = 0.02           # one pitch and loudness frame every 20 ms (docs/voice.md: speed)
PITCH_FLOOR_HZ = 75.0   # Praat's default speech range, 75-500 Hz
PITCH_CEILING_HZ = 500.0
_LEVEL_WINDOW_S = 0.03  # RMS over 30 ms around each frame
_CHUNK_S = 2.0          # the tracker analyses this much new audio at a time
_MARGIN_S = 0.1         # frames this close to a chunk's end wait for the next chunk
_CONTEXT_S = 0.15       # audio kept before the next chunk so its first frames see whole windows
SILENT_DB = -100.0      # the level of digital silence


@dataclass(frozen=True)
class Frames:
    """Pitch (Hz, 0 when unvoiced) and level (dBFS) every 20 ms: what the tracker computes."""

    times: np.ndarray
    f0: np.ndarray
    db: np.ndarray

    @classmethod
    def empty(cls) -> Frames:
        return cls(np.zeros(0), np.zeros(0), np.zeros(0))


def analyse_frames(audio: np.ndarray, start_s: float = 0.0) -> Frames:
    """Pitch and level frames of one stretch of 16 kHz mono float audio starting at `start_s`."""
    import parselmouth  # Praat: loaded by the audio commands only

    if len(audio) < 2 * _LEVEL_WINDOW_S * SAMPLE_RATE:
        return Frames.empty()
    # Praat at 8 kHz (pairs of samples averaged: a low-pass with its zero at 4 kHz): twice as fast,
    # and pitch up to 500 Hz and the speech level need nothing above 4 kHz (docs/voice.md)
    audio = audio[: len(audio) // 2 * 2].astype(np.float64).reshape(-1, 2).mean(axis=1)
    rate = SAMPLE_RATE // 2
    sound = parselmouth.Sound(audio, rate, start_s)
    try:
        pitch = sound.to_pitch_ac(time_step=STEP_S, pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ)
        times, f0 = np.asarray(pitch.xs()), pitch.selected_array["frequency"]
    except parselmouth.PraatError:  # too short for a pitch window
        return Frames.empty()
    squares = np.concatenate([[0.0], np.cumsum(audio ** 2)])
    centre = np.round((times - start_s) * rate).astype(int)
    half = int(_LEVEL_WINDOW_S * rate) // 2
    lo = np.clip(centre - half, 0, len(audio))
    hi = np.clip(centre + half, 0, len(audio))
    energy = (squares[hi] - squares[lo]) / np.maximum(hi - lo, 1)
    db = np.where(energy > 1e-10, 10 * np.log10(np.maximum(energy, 1e-10)), SILENT_DB)
    return Frames(times, np.asarray(f0, dtype=np.float64), db)


class VoiceTracker:
    """Frames of the answer computed as it is recorded, from the blocks the recorder writes.

    Fed on the consumer side of the audio queue (never the device callback); `feed` only
    collects the block. Every 2 s of new audio, with a little context before it, is analysed on
    a worker thread (or right away with `threaded=False`), so the recording loop never waits
    for Praat; `finish` analyses the last piece and returns every frame. Memory: the frames
    (three numbers per 20 ms), not the audio.
    """

    def __init__(self, chunk_s: float = _CHUNK_S, threaded: bool = True) -> None:
        self._chunk = int(chunk_s * SAMPLE_RATE)
        self._pending: list[np.ndarray] = []
        self._pending_n = 0
        self._fed = 0  # samples fed so far
        self._tail = np.zeros(0, np.float32)
        self._tail_start = 0  # sample index of _tail[0] in the answer
        self._done_until = 0.0
        self._parts: list[Frames] = []
        self._queue: queue.Queue[np.ndarray | None] | None = queue.Queue() if threaded else None
        self._worker: threading.Thread | None = None

    @property
    def seconds(self) -> float:
        """Audio fed so far."""
        return self._fed / SAMPLE_RATE

    @property
    def analysed_s(self) -> float:
        """Audio whose frames are done: what `finish` will not have to analyse."""
        return self._done_until

    def feed(self, samples: np.ndarray) -> None:
        """One block: int16 as recorded, or float in [-1, 1]."""
        x = samples.astype(np.float32) / 32768.0 if samples.dtype == np.int16 else samples.astype(np.float32)
        self._pending.append(x)
        self._pending_n += len(x)
        self._fed += len(x)
        if self._pending_n >= self._chunk:
            piece = np.concatenate(self._pending)
            self._pending, self._pending_n = [], 0
            if self._queue is None:
                self._process(piece, final=False)
                return
            if self._worker is None:
                self._worker = threading.Thread(target=self._run, name="voice-frames", daemon=True)
                self._worker.start()
            self._queue.put(piece)

    def finish(self) -> Frames:
        """The frames of the whole answer (waits for the worker, analyses at most one chunk)."""
        if self._worker is not None and self._queue is not None:
            self._queue.put(None)
            self._worker.join()
            self._worker = None
        rest = np.concatenate(self._pending) if self._pending else np.zeros(0, np.float32)
        self._pending, self._pending_n = [], 0
        self._process(rest, final=True)
        if not self._parts:
            return Frames.empty()
        return Frames(*(np.concatenate([getattr(p, k) for p in self._parts]) for k in ("times", "f0", "db")))

    def drain(self) -> None:
        """Wait until the worker has analysed every full chunk fed so far (what real time gives:
        the worker keeps up with the recording). Benchmarks and tests use it."""
        if self._worker is not None and self._queue is not None:
            self._queue.join()

    def cancel(self) -> None:
        """Stop the worker without finishing (the answer was abandoned)."""
        if self._worker is not None and self._queue is not None:
            self._queue.put(None)
            self._worker = None

    def _run(self) -> None:
        assert self._queue is not None
        while (piece := self._queue.get()) is not None:
            self._process(piece, final=False)
            self._queue.task_done()
        self._queue.task_done()

    def _process(self, piece: np.ndarray, final: bool) -> None:
        buf = np.concatenate([self._tail, piece])
        start = self._tail_start
        end_s = (start + len(buf)) / SAMPLE_RATE
        limit = end_s + STEP_S if final else end_s - _MARGIN_S
        f = analyse_frames(buf, start / SAMPLE_RATE)
        keep = (f.times >= self._done_until) & (f.times < limit)
        if keep.any():
            self._parts.append(Frames(f.times[keep], f.f0[keep], f.db[keep]))
        self._done_until = max(self._done_until, limit)
        cut = max(0, round((limit - _CONTEXT_S) * SAMPLE_RATE) - start)
        self._tail, self._tail_start = buf[cut:], start + cut
