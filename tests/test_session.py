"""The practice loop with the shipped fakes: no device, no model."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from voiceprep.audio.capture import FileRecorder
from voiceprep.audio.wav import write_wav
from voiceprep.practice.menu import Menu, ask_follow_up, scorecard
from voiceprep.practice.recover import recover
from voiceprep.practice.session import Options, Session
from voiceprep.storage.store import Store
from voiceprep.testing import ChunkFake, FakeSpeaker, FakeTranscriber, PressAfter, ScriptedRecorder

ANSWER = ("Can I ask how many users we expect? Let's say 10 million. We shard by user ID and cache hot reads. "
          "The trade-off is stale reads.")
FOLLOW = "If the cache fails we fall back to the database with a circuit breaker."


def make_session(tmp_path, bank, recorder, transcript=ANSWER, keys=None, clock=None):
    t = [0.0]
    get_time = clock or (lambda: t[0])
    return Session(bank=bank, speaker=FakeSpeaker(), make_recorder=lambda: recorder,
                   transcriber=FakeTranscriber(transcript), store=Store(tmp_path / "rec"),
                   console=Console(file=io.StringIO(), width=100), keys=keys or PressAfter(), get_time=get_time,
                   model_name="fake")


def test_ask_speaks_records_to_disk_and_reports(tmp_path, bank):
    rec = ScriptedRecorder(30)
    s = make_session(tmp_path, bank, rec)
    q = bank.question("sd-url-shortener")
    report = s.ask(q, Options(live=False))
    assert s.speaker.said == [q.text] and rec.started and rec.stopped
    folder = tmp_path / "rec" / report.attempt_id
    meta = json.loads((folder / "attempt.json").read_text())
    assert meta["status"] == "done" and meta["ended_by"] == "end-of-file" and meta["overflows"] == 1
    assert report.extra["recording"]["seconds"] == pytest.approx(3.0)
    assert report.feedback_s is not None and report.feedback_s >= 0
    assert json.loads((folder / "report.json").read_text())["latency"]["feedback_s"] is not None
    assert {"clarify_requirements", "numbers", "scalability", "tradeoffs"} <= {c.cue.id for c in report.cues if c.hit}


@pytest.mark.parametrize("recorder, keys, options, ended_by, seconds", [
    (ScriptedRecorder(50), PressAfter(at=10), Options(live=False), "enter", 1.0),
    (ScriptedRecorder(50), None, Options(live=False, time_limit_s=2.0), "limit", 2.0),
    (ScriptedRecorder(50, amp=0), None, Options(live=False, stop_on_silence_s=1.5), "silence", 1.5),
    (ScriptedRecorder(50, interrupt_after=7), None, Options(live=False), "interrupt", 0.7),
])
def test_stop_conditions_keep_the_answer(tmp_path, bank, recorder, keys, options, ended_by, seconds):
    s = make_session(tmp_path, bank, recorder, keys=keys)
    rec = s.record(tmp_path / "a.wav", 60, options.time_limit_s or 90, options)
    assert rec.ended_by == ended_by and rec.seconds == pytest.approx(seconds)
    assert (tmp_path / "a.wav").stat().st_size == 44 + int(seconds * 16000) * 2
    assert recorder.stopped


def test_device_lost_mid_answer_keeps_what_came_before(tmp_path, bank):
    from voiceprep.core.errors import DeviceError

    class Vanishing(ScriptedRecorder):
        def read(self, timeout):
            if self.i == 12:
                raise DeviceError("the input device stopped delivering audio")
            return super().read(timeout)

    s = make_session(tmp_path, bank, Vanishing(50))
    rec = s.record(tmp_path / "a.wav", 60, 90, Options(live=False))
    assert rec.ended_by == "device-lost" and rec.seconds == pytest.approx(1.2)
    assert "keeping the 1.2 s" in s.console.file.getvalue()


def test_gap_meter_counts_audio_that_never_arrived():
    from voiceprep.practice.session import GapMeter

    clock = [0.0]
    m = GapMeter(lambda: clock[0])
    for _ in range(10):  # steady: 0.1 s of audio every 0.1 s, with jitter
        clock[0] += 0.1
        m.add(0.1)
    clock[0] += 0.3  # late but within tolerance
    m.add(0.1)
    assert m.gaps == 0
    clock[0] += 1.6  # a 1.5 s stall whose audio was dropped
    m.add(0.1)
    assert m.gaps == 1 and m.lost_s == pytest.approx(1.7, abs=0.05)
    for _ in range(5):
        clock[0] += 0.1
        m.add(0.1)
    assert m.gaps == 1  # resynced: counted once


def test_gap_meter_reads_the_time_a_block_came_not_the_time_it_was_read():
    """The session loop held up for 1.2 s (its own work) takes queued blocks late: nothing was
    lost, so no gap; a jump in the blocks' own times is one."""
    from voiceprep.practice.session import GapMeter

    read_at = [0.0]
    m = GapMeter(lambda: read_at[0])
    came = [0.1 * (k + 1) for k in range(30)]
    for k, at in enumerate(came):
        read_at[0] = at + (1.2 if 10 <= k < 22 else 0.0)  # blocks 10-21 read 1.2 s late
        m.add(0.1, at)
    assert m.gaps == 0 and m.lost_s == 0.0
    m.add(0.1, came[-1] + 1.6)  # the device delivered nothing for 1.5 s
    assert m.gaps == 1 and m.lost_s == pytest.approx(1.5, abs=0.05)


