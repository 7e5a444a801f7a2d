"""A text spoken by a voice as the answer's source: `voiceprep demo`'s synthesized candidate.

A `Recorder` like FileRecorder, but nothing is synthesized up front: sentences are made on a
background thread while the earlier ones are fed, in real time (or `speed` times faster), so the
demo starts at once and the question's voice is not slowed by a minute of candidate speech being
made beside it. When synthesis falls behind, the candidate pauses rather than rushing to catch up.
"""

from __future__ import annotations

import queue
import threading
import time
from typing import Any, Callable

import numpy as np

from voiceprep.audio.capture import BLOCK_S, Block
from voiceprep.audio.piper import resample
from voiceprep.audio.piper_speaker import Voice, split_sentences
from voiceprep.core.errors import DeviceError
from voiceprep.core.samples import SAMPLE_RATE

PAUSE_S = 0.25  # between sentences, as a speaker takes a breath


class SpokenRecorder:
    """The sentences of `text` spoken by `voice`, as 100 ms blocks of 16 kHz int16."""

    live = False  # paced by its own clock, not a device's

    def __init__(self, text: str, voice: Voice, speed: float = 1.0,
                 get_time: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self._sentences = split_sentences(text)
        self._voice, self._speed = voice, speed
        self._get_time, self._sleep = get_time, sleep
        self._ready: queue.Queue[Any] = queue.Queue()
        self._buffer = np.zeros(0, np.int16)
        self._made_all = False  # the producer has put its last piece
        self._stop = threading.Event()
        self._sent = 0  # samples handed out
        self._t0 = 0.0
        self.overflows = 0

    def start(self) -> None:
        self._t0 = self._get_time()
        threading.Thread(target=self._produce, name="spoken-answer").start()  # ends after the sentence under way

    def _produce(self) -> None:
        pause = np.zeros(int(SAMPLE_RATE * PAUSE_S), np.int16)
        try:
            for sentence in self._sentences:
                if self._stop.is_set():
                    break
                audio = resample(self._voice.speak(sentence), self._voice.sample_rate, SAMPLE_RATE)
                self._ready.put(np.concatenate([(np.clip(audio, -1, 1) * 32767).astype(np.int16), pause]))
        except Exception as exc:  # noqa: BLE001 - the engine's own errors (ONNX Runtime, espeak)
            self._ready.put(DeviceError(f"the candidate's voice failed: {exc}"))
        self._ready.put(None)

    def _fill(self, n: int, timeout: float) -> None:
        """Move made pieces into the buffer until it holds `n` samples, waiting up to `timeout` for them."""
        wait = timeout
        while len(self._buffer) < n and not self._made_all:
            try:
                piece = self._ready.get(timeout=wait) if wait > 0 else self._ready.get_nowait()
            except queue.Empty:
                return
            wait = 0.0
            if piece is None:
                self._made_all = True
            elif isinstance(piece, DeviceError):
                raise piece
            else:
                self._buffer = np.concatenate([self._buffer, piece])

    def read(self, timeout: float) -> Block | None:
        if self.exhausted:
            return None
        n = int(SAMPLE_RATE * BLOCK_S)
        self._fill(n, timeout)
        if len(self._buffer) < n and not self._made_all:
            return None  # the next sentence is still being made
        due = self._t0 + (self._sent + n) / SAMPLE_RATE / self._speed
        late = self._get_time() - due
        if late > BLOCK_S / self._speed:  # synthesis fell behind: the candidate paused; go on from now
            self._t0 += late
            due += late
        wait = due - self._get_time()
        if wait > timeout:
            self._sleep(timeout)
            return None
        if wait > 0:
            self._sleep(wait)
        block, self._buffer = self._buffer[:n], self._buffer[n:]
        self._sent += len(block)
        return Block(block) if len(block) else None

    @property
    def exhausted(self) -> bool:
        return self._made_all and not len(self._buffer)

    def stop(self) -> None:
        self._stop.set()
        self._made_all, self._buffer = True, np.zeros(0, np.int16)


__all__ = ["PAUSE_S", "SpokenRecorder"]
