from __future__ import annotations

import io
import json

from voiceprep.analysis.report import analyse_answer
from voiceprep.cli.common import Env
from voiceprep.cli.main import main
from voiceprep.core.stories import parse_story
from voiceprep.storage.store import Store
from voiceprep.storage.tellings import last_telling, stored_attempts
from voiceprep.testing import fake_detector, timed_transcript

STORY = parse_story("# Bus\n- R: 10,000 sign-ups a day\n- T: I owned the design\n", "bus.md", "bus")


def _store(root, bank, text: str, minute: int, story=STORY):
    from datetime import datetime

    q = bank.question("bh-most-challenging-project")
    report = analyse_answer(timed_transcript(text), bank, q.category, q, detector=fake_detector(), story=story)
    Store(root, now=lambda: datetime(2026, 11, 1, 9, minute)).save(report, None)
    return report


def test_the_last_telling_of_a_story_is_read_back_as_its_quotes(tmp_path, bank):
    _store(tmp_path, bank, "We reached 10,000 sign-ups a day", 1)
    _store(tmp_path, bank, "We reached 12,000 sign-ups a day", 2)
    _store(tmp_path, bank, "Something else entirely", 3, story=None)
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "report.json").write_text("{")  # unreadable: skipped
    assert [a.story_id for a in stored_attempts(tmp_path, story_id="bus")] == ["bus", "bus"]
    assert len(stored_attempts(tmp_path, question_id="bh-most-challenging-project")) == 3
    assert last_telling(tmp_path, "bus") == {"r": "We reached 12,000 sign-ups a day"}
    assert last_telling(tmp_path, "other") == {} and stored_attempts(tmp_path / "none") == []


def test_history_story_shows_bullets_across_tellings(tmp_path, bank):
    _store(tmp_path, bank, "We reached 10,000 sign-ups a day", 1)
    _store(tmp_path, bank, "I owned the design", 2)
    out = io.StringIO()
    code = main(["history", "--story", "bus", "--recordings", str(tmp_path), "--json"],
                Env(stdout=out, stderr=io.StringIO(), environ={}))
    assert code == 0
    doc = json.loads(out.getvalue())
    by_id = {p["id"]: p for p in doc["points"]}
    assert by_id["r"]["outcomes"] == [True, False] and by_id["r"]["status"] == "dropped last time"
    assert by_id["t"]["outcomes"] == [False, True] and len(doc["attempts"]) == 2
    err = io.StringIO()
    assert main(["history", "--story", "nope", "--recordings", str(tmp_path)],
                Env(stdout=io.StringIO(), stderr=err, environ={})) == 2
    assert "no attempts at story 'nope'" in err.getvalue()


def test_history_question_json_says_which_points_come_and_go(tmp_path, bank):
    _store(tmp_path, bank, "We reached 10,000 sign-ups a day", 1)
    _store(tmp_path, bank, "I owned the design and the lesson I took away is to test early", 2)
    out = io.StringIO()
    code = main(["history", "--question", "bh-most-challenging-project", "--recordings", str(tmp_path), "--json"],
                Env(stdout=out, stderr=io.StringIO(), environ={}))
    assert code == 0
    points = {(p["source"], p["id"]): p for p in json.loads(out.getvalue())["points"]}
    assert points[("story", "r")]["outcomes"] == [True, False]
    assert points[("question", "lesson")]["outcomes"] == [False, True]
    assert points[("question", "lesson")]["status"] == "comes and goes"