def test_live_panel_shows_level_time_and_hints(tmp_path, bank):
    s = make_session(tmp_path, bank, ScriptedRecorder(5))
    s.console = Console(file=io.StringIO(), width=100, force_terminal=True)
    s.record(tmp_path / "a.wav", 60, 90, Options(live=True))
    out = s.console.file.getvalue()
    assert "REC" in out and "0:00 / 1:00" in out and "Enter: finish" in out and "input overflows: 1" in out


def test_recover_repairs_unfinished_attempts(tmp_path, bank):
    store = Store(tmp_path / "rec")
    folder = store.new_attempt_dir("sd-url-shortener")
    store.write_meta(folder, {"question": "sd-url-shortener", "category": "system_design", "status": "recording"})
    from voiceprep.audio.capture import WavWriter

    w = WavWriter(folder / "answer.wav")
    w.write(np.full(16000 * 2, 2000, np.int16))  # never closed: killed mid-answer
    done = store.new_attempt_dir("done")
    store.write_meta(done, {"status": "done"})
    results = recover(store, bank, FakeTranscriber(ANSWER))
    assert [f.name for f, _ in results] == [folder.name] and "recovered 2.0 s" in results[0][1]
    assert json.loads((folder / "attempt.json").read_text())["status"] == "recovered"
    assert json.loads((folder / "report.json").read_text())["question"]["id"] == "sd-url-shortener"
    assert recover(store, bank, FakeTranscriber(ANSWER)) == []


def test_menu_follow_up_recovers_the_missed_cue_and_self_review_is_stored(tmp_path, bank):
    rec = ScriptedRecorder(10)
    s = make_session(tmp_path, bank, rec)
    q = bank.question("sd-url-shortener")
    report = s.ask(q, Options(live=False))
    missed = [c for c in report.cues if not c.hit]
    first_missed = missed[0].cue.id
    s.make_recorder = lambda: ScriptedRecorder(10)
    s.transcriber = FakeTranscriber(FOLLOW if first_missed == "failure_modes" else
                                    "I would alert on p99 latency on a dashboard.")
    answers = iter(["f", "s"] + ["y"] * (len(report.cues) - 1) + ["n", "4", "more numbers next time", "q"])
    played = []
    menu = Menu(s, ask=lambda prompt: next(answers), play=played.append)
    assert menu.run(q, report, Options(live=False)) == "quit"
    folder = tmp_path / "rec" / report.attempt_id
    doc = json.loads((folder / "report.json").read_text())
    cue = next(c for c in doc["cues"] if c["id"] == first_missed)
    assert cue["recovered_on_follow_up"] is True
    assert s.speaker.said[-1] == bank.cues[first_missed].follow_up
    assert doc["follow_ups"][0]["hit"] is True and (folder / "followup-1.wav").is_file()
    review = doc["self_review"]
    assert review["rating"] == 4 and review["note"] == "more numbers next time"
    assert review["verdicts"][-1]["agree"] is False and len(review["verdicts"]) == len(report.cues)


def test_menu_replay_again_next(tmp_path, bank):
    s = make_session(tmp_path, bank, ScriptedRecorder(3))
    q = bank.question("sd-url-shortener")
    report = s.ask(q, Options(live=False))
    played = []
    answers = iter(["r", "x", "a"])
    assert Menu(s, ask=lambda p: next(answers), play=played.append).run(q, report, Options()) == "again"
    assert played == [tmp_path / "rec" / report.attempt_id / "answer.wav"]
    assert Menu(s, ask=lambda p: "n", play=played.append).run(q, report, Options()) == "next"


