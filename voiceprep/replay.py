"""Playing a stored answer back through the output device."""

from __future__ import annotations

from pathlib import Path

from .audio import decode
from .errors import DeviceError
from .recording import import_sounddevice


def play(path: Path, device: int | str | None = None, start_s: float = 0.0) -> float:
    """Play a recording from `start_s`; blocks until done (Ctrl-C stops). Returns seconds played."""
    audio = decode(path)
    audio = audio[int(start_s * 16000):]
    sd = import_sounddevice()
    try:
        sd.play(audio, 16000, device=device, blocking=True)
    except KeyboardInterrupt:
        sd.stop()
    except (sd.PortAudioError, ValueError) as exc:
        raise DeviceError(f"cannot play on output device {device or 'default'}: {exc}") from None
    return len(audio) / 16000
