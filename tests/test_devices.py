"""End to end on real (virtual) audio devices: PulseAudio null sinks started by the tests.

vmic: answers are played into it with paplay; its monitor is the default input.
vspk: the default output; its monitor is recorded to check what the interviewer said.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from voiceprep.audio.wav import decode

pytestmark = pytest.mark.slow
EXE = str(Path(sys.executable).parent / "voiceprep")
ANSWER = ("So, um, before I design anything, can I ask how many users we expect? I will assume ten million "
          "users and about five thousand requests per second. Uh, I would put a cache in front of the database "
          "and shard it by user, so we can add nodes as traffic grows. The trade-off is that reads can be stale, "
          "so profiles are eventually consistent.")
# ANSWER states a peak rate but no server count: the follow-up asks for one (analysis.followup)
FOLLOW_SERVERS = ("Five thousand requests per second divided by five hundred per server is ten application servers. "
                  "I would put the error rate on a dashboard and alert the on call engineer.")


def play_into_mic(env, wav: Path, delay: float = 1.0) -> subprocess.Popen:
    return subprocess.Popen(["sh", "-c", f"sleep {delay}; exec paplay --device=vmic '{wav}'"], env=env)


def wait_for_recording(folder: Path, timeout: float = 60) -> float:
    """Block until the first audio of an attempt is on disk; returns that moment."""
    deadline = time.monotonic() + timeout
    while not any(p.stat().st_size > 44 for p in folder.glob("*/answer.wav")):
        assert time.monotonic() < deadline, "recording never started"
        time.sleep(0.01)
    return time.monotonic()


def words_of(path: Path, whisper) -> str:
    return whisper.transcribe(decode(path), ["cache", "shard"]).text.lower()


def test_devices_lists_the_virtual_devices(pulse):
    out = subprocess.run([EXE, "devices"], env=pulse, capture_output=True, text=True)
    assert out.returncode == 0 and "pulse" in out.stdout


def test_question_is_spoken_and_the_microphone_answer_is_recorded(pulse, synth, tmp_path, whisper):
    answer = synth(ANSWER, "mic-answer", wpm=160)
    rec = tmp_path / "rec"
    speaker_capture = tmp_path / "speaker.wav"
    parec = subprocess.Popen(["parecord", "--device=vspk.monitor", "--rate=16000", "--channels=1",
                              "--file-format=wav", str(speaker_capture)], env=pulse)
    time.sleep(0.5)
    proc = subprocess.Popen([EXE, "practice", "-q", "sd-url-shortener", "--limit", "30", "--json",
                             "--recordings", str(rec)], env=pulse, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    wait_for_recording(rec)  # the question has been spoken
    player = play_into_mic(pulse, answer, delay=0.3)
    out, err = proc.communicate(timeout=180)
    player.wait()
    parec.send_signal(signal.SIGINT)
    parec.wait()
    assert proc.returncode == 0, err
    doc = json.loads(out)
    heard = words_of(speaker_capture, whisper)
    # the question reached the speaker (tiny.en on espeak's voice misses some words)
    assert sum(w in heard for w in ("million", "links", "month", "redirects", "latency")) >= 3, heard
    assert doc["recording"]["ended_by"] == "limit" and doc["recording"]["overflows"] == 0
    assert doc["latency"]["feedback_s"] > 0
    folder = rec / doc["attempt"]
    assert decode(folder / "answer.wav").size == pytest.approx(30 * 16000, abs=1600)
    text = doc["transcript"]["text"].lower()
    assert "cache" in text and "shard" in text
    hits = {c["id"] for c in doc["cues"] if c["hit"]}
    # Under load on 2 shared cores, tiny.en mishears a word of espeak's voice now and then
    # (one CI run lost "trade-off"), so one of the five spoken cues may be missed.
    said = {"clarify_requirements", "numbers", "scalability", "tradeoffs", "consistency"}
    assert len(said & hits) >= 4, (sorted(said - hits), text)
    assert doc["fillers"]["count"] >= 2
    # one voice measure end to end, through the microphone: espeak-ng's default voice is near 100 Hz
    assert doc["voice"]["reliable"] and 90 <= doc["voice"]["pitch"]["median_hz"] <= 115, doc["voice"]["pitch"]
    assert json.loads((folder / "report.json").read_text()) == doc


def test_sigint_mid_answer_keeps_and_reports_it(pulse, synth, tmp_path):
    answer = synth(ANSWER, "sigint-answer", wpm=160)
    proc = subprocess.Popen([EXE, "practice", "-q", "sd-url-shortener", "--no-speak", "--json",
                             "--recordings", str(tmp_path)], env=pulse, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    wait_for_recording(tmp_path)
    player = play_into_mic(pulse, answer, delay=0.3)
    time.sleep(8)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    player.wait()
    assert proc.returncode == 0, err
    doc = json.loads(out)
    assert doc["recording"]["ended_by"] == "interrupt" and 5 < doc["recording"]["seconds"] < 10
    # what was said before Ctrl-C is in the report ("design" itself is misheard as "deny" now and then)
    assert "users" in doc["transcript"]["text"].lower() and doc["transcription"]["mode"] == "incremental"


def test_sigkill_mid_answer_then_recover_keeps_all_but_a_second(pulse, synth, tmp_path):
    answer = synth(ANSWER, "kill-answer", wpm=160)
    proc = subprocess.Popen([EXE, "practice", "-q", "sd-url-shortener", "--no-speak", "--json",
                             "--recordings", str(tmp_path)], env=pulse, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    started = wait_for_recording(tmp_path)
    player = play_into_mic(pulse, answer, delay=0.3)
    time.sleep(7)
    proc.kill()
    killed_after = time.monotonic() - started
    proc.wait()
    player.wait()
    [folder] = list(tmp_path.iterdir())
    assert json.loads((folder / "attempt.json").read_text())["status"] == "recording"
    out = subprocess.run([EXE, "recover", "--json", "--recordings", str(tmp_path)], env=pulse,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)[0]["attempt"] == folder.name
    seconds = decode(folder / "answer.wav").size / 16000
    assert killed_after - 1.0 <= seconds <= killed_after + 0.3
    report = json.loads((folder / "report.json").read_text())
    assert report["transcript"]["text"] and report["recording"]["ended_by"] == "recovered"


def test_no_input_device_names_demo_and_review(tmp_path):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "none"), "PULSE_SERVER": "unix:/nonexistent"}
    out = subprocess.run([EXE, "practice", "-c", "behavioral", "--no-speak"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and "voiceprep demo" in out.stderr and "voiceprep review" in out.stderr


def test_demo_runs_the_whole_loop_without_a_microphone(pulse, tmp_path):
    out = subprocess.run([EXE, "demo", "--speed", "6", "--json", "--recordings", str(tmp_path)], env=pulse,
                         capture_output=True, text=True, timeout=180)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert doc["question"]["id"] == "sd-url-shortener" and doc["summary"]["cues_hit"] >= 4
    assert doc["latency"]["feedback_s"] is not None


def test_loop_runs_rounds_with_a_follow_up_each_and_scores(pulse, synth, tmp_path):
    answer = synth(ANSWER, "loop-answer", wpm=170)
    follow_up = synth("We have about ten thousand requests a second at peak, and one server handles two thousand, "
                      "so we need five servers.", "loop-follow-up", wpm=150)
    prompts = tmp_path / "prompts"
    (prompts / "stories").mkdir(parents=True)
    (prompts / "stories" / "cache.md").write_text("# The cache in front of the database\n"
                                                  "- A: I put a cache in front of the database and sharded it by user\n"
                                                  "- Lesson: test the failover before launch\n")
    out = subprocess.run([EXE, "loop", "--rounds", "system_design,behavioral", "--no-speak", "--answer-file",
                          str(answer), "--follow-up-file", str(follow_up), "--speed", "8", "--json",
                          "--story", "cache", "--prompts", str(prompts),
                          "--recordings", str(tmp_path)], env=pulse, capture_output=True, text=True, timeout=240)
    assert out.returncode == 0, out.stderr
    doc = json.loads(out.stdout)
    assert [r["question"]["category"] for r in doc["rounds"]] == ["system_design", "behavioral"]
    assert doc["scorecard"]["cues_total"] == sum(len(r["cues"]) for r in doc["rounds"])
    # the story is told in the behavioral round, and checked against its bullets there only
    assert doc["rounds"][0]["story"] is None
    assert doc["rounds"][1]["story"]["id"] == "cache"
    told = {p["id"]: p["hit"] for p in doc["rounds"][1]["points"] if p["source"] == "story"}
    assert told == {"a": True, "lesson": False}, told
    for r in doc["rounds"]:  # one follow-up per round, its answer heard from its own recording and kept
        [entry] = r["follow_ups"]
        assert entry["question"] and "server" in entry["text"].lower(), entry
        assert (tmp_path / r["attempt"] / entry["audio"]).stat().st_size > 10_000


def tmux(*args, env):
    return subprocess.run(["tmux", "-L", "voiceprep-test", *args], env=env, capture_output=True, text=True)


def wait_for(text: str | tuple[str, ...], env, timeout: float = 90) -> str:
    """The screen, wrapped lines joined, once it shows `text` (or any of several)."""
    deadline = time.monotonic() + timeout
    screen = ""
    wanted = (text,) if isinstance(text, str) else text
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "ui", env=env).stdout  # -J: wrapped lines joined
        if any(w in screen for w in wanted):
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared on screen:\n{screen}")


def test_terminal_ui_question_answer_report_follow_up_self_review(pulse, synth, tmp_path):
    """Drive the interactive UI as a user would, under tmux."""
    assert shutil.which("tmux"), "tmux is required (make test installs it)"
    answer = synth(ANSWER, "ui-answer", wpm=160)
    follow = synth(FOLLOW_SERVERS, "ui-follow-servers", wpm=150)
    rec = tmp_path / "rec"
    cmd = f"{EXE} practice -q sd-url-shortener --no-speak --recordings {rec}"
    tmux("new-session", "-d", "-s", "ui", "-x", "110", "-y", "45", cmd, env=pulse)
    try:
        wait_for("Recording", pulse)
        subprocess.run(["paplay", "--device=vmic", str(answer)], env=pulse, check=True)
        tmux("send-keys", "-t", "ui", "Enter", env=pulse)
        screen = wait_for("[r] replay", pulse)
        assert "Checklist" in screen and "Failure modes" in screen
        tmux("send-keys", "-t", "ui", "f", "Enter", env=pulse)
        screen = wait_for("Follow-up:", pulse)
        assert "How many application servers" in screen
        before = screen.count("Enter: finish")
        deadline = time.monotonic() + 30  # the follow-up's recording panel is up: it is listening
        while wait_for("Follow-up:", pulse).count("Enter: finish") <= before and time.monotonic() < deadline:
            time.sleep(0.2)
        subprocess.run(["paplay", "--device=vmic", str(follow)], env=pulse, check=True)
        tmux("send-keys", "-t", "ui", "Enter", env=pulse)
        # the follow-up was heard and its estimate re-checked (its words, and so the verdict, vary with timing)
        screen = wait_for(("the estimate adds up", "No estimate step could be followed", "still off"), pulse)
        tmux("send-keys", "-t", "ui", "s", "Enter", env=pulse)
        for _ in range(7):
            wait_for("agree? [Y/n]", pulse)
            tmux("send-keys", "-t", "ui", "y", "Enter", env=pulse)
            time.sleep(0.2)
        wait_for("Rate your answer 1-5", pulse)
        tmux("send-keys", "-t", "ui", "5", "Enter", env=pulse)
        wait_for("Note (optional)", pulse)
        tmux("send-keys", "-t", "ui", "tighter numbers", "Enter", env=pulse)
        wait_for("Saved: rating 5/5", pulse)
        tmux("send-keys", "-t", "ui", "q", "Enter", env=pulse)
        deadline = time.monotonic() + 20
        while tmux("has-session", "-t", "ui", env=pulse).returncode == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        tmux("kill-server", env=pulse)
    [folder] = list(rec.iterdir())
    doc = json.loads((folder / "report.json").read_text())
    # a peak rate without servers comes before the first missed cue (observability)
    follow_up = doc["follow_ups"][0]
    assert follow_up["reason"] == "servers" and follow_up["estimate"] in ("ok", "unclear", "off"), follow_up
    assert "servers" in follow_up["text"].lower() and (folder / "followup-1.wav").is_file()
    assert doc["self_review"]["rating"] == 5 and doc["self_review"]["note"] == "tighter numbers"
    assert doc["recording"]["ended_by"] == "enter" and (folder / "followup-1.wav").is_file()


def test_doctor_passes_with_speech_at_the_microphone(pulse, synth, tmp_path):
    voice = synth(ANSWER, "doctor-voice", wpm=160)
    player = play_into_mic(pulse, voice, delay=2.5)  # doctor synthesizes its own test voice first
    out = subprocess.run([EXE, "doctor", "--listen", "3", "--recordings", str(tmp_path)], env=pulse,
                         capture_output=True, text=True, timeout=120)
    player.kill()
    assert out.returncode == 0, out.stdout
    for name in ("PortAudio", "microphone", "speaker", "voice", "input level", "model", "disk"):
        assert f"✔ {name}" in out.stdout, out.stdout
    assert "All checks passed." in out.stdout


def test_doctor_prints_a_fix_for_each_failure(tmp_path):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "none"), "PULSE_SERVER": "unix:/nonexistent"}
    out = subprocess.run([EXE, "doctor", "--listen", "1", "--model", str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert "✘ microphone" in out.stdout and "✘ model" in out.stdout
    assert out.stdout.count("fix:") >= 2 and "check(s) failed" in out.stdout


def test_microphone_disappearing_mid_answer_keeps_the_audio(synth, tmp_path, tmp_path_factory):
    """Unload the PulseAudio module that connects voiceprep to its microphone, mid-answer.

    Unloading only the null sink is not a disappearance: PulseAudio moves the stream to another
    source and the recording goes on. Unloading the native protocol cuts the stream for real.
    A dedicated PulseAudio instance, since it cannot be talked to afterwards.
    """
    answer = synth(ANSWER, "vanish-answer", wpm=160)
    run = tmp_path_factory.mktemp("pulse-vanish")
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run), "HOME": str(run)}
    env.pop("PULSE_SERVER", None)
    subprocess.run(["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
                    "--load=module-native-protocol-unix auth-anonymous=1", "--load=module-null-sink sink_name=vmic"],
                   env=env, check=True, capture_output=True)
    try:
        for _ in range(50):
            if subprocess.run(["pactl", "set-default-source", "vmic.monitor"], env=env, capture_output=True).returncode == 0:
                break
            time.sleep(0.1)
        rec = tmp_path / "rec"
        proc = subprocess.Popen([EXE, "practice", "-q", "sd-url-shortener", "--no-speak", "--json",
                                 "--recordings", str(rec)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        wait_for_recording(rec)
        player = subprocess.Popen(["paplay", "--device=vmic", str(answer)], env=env)
        time.sleep(5)
        subprocess.run(["pactl", "unload-module", "module-native-protocol-unix"], env=env, timeout=10)
        out, err = proc.communicate(timeout=120)
        player.wait(timeout=30)
    finally:
        for pid in subprocess.run(["pgrep", "-f", "pulseaudio"], capture_output=True, text=True).stdout.split():
            environ = Path(f"/proc/{pid}/environ")
            if environ.exists() and str(run).encode() in environ.read_bytes():
                os.kill(int(pid), signal.SIGTERM)
    assert proc.returncode == 0, err
    doc = json.loads(out)
    assert doc["recording"]["ended_by"] == "device-lost", doc["recording"]
    assert 3 < doc["recording"]["seconds"] < 8
    assert doc["transcript"]["text"] and "keeping the" in err
    assert json.loads((rec / doc["attempt"] / "report.json").read_text())["recording"]["ended_by"] == "device-lost"


def test_twenty_kills_at_random_moments_all_recover(pulse, synth, tmp_path):
    """SIGKILL the recorder 20 times at random moments; recover keeps all but at most 1 s of each."""
    import random

    answer = synth(ANSWER, "loop-kill-answer", wpm=160)
    rng = random.Random(20)
    expected = {}
    for i in range(20):
        rec = tmp_path / f"run{i}"
        proc = subprocess.Popen([EXE, "practice", "-q", "sd-url-shortener", "--no-speak", "--answer-file",
                                 str(answer), "--recordings", str(rec)], env=pulse,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started = wait_for_recording(rec)
        time.sleep(rng.uniform(0.5, 4.0))
        proc.kill()
        expected[i] = time.monotonic() - started
        proc.wait()
    for i, killed_after in expected.items():
        rec = tmp_path / f"run{i}"
        out = subprocess.run([EXE, "recover", "--json", "--recordings", str(rec)], env=pulse,
                             capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
        [folder] = list(rec.iterdir())
        seconds = decode(folder / "answer.wav").size / 16000
        assert killed_after - 1.0 <= seconds <= killed_after + 0.3, (i, killed_after, seconds)
        meta = json.loads((folder / "attempt.json").read_text())
        assert meta["status"] == "recovered"
        if seconds > 1.5:
            assert json.loads((folder / "report.json").read_text())["transcript"]["text"], i


def test_input_dropped_during_a_stall_is_counted_as_an_overflow(pulse, synth, tmp_path):
    """Freeze the process for 1.5 s mid-answer: PulseAudio drops input without PortAudio's overflow
    flag, so the session's gap meter has to notice it."""
    answer = synth(ANSWER, "stall-answer", wpm=160)
    proc = subprocess.Popen([EXE, "practice", "-q", "sd-url-shortener", "--no-speak", "--json",
                             "--recordings", str(tmp_path)], env=pulse, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    wait_for_recording(tmp_path)
    player = play_into_mic(pulse, answer, delay=0.3)
    time.sleep(2.5)
    proc.send_signal(signal.SIGSTOP)
    time.sleep(1.5)
    proc.send_signal(signal.SIGCONT)
    time.sleep(3)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=120)
    player.wait()
    assert proc.returncode == 0, err
    rec = json.loads(out)["recording"]
    assert rec["ended_by"] == "interrupt"
    assert rec["overflows"] >= 1 and 0.5 < rec["lost_s"] < 2.5, rec


