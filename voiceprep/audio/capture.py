"""Capturing the answer: the `Recorder` protocol, microphone and file recorders, and the
WAV writer that puts every block on disk as it arrives.

The sounddevice callback only copies blocks into a queue (it runs on PortAudio's thread and
must never block); the session drains the queue into a `WavWriter`, which flushes each
block and fsyncs about once a second, so a crash loses at most about a second of audio.
`repair_wav` turns a file left by a killed process into a valid WAV.
"""

from __future__ import annotations

import os
import queue
import struct
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Protocol

import numpy as np

from voiceprep.audio.wav import SAMPLE_RATE, decode
from voiceprep.core.errors import AudioError, DeviceError

BLOCK_S = 0.1
_HEADER = 44


@dataclass(frozen=True)
class Block:
    """100 ms of 16 kHz mono int16 audio; `overflow` when the device dropped input before it;
    `at`: when the device handed it over, on the recorder's clock (None for a file). A reader
    held up by other work takes blocks from the queue late, but their `at` still says when the
    audio came, so a late reader is not taken for lost input."""

    samples: np.ndarray
    overflow: bool = False
    at: float | None = None

    @property
    def level_db(self) -> float:
        """RMS level in dBFS (-100 for digital silence)."""
        if self.samples.size == 0:
            return -100.0
        rms = float(np.sqrt(np.mean((self.samples.astype(np.float32) / 32768.0) ** 2)))
        return 20 * np.log10(rms) if rms > 1e-5 else -100.0


class Recorder(Protocol):
    """A source of answer audio in blocks.

    `live`: it runs on the wall clock (a microphone), so input it never delivered can be found
    by comparing audio received with time passed; a file fed at any speed is not live.
    `overflows`: blocks the device said it dropped input before."""

    live: bool
    overflows: int

    def start(self) -> None: ...

    def read(self, timeout: float) -> Block | None:
        """The next block, or None when none arrived within `timeout` seconds."""
        ...

    @property
    def exhausted(self) -> bool:
        """True when no more audio will ever come (a file ran out)."""
        ...

    def stop(self) -> None: ...


class SoundDeviceRecorder:
    """The microphone through sounddevice/PortAudio, at 16 kHz mono int16."""

    live = True  # runs on the wall clock, so the session can spot input it never received
    # With no block for this long the device is taken as gone (a vanished PulseAudio source
    # can leave the stream "active" while delivering nothing).
    STALL_S = 3.0

    def __init__(self, device: int | str | None = None, get_time: Callable[[], float] = time.monotonic) -> None:
        self.device = device
        self._queue: queue.Queue[Block] = queue.Queue()
        self._stream: Any = None
        self._get_time = get_time
        self._last_block = 0.0
        self.overflows = 0

    def _callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        # PortAudio's thread: copy, stamp and hand over, nothing else.
        self._queue.put(Block(indata[:, 0].copy(), bool(status.input_overflow), self._get_time()))

    def start(self) -> None:
        sd = import_sounddevice()
        check_input_device(self.device)
        try:
            self._stream = sd.InputStream(device=self.device, samplerate=SAMPLE_RATE, channels=1, dtype="int16",
                                          blocksize=int(SAMPLE_RATE * BLOCK_S), callback=self._callback)
            self._stream.start()
            self._last_block = self._get_time()
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(f"cannot open input device {self.device or 'default'}: {exc}") from None

    def read(self, timeout: float) -> Block | None:
        try:
            block = self._queue.get(timeout=timeout)
        except queue.Empty:
            stalled = self._get_time() - self._last_block > self.STALL_S
            if self._stream is not None and (not self._stream.active or stalled):
                raise DeviceError("the input device stopped delivering audio") from None
            return None
        self._last_block = self._get_time()
        self.overflows += block.overflow
        return block

    @property
    def exhausted(self) -> bool:
        return False

    def stop(self) -> None:
        if self._stream is not None:
            self._stream.stop()
            self._stream.close()
            self._stream = None


