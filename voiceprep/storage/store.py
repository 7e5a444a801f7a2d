"""Attempts on disk: one folder per attempt, written atomically, never overwritten.

recordings/<attempt-id>/
    answer.wav        16 kHz mono PCM, what the analysis heard (times line up with it)
    transcript.json   text and timed words
    report.json       the CONTRACT.md document
    report.md         the same, for people
    attempt.json      when, which question, where the audio came from, which model
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

import numpy as np

from voiceprep.analysis.report import Report
from voiceprep.audio.wav import write_wav
from voiceprep.core.errors import StorageError

ENV_RECORDINGS = "VOICEPREP_RECORDINGS"
_SAFE = re.compile(r"[^a-z0-9_-]+")


def default_recordings_dir(environ: dict | None = None) -> Path:
    """VOICEPREP_RECORDINGS, else the checkout's recordings/, else the per-user data folder."""
    env = os.environ if environ is None else environ
    if env.get(ENV_RECORDINGS):
        return Path(env[ENV_RECORDINGS]).expanduser()
    checkout = Path(__file__).resolve().parent.parent
    if (checkout / "pyproject.toml").is_file() and (checkout / "recordings").is_dir():
        return checkout / "recordings"
    base = env.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "voiceprep" / "recordings"


def atomic_write(path: Path, data: bytes) -> None:
    """Write to a temporary file beside `path`, then rename over it: readers see old or new, never half."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def safe_id(text: str) -> str:
    """A file-name-safe slug: ids from banks can never escape the recordings folder."""
    return _SAFE.sub("-", text.lower()).strip("-")[:48] or "answer"


@dataclass
class Store:
    root: Path
    now: Callable[[], datetime] = datetime.now

    def _ensure_root(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise StorageError(f"{self.root}: cannot create recordings folder: {exc.strerror or exc}") from None

    def new_attempt_dir(self, label: str) -> Path:
        """Claim a fresh folder; mkdir is atomic, so two processes never share one."""
        self._ensure_root()
        stamp = self.now().strftime("%Y%m%d-%H%M%S")
        base = f"{stamp}-{safe_id(label)}"
        for n in range(1, 1000):
            path = self.root / (base if n == 1 else f"{base}-{n}")
            try:
                path.mkdir(mode=0o700)
                return path
            except FileExistsError:
                continue
            except OSError as exc:
                raise StorageError(f"{self.root}: cannot create attempt folder: {exc.strerror or exc}") from None
        raise StorageError(f"{self.root}: too many attempts named {base}")

    def save(self, report: Report, audio: np.ndarray | None, source: str | None = None) -> Path:
        """Store a finished attempt in a new folder; sets report.attempt_id."""
        label = report.question.id if report.question else report.category
        folder = self.new_attempt_dir(label)
        if audio is not None:
            try:
                tmp = folder / ".answer.wav.tmp"
                write_wav(tmp, audio)
                os.replace(tmp, folder / "answer.wav")
            except OSError as exc:
                raise StorageError(f"{folder}: cannot write audio: {exc.strerror or exc}") from None
        self.write_results(folder, report, {"source": source, "status": "done"})
        return folder

    def write_meta(self, folder: Path, meta: dict) -> None:
        """Merge `meta` into attempt.json (created on first call)."""
        path = folder / "attempt.json"
        current = json.loads(path.read_text()) if path.exists() else {
            "id": folder.name, "created": self.now().isoformat(timespec="seconds")}
        current.update(meta)
        try:
            atomic_write(path, _dumps(current))
        except OSError as exc:
            raise StorageError(f"{path}: cannot write: {exc.strerror or exc}") from None

    def read_meta(self, folder: Path) -> dict:
        try:
            return json.loads((folder / "attempt.json").read_text())
        except (OSError, ValueError):
            return {}

    def write_results(self, folder: Path, report: Report, meta: dict | None = None) -> None:
        """Transcript and reports of an attempt whose audio is already in `folder`."""
        report.attempt_id = folder.name
        try:
            self.write_meta(folder, {"question": report.question.id if report.question else None,
                                     "category": report.category, "model": report.model, **(meta or {})})
            atomic_write(folder / "transcript.json", _dumps(report.transcript.to_dict()))
            atomic_write(folder / "report.json", _dumps(report.to_json()))
            atomic_write(folder / "report.md", report.to_markdown().encode())
        except OSError as exc:
            raise StorageError(f"{folder}: cannot write attempt: {exc.strerror or exc}") from None

    def unfinished(self) -> list[Path]:
        """Attempts whose recording never finished (the process was killed mid-answer)."""
        if not self.root.is_dir():
            return []
        return sorted(d for d in self.root.iterdir()
                      if d.is_dir() and self.read_meta(d).get("status") == "recording")

    def find(self, ref: str) -> Path:
        """An attempt by id, by `last`, or by a unique prefix of its id."""
        folders = sorted(d for d in self.root.iterdir() if d.is_dir()) if self.root.is_dir() else []
        done = [d for d in folders if (d / "report.json").is_file()]
        if ref == "last":
            if not done:
                raise StorageError(f"{self.root}: no attempts yet")
            return done[-1]
        exact = [d for d in done if d.name == ref]
        matches = exact or [d for d in done if d.name.startswith(ref)]
        if not matches:
            raise StorageError(f"no attempt '{ref}' in {self.root} (ids are listed there; `last` is the newest)")
        if len(matches) > 1:
            raise StorageError(f"'{ref}' matches {len(matches)} attempts ({matches[0].name}, {matches[1].name}, ...)")
        return matches[0]

    def load_report(self, attempt_id: str) -> dict:
        path = self.root / safe_id(attempt_id) / "report.json"
        try:
            return json.loads(path.read_text())
        except (OSError, ValueError) as exc:
            raise StorageError(f"{path}: cannot read attempt: {exc}") from None


def _dumps(obj: object) -> bytes:
    return (json.dumps(obj, indent=2, ensure_ascii=False) + "\n").encode()


__all__ = ["Store", "atomic_write", "default_recordings_dir", "safe_id", "ENV_RECORDINGS"]
