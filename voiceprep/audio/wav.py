"""Audio in and out of files: decode anything PyAV reads to 16 kHz mono float32, write WAV.

Stages downstream take arrays, never paths; this is where files become arrays.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from voiceprep.core.errors import AudioError
from voiceprep.core.samples import SAMPLE_RATE


def decode(path: Path | str) -> np.ndarray:
    """Decode an audio file to 16 kHz mono float32 in [-1, 1].

    Raises AudioError naming the file when it is missing, empty, or not audio.
    """
    p = Path(path)
    if not p.exists():
        raise AudioError(f"{p}: no such file")
    if not p.is_file():
        raise AudioError(f"{p}: not a file")
    if p.stat().st_size == 0:
        raise AudioError(f"{p}: file is empty")
    import av  # PyAV comes with faster-whisper; imported late so `check` never pays for it
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(str(p), sampling_rate=SAMPLE_RATE)
    except (av.error.FFmpegError, IndexError, ValueError, StopIteration, OSError) as exc:
        raise AudioError(f"{p}: cannot decode audio ({_reason(exc)})") from None
    if audio.size == 0:
        raise AudioError(f"{p}: holds no audio samples (truncated or not audio)")
    return audio.astype(np.float32, copy=False)


def probe_seconds(path: Path | str) -> float | None:
    """The file's duration from its container, without decoding it (None when unknown)."""
    import av

    try:
        with av.open(str(path)) as container:
            if container.duration is not None:
                return container.duration / 1_000_000
            stream = next((s for s in container.streams if s.type == "audio"), None)
            if stream is not None and stream.duration is not None and stream.time_base is not None:
                return float(stream.duration * stream.time_base)
    except (av.error.FFmpegError, OSError, ValueError):
        return None  # decode() reports what is wrong with the file
    return None


def check_length(path: Path | str, max_seconds: float) -> None:
    """Refuse a file longer than `max_seconds` before spending minutes and memory decoding it."""
    seconds = probe_seconds(path)
    if seconds is not None and seconds > max_seconds:
        raise AudioError(f"{path}: {seconds / 60:.0f} min long; at most {max_seconds / 60:.0f} min are analysed "
                         "(raise it with --max-minutes)")


def clipped_fraction(audio: np.ndarray) -> float:
    """Share of samples at full scale: clipped input distorts speech and transcription."""
    return float(np.mean(np.abs(audio) >= 0.999)) if audio.size else 0.0


def _reason(exc: BaseException) -> str:
    if isinstance(exc, IndexError):
        return "no audio stream"
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0][:160]


def to_pcm16(audio: np.ndarray) -> bytes:
    return (np.clip(audio, -1.0, 1.0) * 32767).astype("<i2").tobytes()


def write_wav(path: Path | str, audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> None:
    """Write mono 16-bit PCM WAV."""
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_pcm16(audio))


def duration(audio: np.ndarray, sample_rate: int = SAMPLE_RATE) -> float:
    return len(audio) / sample_rate
