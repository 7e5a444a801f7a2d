"""The neural voice's speaker: questions spoken with Piper (audio/piper.py) piece by piece.

`PiperSpeaker` (speech.open_speaker makes one) loads the voice in the background from launch and
makes the first piece of the question it will ask first; then each piece (`speech_pieces`: the
sentences, the first one cut at an early clause break) is played as soon as it is made while the
next is synthesized, on a sounddevice output (`SoundDeviceOut`) opened meanwhile.
"""

from __future__ import annotations

import queue
import re
import threading
import time
from collections import deque
from typing import TYPE_CHECKING, Any, Callable, Protocol

import numpy as np

from voiceprep.audio.piper import load_voice, resample, unload_voice
from voiceprep.core.errors import DeviceError, VoicePrepError

if TYPE_CHECKING:
    from voiceprep.audio.speech import Speaker


_ABBREVIATIONS = ("e.g.", "i.e.", "vs.", "etc.", "approx.", "Mr.", "Ms.", "Dr.")
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"')\]]*\s+")
OPENING_WORDS = 8  # the first piece spoken is at most this many words when the sentence is long
_CLAUSE_WORDS = {"that", "which", "who", "and", "but", "so", "with", "while", "where", "when", "because",
                 "if", "for", "to", "without", "given"}


def split_sentences(text: str) -> list[str]:
    """The sentences of `text`, in order: cut after . ! or ? followed by a space, except after a
    common abbreviation ("e.g. Redis"). Dots inside a word ("bit.ly", "3.5") do not cut."""
    pieces: list[str] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        if text[:m.start()].endswith(_ABBREVIATIONS):
            continue
        pieces.append(text[start:m.end()].strip())
        start = m.end()
    pieces.append(text[start:].strip())
    return [p for p in pieces if p]


def speech_pieces(text: str) -> list[str]:
    """What is synthesized and played in turn: the sentences, the first one cut in two when it is
    long (more than OPENING_WORDS + 4 words) and has a clause break early (after a comma within its
    first OPENING_WORDS words, else before "that", "and", "with", ...), so the first words are
    made in a fraction of the time the whole sentence takes."""
    sentences = split_sentences(text)
    if not sentences:
        return []
    words = sentences[0].split()
    if len(words) <= OPENING_WORDS + 4:
        return sentences
    cut = next((i for i in range(3, OPENING_WORDS + 1) if words[i - 1].endswith((",", ";", ":"))), None)
    if cut is None:
        cut = next((i for i in range(4, OPENING_WORDS + 1) if words[i].lower() in _CLAUSE_WORDS), None)
    if cut is None:
        return sentences
    return [" ".join(words[:cut]), " ".join(words[cut:]), *sentences[1:]]


class Voice(Protocol):
    """A loaded text-to-speech voice: one piece of text to float32 mono samples at `sample_rate`."""

    sample_rate: int

    def speak(self, text: str) -> np.ndarray: ...


class AudioOut(Protocol):
    """An output device taking audio in pieces, each played right after the one before."""

    def write(self, samples: np.ndarray) -> None:
        """Queue float32 samples (at the rate the output was opened with) to play next."""
        ...

    def close(self) -> None:
        """Wait until everything written has been played, then release the device."""
        ...

    def abort(self) -> None:
        """Stop at once (Ctrl-C, a failure) and release the device."""
        ...


TAIL_S = 0.15  # silence after the last piece, so its end is not cut short by the device
# The device's buffer: with PortAudio's low default, a callback starved of CPU (a busy machine, Whisper
# loading beside it) left gaps in the question; 0.6 s left none in the same runs, and the first sound
# reached the speaker no later (docs/performance.md, "The interviewer's voice").
OUTPUT_LATENCY_S = 0.6


class SoundDeviceOut:
    """A sounddevice output stream whose callback plays the pieces written, in order, and silence
    while the next is not ready (no underruns). The voice's rate is used when the device takes it;
    otherwise pieces are resampled to the device's default rate."""

    def __init__(self, device: int | str | None, rate: int) -> None:
        from voiceprep.audio.capture import import_sounddevice

        sd = self._sd = import_sounddevice()
        try:
            info = sd.query_devices(device, "output")
        except (ValueError, sd.PortAudioError):
            raise DeviceError(f"no output device{'' if device is None else f' {device!r}'} found "
                              "(see `voiceprep devices`)") from None
        self.voice_rate = self.rate = rate
        try:
            sd.check_output_settings(device=device, samplerate=rate, channels=1, dtype="float32")
        except (ValueError, sd.PortAudioError):
            self.rate = int(info["default_samplerate"])
        self._pending: deque[np.ndarray] = deque()
        self._offset = 0  # samples of the first pending piece already played
        self._lock = threading.Lock()
        self._closing, self._drained = False, threading.Event()
        try:
            self._stream = sd.OutputStream(samplerate=self.rate, channels=1, dtype="float32", device=device,
                                           latency=OUTPUT_LATENCY_S, callback=self._fill)
        except (ValueError, sd.PortAudioError) as exc:
            raise DeviceError(f"cannot open output device {'default' if device is None else device}: {exc}") from None
        self._started = False

    def _fill(self, outdata: np.ndarray, frames: int, _time: Any, _status: Any) -> None:
        n = 0
        with self._lock:
            while n < frames and self._pending:
                head = self._pending[0]
                take = min(len(head) - self._offset, frames - n)
                outdata[n:n + take, 0] = head[self._offset:self._offset + take]
                n += take
                self._offset += take
                if self._offset >= len(head):
                    self._pending.popleft()
                    self._offset = 0
            if self._closing and not self._pending:
                self._drained.set()
        outdata[n:] = 0

    def write(self, samples: np.ndarray) -> None:
        with self._lock:
            self._pending.append(resample(samples, self.voice_rate, self.rate))
        if not self._started:
            try:
                self._stream.start()
            except self._sd.PortAudioError as exc:
                raise DeviceError(f"cannot play on the output device: {exc}") from None
            self._started = True

    def close(self) -> None:
        if self._started:
            with self._lock:
                self._pending.append(np.zeros(int(self.rate * TAIL_S), np.float32))
                left_s = sum(len(p) for p in self._pending) / self.rate
                self._closing = True
            self._drained.wait(timeout=left_s + 5.0)
            self._stream.stop()  # returns when what the callback gave has been played
        self._stream.close()

    def abort(self) -> None:
        self._stream.abort()
        self._stream.close()


