"""The interviewer's voice: the `Speaker` protocol, the neural voice and pyttsx3 behind it.

`PiperSpeaker` (the default, `--voice neural`; audio/piper_speaker.py) speaks with Piper: the voice
loads in the background from launch, and the question is synthesized and played sentence by
sentence, so the first sentence is heard while the next is still being made. When Piper or its
voice is missing, `choose_voice` picks the system voice and says why in one line.

`Pyttsx3Speaker` (`--voice system`, and the fallback) synthesizes the question to a WAV with
pyttsx3 (its espeak driver would otherwise shell out to `aplay` on the default device);
sounddevice then plays it on the chosen output device, so `--output-device` works and playback
can be waited on or stopped.
"""

from __future__ import annotations

import contextlib
import io
import tempfile
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

import numpy as np

from voiceprep.audio.piper import voice_missing
from voiceprep.audio.piper_speaker import OUTPUT_LATENCY_S, PiperSpeaker
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
            sd.play(samples, rate, device=self.device, latency=OUTPUT_LATENCY_S)  # see piper_speaker
            self.started_at = self.get_time()
            sd.wait()
        except (sd.PortAudioError, ValueError) as exc:
            raise DeviceError(f"cannot play on output device {self.device or 'default'}: {exc}") from None


class SilentSpeaker:
    """The speaker of `--no-speak`: the question is shown, not spoken."""

    started_at: float | None = None

    def say(self, text: str) -> None:
        return None


VOICES = ("neural", "system")


@dataclass(frozen=True)
class VoiceChoice:
    """Which voice speaks, and (when the neural voice was asked for but cannot) one line why."""

    voice: str  # one of VOICES
    why: str | None = None


def choose_voice(requested: str, missing: Callable[[], str | None] | None = None) -> VoiceChoice:
    """`--voice neural` (the default): Piper when it and its voice are installed, else the system
    voice with the reason; `--voice system`: pyttsx3 and espeak-ng. `missing`: why the neural
    voice cannot be used, or None (default: piper.voice_missing)."""
    if requested not in VOICES:
        raise ValueError(f"unknown voice {requested!r} (one of {', '.join(VOICES)})")
    if requested == "system":
        return VoiceChoice("system")
    why = (missing or voice_missing)()
    if why:
        return VoiceChoice("system", f"Speaking with the system voice (espeak-ng): {why}.")
    return VoiceChoice("neural")


@dataclass(frozen=True)
class SpeakerRequest:
    """What a command asks of its speaker factory: the output device, the voice, the text it will
    say first (the first question: the neural voice makes its opening ahead), and where to tell a
    one-line notice (a neural voice that fails to load)."""

    device: int | str | None
    voice: str = "neural"
    opening: str | None = None
    notice: Callable[[str], None] = lambda line: None


def open_speaker(request: SpeakerRequest) -> Speaker:
    """The real speaker for a request. The neural voice starts loading now, in the background,
    and makes the opening of `request.opening`, so the question is heard soon after launch."""
    if request.voice == "neural":
        speaker = PiperSpeaker(request.device, fallback=Pyttsx3Speaker(request.device), notice=request.notice)
        speaker.preload(request.opening)
        return speaker
    return Pyttsx3Speaker(request.device)
