from __future__ import annotations

import zipfile

import pytest

from voiceprep.core.errors import StorageError
from voiceprep.review.export import ExportItem, write_zip


def test_zip_holds_each_attempt_in_its_folder(add_attempt, tmp_path):
    a = add_attempt("sd-url-shortener", "We shard by code.", minute=0)
    b = add_attempt("bh-mentoring", "I mentored a new engineer.", minute=1)
    (b / "followup-1.wav").write_bytes(b"RIFF")
    out = tmp_path / "share.zip"
    names = write_zip(out, [ExportItem(a, b"<html>a</html>"), ExportItem(b, b"<html>b</html>")])
    with zipfile.ZipFile(out) as z:
        assert sorted(z.namelist()) == sorted(names)
        assert f"{b.name}/followup-1.wav" in names
        for folder in (a, b):
            for name in ("answer.wav", "transcript.json", "report.json", "report.md", "report.html"):
                assert f"{folder.name}/{name}" in names
        assert z.read(f"{a.name}/report.html") == b"<html>a</html>"
        assert z.read(f"{a.name}/answer.wav") == (a / "answer.wav").read_bytes()
        assert z.getinfo(f"{a.name}/answer.wav").compress_type == zipfile.ZIP_STORED
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".share")] == []


@pytest.mark.parametrize("setup, message", [
    ("exists", "already exists"),
    ("empty", "nothing to export"),
    ("no-folder", "cannot write"),
])
def test_refusals_leave_everything_as_it_was(add_attempt, tmp_path, setup, message):
    a = add_attempt("sd-url-shortener", "We shard by code.")
    out = tmp_path / "share.zip"
    items = [ExportItem(a, b"x")]
    if setup == "exists":
        out.write_bytes(b"mine")
    elif setup == "empty":
        items = []
    else:
        out = tmp_path / "missing" / "share.zip"
    with pytest.raises(StorageError, match=message):
        write_zip(out, items)
    if setup == "exists":
        assert out.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["recordings"] + (["share.zip"] if setup == "exists" else []))
