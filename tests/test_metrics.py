from __future__ import annotations

import pytest

from voiceprep.analysis.metrics import Thresholds, analyse
from voiceprep.core.transcript import Transcript, Word
from voiceprep.testing import timed_transcript


def fillers_of(text: str) -> list[str]:
    return [f.word for f in analyse(Transcript(text=text)).fillers]


@pytest.mark.parametrize("text, expected", [
    ("So, um, the cache. Uh, yes.", ["um", "uh"]),
    ("It is, like, really slow.", ["like"]),
    ("Like, we never tested it.", ["like"]),
    ("um like the queue", ["um", "like"]),
    ("It looks like a queue.", []),
    ("I would like to add a cache.", []),
    ("A database, like Postgres, works.", []),
    ("You know, the write path is hard.", ["you know"]),
    ("Do you know the answer?", []),
    ("I mean, it depends.", ["I mean".lower()]),
    ("What I mean is the cache.", []),
    ("It was sort of slow and kind of flaky.", ["sort of", "kind of"]),
    ("What kind of database? This sort of thing.", []),
    ("It is basically a queue, literally.", ["basically", "literally"]),
    ("Erm, hmm, er.", ["erm", "hmm", "er"]),
])
def test_fillers(text, expected):
    assert fillers_of(text) == expected


def test_timing_pauses_and_pace():
    words = [Word(" One", 1.0, 1.4), Word(" two", 1.5, 1.9), Word(" three.", 5.0, 5.4), Word(" Four.", 5.5, 6.0)]
    m = analyse(Transcript.from_words(words, duration=8.0), target_s=20, thresholds=Thresholds(pause_s=2.0))
    assert m.duration_s == 8.0
    assert m.first_word_s == 1.0
    assert [(p.start, p.end) for p in m.pauses] == [(1.9, 5.0)]
    assert m.longest_pause_s == pytest.approx(3.1)
    assert m.speaking_s == pytest.approx(5.0 - 3.1)  # span 5.0 s less the 3.1 s silence
    assert m.wpm == pytest.approx(4 / 5.0 * 60)
    assert m.target_status == "under"


@pytest.mark.parametrize("wpm, pace", [(100, "slow"), (145, "good"), (190, "fast")])
def test_pace_against_thresholds(wpm, pace):
    t = timed_transcript(" ".join(["word"] * 120), wpm=wpm)
    m = analyse(t)
    assert m.wpm == pytest.approx(wpm, rel=0.05)
    assert m.pace == pace


def test_windows_report_pace_over_time():
    t = timed_transcript(" ".join(["word"] * 160), wpm=150, start=0.0)
    m = analyse(t, thresholds=Thresholds(window_s=30))
    assert [w["start"] for w in m.windows] == [0.0, 30.0, 60.0]
    assert m.windows[0]["words"] == 75 and m.windows[0]["wpm"] == pytest.approx(150)


@pytest.mark.parametrize("duration, target, status", [(100, 100, "on target"), (130, 100, "over"),
                                                      (70, 100, "under"), (115, 100, "on target")])
def test_target_status(duration, target, status):
    t = timed_transcript("a b c", wpm=150)
    t.duration = duration
    assert analyse(t, target_s=target).target_status == status


def test_fillers_per_minute_and_per_100_words():
    text = "um " + " ".join(["word"] * 99)
    m = analyse(timed_transcript(text, wpm=100, start=0.0))
    assert len(m.fillers) == 1
    assert m.fillers_per_100_words == pytest.approx(1.0)
    assert m.fillers_per_minute == pytest.approx(1 / (m.duration_s / 60))


def test_hedges_and_pronouns():
    m = analyse(Transcript(text="I think we should maybe shard it. I built it, we shipped it, my call."))
    assert [h.word for h in m.hedges] == ["i think", "maybe"]
    assert (m.i_count, m.we_count) == (3, 2)
    assert m.i_share == pytest.approx(0.6)


def test_text_only_has_no_timing():
    m = analyse(Transcript(text="Just text."))
    assert m.duration_s is None and m.wpm is None and m.pauses == [] and m.fillers_per_minute is None