class FileRecorder:
    """Plays an audio file into the session in place of a microphone (demos, tests, benchmarks).

    With `speed=1.0` blocks arrive in real time; a larger speed feeds faster than real time.
    A 16 kHz mono 16-bit WAV is read block by block (an hour-long answer costs no memory);
    any other file is decoded whole first.
    """

    live = False  # fed at its own pace, not the wall clock's

    def __init__(self, path: Path | str, speed: float = 1.0, get_time: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self._wav = _plain_wav(Path(path))
        if self._wav is None:
            audio = decode(path)
            self._pcm: np.ndarray | None = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
            self._len = len(self._pcm)
        else:
            self._pcm = None
            self._len = self._wav.getnframes()
        self._speed = speed
        self._get_time, self._sleep = get_time, sleep
        self._pos = 0
        self._t0 = 0.0
        self.overflows = 0

    def start(self) -> None:
        self._t0 = self._get_time()

    def read(self, timeout: float) -> Block | None:
        if self.exhausted:
            return None
        n = int(SAMPLE_RATE * BLOCK_S)
        due = self._t0 + (self._pos + n) / SAMPLE_RATE / self._speed
        wait = due - self._get_time()
        if wait > timeout:
            self._sleep(timeout)
            return None
        if wait > 0:
            self._sleep(wait)
        if self._wav is not None:
            samples = np.frombuffer(self._wav.readframes(n), np.int16)
            if not len(samples):  # the header promised more than the file holds
                self.stop()
                return None
        else:
            samples = self._pcm[self._pos: self._pos + n]
        self._pos += n
        return Block(samples)

    @property
    def exhausted(self) -> bool:
        return self._pos >= self._len

    def stop(self) -> None:
        self._pos = self._len
        if self._wav is not None:
            self._wav.close()


def _plain_wav(path: Path) -> wave.Wave_read | None:
    """An open reader when `path` is a WAV already in the analysis format, else None."""
    try:
        w = wave.open(str(path), "rb")
    except (OSError, EOFError, wave.Error):
        return None
    if (w.getframerate(), w.getnchannels(), w.getsampwidth()) == (SAMPLE_RATE, 1, 2) and w.getnframes() > 0:
        return w
    w.close()
    return None


def import_sounddevice() -> Any:
    """sounddevice needs the PortAudio library (Debian: libportaudio2)."""
    try:
        import sounddevice as sd
    except OSError as exc:  # raised when libportaudio is missing
        raise DeviceError(f"PortAudio is not available ({exc}); install libportaudio2") from None
    return sd


def check_input_device(device: int | str | None) -> None:
    sd = import_sounddevice()
    try:
        info = sd.query_devices(device, "input")
    except (ValueError, sd.PortAudioError):
        info = None
    if not info or info.get("max_input_channels", 0) < 1:
        what = f"input device {device!r}" if device is not None else "input device"
        raise DeviceError(f"no {what} found; without a microphone use `voiceprep demo`, "
                          "or `voiceprep review FILE` for a recording")


class WavWriter:
    """16 kHz mono 16-bit WAV written as blocks arrive; the header is fixed on close or by repair_wav."""

    def __init__(self, path: Path, get_time: Callable[[], float] = time.monotonic, fsync_every_s: float = 1.0) -> None:
        self.path = path
        self._f = open(path, "xb")  # never overwrite an existing recording
        self._f.write(_wav_header(0))
        self._frames = 0
        self._get_time = get_time
        self._fsync_every = fsync_every_s
        self._last_sync = get_time()

    @property
    def seconds(self) -> float:
        return self._frames / SAMPLE_RATE

    def write(self, samples: np.ndarray) -> None:
        self._f.write(samples.astype("<i2", copy=False).tobytes())
        self._frames += len(samples)
        self._f.flush()
        now = self._get_time()
        if now - self._last_sync >= self._fsync_every:
            os.fsync(self._f.fileno())
            self._last_sync = now

    def close(self) -> None:
        if self._f.closed:
            return
        self._f.seek(0)
        self._f.write(_wav_header(self._frames * 2))
        self._f.flush()
        os.fsync(self._f.fileno())
        self._f.close()


def _wav_header(data_bytes: int) -> bytes:
    return (b"RIFF" + struct.pack("<I", 36 + data_bytes) + b"WAVE"
            + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, SAMPLE_RATE, SAMPLE_RATE * 2, 2, 16)
            + b"data" + struct.pack("<I", data_bytes))


def repair_wav(path: Path) -> float:
    """Fix the header of a WAV left unfinished by a crash; returns its length in seconds."""
    size = path.stat().st_size
    if size < _HEADER:
        raise AudioError(f"{path}: too short to hold any audio")
    data = (size - _HEADER) // 2 * 2
    with open(path, "r+b") as f:
        head = f.read(12)
        if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            raise AudioError(f"{path}: not a voiceprep WAV recording")
        f.seek(0)
        f.write(_wav_header(data))
        f.truncate(_HEADER + data)
    return data / 2 / SAMPLE_RATE
