"""The user's own stories: Markdown notes in a `stories/` folder of a prompts folder.

The format (CONTRACT.md, "Stories"): a `# title` line, an optional `themes:` line, then `- `
bullets, each optionally labelled S:, T:, A:, R: or Lesson: (Situation:, Task:, Action:,
Result: too). The file name without `.md` is the story's id. Each bullet becomes a `Point`
the answer is checked against. `parse_story(text, source, story_id)` validates one file (no
I/O); `load_stories(folders)` reads every `stories/*.md` of the prompts folders. Errors name
the file and the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from voiceprep.core.bank import Point, bundled_prompts_dir
from voiceprep.core.errors import BankError, QuestionNotFound, read_utf8

STORIES_DIR = "stories"
_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_LABELS = {"s": "S", "situation": "S", "t": "T", "task": "T", "a": "A", "action": "A", "r": "R",
           "result": "R", "lesson": "Lesson", "l": "Lesson", "learned": "Lesson", "reflection": "Lesson"}
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_LABEL = re.compile(r"^(\w+)\s*:\s*(.*)$")
_THEMES = re.compile(r"^themes?\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Story:
    """One story: its title, the themes or question ids it answers, and its bullets as points."""

    id: str
    title: str
    themes: tuple[str, ...]
    points: tuple[Point, ...]
    source: str = ""

    def answers(self, question_id: str) -> bool:
        """True when the story's themes name this question (a story linked to a question)."""
        return question_id in self.themes


def _fail(source: str, line: int, problem: str) -> BankError:
    return BankError(f"{source}: line {line}: {problem}")


def _bullet_point(body: str, n: int, taken: set[str], source: str, line: int) -> Point:
    """A bullet's text as a Point; its id is the label ("s", "r", "lesson", "a-2") or "bullet-N"."""
    label = ""
    m = _LABEL.match(body)
    if m and m.group(1).lower() in _LABELS:
        label, body = _LABELS[m.group(1).lower()], m.group(2).strip()
    if not body:
        raise _fail(source, line, "bullet has no text" + (f" after '{label}:'" if label else ""))
    base = label.lower() if label else f"bullet-{n}"
    pid, k = base, 2
    while pid in taken:
        pid, k = f"{base}-{k}", k + 1
    taken.add(pid)
    return Point(pid, body, (), label)


def parse_story(text: str, source: str, story_id: str) -> Story:
    """Validate one story file's text; errors name the file and the line."""
    if not _ID.match(story_id):
        raise BankError(f"{source}: the file name '{story_id}' is the story id: use lower-case letters, "
                        "digits, '-' or '_' (at most 64)")
    title: str | None = None
    themes: tuple[str, ...] = ()
    bullets: list[tuple[str, int]] = []  # (text, line number)
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if title is None:
            if not line.startswith("# ") or not line[2:].strip():
                raise _fail(source, n, "a story starts with its title: '# <title>'")
            title = line[2:].strip()
            continue
        if (t := _THEMES.match(line.strip())) and not bullets:
            if themes:
                raise _fail(source, n, "'themes:' given twice")
            themes = tuple(x.strip() for x in t.group(1).split(",") if x.strip())
            continue
        if b := _BULLET.match(line):
            bullets.append((b.group(1).strip(), n))
        elif raw[:1] in (" ", "\t") and bullets:  # an indented line continues the bullet above
            bullets[-1] = (f"{bullets[-1][0]} {line.strip()}", bullets[-1][1])
        else:
            raise _fail(source, n, f"expected a '- ' bullet (or 'themes:' before the bullets), found {line.strip()[:60]!r}")
    if title is None:
        raise BankError(f"{source}: empty story: write '# <title>' then '- ' bullets")
    if not bullets:
        raise BankError(f"{source}: story '{story_id}' has no '- ' bullets")
    taken: set[str] = set()
    points = tuple(_bullet_point(body, i, taken, source, line) for i, (body, line) in enumerate(bullets, 1))
    return Story(story_id, title, themes, points, source)


def read_story(path: Path) -> Story:
    return parse_story(read_utf8(path), str(path), path.stem)


def load_stories(folders: Iterable[Path | str] = (), include_bundled: bool = True) -> dict[str, Story]:
    """Every story in the `stories/` folders of the prompts folders, by id (unique across folders)."""
    dirs = ([bundled_prompts_dir()] if include_bundled else []) + [Path(f) for f in folders]
    out: dict[str, Story] = {}
    for d in dirs:
        for path in sorted((d / STORIES_DIR).glob("*.md")) if (d / STORIES_DIR).is_dir() else []:
            story = read_story(path)
            if story.id in out:
                raise BankError(f"{path}: story id '{story.id}' is also {out[story.id].source}")
            out[story.id] = story
    return out


def find_story(stories: dict[str, Story], story_id: str) -> Story:
    """The story with this id, or an error naming the known ones."""
    try:
        return stories[story_id]
    except KeyError:
        known = ", ".join(sorted(stories)) or "none: write one in a stories/ folder of a --prompts folder"
        raise QuestionNotFound(f"unknown story '{story_id}' (known: {known})") from None