def test_scorecard_totals(tmp_path, bank):
    s = make_session(tmp_path, bank, ScriptedRecorder(3))
    reports = [s.ask(bank.question("sd-url-shortener"), Options(live=False))]
    s.make_recorder = lambda: ScriptedRecorder(3)
    reports.append(s.ask(bank.question("bh-mentoring"), Options(live=False)))
    out = io.StringIO()
    Console(file=out, width=120).print(scorecard(reports))
    total = sum(r.hits for r in reports), sum(len(r.cues) for r in reports)
    assert f"{total[0]}/{total[1]}" in out.getvalue()


def test_loop_s_follow_up_is_asked_stored_and_scored(tmp_path, bank):
    """`loop` asks one follow-up per round through the same function as the menu's [f]."""
    s = make_session(tmp_path, bank, ScriptedRecorder(3))
    q = bank.question("sd-url-shortener")
    report = s.ask(q, Options(live=False, speak=False))
    missed = next(c for c in report.cues if not c.hit)
    s.make_recorder = lambda: ScriptedRecorder(3)
    s.transcriber = FakeTranscriber(FOLLOW)
    entry = ask_follow_up(s, q, report, Options(live=False, speak=False), s.store.root / report.attempt_id)
    assert entry is not None and entry["cue"] == missed.cue.id and entry["audio"] == "followup-1.wav"
    out = io.StringIO()
    Console(file=out, width=140).print(scorecard([report]))
    assert f"{missed.cue.id} {'✔' if entry['hit'] else '✘'}" in out.getvalue()


def test_file_recorder_session_end_to_end(tmp_path, bank):
    path = tmp_path / "answer.wav"
    write_wav(path, np.zeros(16000 * 2, np.float32))
    s = make_session(tmp_path, bank, None)
    s.make_recorder = lambda: FileRecorder(path, speed=100)
    report = s.ask(bank.question("bh-mentoring"), Options(live=False, speak=False))
    assert report.extra["recording"]["ended_by"] == "end-of-file" and s.speaker.said == []
    assert Path(tmp_path / "rec" / report.attempt_id / "answer.wav").stat().st_size == 44 + 64000


def test_prep_countdown_runs_and_enter_skips_it(tmp_path, bank):
    clock = [0.0]
    s = make_session(tmp_path, bank, ScriptedRecorder(2), clock=lambda: clock[0])
    s.sleep = lambda seconds: clock.__setitem__(0, clock[0] + seconds)
    s.console = Console(file=io.StringIO(), width=80, force_terminal=True)
    s._prep(3.0)
    assert clock[0] == pytest.approx(3.0, abs=0.11) and "Prepare:" in s.console.file.getvalue()
    clock[0] = 0.0
    s.keys = PressAfter(at=2)
    s._prep(30.0)
    assert clock[0] < 1.0  # Enter started the answer early


def test_incremental_path_feeds_the_stream_keeps_no_audio_and_shows_captions(tmp_path, bank):
    class Paced(ScriptedRecorder):  # 25 s of steady sound, 20x real time: the front lane cuts at max_chunk_s
        def read(self, timeout):
            time.sleep(0.005)
            return super().read(timeout)

    s = make_session(tmp_path, bank, Paced(250))
    s.transcriber = ChunkFake(ANSWER)
    s.console = Console(file=io.StringIO(), width=100, force_terminal=True)
    report = s.ask(bank.question("sd-url-shortener"), Options(live=True, captions=True))
    s.close()
    facts = report.extra["transcription"]
    assert facts["mode"] == "incremental" and facts["passes"] >= 2 and s.transcriber.windows
    assert report.transcript.words and report.transcript.duration == pytest.approx(25.0)
    assert s.transcriber.calls == []  # never a whole-file transcription
    assert "heard: …" in s.console.file.getvalue()
    whole = make_session(tmp_path, bank, ScriptedRecorder(20))
    whole.transcriber = ChunkFake(ANSWER)
    r2 = whole.ask(bank.question("sd-url-shortener"), Options(live=False, incremental=False))
    assert r2.extra["transcription"] == {"mode": "whole-file"} and whole.transcriber.calls


