"""report, replay, history and export from the command line (replay on real devices: test_devices.py)."""

from __future__ import annotations

import io
import json
import os
import zipfile

import numpy as np
import pytest

from voiceprep.audio.wav import write_wav
from voiceprep.cli.main import Env, main
from voiceprep.testing import FakeSpeaker, FakeTranscriber

GOOD = ("Can I ask how many users we expect? I assume ten million users and 5000 requests per second. "
        "I would shard the database and add a cache. The trade-off is stale reads, so it is eventually "
        "consistent. If a node fails we retry and fail over. I would alert on the p99 latency.")
NO_CONSISTENCY = ("Can I ask how many users we expect? I assume ten million users. I would shard the database. "
                  "The trade-off is cost. If a node fails we retry. I would alert on the p99 latency.")


def run(*argv: str, transcript: str = GOOD, cwd=None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(""), environ=dict(os.environ),
              make_transcriber=lambda model: FakeTranscriber(transcript),
              make_speaker=lambda device: FakeSpeaker())
    code = main(list(argv), env)
    return code, out.getvalue(), err.getvalue()


def test_history_json_table_and_question_comparison(add_attempt):
    add_attempt("sd-url-shortener", NO_CONSISTENCY, minute=0)
    add_attempt("bh-mentoring", "I mentored a new engineer and she shipped in two weeks.", minute=1,
                review={"rating": 3, "verdicts": [{"cue": "impact", "agree": True}, {"cue": "numbers", "agree": False}]})
    last = add_attempt("sd-url-shortener", GOOD, minute=2)
    code, out, err = run("history", "--json")
    assert code == 0 and err == ""
    doc = json.loads(out)
    assert doc["total"] == 3 and [a["question"] for a in doc["attempts"]][-1] == "sd-url-shortener"
    assert doc["self_review"] == {"attempts_reviewed": 1, "verdicts": 2, "agreed": 1, "rate": 0.5}
    consistency = next(c for c in doc["cues"] if c["cue"] == "consistency")
    assert consistency["recent"] == [False, True] and doc["comparison"] is None
    code, out, _ = run("history", "--question", "sd-url-shortener", "--json")
    doc = json.loads(out)
    assert doc["total"] == 2 and doc["comparison"]["after"]["attempt"] == last.name
    assert "consistency" in doc["comparison"]["cues_gained"]
    assert {"op": "+", "text": "and 5000 requests per second."} in doc["comparison"]["word_diff"]
    code, out, _ = run("history", "--question", "sd-url-shortener")
    assert code == 0 and "now hit: Consistency model" in out and "Word diff" in out
    code, out, _ = run("history", "--limit", "1")
    assert "Attempts (1 newest of 3)" in out and last.name[:15] in out


