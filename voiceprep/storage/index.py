"""An SQLite index over the attempt folders, so history answers fast with thousands of attempts.

The folders stay the source of truth: the index holds a few figures per attempt, keyed by
the attempt id and the modification time of its report.json. Every open syncs it with the
folders (one stat per attempt; only new or changed reports are read), and a missing,
corrupt or outdated index file is rebuilt from them. When the recordings folder is
read-only the index lives in memory for the one command.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from voiceprep.core.errors import StorageError
from voiceprep.storage.attempt import SelfReview, StoredAttempt, read_attempt

INDEX_NAME = ".index.sqlite"
_VERSION = 2  # 2: the voice table (an older index is rebuilt from the folders)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS attempts (
    id TEXT PRIMARY KEY, mtime_ns INTEGER, created TEXT, question TEXT, category TEXT,
    duration_s REAL, wpm REAL, fillers_per_100 REAL, cues_hit INTEGER, cues_total INTEGER,
    rating INTEGER, reviewed INTEGER, agreed INTEGER);
CREATE TABLE IF NOT EXISTS cues (
    attempt TEXT, cue TEXT, hit INTEGER, agree INTEGER,
    PRIMARY KEY (attempt, cue));
CREATE TABLE IF NOT EXISTS voice (
    attempt TEXT PRIMARY KEY, reliable INTEGER, spread_st REAL, median_db REAL, monotone_s REAL,
    quiet_s REAL, trailing_off INTEGER, pace_jumps INTEGER, repetition INTEGER);
CREATE INDEX IF NOT EXISTS cues_by_cue ON cues (cue);
CREATE INDEX IF NOT EXISTS attempts_by_question ON attempts (question);
"""


@dataclass(frozen=True)
class Attempt:
    """One row of history: what the table and the trends need, nothing more."""

    id: str
    created: str
    question: str | None
    category: str
    duration_s: float | None
    wpm: float | None
    fillers_per_100: float | None
    cues_hit: int
    cues_total: int
    rating: int | None
    reviewed: int
    agreed: int


def row_from_report(attempt_id: str, stored: StoredAttempt, created: str | None = None) -> tuple[tuple, list[tuple]]:
    """The index rows of one stored attempt: (attempt row, cue rows)."""
    timing = stored.timing
    review = stored.self_review or SelfReview()
    verdicts = review.verdicts
    attempt = (attempt_id, created or _created_from_id(attempt_id), stored.question_id, stored.category,
               timing.duration_s if timing else None, timing.wpm if timing else None, stored.fillers_per_100,
               stored.cues_hit, len(stored.cues), review.rating, len(verdicts), sum(verdicts.values()))
    cue_rows = [(attempt_id, c.id, int(c.hit), None if c.id not in verdicts else int(verdicts[c.id]))
                for c in stored.cues]
    return attempt, cue_rows


@dataclass(frozen=True)
class VoiceRow:
    """One attempt's voice figures for history's trends: seconds flagged, counts, pitch spread."""

    attempt: str
    reliable: bool
    spread_st: float | None
    median_db: float | None
    monotone_s: float | None   # None when pitch and loudness could not be judged
    quiet_s: float | None
    trailing_off: int | None
    pace_jumps: int
    repetition: int


def voice_row(attempt_id: str, stored: StoredAttempt) -> tuple | None:
    """The index row of an attempt's voice measures; None for `check` and older attempts."""
    v = stored.voice
    if v is None:
        return None
    flagged = lambda xs: round(sum(s.end - s.start for s in xs), 2) if v.reliable else None  # noqa: E731
    return (attempt_id, int(v.reliable), v.spread_st, v.median_db, flagged(v.monotone), flagged(v.quiet),
            len(v.trailing_off) if v.reliable else None, len(v.pace_jumps), sum(r.count for r in v.repetition))


def _created_from_id(attempt_id: str) -> str:
    """Ids start with YYYYmmdd-HHMMSS; that is when the attempt was made."""
    s = attempt_id[:15]
    if len(s) == 15 and s[:8].isdigit() and s[9:].isdigit():
        return f"{s[:4]}-{s[4:6]}-{s[6:8]}T{s[9:11]}:{s[11:13]}:{s[13:15]}"
    return ""


