"""Reading a stored attempt back: the voice field (older attempts have none)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from voiceprep.analysis.report import analyse_answer
from voiceprep.analysis.voice import analyse_audio
from voiceprep.core.errors import StorageError
from voiceprep.core.samples import SAMPLE_RATE as SR
from voiceprep.storage.attempt import parse_attempt
from voiceprep.testing import timed_transcript

TEXT = "So we shard the table. So reads scale. So writes go to a leader. So we add a cache. " * 2


def _doc(bank, with_voice: bool = True) -> dict:
    transcript = timed_transcript(TEXT, wpm=150)
    report = analyse_answer(transcript, bank, "system_design")
    if with_voice:
        t = np.arange(int(SR * transcript.duration)) / SR
        tone = sum(np.sin(2 * np.pi * k * 130 * t) / k for k in range(1, 8)) * (t % 4 < 3.2)
        report.voice = analyse_audio((0.2 * tone).astype(np.float32), transcript)
    return json.loads(json.dumps(report.to_json()))


def test_the_voice_field_reads_back_into_the_same_measures(bank):
    doc = _doc(bank)
    stored = parse_attempt(doc)
    assert stored.voice is not None and stored.voice.to_dict() == doc["voice"]
    assert stored.voice.median_hz == pytest.approx(130, rel=0.01)
    assert [r.phrase for r in stored.voice.repetition] == ["so"]


@pytest.mark.parametrize("edit", [lambda d: d.pop("voice"), lambda d: d.update(voice=None)])
def test_attempts_stored_before_voice_measures_still_load(bank, edit):
    doc = _doc(bank, with_voice=False)
    edit(doc)
    assert parse_attempt(doc).voice is None


@pytest.mark.parametrize("edit, field", [
    (lambda v: v.pop("reliable"), "field 'reliable' is missing"),
    (lambda v: v["monotone"].append({"start": "soon", "end": 3}), "voice > monotone[0]: field 'start'"),
    (lambda v: v["curve"].update(pitch_hz=["high"]), "voice > curve: field 'pitch_hz'"),
])
def test_a_broken_voice_field_names_the_file_entry_and_field(bank, edit, field):
    doc = _doc(bank)
    doc["voice"]["monotone"] = []
    edit(doc["voice"])
    with pytest.raises(StorageError, match="report.json > voice"):
        parse_attempt(doc, "report.json")
    with pytest.raises(StorageError) as err:
        parse_attempt(doc, "report.json")
    assert field in str(err.value)


def test_points_and_story_read_back_and_older_attempts_without_them_load(bank):
    from voiceprep.core.stories import parse_story
    from voiceprep.testing import fake_detector

    story = parse_story("# Bus\n- R: 10,000 sign-ups a day\n", "bus.md", "bus")
    q = bank.question("bh-most-challenging-project")
    report = analyse_answer(timed_transcript("We reached 1,000 sign-ups a day", wpm=150), bank, q.category, q,
                            detector=fake_detector(), story=story)
    doc = json.loads(json.dumps(report.to_json()))
    stored = parse_attempt(doc)
    assert [p.id for p in stored.points] == [p.point.id for p in report.points]
    r = stored.points[-1]
    assert (r.source, r.hit, r.evidence[0].text, stored.story_id) == ("story", True,
                                                                     "We reached 1,000 sign-ups a day", "bus")
    assert [(m.kind, m.point) for m in stored.mismatches] == [("number", "r")]
    for key in ("points", "story", "point_mismatches"):
        doc.pop(key)
    old = parse_attempt(doc)
    assert old.points == () and old.story_id is None and old.mismatches == ()
    doc["points"] = [{"id": "x", "text": "t"}]
    with pytest.raises(StorageError, match="points\\[0\\]: field 'hit' is missing"):
        parse_attempt(doc, "report.json")