@pytest.mark.parametrize("argv, message", [
    (["history", "--question", "sd-news-feed"], "no attempts at question 'sd-news-feed'"),
    (["history", "--limit", "-1"], "--limit must be 0"),
    (["export"], "give one ATTEMPT"),
    (["export", "last", "--all"], "give one ATTEMPT"),
    (["export", "nope"], "no attempt 'nope'"),
    (["replay", "last", "--at", "1", "--cue", "numbers"], "not both"),
    (["replay", "last", "--at", "999"], "the recording is only"),
    (["replay", "last", "--at", "-2"], "must not be negative"),
    (["replay", "last", "--cue", "consistency"], "was missed in this attempt"),
    (["replay", "last", "--cue", "star_task"], "has no cue 'star_task'"),
    (["report", "zzz"], "no attempt 'zzz'"),
])
def test_review_commands_refuse_in_one_line(add_attempt, argv, message):
    add_attempt("sd-url-shortener", NO_CONSISTENCY)
    code, out, err = run(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1 and message in err, err


def test_history_with_no_attempts_says_how_to_start():
    code, out, _ = run("history")
    assert code == 0 and "No attempts yet" in out


def test_export_one_and_all_and_never_overwrite(add_attempt, tmp_path):
    a = add_attempt("sd-url-shortener", GOOD, minute=0)
    b = add_attempt("bh-mentoring", "I mentored a new engineer.", minute=1)
    one = tmp_path / "one.zip"
    code, out, err = run("export", a.name[:15], "--out", str(one))
    assert code == 0 and str(one) in out, err
    with zipfile.ZipFile(one) as z:
        names = z.namelist()
        page = z.read(f"{a.name}/report.html").decode()
    assert f"{a.name}/answer.wav" in names and 'src="answer.wav"' in page and "Knows the numbers" in page
    allzip = tmp_path / "all.zip"
    assert run("export", "--all", "--out", str(allzip))[0] == 0
    with zipfile.ZipFile(allzip) as z:
        assert {n.split("/")[0] for n in z.namelist()} == {a.name, b.name}
    before = allzip.read_bytes()
    code, _, err = run("export", "--all", "--out", str(allzip))
    assert code == 2 and "already exists" in err and allzip.read_bytes() == before


def test_practice_focus_weakest_asks_about_the_missed_cue(add_attempt, tmp_path):
    for m in range(3):
        add_attempt("sd-url-shortener", NO_CONSISTENCY, minute=m)
    wav = tmp_path / "a.wav"
    write_wav(wav, np.zeros(16000, np.float32))
    code, out, err = run("practice", "--focus", "weakest", "--no-speak", "--answer-file", str(wav),
                         "--speed", "50", "--json", "--seed", "1")
    assert code == 0, err
    doc = json.loads(out)
    assert "Focus: Consistency model (0% of the last 3)" in err
    from voiceprep.core.bank import load_bank
    q = load_bank().question(doc["question"]["id"])
    assert "consistency" in q.focus and q.id != "sd-url-shortener"
    code, out, err = run("practice", "--focus", "reflection", "--no-speak", "--answer-file", str(wav),
                         "--speed", "50", "--json")
    assert code == 0 and "reflection" in load_bank().question(json.loads(out)["question"]["id"]).focus
    code, _, err = run("practice", "--focus", "charisma", "--answer-file", str(wav), "--json")
    assert code == 2 and "--focus takes 'weakest' or a cue id" in err


@pytest.mark.parametrize("lively, rounds", [(False, 3), (True, 1)])
def test_practice_focus_on_a_voice_measure_keeps_going_until_it_is_gone(tmp_path, lively, rounds):
    """--focus monotone --rounds 3: a flat voice is asked all three rounds; a lively one stops after one."""
    t = np.arange(16000 * 20) / 16000
    f0 = 140 * 2 ** ((4 / 12) * np.sin(2 * np.pi * 0.4 * t)) if lively else np.full(len(t), 140.0)
    phase = 2 * np.pi * np.cumsum(f0) / 16000
    voice = sum(np.sin(k * phase) / k for k in range(1, 8)) * (t % 3 < 2.5)
    wav = tmp_path / "a.wav"
    write_wav(wav, (0.2 * voice / np.max(np.abs(voice))).astype(np.float32))
    code, out, err = run("practice", "--focus", "monotone", "--rounds", "3", "--no-speak", "--answer-file",
                         str(wav), "--speed", "100", "--json", "-c", "system_design",
                         transcript=" ".join(["we shard by user and cache the reads."] * 6))
    assert code == 0, err
    doc = json.loads(out)
    attempts = doc["attempts"] if "attempts" in doc else [doc]
    assert len(attempts) == rounds
    assert "Focus: monotone (no recorded answers judged yet)" in err
    assert all(bool(a["voice"]["monotone"]) is not lively for a in attempts)
    code, out, _ = run("history", "--json")
    trend = next(v for v in json.loads(out)["voice"] if v["measure"] == "monotone_s")
    assert trend["attempts"] == rounds and trend["present_in"] == (0 if lively else 3)
