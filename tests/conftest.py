"""Shared fixtures: user data in temp dirs, the real Whisper model once per session,
and speech synthesized with espeak-ng (fixtures are generated, never downloaded)."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from voiceprep.core.bank import Bank, load_bank


def pytest_configure(config) -> None:
    """The test process runs with the runtime settings `voiceprep`'s entry point makes (OpenMP
    waiting, malloc arenas), so real-model tests time passes as the product does."""
    from voiceprep.hearing.runtime import configure_process

    configure_process()


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


@pytest.fixture(scope="module")
def pulse(tmp_path_factory):
    """A PulseAudio server of the test's own with two null sinks: vmic (its monitor is the default
    input) and vspk (the default output). Yields the environment that reaches it."""
    for tool in ("pulseaudio", "pactl", "paplay", "parecord"):
        assert shutil.which(tool), f"{tool} is required (make test installs pulseaudio and pulseaudio-utils)"
    run = tmp_path_factory.mktemp("pulse")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "HOME": str(run)}
    env.pop("PULSE_SERVER", None)
    subprocess.run(["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
                    "--load=module-native-protocol-unix auth-anonymous=1",
                    "--load=module-null-sink sink_name=vmic", "--load=module-null-sink sink_name=vspk"],
                   env=env, check=True, capture_output=True)
    for _ in range(50):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    subprocess.run(["pactl", "set-default-source", "vmic.monitor"], env=env, check=True)
    subprocess.run(["pactl", "set-default-sink", "vspk"], env=env, check=True)
    yield env
    subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True)
