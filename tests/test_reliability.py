"""Reliability: bad input never gives a traceback, never touches what is stored, and faults
(disk full, crashes, two processes, a report write dying) never lose a recording."""

from __future__ import annotations

import ast
import io
import json
import os
import struct
import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from voiceprep.audio.wav import write_wav
from voiceprep.cli.main import Env, main

EXE = str(Path(sys.executable).parent / "voiceprep")
PKG = Path(__file__).resolve().parent.parent / "voiceprep"
GOOD_Q = '[[question]]\nid = "mine"\ncategory = "behavioral"\ntext = "Why?"\ntarget_s = 60\n'


def bank_dir(tmp: Path, name: str, content: str | bytes | None) -> str:
    d = tmp / name
    d.mkdir()
    if content is not None:
        (d / "bank.toml").write_bytes(content if isinstance(content, bytes) else content.encode())
    return str(d)


def sparse_two_hour_wav(path: Path) -> str:
    data = 2 * 3600 * 16000 * 2
    header = (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE" + b"fmt "
              + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16) + b"data" + struct.pack("<I", data))
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(44 + data)  # sparse: no disk used, no time spent
    return str(path)


def wav_of(path: Path, samples: np.ndarray) -> str:
    write_wav(path, samples)
    return str(path)


def put(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


# (id, argv builder, expected message fragment). `t` is the test's temp dir.
MATRIX = [
    # banks
    ("bank-malformed-toml", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", "[[question]\n")], "not valid TOML"),
    ("bank-duplicate-ids", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", GOOD_Q + GOOD_Q)], "duplicate question id"),
    ("bank-duplicate-of-bundled", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", GOOD_Q.replace('"mine"', '"bh-mentoring"'))], "duplicate question id (also in"),
    ("bank-unknown-cue", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", GOOD_Q + 'cues = ["charisma"]\n')], "unknown cue 'charisma'"),
    ("bank-invalid-pattern", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", '[cues.x]\nlabel="X"\ntip="t"\nfollow_up="f"\n[[cues.x.rules]]\nmatch=["(unclosed"]\n')], "invalid pattern"),
    ("bank-empty-folder", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", None)], "holds no *.toml bank files"),
    ("bank-not-utf8", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", b"\xff\xfe\xfa")], "not UTF-8"),
    ("bank-unknown-category", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", GOOD_Q.replace("behavioral", "astrology"))], "unknown category 'astrology'"),
    ("bank-unknown-field", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", GOOD_Q + "targt = 3\n")], "field 'targt': unknown field"),
    ("bank-path-in-id", lambda t: ["check", "-", "-c", "behavioral", "--prompts", bank_dir(t, "b", GOOD_Q.replace('"mine"', '"../../etc/passwd"'))], "field 'id'"),
    ("bank-folder-missing", lambda t: ["check", "-", "-c", "behavioral", "--prompts", str(t / "nowhere")], "prompts folder not found"),
    # audio for review
    ("audio-zero-bytes", lambda t: ["review", put(t / "a.wav", b""), "-c", "system_design"], "file is empty"),
    ("audio-truncated-wav", lambda t: ["review", put(t / "a.wav", b"RIFF\x24\x00\x00\x00WAVEfmt "), "-c", "system_design"], "cannot decode audio"),
    ("audio-text-renamed", lambda t: ["review", put(t / "a.wav", b"Dear diary, today I practised.\n" * 40), "-c", "system_design"], "cannot decode audio"),
    ("audio-random-bytes-mp3", lambda t: ["review", put(t / "a.mp3", np.random.default_rng(3).bytes(50_000)), "-c", "system_design"], "cannot decode audio"),
    ("audio-png-as-m4a", lambda t: ["review", put(t / "a.m4a", b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000), "-c", "system_design"], "cannot decode audio"),
    ("audio-missing", lambda t: ["review", str(t / "nope.wav"), "-c", "system_design"], "no such file"),
    ("audio-directory", lambda t: ["review", str(t), "-c", "system_design"], "not a file"),
    ("audio-two-hours", lambda t: ["review", sparse_two_hour_wav(t / "long.wav"), "-c", "system_design"], "120 min long"),
    ("audio-silence", lambda t: ["review", wav_of(t / "s.wav", np.zeros(16000 * 5, np.float32)), "-c", "system_design"], "no speech detected"),
    ("audio-noise", lambda t: ["review", wav_of(t / "n.wav", (np.random.default_rng(4).standard_normal(16000 * 5) * 0.2).astype(np.float32)), "-c", "system_design"], "no speech detected"),
    # questions, options
    ("unknown-question", lambda t: ["check", "-", "-q", "sd-nothing"], "unknown question id"),
    ("unknown-category", lambda t: ["check", "-", "-c", "cooking"], "unknown category"),
    ("question-category-mismatch", lambda t: ["check", "-", "-q", "bh-mentoring", "-c", "system_design"], "is in category 'behavioral'"),
    ("no-question-or-category", lambda t: ["check", "-"], "give --question ID or --category C"),
    ("bad-wpm-range", lambda t: ["check", "-", "-c", "behavioral", "--wpm", "160-130"], "must have 0 < LOW < HIGH"),
    ("bad-model-path", lambda t: ["review", wav_of(t / "a.wav", np.zeros(1600, np.float32)), "-c", "system_design", "--model", str(t)], "no model.bin"),
    ("unknown-command", lambda t: ["interview"], "invalid choice"),
    # transcripts for check
    ("transcript-empty-file", lambda t: ["check", put(t / "a.txt", b""), "-c", "behavioral"], "transcript is empty"),
    ("transcript-not-utf8", lambda t: ["check", put(t / "a.txt", b"caf\xe9 \xff"), "-c", "behavioral"], "not UTF-8"),
    ("transcript-missing", lambda t: ["check", str(t / "nope.txt"), "-c", "behavioral"], "no such file"),
    # storage
    ("recordings-is-a-file", lambda t: ["review", os.environ["VP_SPEECH"], "-c", "system_design", "--recordings", put(t / "file", b"x")], "cannot create recordings folder"),
    # devices
    ("practice-answer-file-missing", lambda t: ["practice", "-q", "bh-mentoring", "--answer-file", str(t / "nope.wav"), "--no-speak"], "no such file"),
    ("practice-bad-rounds", lambda t: ["practice", "-c", "behavioral", "--rounds", "0", "--no-speak"], "--rounds must be at least 1"),
]


@pytest.fixture(scope="module")
def speech_wav(synth):
    return synth("At my last job I owned the billing service and I cut failed payments by forty percent.", "speech")


@pytest.mark.slow
@pytest.mark.parametrize("case, build, message", MATRIX, ids=[c[0] for c in MATRIX])
def test_bad_input_matrix(case, build, message, tmp_path, user_dirs, monkeypatch, speech_wav):
    monkeypatch.setenv("VP_SPEECH", str(speech_wav))
    old = user_dirs / "20260101-000000-kept"
    old.mkdir(parents=True)
    (old / "report.json").write_text('{"kept": true}')
    before = sorted(p.name for p in user_dirs.rglob("*"))
    argv = build(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, Env(stdout=out, stderr=err, stdin=io.StringIO("At my last job I led the migration.")))
    lines = err.getvalue().strip().splitlines()
    assert code == 2, (case, err.getvalue(), out.getvalue())
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0], err.getvalue()
    assert "Traceback" not in err.getvalue() and out.getvalue() == ""
    assert sorted(p.name for p in user_dirs.rglob("*")) == before
    assert (old / "report.json").read_text() == '{"kept": true}'


def test_matrix_has_at_least_30_cases():
    assert len(MATRIX) >= 30


@pytest.mark.slow
def test_no_input_device_is_in_the_matrix_too(tmp_path):
    env = {**os.environ, "XDG_RUNTIME_DIR": str(tmp_path / "none"), "PULSE_SERVER": "unix:/nonexistent"}
    for argv in (["practice", "-c", "behavioral", "--no-speak"], ["practice", "-c", "behavioral", "--input-device", "usb-mic"]):
        out = subprocess.run([EXE, *argv], env=env, capture_output=True, text=True, timeout=60)
        assert out.returncode == 2 and out.stderr.count("\n") == 1 and "no input device" in out.stderr


@pytest.mark.slow
def test_unusual_but_valid_audio_works(tmp_path, synth, user_dirs):
    """8 kHz stereo MP3 is decoded and resampled; clipped audio is analysed and flagged."""
    import av

    from voiceprep.audio.wav import decode

    speech = decode(synth("I would put a cache in front of the database and shard it by user.", "mp3src"))
    mp3 = tmp_path / "answer.mp3"
    with av.open(str(mp3), "w") as out:
        stream = out.add_stream("libmp3lame", rate=8000, layout="stereo")
        pcm = (np.interp(np.arange(0, len(speech), 2), np.arange(len(speech)), speech) * 32767).astype(np.int16)
        frame = av.AudioFrame.from_ndarray(np.repeat(pcm, 2).reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = 8000
        for packet in stream.encode(frame):
            out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)
    res = subprocess.run([EXE, "review", str(mp3), "-c", "system_design", "--json"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    doc = json.loads(res.stdout)
    assert doc["audio"]["seconds"] == pytest.approx(len(speech) / 16000, abs=0.3)  # decoded and resampled
    assert "would put" in doc["transcript"]["text"].lower()
    clipped = tmp_path / "clipped.wav"
    write_wav(clipped, np.clip(speech * 8, -1, 1))
    res = subprocess.run([EXE, "review", str(clipped), "-c", "system_design"], capture_output=True, text=True)
    assert res.returncode == 0 and "clipped" in res.stderr
    doc = json.loads((next(user_dirs.glob("*clipped*"), None) or sorted(user_dirs.iterdir())[-1]).joinpath("report.json").read_text())
    assert doc["audio"]["clipped_fraction"] > 0.01


def test_report_write_crash_leaves_the_old_report(tmp_path, bank, monkeypatch):
    from voiceprep.analysis.report import analyse_answer
    from voiceprep.storage.store import Store
    from voiceprep.testing import timed_transcript

    store = Store(tmp_path)
    report = analyse_answer(timed_transcript("We shard by user."), bank, "system_design")
    folder = store.save(report, None)
    before = (folder / "report.json").read_bytes()
    report.extra["self_review"] = {"rating": 5}

    def crash(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    from voiceprep.core.errors import StorageError

    with pytest.raises(StorageError, match="No space left"):
        store.write_results(folder, report)
    monkeypatch.undo()
    assert (folder / "report.json").read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["attempt.json", "report.json", "report.md", "transcript.json"]


@pytest.mark.slow
def test_two_processes_recording_at_once_never_clobber(tmp_path, synth):
    answer = synth("I led the migration and I cut costs by half.", "two")
    cmd = [EXE, "practice", "-q", "bh-mentoring", "--no-speak", "--answer-file", str(answer), "--speed", "4",
           "--json", "--recordings", str(tmp_path)]
    procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    docs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        docs.append(json.loads(out))
    assert docs[0]["attempt"] != docs[1]["attempt"]
    for d in docs:
        folder = tmp_path / d["attempt"]
        assert json.loads((folder / "report.json").read_text())["attempt"] == d["attempt"]
        with wave.open(str(folder / "answer.wav")) as w:
            assert w.getnframes() > 16000


def _can_mount() -> bool:
    return os.geteuid() == 0 and subprocess.run(["which", "mount"], capture_output=True).returncode == 0


@pytest.mark.slow
def test_disk_full_while_recording_keeps_what_fit(tmp_path, synth):
    """A 320 KB tmpfs as the recordings folder fills up mid-answer (the writer fault is injected
    instead where mounting is not allowed)."""
    answer = synth("First I clarify the requirements. " * 12, "long-answer")
    rec = tmp_path / "rec"
    rec.mkdir()
    mounted = _can_mount() and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=320k", "tmpfs", str(rec)]).returncode == 0
    try:
        kept = rec / "20260101-000000-kept"
        kept.mkdir()
        (kept / "report.json").write_text('{"kept": true}')
        if not mounted:  # pragma: no cover - CI runs as root; the injected variant below always runs
            pytest.skip("cannot mount a tmpfs here; test_disk_full_injected_at_the_writer covers it")
        res = subprocess.run([EXE, "practice", "-q", "bh-mentoring", "--no-speak", "--answer-file", str(answer),
                              "--speed", "10", "--json", "--recordings", str(rec)],
                             capture_output=True, text=True, timeout=120)
        said = f"exit {res.returncode}\nstdout: {res.stdout[-500:]}\nstderr: {res.stderr[-1500:]}"
        assert res.returncode == 2 and res.stderr.strip().splitlines()[-1].startswith("error: "), said
        assert "No space left" in res.stderr and "Traceback" not in res.stderr, said
        attempts = [d for d in rec.iterdir() if d.name != kept.name]
        assert len(attempts) == 1, (attempts, said)
        size = (attempts[0] / "answer.wav").stat().st_size
        assert size > 200_000, (size, said)  # most of the 320 KB holds the answer
        assert (kept / "report.json").read_text() == '{"kept": true}'
    finally:
        if mounted:
            subprocess.run(["umount", str(rec)])


def test_disk_full_injected_at_the_writer(tmp_path, bank, monkeypatch):
    """The same fault without a mount: the writer raises ENOSPC after 25 blocks."""
    from rich.console import Console

    from voiceprep.audio.capture import WavWriter
    from voiceprep.practice.session import Options, Session
    from voiceprep.storage.store import Store
    from voiceprep.testing import FakeSpeaker, FakeTranscriber, ScriptedRecorder

    real_write = WavWriter.write
    calls = {"n": 0}

    def write(self, samples):
        calls["n"] += 1
        if calls["n"] > 25:
            raise OSError(28, "No space left on device")
        real_write(self, samples)

    monkeypatch.setattr(WavWriter, "write", write)

    console = Console(file=io.StringIO())
    s = Session(bank, FakeSpeaker(), lambda: ScriptedRecorder(1000), FakeTranscriber("I led it."), Store(tmp_path),
                console)
    rec = s.record(tmp_path / "a.wav", 60, 90, Options(live=False))
    assert rec.ended_by == "storage-error" and rec.seconds == pytest.approx(2.5)
    assert (tmp_path / "a.wav").stat().st_size == 44 + 25 * 3200
    assert "No space left" in console.file.getvalue()


def test_nothing_in_the_package_executes_bank_text():
    """Banks are parsed as TOML and compiled as regexes; no eval, exec, pickle or shell anywhere."""
    banned = {"eval", "exec", "compile", "__import__"}
    for path in PKG.rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                assert node.func.id not in banned, f"{path}:{node.lineno} calls {node.func.id}"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not {"pickle", "marshal", "shelve", "subprocess"} & set(names), f"{path}: {names}"


def test_script_tag_in_a_question_stays_text(tmp_path, bank):
    d = tmp_path / "b"
    d.mkdir()
    (d / "x.toml").write_text('[[question]]\nid = "xss"\ncategory = "behavioral"\n'
                              'text = "<script>alert(1)</script> Tell me"\ntarget_s = 60\n')
    out = io.StringIO()
    assert main(["check", "-", "-q", "xss", "--prompts", str(d), "--json"],
                Env(stdout=out, stderr=io.StringIO(), stdin=io.StringIO("I led it."))) == 0
    assert json.loads(out.getvalue())["question"]["text"].startswith("<script>")


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS")


def _session(tmp_path, bank, transcriber, answer):
    from rich.console import Console

    from voiceprep.audio.capture import FileRecorder
    from voiceprep.practice.session import Session
    from voiceprep.storage.store import Store
    from voiceprep.testing import FakeSpeaker

    return Session(bank, FakeSpeaker(), lambda: FileRecorder(answer, speed=200), transcriber, Store(tmp_path),
                   Console(file=io.StringIO()), model_name="tiny.en")


@pytest.mark.slow
def test_soak_100_attempts_in_one_process(tmp_path, bank, whisper, synth):
    import gc
    import threading

    from voiceprep.practice.session import Options

    answer = synth("At my last job I owned the billing service. I cut failed payments by forty percent.", "soak")
    session = _session(tmp_path, bank, whisper, answer)
    q = bank.question("bh-mentoring")
    opts = Options(live=False, speak=False)
    for _ in range(5):  # warm up: caches, allocator, model buffers
        session.ask(q, opts)
    session.close()  # the last careful pass runs on after the report (at low priority): let it end
    gc.collect()
    rss0, fds0, threads0 = _rss_mb(), len(os.listdir("/proc/self/fd")), threading.active_count()
    for _ in range(100):
        report = session.ask(q, opts)
        assert report.hits > 0
    session.close()
    gc.collect()
    rss1, fds1, threads1 = _rss_mb(), len(os.listdir("/proc/self/fd")), threading.active_count()
    print(f"soak: RSS {rss0:.0f} -> {rss1:.0f} MB, fds {fds0} -> {fds1}, threads {threads0} -> {threads1}")
    assert rss1 - rss0 < 50
    assert fds1 <= fds0 and threads1 <= threads0
    assert len(list(tmp_path.iterdir())) == 105


@pytest.mark.slow
def test_default_use_opens_no_network_connection(tmp_path, bank, synth, monkeypatch, user_dirs):
    """Block every IP connection, then run review and the practice loop with the bundled model."""
    import socket

    from voiceprep.hearing.whisper import WhisperTranscriber
    from voiceprep.practice.session import Options

    attempts = []
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6):
            attempts.append(address)
            raise OSError("network blocked by test")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, a: attempts.append(a) or 111)
    monkeypatch.setattr(socket, "getaddrinfo", lambda *a, **k: attempts.append(a) or (_ for _ in ()).throw(OSError("dns blocked")))
    answer = synth("I would put a cache in front of the database.", "private")
    out, err = io.StringIO(), io.StringIO()
    assert main(["review", str(answer), "-c", "system_design", "--json"], Env(stdout=out, stderr=err)) == 0, err.getvalue()
    session = _session(tmp_path, bank, WhisperTranscriber(), answer)  # a fresh model load, under the block
    report = session.ask(bank.question("sd-url-shortener"), Options(live=False, speak=False))
    assert "cache" in report.transcript.text.lower()
    assert attempts == []
    assert oct(user_dirs.stat().st_mode & 0o777) == "0o700"


@pytest.mark.slow
def test_read_only_recordings_folder(tmp_path, speech_wav):
    """A read-only mount (chmod does not stop root): one line, exit 2, the stored attempt intact."""
    rec = tmp_path / "rec"
    rec.mkdir()
    if not (_can_mount() and subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(rec)]).returncode == 0):
        pytest.skip("cannot mount here")  # pragma: no cover - CI runs as root
    try:
        kept = rec / "20260101-000000-kept"
        kept.mkdir()
        (kept / "report.json").write_text('{"kept": true}')
        subprocess.run(["mount", "-o", "remount,ro", str(rec)], check=True)
        res = subprocess.run([EXE, "review", str(speech_wav), "-c", "behavioral", "--recordings", str(rec)],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 2 and res.stdout == ""
        assert res.stderr.count("\n") == 1 and "Read-only file system" in res.stderr
        assert [p.name for p in rec.iterdir()] == [kept.name] and (kept / "report.json").read_text() == '{"kept": true}'
    finally:
        subprocess.run(["umount", str(rec)])
