"""Shared fixtures: user data in temp dirs, the real Whisper model once per session,
and speech synthesized with espeak-ng (fixtures are generated, never downloaded)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from voiceprep.core.bank import Bank, load_bank


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
    from voiceprep.hearing.whisper import WhisperTranscriber

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


@pytest.fixture
def add_attempt(user_dirs, bank):
    """add_attempt(question_id, text, minute=0, review=None) -> folder of a stored attempt.

    Attempts are analysed for real (timed fake transcript, silent audio) and stored in
    VOICEPREP_RECORDINGS; `minute` orders them in time; `review` is a self_review dict."""
    from datetime import datetime, timedelta

    import numpy as np

    from voiceprep.analysis.report import analyse_answer
    from voiceprep.storage.store import Store
    from voiceprep.testing import timed_transcript

    def add(qid: str, text: str, minute: int = 0, review: dict | None = None) -> Path:
        when = datetime(2026, 11, 1, 9, 0) + timedelta(minutes=minute)
        store = Store(user_dirs, now=lambda: when)
        q = bank.question(qid)
        transcript = timed_transcript(text, wpm=150)
        report = analyse_answer(transcript, bank, q.category, q)
        if review is not None:
            report.extra["self_review"] = review
        return store.save(report, np.zeros(int(16000 * (transcript.duration or 1)), np.float32))

    return add
