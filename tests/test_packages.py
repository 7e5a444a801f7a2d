"""Tests for core/packages.py: folders of installed data-only packages, found without importing them."""

from __future__ import annotations

import sys

import pytest

from voiceprep.core.packages import installed, package_folder


@pytest.fixture
def site(tmp_path, monkeypatch):
    """A folder on sys.path with one package whose __init__ would fail if it were run."""
    pkg = tmp_path / "voiceprep_fake_weights"
    (pkg / "data").mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise RuntimeError('must not be imported')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    sys.modules.pop("voiceprep_fake_weights", None)


@pytest.mark.parametrize("package, folder, expected", [
    ("voiceprep_fake_weights", "data", "voiceprep_fake_weights/data"),
    ("voiceprep_fake_weights", "model", "voiceprep_fake_weights/model"),
    ("voiceprep_no_such_package", "data", None),
])
def test_package_folder_finds_the_folder_without_running_the_package(site, package, folder, expected):
    found = package_folder(package, folder)
    assert found == (None if expected is None else site / expected)
    assert "voiceprep_fake_weights" not in sys.modules


@pytest.mark.parametrize("package, expected", [("voiceprep_fake_weights", True), ("voiceprep_no_such_package", False)])
def test_installed_says_whether_the_package_is_there(site, package, expected):
    assert installed(package) is expected