class PiperSpeaker:
    """A Speaker with the neural voice: piece by piece (`speech_pieces`), each played as soon as
    it is made while the next is synthesized.

    `preload(opening)` loads the voice on a background thread and then makes the first piece of
    `opening` (the question about to be asked). After each text the voice is let go (`unload`):
    the answer that follows is transcribed without it in memory, and the next text loads it
    again. If the voice cannot load and a `fallback` speaker
    is given, it speaks instead and `notice` gets one line saying why (once); without a fallback
    the DeviceError is raised."""

    def __init__(self, device: int | str | None = None, load: Callable[[], Voice] = load_voice,
                 unload: Callable[[], None] = unload_voice,
                 open_output: Callable[[int], AudioOut] | None = None,
                 get_time: Callable[[], float] = time.monotonic, fallback: Speaker | None = None,
                 notice: Callable[[str], None] = lambda line: None) -> None:
        self.device = device
        self._load, self._unload = load, unload
        self._open_output = open_output or (lambda rate: SoundDeviceOut(device, rate))
        self.get_time = get_time
        self.fallback, self.notice = fallback, notice
        self.started_at: float | None = None  # when playback of the last text began
        self._voice: Voice | None = None
        self._error: VoicePrepError | None = None
        self._loading: threading.Thread | None = None
        self._made: tuple[str, np.ndarray] | None = None  # a piece synthesized ahead
        self._out: AudioOut | None = None  # an output opened ahead
        self._told = False

    def preload(self, opening: str | None = None) -> None:
        """Load the voice, and make the first piece of `opening`, on a background thread; `say` waits for it."""
        if self._loading is None and self._voice is None:
            # not a daemon: a process ending while ONNX Runtime runs on a daemon thread aborts
            self._loading = threading.Thread(target=self._warm, args=(opening,), name="voice-load")
            self._loading.start()

    def _warm(self, opening: str | None) -> None:
        """Load the voice; then open the output (on its own thread: PortAudio and the sound server
        took about 0.3 s) while the opening's first piece is made."""
        self._load_now()
        pieces = speech_pieces(opening or "")
        if self._voice is None or not pieces:
            return
        opener = threading.Thread(target=self._open_now, args=(self._voice.sample_rate,), name="voice-output")
        opener.start()
        try:
            self._made = (pieces[0], self._voice.speak(pieces[0]))
        except Exception:  # noqa: BLE001 - made again when said, and its error told then
            self._made = None
        opener.join()

    def _open_now(self, rate: int) -> None:
        try:
            self._out = self._open_output(rate)
        except VoicePrepError:
            self._out = None  # opened again when said, and its error told then

    def _load_now(self) -> None:
        try:
            self._voice = self._load()
        except VoicePrepError as exc:
            self._error = exc

    def say(self, text: str) -> None:
        self.started_at = None
        if self._loading is not None:
            self._loading.join()
            self._loading = None
        elif self._voice is None and self._error is None:
            self._load_now()
        if self._voice is not None:
            try:
                self._play(self._voice, speech_pieces(text))
            finally:
                self._voice = None
                self._unload()
            return
        assert self._error is not None
        if self.fallback is None:
            raise self._error
        if not self._told:
            self.notice(f"The neural voice could not load ({self._error}): speaking with the system voice.")
            self._told = True
        self.fallback.say(text)
        self.started_at = self.fallback.started_at

    def _play(self, voice: Voice, pieces: list[str]) -> None:
        """Synthesize on a worker thread while this one plays what is ready."""
        ready: queue.Queue[Any] = queue.Queue()
        stop = threading.Event()
        made, self._made = self._made, None
        ready_out, self._out = self._out, None

        def produce() -> None:
            try:
                for i, piece in enumerate(pieces):
                    if stop.is_set():
                        return
                    ready.put(made[1] if i == 0 and made is not None and made[0] == piece else voice.speak(piece))
            except Exception as exc:  # noqa: BLE001 - the engine's own errors (ONNX Runtime, espeak)
                ready.put(DeviceError(f"the neural voice failed: {exc}"))
                return
            ready.put(None)

        threading.Thread(target=produce, name="voice-synthesis").start()  # stops after the piece under way
        try:
            out = ready_out or self._open_output(voice.sample_rate)  # opened while the first piece is made
        except BaseException:
            stop.set()
            raise
        try:
            while (audio := ready.get()) is not None:
                if isinstance(audio, VoicePrepError):
                    raise audio
                out.write(audio)
                if self.started_at is None:
                    self.started_at = self.get_time()
            out.close()
        except BaseException:
            stop.set()
            out.abort()
            raise


__all__ = ["OPENING_WORDS", "OUTPUT_LATENCY_S", "TAIL_S", "AudioOut", "PiperSpeaker", "SoundDeviceOut", "Voice", "speech_pieces",
           "split_sentences"]
