from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from contract import assert_contract

from voiceprep.audio.wav import write_wav
from voiceprep.cli.main import Env, main
from voiceprep.testing import FakeTranscriber

ANSWER = ("At my last job I owned the billing service. My task was to cut failed payments. "
          "I added retries and I rewrote the reconciliation job. As a result failures dropped by 40 percent. "
          "I learned to measure first.")


class Run:
    def __init__(self, code: int, out: str, err: str, fake: FakeTranscriber):
        self.code, self.out, self.err, self.fake = code, out, err, fake


def run(*argv: str, stdin: str = "", transcript: str = ANSWER) -> Run:
    out, err = io.StringIO(), io.StringIO()
    fake = FakeTranscriber(transcript)
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(stdin), environ=dict(os.environ),
              make_transcriber=lambda model: fake)
    code = main(list(argv), env)
    return Run(code, out.getvalue(), err.getvalue(), fake)


@pytest.fixture
def wav(tmp_path) -> Path:
    p = tmp_path / "answer.wav"
    write_wav(p, np.zeros(16000 * 3, np.float32))
    return p


def test_check_json_matches_contract(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(ANSWER)
    r = run("check", str(f), "--category", "behavioral", "--json")
    assert r.code == 0 and r.err == ""
    doc = json.loads(r.out)
    assert_contract(doc, timed=False)
    hits = {c["id"] for c in doc["cues"] if c["hit"]}
    assert {"star_situation", "star_task", "star_action", "star_result", "impact", "reflection", "numbers"} <= hits


def test_check_reads_stdin_and_renders(tmp_path):
    r = run("check", "-", "-c", "behavioral", stdin=ANSWER)
    assert r.code == 0 and "Checklist" in r.out and "STAR: Situation" in r.out


def test_check_markdown():
    r = run("check", "-", "-q", "bh-professional-failure", "--markdown", stdin=ANSWER)
    assert r.code == 0 and r.out.startswith("# Tell me about a time you failed")


def test_review_stores_attempt_and_prints_contract_json(wav, user_dirs):
    r = run("review", str(wav), "--question", "sd-url-shortener", "--json")
    assert r.code == 0, r.err
    doc = json.loads(r.out)
    assert_contract(doc, timed=True)
    folder = user_dirs / doc["attempt"]
    assert (folder / "answer.wav").is_file() and json.loads((folder / "report.json").read_text()) == doc
    assert "Markdown" not in (folder / "report.md").read_text() and (folder / "transcript.json").is_file()
    assert r.fake.calls[0][:3] == ["cache", "shard", "p99"]  # the question's vocabulary reached the model


def test_review_no_store_and_recordings_option(wav, tmp_path, user_dirs):
    assert run("review", str(wav), "-c", "deep_dive", "--no-store").code == 0
    assert not user_dirs.exists()
    other = tmp_path / "elsewhere"
    assert run("review", str(wav), "-c", "deep_dive", "--recordings", str(other)).code == 0
    assert len(list(other.iterdir())) == 1


def test_questions_lists_and_filters():
    r = run("questions", "--category", "concurrency", "--json")
    data = json.loads(r.out)
    assert r.code == 0 and data and {q["category"] for q in data} == {"concurrency"}
    assert "clarify_requirements" in data[0]["cues"]
    assert "sd-url-shortener" in run("questions").out


def test_prompts_env_adds_a_bank(tmp_path, monkeypatch):
    (tmp_path / "mine.toml").write_text('[[question]]\nid = "my-q"\ncategory = "behavioral"\ntext = "Why us?"\ntarget_s = 60\n')
    monkeypatch.setenv("VOICEPREP_PROMPTS", str(tmp_path))
    assert "my-q" in run("questions", "--json").out
    assert run("check", "-", "-q", "my-q", stdin=ANSWER).code == 0


BAD = [
    (["check", "missing.txt", "-c", "behavioral"], "missing.txt: no such file"),
    (["check", "EMPTY", "-c", "behavioral"], "transcript is empty"),
    (["check", "BINARY", "-c", "behavioral"], "not UTF-8"),
    (["check", "-", "-c", "cooking"], "unknown category 'cooking'"),
    (["check", "-"], "give --question ID or --category C"),
    (["check", "-", "-q", "nope"], "unknown question id 'nope'"),
    (["check", "-", "-q", "sd-url-shortener", "-c", "behavioral"], "is in category 'system_design'"),
    (["check", "-", "-c", "behavioral", "--wpm", "fast"], "--wpm expects LOW-HIGH"),
    (["check", "-", "-c", "behavioral", "--prompts", "NOWHERE"], "prompts folder not found"),
    (["check", "-", "-c", "behavioral", "--prompts", "EMPTYDIR"], "holds no *.toml bank files"),
    (["check", "-", "-c", "behavioral", "--prompts", "BADBANK"], "bad.toml: not valid TOML"),
    (["review", "missing.wav", "-c", "system_design"], "missing.wav: no such file"),
    (["review", "EMPTY", "-c", "system_design"], "file is empty"),
    (["review", "TEXTWAV", "-c", "system_design"], "cannot decode audio"),
    (["review", "WAV", "-q", "nope"], "unknown question id"),
    (["review", "WAV", "-c", "system_design", "--model", "./NOWHERE"], "not a CTranslate2 Whisper model folder"),
    (["loop", "--story", "nope", "--prompts", "STORIES", "--no-speak"], "unknown story 'nope'"),
    (["loop", "--rounds", "system_design", "--story", "bus", "--prompts", "STORIES"], "no behavioral round"),
    (["frobnicate"], "invalid choice"),
    (["review"], "required"),
]


@pytest.mark.parametrize("argv, message", BAD, ids=[m for _, m in BAD])
def test_bad_input_one_line_exit_2_nothing_touched(argv, message, tmp_path, user_dirs, monkeypatch):
    (tmp_path / "EMPTY").write_bytes(b"")
    (tmp_path / "BINARY").write_bytes(b"\xff\xfe\x00bad")
    (tmp_path / "TEXTWAV").write_text("not audio at all\n" * 50)
    write_wav(tmp_path / "WAV", np.zeros(16000, np.float32))
    (tmp_path / "EMPTYDIR").mkdir()
    (tmp_path / "BADBANK").mkdir()
    (tmp_path / "BADBANK" / "bad.toml").write_text("[[question]\n")
    (tmp_path / "STORIES" / "stories").mkdir(parents=True)
    (tmp_path / "STORIES" / "stories" / "bus.md").write_text("# Bus\n- R: 10,000 sign-ups a day\n")
    # an earlier attempt that must survive every failure untouched
    old = user_dirs / "20260101-000000-old"
    old.mkdir(parents=True)
    (old / "report.json").write_text('{"old": true}')
    monkeypatch.chdir(tmp_path)
    r = run(*argv, stdin=ANSWER if "-" in argv else "")
    assert r.code == 2
    assert r.out == ""
    lines = r.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], r.err
    assert "Traceback" not in r.err
    assert [p.name for p in user_dirs.iterdir()] == ["20260101-000000-old"]
    assert (old / "report.json").read_text() == '{"old": true}'


def test_console_script_runs_as_a_process(tmp_path):
    f = tmp_path / "a.txt"
    f.write_text(ANSWER)
    exe = Path(sys.executable).parent / "voiceprep"
    ok = subprocess.run([str(exe), "check", str(f), "-c", "behavioral", "--json"], capture_output=True, text=True)
    assert ok.returncode == 0 and json.loads(ok.stdout)["schema"] == 1
    bad = subprocess.run([str(exe), "review", str(f), "-c", "behavioral"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == "" and len(bad.stderr.strip().splitlines()) == 1


@pytest.mark.slow
@pytest.mark.parametrize("samples", [np.zeros(16000 * 4, np.float32),
                                     (np.random.default_rng(2).standard_normal(16000 * 4) * 0.2).astype(np.float32)],
                         ids=["silence", "noise"])
def test_review_of_audio_without_speech_is_a_user_error(samples, tmp_path, user_dirs):
    wav = tmp_path / "quiet.wav"
    write_wav(wav, samples)
    exe = Path(sys.executable).parent / "voiceprep"
    proc = subprocess.run([str(exe), "review", str(wav), "-c", "system_design", "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.strip() == "error: no speech detected in the recording"
    assert not user_dirs.exists()