@pytest.fixture(scope="module")
def replay_attempt(pulse, synth, tmp_path_factory) -> Path:
    """One attempt made with `review` (real model), to replay."""
    rec = tmp_path_factory.mktemp("replay") / "rec"
    answer = synth(ANSWER, "replay-answer", wpm=160)
    subprocess.run([EXE, "review", str(answer), "-q", "sd-url-shortener", "--recordings", str(rec), "--json"],
                   env=pulse, check=True, capture_output=True)
    return rec


def test_replay_plays_the_answer_into_the_speaker(pulse, replay_attempt, tmp_path, whisper):
    capture = tmp_path / "heard.wav"
    parec = subprocess.Popen(["parecord", "--device=vspk.monitor", "--rate=16000", "--channels=1",
                              "--file-format=wav", str(capture)], env=pulse)
    time.sleep(0.5)
    out = subprocess.run([EXE, "replay", "last", "--at", "5", "--json", "--recordings", str(replay_attempt)],
                         env=pulse, capture_output=True, text=True, timeout=120)
    time.sleep(0.5)
    parec.send_signal(signal.SIGINT)
    parec.wait(timeout=10)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["finished"] and result["started_at"] == 5.0 and result["keys"] == []
    assert {m["kind"] for m in result["moments"]} >= {"cue"}
    played = decode(replay_attempt.glob("*/answer.wav").__next__())
    heard = decode(capture)
    loud = np.flatnonzero(np.abs(heard) > 0.02)
    assert len(loud), "nothing reached the speaker"
    heard_s = (loud[-1] - loud[0]) / 16000
    assert heard_s == pytest.approx(len(played) / 16000 - 5, abs=1.5)
    text = whisper.transcribe(heard, ["cache", "shard"]).text.lower()
    assert "cache" in text and "before i design" not in text  # it started 5 s in


