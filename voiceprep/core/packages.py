"""Folders inside installed data-only packages: where model weights and voices live.

Weights install from the package registry inside packages that are data, not code (a voice, a
sentence-embedding model, parts of a Whisper model). Their folders are found with
`importlib.util.find_spec`, which locates a package without running its `__init__`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path


def installed(package: str) -> bool:
    """Whether an importable package of this name is installed (without importing it)."""
    return importlib.util.find_spec(package) is not None


def package_folder(package: str, folder: str) -> Path | None:
    """`folder` inside the installed package `package`, or None when the package is missing.

    The folder itself is not checked: callers say which of its files they need."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / folder