def test_report_counts_the_careful_windows_where_a_safety_net_decided():
    """Windows where a later pass of nets.hear was kept, and windows the lane skipped (there the
    incremental words are the front lane's, not whole-file's)."""
    from voiceprep.hearing.incremental import IncrementalStream
    from voiceprep.hearing.passes import Pass

    stream = IncrementalStream(ChunkFake(ANSWER), careful=False, threaded=False)
    stream.passes += [Pass("careful", note="", seconds=1.0), Pass("careful", note="no context", seconds=1.0),
                      Pass("careful", note="plain", seconds=1.0), Pass("careful", note="no context", seconds=1.0),
                      Pass("careful", skipped=(0.0, 30.0)), Pass("front", note="plain", seconds=0.4),
                      Pass("front", window=(0.0, 9.0), cancelled=True, seconds=0.1)]
    facts = stream.facts().to_dict()
    assert facts["careful_nets"] == {"no context": 2, "plain": 1, "skipped": 1}
    assert facts["cancelled"] == 1 and facts["passes"] == 6


def test_record_into_a_stream_holds_no_audio_in_memory(tmp_path, bank):
    fed = []

    class Sink:
        def feed(self, samples):
            fed.append(len(samples))

    s = make_session(tmp_path, bank, ScriptedRecorder(10))
    rec = s.record(tmp_path / "a.wav", 60, 90, Options(live=False), stream=Sink())
    assert rec.audio is None and sum(fed) == 16000 and rec.seconds == pytest.approx(1.0)


def test_a_detector_that_cannot_load_is_told_once_and_the_rules_judge(tmp_path, bank):
    from voiceprep.core.errors import ModelError

    def missing():
        raise ModelError("the sentence-embedding model is missing: install it")

    s = make_session(tmp_path, bank, ScriptedRecorder(20))
    s.load_detector = missing
    first = s.ask(bank.question("sd-url-shortener"), Options(live=False, speak=False))
    s.make_recorder = lambda: ScriptedRecorder(20)
    s.ask(bank.question("sd-url-shortener"), Options(live=False, speak=False))
    said = s.console.file.getvalue()
    assert said.count("cue verdicts come from the rules alone") == 1 and first.cues
    assert all(c.score is None for c in first.cues)


@pytest.mark.parametrize("follow_text, verdict, shown", [
    ("Five thousand requests per second divided by five hundred per server is ten application servers.", "ok",
     "the estimate adds up"),
    ("Five thousand requests per second divided by five hundred per server is a hundred servers.", "off", "still off"),
    ("We would add servers as needed.", "unclear", "No estimate step could be followed"),
])
def test_a_follow_up_on_a_missing_server_count_rechecks_the_new_estimate(tmp_path, bank, follow_text, verdict, shown):
    s = make_session(tmp_path, bank, ScriptedRecorder(20),
                     transcript="I assume ten million users and five thousand requests per second. We cache reads.")
    s.console = Console(file=io.StringIO(), width=120)
    q = bank.question("sd-url-shortener")
    report = s.ask(q, Options(live=False, speak=False))
    s.make_recorder = lambda: ScriptedRecorder(10)
    s.transcriber = FakeTranscriber(follow_text)
    answers = iter(["f", "q"])
    Menu(s, ask=lambda prompt: next(answers), play=lambda path: None).run(q, report, Options(live=False, speak=False))
    doc = json.loads((tmp_path / "rec" / report.attempt_id / "report.json").read_text())
    assert doc["follow_ups"][0]["reason"] == "servers" and doc["follow_ups"][0]["estimate"] == verdict
    assert shown in s.console.file.getvalue()


def test_the_voice_is_measured_from_the_recorded_blocks(tmp_path, bank):
    """A 20 s flat 140 Hz voice with pauses, fed block by block while recording: monotone, at its pitch."""
    t = np.arange(16000 * 20) / 16000
    phase = 2 * np.pi * 140 * t
    tone = sum(np.sin(k * phase) / k for k in range(1, 8)) * (t % 3 < 2.5)  # a pause every 3 s
    path = tmp_path / "answer.wav"
    write_wav(path, (0.2 * tone / np.max(np.abs(tone))).astype(np.float32))
    s = make_session(tmp_path, bank, None, transcript=" ".join(["we shard by user and cache reads."] * 7))
    s.make_recorder = lambda: FileRecorder(path, speed=100)
    report = s.ask(bank.question("sd-url-shortener"), Options(live=False, speak=False))
    voice = report.to_json()["voice"]
    assert voice["reliable"] and voice["pitch"]["median_hz"] == pytest.approx(140, rel=0.01)
    assert voice["monotone"] and voice["monotone"][0]["end"] - voice["monotone"][0]["start"] >= 15
    parts = report.extra["feedback_timing"]
    assert set(parts) == {"before_s", "transcript_s", "terms_s", "analysis_s", "voice_s"}
    assert all(v >= 0 for v in parts.values()) and sum(parts.values()) == pytest.approx(report.feedback_s, abs=0.01)
    stored = json.loads((tmp_path / "rec" / report.attempt_id / "report.json").read_text())
    assert stored["voice"]["pitch"] == voice["pitch"]


