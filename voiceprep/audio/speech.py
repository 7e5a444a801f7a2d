"""The interviewer's voice: the `Speaker` protocol, pyttsx3 behind it, and a fake.

pyttsx3 synthesizes the question to a WAV (its espeak driver would otherwise shell out to
`aplay` on the default device); sounddevice then plays it on the chosen output device, so
`--output-device` works and playback can be waited on or stopped.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import threading
import time
import wave
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from voiceprep.core.errors import DeviceError


class Speaker(Protocol):
    """Speaks the interviewer's questions. `started_at`: when playback of the last text began
    (on the session's clock), or None for a speaker that plays nothing."""

    started_at: float | None

    def say(self, text: str) -> None:
        """Speak the text and return when it has been played."""
        ...


def synthesize(text: str, rate_wpm: int = 165) -> tuple[np.ndarray, int]:
    """Text to int16 mono samples with pyttsx3 (espeak-ng on Linux)."""
    try:
        import pyttsx3
    except ImportError as exc:  # pragma: no cover - a dependency
        raise DeviceError(f"pyttsx3 is not installed: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="voiceprep-tts-") as tmp:
        out = Path(tmp) / "speech.wav"
        # pyttsx3 prints "Audio saved to ..." on stdout; --json output must stay clean.
        with contextlib.redirect_stdout(io.StringIO()):
            try:
                engine = pyttsx3.init()
            except (RuntimeError, OSError) as exc:
                raise DeviceError(f"no text-to-speech voice: {exc} (install espeak-ng)") from None
            # pyttsx3 2.99's espeak driver returns from runAndWait() while espeak still
            # synthesizes on its own thread (its queue runs endLoop right after save_to_file);
            # the file is complete only when 'finished-utterance' arrives.
            done = threading.Event()
            token = engine.connect("finished-utterance", lambda name=None, completed=True: done.set())
            engine.setProperty("rate", rate_wpm)
            engine.save_to_file(text, str(out))
            engine.runAndWait()
            finished = done.wait(timeout=30 + len(text) / 10)
            engine.disconnect(token)
        if not finished:
            raise DeviceError("text-to-speech did not finish (is espeak-ng working?)")
        if not out.exists() or out.stat().st_size <= 44:
            raise DeviceError("text-to-speech produced no audio (is espeak-ng installed?)")
        with wave.open(str(out)) as w:
            rate = w.getframerate()
            samples = np.frombuffer(w.readframes(w.getnframes()), dtype=np.int16)
            if w.getnchannels() > 1:
                samples = samples.reshape(-1, w.getnchannels())[:, 0]
    return samples.copy(), rate


class Pyttsx3Speaker:
    """Speaks through pyttsx3 and plays on a sounddevice output device."""

    def __init__(self, device: int | str | None = None, rate_wpm: int = 165,
                 get_time: Callable[[], float] = time.monotonic) -> None:
        self.device = device
        self.rate_wpm = rate_wpm
        self.get_time = get_time
        self.started_at: float | None = None  # when playback of the last text began

    def say(self, text: str) -> None:
        from voiceprep.audio.capture import import_sounddevice

        samples, rate = synthesize(text, self.rate_wpm)
        sd = import_sounddevice()
        try:
            sd.query_devices(self.device, "output")
        except (ValueError, sd.PortAudioError):
            raise DeviceError(f"no output device{'' if self.device is None else f' {self.device!r}'} found "
                              "(see `voiceprep devices`)") from None
        try:
            sd.play(samples, rate, device=self.device)
            self.started_at = self.get_time()
            sd.wait()
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(f"cannot play on output device {self.device or 'default'}: {exc}") from None


class SilentSpeaker:
    """The speaker of `--no-speak`: the question is shown, not spoken."""

    started_at: float | None = None

    def say(self, text: str) -> None:
        return None
