"""Earlier tellings of a story and attempts at a question, read back with their key points:
what `history --story/--question`, the "told differently from the last attempt" check and
`practice --focus points` read.

Attempts are folders named by time (storage.store), so sorting their names orders them; one
that cannot be read is skipped here (`voiceprep recover` and `history` report those).
"""

from __future__ import annotations

from pathlib import Path

from voiceprep.core.errors import StorageError
from voiceprep.storage.attempt import REPORT, StoredAttempt, read_attempt


def stored_attempts(root: Path, story_id: str | None = None, question_id: str | None = None,
                    newest: int = 200) -> list[StoredAttempt]:
    """The `newest` attempts in `root` (oldest first), only those that told `story_id` or
    answered `question_id` when given."""
    if not root.is_dir():
        return []
    folders = sorted(d for d in root.iterdir() if (d / REPORT).is_file())[-newest:] if newest else []
    out = []
    for folder in folders:
        try:
            a = read_attempt(folder)
        except StorageError:
            continue
        if (story_id is None or a.story_id == story_id) and (question_id is None or a.question_id == question_id):
            out.append(a)
    return out


def last_telling(root: Path, story_id: str) -> dict[str, str]:
    """The story's bullets as the last stored attempt at it said them: point id -> its quote."""
    told = stored_attempts(root, story_id=story_id)
    if not told:
        return {}
    return {p.id: p.evidence[0].text for p in told[-1].points if p.source == "story" and p.hit and p.evidence}