def test_a_story_told_with_other_numbers_than_last_time_is_quoted_both_ways(tmp_path, bank):
    from voiceprep.core.stories import parse_story
    from voiceprep.testing import fake_detector

    story = parse_story("# Bus\n- R: we reached 10,000 sign-ups a day\n", "bus.md", "bus")
    q = bank.question("bh-most-challenging-project")
    s = make_session(tmp_path, bank, ScriptedRecorder(10), transcript="we reached 10,000 sign-ups a day")
    s.load_detector = fake_detector
    first = s.ask(q, Options(live=False, speak=False, story=story))
    assert [(p.point.id, p.hit) for p in first.points if p.source == "story"] == [("r", True)] and not first.mismatches
    s.make_recorder, s.transcriber = (lambda: ScriptedRecorder(10)), FakeTranscriber("we reached 12,000 sign-ups a day")
    second = s.ask(q, Options(live=False, speak=False, story=story))
    assert [(m.kind, m.against) for m in second.mismatches] == [("number", "notes"), ("number", "last attempt")]
    assert second.mismatches[1].noted == "we reached 10,000 sign-ups a day"


def test_a_follow_up_on_a_missed_point_rechecks_that_point(tmp_path, bank):
    from voiceprep.testing import fake_detector

    q = bank.question("sd-news-feed")
    s = make_session(tmp_path, bank, ScriptedRecorder(10), transcript=q.points[0].examples[0])
    s.load_detector = fake_detector
    report = s.ask(q, Options(live=False, speak=False))
    missed = next(p for p in report.points if not p.hit)
    s.make_recorder = lambda: ScriptedRecorder(10)
    s.transcriber = FakeTranscriber(missed.point.examples[0])
    entry = ask_follow_up(s, q, report, Options(live=False, speak=False), s.store.root / report.attempt_id)
    assert entry is not None and entry["reason"] == "point" and entry["point"] == missed.point.id
    assert entry["hit"] is True


def test_a_follow_up_on_a_missed_story_bullet_rechecks_it_against_the_storys_bullets(tmp_path, bank):
    from voiceprep.core.stories import parse_story
    from voiceprep.testing import fake_detector

    story = parse_story("# Bus\n- T: I owned the library design and the load tests\n"
                        "- R: we reached 10,000 sign-ups a day\n", "bus.md", "bus")
    q = bank.question("bh-most-challenging-project")
    s = make_session(tmp_path, bank, ScriptedRecorder(10), transcript="we reached 10,000 sign-ups a day")
    s.load_detector = fake_detector
    report = s.ask(q, Options(live=False, speak=False, story=story))
    told = {p.point.id: p.hit for p in report.points if p.source == "story"}
    assert told == {"t": False, "r": True}
    report.points = [p for p in report.points if p.source == "story"]  # the story's bullet is the one asked about
    s.make_recorder = lambda: ScriptedRecorder(10)
    s.transcriber = FakeTranscriber("I owned the library design and the load tests")
    entry = ask_follow_up(s, q, report, Options(live=False, speak=False), s.store.root / report.attempt_id)
    assert entry is not None and (entry["reason"], entry["point"], entry["hit"]) == ("point", "t", True)


def test_closing_after_a_failed_answer_waits_for_the_model_still_loading(tmp_path, bank):
    """The model loads in a thread while the question is spoken; when the answer fails (here the disk
    fills as the recording ends) before it has loaded, closing the session waits for it: a process
    that exits while the thread is inside CTranslate2 aborts ("terminate called without an active
    exception")."""
    import errno
    import threading

    release, loaded = threading.Event(), threading.Event()

    class SlowLoad(FakeTranscriber):
        def load(self) -> None:
            release.wait()
            loaded.set()

    s = make_session(tmp_path, bank, ScriptedRecorder(10))
    s.transcriber = SlowLoad(ANSWER)
    first_meta = s.store.write_meta

    def full_after_first(folder, fields):
        if fields.get("status") != "recording":
            raise OSError(errno.ENOSPC, "No space left on device")
        return first_meta(folder, fields)

    s.store.write_meta = full_after_first
    with pytest.raises(OSError):
        s.ask(bank.question("sd-url-shortener"), Options(live=False, speak=False))
    assert not loaded.is_set()
    release.set()
    s.close()
    assert loaded.is_set()
