from __future__ import annotations

import json
import stat
from datetime import datetime

import numpy as np
import pytest

from voiceprep.analysis.report import analyse_answer
from voiceprep.storage.store import Store, atomic_write, default_recordings_dir, safe_id
from voiceprep.testing import timed_transcript

FIXED = datetime(2026, 11, 21, 10, 30, 0)


def make_report(bank):
    q = bank.question("sd-url-shortener")
    return analyse_answer(timed_transcript("We shard by code and cache redirects."), bank, q.category, q)


def test_save_writes_every_file_private(tmp_path, bank):
    store = Store(tmp_path / "rec", now=lambda: FIXED)
    report = make_report(bank)
    folder = store.save(report, np.zeros(1600, np.float32), source="/x/answer.m4a")
    assert folder.name == "20261121-103000-sd-url-shortener" == report.attempt_id
    assert {p.name for p in folder.iterdir()} == {"answer.wav", "attempt.json", "transcript.json",
                                                  "report.json", "report.md"}
    assert stat.S_IMODE((tmp_path / "rec").stat().st_mode) == 0o700
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert json.loads((folder / "report.json").read_text())["attempt"] == folder.name
    assert json.loads((folder / "attempt.json").read_text())["source"] == "/x/answer.m4a"
    assert store.load_report(folder.name)["question"]["id"] == "sd-url-shortener"


def test_same_second_attempts_never_share_a_folder(tmp_path, bank):
    store = Store(tmp_path, now=lambda: FIXED)
    a = store.save(make_report(bank), None)
    before = (a / "report.json").read_bytes()
    b = store.save(make_report(bank), None)
    assert a != b and b.name.endswith("-2")
    assert (a / "report.json").read_bytes() == before


@pytest.mark.parametrize("raw, safe", [("../../etc/passwd", "etc-passwd"), ("Sd Url/Shortener", "sd-url-shortener"),
                                       ("", "answer"), ("ok_id-1", "ok_id-1")])
def test_safe_id_cannot_escape(raw, safe):
    assert safe_id(raw) == safe


def test_atomic_write_leaves_old_content_on_failure(tmp_path):
    target = tmp_path / "report.json"
    target.write_text("old")


    with pytest.raises(TypeError):
        atomic_write(target, object())  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_recordings_folder_resolution(tmp_path):
    assert default_recordings_dir({"VOICEPREP_RECORDINGS": str(tmp_path)}) == tmp_path
    # a checkout uses its own recordings/ folder
    assert default_recordings_dir({}).name == "recordings"


def test_unwritable_root_is_a_storage_error(tmp_path, bank):
    from voiceprep.core.errors import StorageError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError, match="cannot create recordings folder"):
        Store(blocker / "rec").save(make_report(bank), None)