def test_replay_keys_in_a_terminal(pulse, replay_attempt):
    assert shutil.which("tmux"), "tmux is required (make test installs it)"
    cmd = f"{EXE} replay last --recordings {replay_attempt}"
    tmux("new-session", "-d", "-s", "ui", "-x", "100", "-y", "30", cmd, env=pulse)
    clock = re.compile(r"(\d+):(\d\d) / ")

    def position(screen: str) -> int:
        *_, m = clock.finditer(screen)
        return int(m.group(1)) * 60 + int(m.group(2))
    try:
        wait_for("▶ playing", pulse)
        tmux("send-keys", "-t", "ui", "Space", env=pulse)
        first = position(wait_for("⏸ paused", pulse))
        time.sleep(1.5)
        assert position(wait_for("⏸ paused", pulse)) == first  # time stands still while paused
        tmux("send-keys", "-t", "ui", "Right", env=pulse)
        time.sleep(0.5)
        assert position(wait_for("⏸ paused", pulse)) == first + 5
        tmux("send-keys", "-t", "ui", "Left", env=pulse)
        tmux("send-keys", "-t", "ui", "Space", env=pulse)
        wait_for("▶ playing", pulse)
        tmux("send-keys", "-t", "ui", "q", env=pulse)
        deadline = time.monotonic() + 10
        while tmux("has-session", "-t", "ui", env=pulse).returncode == 0 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert tmux("has-session", "-t", "ui", env=pulse).returncode != 0, "q did not quit"
    finally:
        tmux("kill-server", env=pulse)
