"""Fakes for tests and benchmarks, behind the same Protocols as the real parts.

Every fake here satisfies the Protocol its real counterpart does (Transcriber, Speaker,
Recorder, Keys, ...), so a test exercises the same code paths a real run takes.
"""

from __future__ import annotations

import threading
import zlib
import time
from typing import Callable, Sequence

import numpy as np

from voiceprep.analysis.embedding import EMBEDDING_DIM
from voiceprep.analysis.semantic import CueModel, Detector
from voiceprep.audio.capture import Block
from voiceprep.core.samples import SAMPLE_RATE
from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.passes import StreamFacts


class FakeTranscriber:
    """A Transcriber for tests and demos: returns a scripted transcript.

    Give it a Transcript, or text to be laid out at `wpm` words per minute.
    `calls` records the vocabulary of each call so tests can check what was asked.
    """

    def __init__(self, result: Transcript | str | Callable[[np.ndarray], Transcript], wpm: float = 150.0) -> None:
        self._result = result
        self._wpm = wpm
        self.calls: list[list[str]] = []

    def load(self) -> None:
        return None

    def chunker(self) -> None:
        return None  # whole-file only (ChunkFake also does windows)

    def transcribe(self, audio: np.ndarray, vocabulary: Sequence[str] = ()) -> Transcript:
        self.calls.append(list(vocabulary))
        if callable(self._result):
            return self._result(audio)
        if isinstance(self._result, Transcript):
            return self._result
        return timed_transcript(self._result, self._wpm, duration=len(audio) / SAMPLE_RATE or None)


def timed_transcript(text: str, wpm: float = 150.0, start: float = 0.5,
                     duration: float | None = None) -> Transcript:
    """Lay text out as evenly timed words (for fakes and tests)."""
    step = 60.0 / wpm
    words = [Word(" " + tok, start + i * step, start + i * step + step * 0.8)
             for i, tok in enumerate(text.split())]
    end = words[-1].end if words else 0.0
    return Transcript.from_words(words, duration=max(duration or 0.0, end))


class HeardStream:
    """A Stream that has heard `words` so far (a test sets them as the answer goes on);
    `finish` returns them all."""

    def __init__(self, words: Sequence[Word] = ()) -> None:
        self.words = list(words)

    def feed(self, samples: np.ndarray) -> None:
        return None

    def finish(self) -> Transcript:
        return Transcript.from_words(self.words)

    def cancel(self) -> None:
        return None

    def close(self) -> None:
        return None

    def facts(self) -> StreamFacts:
        return StreamFacts("incremental")

    def heard(self) -> list[Word]:
        return list(self.words)


class FakeSpeaker:
    """A Speaker that remembers what it was asked to say and says nothing."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.started_at: float | None = None

    def say(self, text: str) -> None:
        self.said.append(text)


class FakeVoice:
    """A Voice (audio.piper_speaker) without a model: each piece of text becomes 100 samples per word, all
    of value 0.01, 0.02, 0.03, ... in the order made, so a test can tell pieces apart in what was played.

    `gates`: piece text -> an Event its synthesis waits for (to see what plays meanwhile);
    `fail_on`: a piece whose synthesis raises, as a broken engine would."""

    def __init__(self, sample_rate: int = 22050, gates: dict[str, threading.Event] | None = None,
                 fail_on: str | None = None) -> None:
        self.sample_rate = sample_rate
        self.gates, self.fail_on = gates or {}, fail_on
        self.spoken: list[str] = []

    def speak(self, text: str) -> np.ndarray:
        if text in self.gates:
            self.gates[text].wait(timeout=10)
        if text == self.fail_on:
            raise RuntimeError("ONNX Runtime failed")
        self.spoken.append(text)
        return np.full(100 * len(text.split()), len(self.spoken) / 100, np.float32)


class FakeAudioOut:
    """An AudioOut (audio.piper_speaker) that keeps what was written and when (`get_time`); `on_write`
    is called after each write (tests open a FakeVoice gate there)."""

    def __init__(self, rate: int, get_time: Callable[[], float] = lambda: 0.0,
                 on_write: Callable[[np.ndarray], None] = lambda samples: None) -> None:
        self.rate, self.get_time, self.on_write = rate, get_time, on_write
        self.written: list[np.ndarray] = []
        self.written_at: list[float] = []
        self.closed = self.aborted = False

    def write(self, samples: np.ndarray) -> None:
        self.written.append(samples)
        self.written_at.append(self.get_time())
        self.on_write(samples)

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True


def _samples(seconds: float) -> int:
    return int(seconds * SAMPLE_RATE)


class FakeClock:
    """A clock that moves only when told to, or when its own `sleep` is called."""

    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t

    def sleep(self, s: float) -> None:
        self.t += s


class ScriptedRecorder:
    """Blocks from a list; raises KeyboardInterrupt after `interrupt_after` blocks if set."""

    def __init__(self, n_blocks: int, interrupt_after: int | None = None, amp: int = 3000) -> None:
        self.n, self.interrupt_after, self.amp, self.i = n_blocks, interrupt_after, amp, 0
        self.started = self.stopped = False
        self.live, self.overflows = False, 0

    def start(self):
        self.started = True

    def read(self, timeout):
        if self.interrupt_after is not None and self.i == self.interrupt_after:
            raise KeyboardInterrupt
        if self.i >= self.n:
            return None
        self.i += 1
        return Block(np.full(1600, self.amp, np.int16), overflow=(self.i == 2))

    @property
    def exhausted(self):
        return self.i >= self.n

    def stop(self):
        self.stopped = True


class PressAfter:
    """Keys: Enter (an empty line) from the `at`-th poll on; None: never."""

    def __init__(self, at: int | None = None):
        self.at, self.calls = at, 0

    def poll(self):
        self.calls += 1
        return "" if self.at is not None and self.calls > self.at else None


class ScriptedKeys:
    def __init__(self, script: dict[int, str]):
        self.script, self.tick = script, 0

    def poll(self):
        self.tick += 1
        return self.script.get(self.tick)


class FakeOutputStream:
    """Stands in for an output stream: each entry pulls one 50 ms block, as the device would."""

    def __init__(self, fill):
        self.fill = fill
        self.pulled = 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def pull(self):
        out = np.zeros((800, 1), np.float32)
        self.fill(out, 800)
        self.pulled += 1


class ChunkFake(FakeTranscriber):
    """A FakeTranscriber that also takes chunks: each window of audio is 'heard' as the next
    words of the answer, so the session's incremental path runs without a model."""

    def __init__(self, text: str):
        super().__init__(text)
        self.words = text.split()
        self.windows: list[int] = []

    def chunker(self) -> ChunkFake:
        return self

    def load_careful(self) -> None:
        return None

    def speech_spans(self, audio, min_silence_s=0.25):
        return [(0, len(audio))] if len(audio) and np.abs(audio).max() > 0.01 else []

    def chunk_words(self, audio, vocabulary, context, fast, plain=False, speech_end_s=None, cancelled=None):
        self.windows.append(len(audio))
        take, self.words = self.words[:3], self.words[3:]
        end = len(audio) / 16000
        return [Word(" " + w, end - 0.3 + i * 0.05, end - 0.27 + i * 0.05) for i, w in enumerate(take)]


