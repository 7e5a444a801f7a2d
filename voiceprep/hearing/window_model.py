"""The one place voiceprep reaches into faster-whisper: a WhisperModel subclass for our windows.

It overrides `WhisperModel.encode(features)` and `WhisperModel.generate_with_fallback(encoder_output,
prompt, tokenizer, options)`, which faster-whisper's `generate_segments` calls for every 30 s
segment. Those are internal call sites, so pyproject.toml pins faster-whisper to the versions
tested, and tests/test_window_model.py fails with a clear message when they change.
"""

from __future__ import annotations

import functools
import threading
from typing import Any, Callable

import numpy as np

FASTER_WHISPER_TESTED = ("1.2",)  # release series whose internal call sites this subclass was checked on


# A window is decoded again after its first pass only if this much of its speech is left
# after the last word heard.
SECOND_PASS_MIN_SPEECH_S = 1.0

# The encoder sees a window's audio and this many frames (10 ms each) of the padding after it,
# not the whole 30 s faster-whisper pads every segment to: its cost grows with its input. With
# no padding at all tiny.en invented text after the speech; with 2-3 s of it the words were those
# of the full encoding (docs/transcription.md, "One decoding per window").
ENCODER_TAIL_FRAMES = 300


class WindowDone(Exception):
    """Ends faster-whisper's segment generator after a window's first pass (see below)."""


class PassCancelled(Exception):
    """A pass given up before its next encoding or decoding, because its caller said so."""


class _Window(threading.local):
    """Per thread: where the speech of the window being transcribed ends, and how far its words got."""

    def __init__(self) -> None:
        self.end()

    def begin(self, speech_end_s: float | None, cancelled: Callable[[], bool] | None = None,
              short: bool = False) -> None:
        self.speech_end_s: float | None = speech_end_s
        self.cancelled: Callable[[], bool] | None = cancelled
        self.short = short  # encode the audio and a little padding only (encoder_input)
        self.heard_to, self.encodes = 0.0, 0

    def end(self) -> None:
        self.speech_end_s, self.cancelled, self.heard_to, self.encodes = None, None, 0.0, 0
        self.short = False

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise PassCancelled


def encoder_input(features: np.ndarray, tail_frames: int = ENCODER_TAIL_FRAMES) -> np.ndarray:
    """A segment's features (80 x 3000, zero-padded after the audio) cut to the audio and
    `tail_frames` of padding, rounded up to whole seconds (at most the 3000 frames given)."""
    frames = features.shape[-1]
    flat = features.reshape(-1, frames)
    filled = np.flatnonzero(np.any(flat != 0, axis=0))
    audio = int(filled[-1]) + 1 if filled.size else 0
    keep = min(frames, -(-(audio + tail_frames) // 100) * 100)
    return features[..., :keep]


@functools.cache
def window_model_class() -> type:
    """WhisperModel that transcribes one of our windows (at most 30 s) in one pass.

    With word timestamps, faster-whisper moves on to the last word's end and encodes and
    decodes what is left of the window, usually a fraction of a second of silence. Over that
    silence tiny.en repeated "a little bit of" until the token limit, at both temperatures,
    three times over: one 14 s window took 14.4 s, its first pass 0.55 s. So a second
    encoding of the same window goes ahead only when at least SECOND_PASS_MIN_SPEECH_S of
    its speech comes after the words heard (the first pass stopped early).

    For the front lane's longer passes (`short`, see whisper.SHORT_ENCODING_MIN_S) it encodes
    only the audio of a segment and a few seconds of the padding after it (encoder_input); other
    passes keep Whisper's 30 s, which short clips need (tests/test_whisper.py, test_piper.py). It gives up a
    pass before an encoding or a decoding when the caller's `cancelled` says so (PassCancelled):
    an answer that ended mid-pass need not wait for the rest."""
    from faster_whisper import WhisperModel

    class WindowWhisperModel(WhisperModel):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self.window = _Window()

        def encode(self, features: np.ndarray) -> Any:
            w = self.window
            w.check()
            if w.speech_end_s is not None:
                w.encodes += 1
                if w.encodes > 1 and w.speech_end_s - w.heard_to < SECOND_PASS_MIN_SPEECH_S:
                    raise WindowDone
            return super().encode(encoder_input(features) if w.short else features)

        def generate_with_fallback(self, *args: Any, **kwargs: Any) -> Any:
            self.window.check()
            return super().generate_with_fallback(*args, **kwargs)

    return WindowWhisperModel
