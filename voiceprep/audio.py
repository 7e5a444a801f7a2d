"""Audio in and out of files: decode anything PyAV reads to 16 kHz mono float32, write WAV.

Stages downstream take arrays, never paths; this is where files become arrays.
"""

from __future__ import annotations

import wave
from pathlib import Path

import numpy as np

from .errors import AudioError

SAMPLE_RATE = 16000


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
