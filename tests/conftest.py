"""Shared fixtures: user data in temp dirs, the real Whisper model once per session,
and speech synthesized with espeak-ng (fixtures are generated, never downloaded)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from voiceprep.bank import Bank, load_bank


@pytest.fixture(autouse=True)
def user_dirs(tmp_path, monkeypatch) -> Path:
    """Every test stores attempts in its own temp folder, never in the checkout."""
    rec = tmp_path / "recordings"
    monkeypatch.setenv("VOICEPREP_RECORDINGS", str(rec))
    monkeypatch.delenv("VOICEPREP_PROMPTS", raising=False)
    return rec


@pytest.fixture(scope="session")
def bank() -> Bank:
    return load_bank()


@pytest.fixture(scope="session")
def whisper():
    from voiceprep.transcribe import WhisperTranscriber

    t = WhisperTranscriber()
    t.load()
    return t


@pytest.fixture(scope="session")
def synth(tmp_path_factory):
    """synth(text, name, wpm=160) -> Path of a WAV spoken by espeak-ng."""
    assert shutil.which("espeak-ng"), "espeak-ng is required (make test installs it)"
    folder = tmp_path_factory.mktemp("speech")

    def make(text: str, name: str = "answer", wpm: int = 160) -> Path:
        path = folder / f"{name}.wav"
        subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(path), text], check=True)
        return path

    return make