class ToneModel:
    """A fake model: word i of the script is a 0.3 s tone at 300 + 40 i Hz; silence between.

    speech_spans and chunk_words find the tones by energy and name them by frequency,
    so a word can only come out right if the stream handed over the right audio."""

    def __init__(self, script: list[str], fail_on: int | None = None, delay: float = 0.0,
                 gate: threading.Event | None = None):
        self.script, self.fail_on, self.delay, self.gate = script, fail_on, delay, gate
        self.calls: list[tuple[int, bool]] = []
        self.longest_vad = 0  # the most audio one speech_spans call was given

    @staticmethod
    def render(script: list[str], gaps: list[float]) -> tuple[np.ndarray, list[float]]:
        parts, starts, t = [np.zeros(_samples(0.5), np.float32)], [], 0.5
        for i, gap in enumerate(gaps):
            tone = 0.5 * np.sin(2 * np.pi * (300 + 40 * i) * np.arange(_samples(0.3)) / SAMPLE_RATE).astype(np.float32)
            parts += [tone, np.zeros(_samples(gap), np.float32)]
            starts.append(t)
            t += 0.3 + gap
        return np.concatenate(parts), starts

    def speech_spans(self, audio, min_silence_s=0.25):
        if self.gate is not None:
            self.gate.wait()  # a stalled machine: nothing is cut until the gate opens
        self.longest_vad = max(self.longest_vad, len(audio))
        frames = len(audio) // 160
        loud = (np.abs(audio[: frames * 160]).reshape(frames, 160).max(axis=1) > 0.1) if frames else np.zeros(0, bool)
        spans, start, quiet = [], None, 0
        for k, on in enumerate(loud):
            if on:
                start = k if start is None else start
                quiet = 0
            elif start is not None:
                quiet += 1
                if quiet * 160 >= min_silence_s * SAMPLE_RATE:
                    spans.append((start * 160, (k - quiet + 1) * 160))
                    start, quiet = None, 0
        if start is not None:
            spans.append((start * 160, (frames - quiet) * 160))
        return spans

    def load_careful(self) -> None:
        return None

    def chunk_words(self, audio, vocabulary, context, fast, plain=False, speech_end_s=None, cancelled=None):
        self.calls.append((len(audio), fast))
        time.sleep(self.delay)
        words = []
        for a, b in self.speech_spans(audio, 0.05):
            seg = audio[a:b]
            if b - a < _samples(0.2):
                continue  # a tone cut in two by a border would show up here
            freq = np.argmax(np.abs(np.fft.rfft(seg))) * SAMPLE_RATE / len(seg)
            i = int(round((freq - 300) / 40))
            if i == self.fail_on:
                raise RuntimeError("model crashed")
            words.append(Word(" " + self.script[i], a / SAMPLE_RATE, b / SAMPLE_RATE))
        return words


class FakeEncoder:
    """An Encoder without a model: each word hashes to a fixed random direction, and a text is
    the normalised sum of its words, so texts sharing words are close. `calls` counts texts."""

    def __init__(self, dim: int = 384) -> None:
        self.dim, self.calls = dim, 0

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        self.calls += len(sentences)
        out = np.zeros((len(sentences), self.dim), np.float32)
        for i, s in enumerate(sentences):
            for w in s.lower().split():
                out[i] += np.random.default_rng(zlib.crc32(w.encode())).standard_normal(self.dim).astype(np.float32)
            out[i] /= max(float(np.linalg.norm(out[i])), 1e-9)
        return out


def fake_detector() -> Detector:
    """A Detector on the FakeEncoder with no cue model (no cue of its own): what the key-point
    matcher reads answers with in tests, with the same embedding cache as the real one."""
    empty = np.zeros(0, np.float32)
    return Detector(FakeEncoder(), CueModel((), np.zeros((0, 2 * EMBEDDING_DIM), np.float32), empty, empty, empty))