class Index:
    """Open with `Index.open(root)`; use as a context manager so the connection closes."""

    def __init__(self, db: sqlite3.Connection, root: Path) -> None:
        self.db = db
        self.root = root

    @classmethod
    def open(cls, root: Path) -> "Index":
        db = _connect(root)
        index = cls(db, root)
        index.sync()
        return index

    def __enter__(self) -> "Index":
        return self

    def __exit__(self, *exc: object) -> None:
        self.db.close()

    def sync(self) -> int:
        """Bring the index in line with the folders; returns how many attempts were (re)read."""
        on_disk = dict(_report_mtimes(self.root))
        known = dict(self.db.execute("SELECT id, mtime_ns FROM attempts"))
        gone = [k for k in known if k not in on_disk]
        changed = [k for k, m in on_disk.items() if known.get(k) != m]
        if not gone and not changed:
            return 0
        rows, cue_rows, voice_rows = [], [], []
        for attempt_id in changed:
            try:
                stored = read_attempt(self.root / attempt_id)
            except StorageError:  # half-written or damaged: skip now, retry next time
                continue
            row, cues = row_from_report(attempt_id, stored)
            rows.append((on_disk[attempt_id], *row))
            cue_rows += cues
            if (voice := voice_row(attempt_id, stored)) is not None:
                voice_rows.append(voice)
        with self.db:
            self.db.executemany("DELETE FROM attempts WHERE id = ?", [(k,) for k in gone + changed])
            self.db.executemany("DELETE FROM cues WHERE attempt = ?", [(k,) for k in gone + changed])
            self.db.executemany("DELETE FROM voice WHERE attempt = ?", [(k,) for k in gone + changed])
            self.db.executemany("INSERT INTO voice VALUES (?,?,?,?,?,?,?,?,?)", voice_rows)
            self.db.executemany("INSERT INTO attempts (mtime_ns, id, created, question, category, duration_s, wpm, "
                                "fillers_per_100, cues_hit, cues_total, rating, reviewed, agreed) "
                                "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
            self.db.executemany("INSERT INTO cues VALUES (?,?,?,?)", cue_rows)
        return len(rows)

    def attempts(self, question: str | None = None, limit: int | None = None) -> list[Attempt]:
        """Attempts oldest first; with `limit`, only the newest `limit` of them."""
        where, params = ("WHERE question = ?", [question]) if question else ("", [])
        sql = (f"SELECT id, created, question, category, duration_s, wpm, fillers_per_100, cues_hit, cues_total, "
               f"rating, reviewed, agreed FROM attempts {where} ORDER BY id DESC")
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [Attempt(*r) for r in reversed(self.db.execute(sql, params).fetchall())]

    def voice_rows(self, limit: int | None = None) -> list[VoiceRow]:
        """Voice figures of the attempts that have them, oldest first (the newest `limit`)."""
        sql = "SELECT * FROM voice ORDER BY attempt DESC" + (f" LIMIT {int(limit)}" if limit else "")
        return [VoiceRow(r[0], bool(r[1]), *r[2:]) for r in reversed(self.db.execute(sql).fetchall())]

    def cue_outcomes(self) -> Iterator[tuple[str, str, int, int | None]]:
        """(cue, attempt id, hit, self-review agreement or None), attempts in order."""
        return iter(self.db.execute("SELECT cue, attempt, hit, agree FROM cues ORDER BY attempt"))


def _connect(root: Path) -> sqlite3.Connection:
    path = root / INDEX_NAME
    if not (root.is_dir() and os.access(root, os.W_OK)):
        db = sqlite3.connect(":memory:")
        db.executescript(_SCHEMA)
        return db
    db = sqlite3.connect(path, timeout=10)
    try:
        if _version(db) == _VERSION:
            return db
    except sqlite3.DatabaseError:
        pass
    db.close()
    # missing, outdated or corrupt: the folders hold everything, so start over
    for p in (path, path.with_name(INDEX_NAME + "-journal")):
        p.unlink(missing_ok=True)
    db = sqlite3.connect(path, timeout=10)
    db.executescript(_SCHEMA)
    with db:
        db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (str(_VERSION),))
    return db


def _version(db: sqlite3.Connection) -> int | None:
    try:
        row = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    except sqlite3.OperationalError:  # no such table: a new or foreign file
        return None
    return int(row[0]) if row else None


def _report_mtimes(root: Path) -> Iterator[tuple[str, int]]:
    if not root.is_dir():
        return
    with os.scandir(root) as entries:
        for e in entries:
            if e.name.startswith(".") or not e.is_dir():
                continue
            try:
                yield e.name, os.stat(os.path.join(e.path, "report.json")).st_mtime_ns
            except OSError:
                continue  # still recording, or not an attempt


__all__ = ["Attempt", "Index", "INDEX_NAME", "VoiceRow", "row_from_report", "voice_row"]
