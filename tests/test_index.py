from __future__ import annotations

import json
import os
import sqlite3

import pytest

from voiceprep.storage.attempt import parse_attempt
from voiceprep.storage.index import INDEX_NAME, Index, row_from_report

GOOD = ("Can I ask how many users we expect? I assume ten million users and 5000 requests per second. "
        "I would shard the database and add a cache. The trade-off is stale reads. "
        "If a node fails we retry and fail over. I would alert on the p99 latency.")
WEAK = "I would build a service with a database."


def test_index_is_built_from_the_folders_and_follows_changes(user_dirs, add_attempt):
    a = add_attempt("sd-url-shortener", WEAK, minute=0)
    b = add_attempt("sd-url-shortener", GOOD, minute=5)
    with Index.open(user_dirs) as index:
        rows = index.attempts()
        assert [r.id for r in rows] == [a.name, b.name]
        assert rows[0].cues_hit < rows[1].cues_hit == 7 and rows[1].cues_total == 7
        assert rows[1].created == "2026-11-01T09:05:00"
        assert index.sync() == 0  # nothing changed: nothing re-read
    # a self-review rewrites report.json: the index picks it up
    doc = json.loads((a / "report.json").read_text())
    doc["self_review"] = {"rating": 4, "verdicts": [{"cue": "numbers", "agree": False},
                                                    {"cue": "tradeoffs", "agree": True}]}
    (a / "report.json").write_text(json.dumps(doc))
    os.utime(a / "report.json", ns=(1, 10**18))
    import shutil
    shutil.rmtree(b)
    with Index.open(user_dirs) as index:
        [row] = index.attempts()
        assert (row.id, row.rating, row.reviewed, row.agreed) == (a.name, 4, 2, 1)
        agree = {cue: ag for cue, _a, _h, ag in index.cue_outcomes()}
        assert agree["numbers"] == 0 and agree["tradeoffs"] == 1 and agree["observability"] is None


@pytest.mark.parametrize("damage", ["missing", "garbage", "foreign", "old-version"])
def test_a_missing_or_damaged_index_is_rebuilt(user_dirs, add_attempt, damage):
    add_attempt("sd-url-shortener", GOOD)
    Index.open(user_dirs).db.close()
    path = user_dirs / INDEX_NAME
    if damage == "missing":
        path.unlink()
    elif damage == "garbage":
        path.write_bytes(b"not a database at all" * 100)
    elif damage == "foreign":
        path.unlink()
        sqlite3.connect(path).execute("CREATE TABLE x (y)").connection.commit()
    else:
        db = sqlite3.connect(path)
        db.execute("UPDATE meta SET value = '0'")
        db.commit()
        db.close()
    with Index.open(user_dirs) as index:
        assert len(index.attempts()) == 1


def test_half_written_reports_and_stray_files_are_skipped(user_dirs, add_attempt):
    add_attempt("sd-url-shortener", GOOD)
    (user_dirs / "20261101-100000-recording").mkdir()  # still recording: no report yet
    bad = user_dirs / "20261101-110000-broken"
    bad.mkdir()
    (bad / "report.json").write_text("{ half")
    (user_dirs / "notes.txt").write_text("mine")
    with Index.open(user_dirs) as index:
        assert len(index.attempts()) == 1


def test_read_only_recordings_folder_uses_a_memory_index(tmp_path, add_attempt, user_dirs, monkeypatch):
    add_attempt("sd-url-shortener", GOOD)
    (user_dirs / INDEX_NAME).unlink(missing_ok=True)
    monkeypatch.setattr(os, "access", lambda *a, **k: False)
    with Index.open(user_dirs) as index:
        assert len(index.attempts()) == 1
    assert not (user_dirs / INDEX_NAME).exists()


def test_limit_keeps_the_newest(user_dirs, add_attempt):
    ids = [add_attempt("sd-url-shortener", WEAK, minute=m).name for m in range(5)]
    with Index.open(user_dirs) as index:
        assert [a.id for a in index.attempts(limit=2)] == ids[-2:]
        assert index.attempts(question="bh-mentoring") == []


def test_row_from_a_text_only_report():
    row, cues = row_from_report("x", parse_attempt({"question": {"id": None, "category": "behavioral"},
                                                    "transcript": {"text": "I did it."}, "timing": None,
                                                    "cues": [{"id": "impact", "hit": True}]}))
    assert row[0] == "x" and row[2] is None and row[4] is None and row[7:9] == (1, 1)
    assert cues == [("x", "impact", 1, None)]
