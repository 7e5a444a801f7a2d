"""Question banks and rubrics: plain TOML files parsed into dataclasses.

`parse_bank(text, source)` validates one file; `load_bank(folders)` reads every
`*.toml` in the bundled prompts folder and the user's folders and checks that
the pieces fit together (known categories, known cues, unique ids). Nothing in
a file is executed: patterns are compiled as regular expressions, nothing else.
"""

from __future__ import annotations

import functools
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from voiceprep.core.errors import BankError, QuestionNotFound, read_utf8
from voiceprep.core.estimate import EstimateTarget, parse_estimate
from voiceprep.core.lexicon import Lexicon, load_lexicon

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


@dataclass(frozen=True)
class Rule:
    """A sentence hits when one `match` pattern is found and, if `near` is set, one
    `near` pattern is found in the same sentence or the `window` sentences around it."""

    match: tuple[re.Pattern[str], ...]
    near: tuple[re.Pattern[str], ...] = ()
    window: int = 1


@dataclass(frozen=True)
class Cue:
    """One rubric item: how to recognise it and what to tell the user when it is missed."""

    id: str
    label: str
    tip: str
    follow_up: str
    rules: tuple[Rule, ...]
    unless: tuple[re.Pattern[str], ...] = ()
    negation: bool = True
    min_count: int = 1
    within_first: float | None = None  # fraction of the answer the hit must fall in
    source: str = ""


@dataclass(frozen=True)
class Category:
    id: str
    label: str
    cues: tuple[str, ...]
    vocabulary: tuple[str, ...] = ()


@dataclass(frozen=True)
class Point:
    """One thing a strong answer says (a question's key point, or a bullet of the user's story):
    its text and a few ways of phrasing it, which the point matcher compares sentences with."""

    id: str
    text: str
    examples: tuple[str, ...] = ()
    label: str = ""  # a story bullet's S/T/A/R/Lesson label ("" for a question's points)
    quantified: bool = False  # made only by a quantified outcome ("from 2 s to 300 ms"), not by meaning


@dataclass(frozen=True)
class Question:
    id: str
    category: str
    text: str
    target_s: float
    prep_s: float = 0.0
    cues: tuple[str, ...] = ()  # extra cues beyond the category's
    focus: tuple[str, ...] = ()  # cues this question especially exercises (practice --focus)
    follow_ups: tuple[str, ...] = ()
    vocabulary: tuple[str, ...] = ()
    source: str = ""
    estimate: EstimateTarget | None = None  # estimation questions: the expected figure and its chain
    points: tuple[Point, ...] = ()  # what a strong answer covers, most important first


@dataclass
class BankFile:
    """What one file contributes."""

    source: str
    questions: list[Question] = field(default_factory=list)
    cues: dict[str, Cue] = field(default_factory=dict)
    categories: dict[str, Category] = field(default_factory=dict)


@dataclass
class Bank:
    """All questions, cues and categories, merged and cross-checked."""

    questions: dict[str, Question]
    cues: dict[str, Cue]
    categories: dict[str, Category]
    lexicon_folders: tuple[Path, ...] = ()  # where the [[term]] tables are (core/lexicon.py)
    bundled_lexicon: bool = False

    @functools.cached_property
    def lexicon(self) -> Lexicon:
        """The lexicon of the same folders, read on first use (it is not needed to start)."""
        if not self.bundled_lexicon and not self.lexicon_folders:
            return Lexicon()
        return load_lexicon(self.lexicon_folders, self.bundled_lexicon)

    def question(self, qid: str) -> Question:
        try:
            return self.questions[qid]
        except KeyError:
            near = [q for q in self.questions if qid.lower() in q]
            hint = f" (did you mean {', '.join(near[:3])}?)" if near else " (see `voiceprep questions`)"
            raise QuestionNotFound(f"unknown question id '{qid}'{hint}") from None

    def category(self, cid: str) -> Category:
        try:
            return self.categories[cid]
        except KeyError:
            known = ", ".join(sorted(self.categories))
            raise QuestionNotFound(f"unknown category '{cid}' (known: {known})") from None

    def list_questions(self, category: str | None = None) -> list[Question]:
        if category is not None:
            self.category(category)
        return [q for q in self.questions.values() if category is None or q.category == category]

    def cues_for(self, category: str, question: Question | None = None) -> list[Cue]:
        """The category's cues, then the question's extra ones, in that order."""
        ids = list(self.category(category).cues)
        if question is not None:
            ids += [c for c in question.cues if c not in ids]
        return [self.cues[c] for c in ids]

    def vocabulary_for(self, category: str, question: Question | None = None) -> list[str]:
        """The category's core jargon first, then the question's own terms."""
        words = list(self.category(category).vocabulary)
        if question is not None:
            words += [w for w in question.vocabulary if w not in words]
        return words


# --- parsing --------------------------------------------------------------------------------

class _Where:
    """Builds error messages that name the file, the entry and the field."""

    def __init__(self, source: str, entry: str) -> None:
        self.source, self.entry = source, entry

    def fail(self, fld: str, problem: str) -> BankError:
        return BankError(f"{self.source}: {self.entry}: field '{fld}': {problem}")

    def text(self, data: dict, fld: str, required: bool = True, default: str = "") -> str:
        value = data.get(fld)
        if value is None:
            if required:
                raise self.fail(fld, "missing")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.fail(fld, "must be a non-empty string")
        return value.strip()

    def number(self, data: dict, fld: str, default: float | None = None, low: float = 0.0) -> float:
        value = data.get(fld, default)
        if value is None:
            raise self.fail(fld, "missing")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < low:
            raise self.fail(fld, f"must be a number >= {low:g}")
        return float(value)

    def strings(self, data: dict, fld: str) -> tuple[str, ...]:
        value = data.get(fld, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.fail(fld, "must be a list of non-empty strings")
        return tuple(v.strip() for v in value)

    def patterns(self, data: dict, fld: str) -> tuple[re.Pattern[str], ...]:
        out = []
        for i, raw in enumerate(self.strings(data, fld)):
            try:
                out.append(re.compile(raw, re.IGNORECASE))
            except re.error as exc:
                raise self.fail(f"{fld}[{i}]", f"invalid pattern {raw!r}: {exc}") from None
        return tuple(out)

    def only(self, data: dict, allowed: set[str]) -> None:
        """Reject unknown fields: a misplaced key (say, `unless` under a rule) must not be ignored."""
        for key in data:
            if key not in allowed:
                raise self.fail(key, f"unknown field (expected one of: {', '.join(sorted(allowed))})")

    def ident(self, value: Any, fld: str = "id") -> str:
        if not isinstance(value, str) or not _ID.match(value):
            raise self.fail(fld, "must be lower-case letters, digits, '-' or '_' (at most 64)")
        return value


def parse_bank(text: str, source: str = "<text>") -> BankFile:
    """Parse and validate one bank/rubric file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    known = {"question", "cues", "categories", "term"}  # [[term]]: the lexicon (core/lexicon.py)
    unknown = sorted(set(data) - known)
    if unknown:
        raise BankError(f"{source}: unknown top-level key '{unknown[0]}' (expected {sorted(known)})")
    out = BankFile(source)
    for cid, raw in _table(data, "categories", source).items():
        out.categories[cid] = _parse_category(cid, raw, source)
    for cid, raw in _table(data, "cues", source).items():
        out.cues[cid] = _parse_cue(cid, raw, source)
    questions = data.get("question", [])
    if not isinstance(questions, list):
        raise BankError(f"{source}: 'question' must be an array of tables ([[question]])")
    seen: set[str] = set()
    for n, raw in enumerate(questions, 1):
        q = _parse_question(n, raw, source)
        if q.id in seen:
            raise BankError(f"{source}: question {n} '{q.id}': field 'id': duplicate question id")
        seen.add(q.id)
        out.questions.append(q)
    return out


def _table(data: dict, key: str, source: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, dict) for v in value.values()):
        raise BankError(f"{source}: '{key}' must be a table of tables ([{key}.<id>])")
    return value


def _parse_category(cid: str, raw: dict, source: str) -> Category:
    where = _Where(source, f"category '{cid}'")
    where.ident(cid)
    where.only(raw, {"label", "cues", "vocabulary"})
    cues = where.strings(raw, "cues")
    if not cues:
        raise where.fail("cues", "must list at least one cue")
    return Category(cid, where.text(raw, "label", required=False, default=cid), cues,
                    where.strings(raw, "vocabulary"))


def _parse_cue(cid: str, raw: dict, source: str) -> Cue:
    where = _Where(source, f"cue '{cid}'")
    where.ident(cid)
    where.only(raw, {"label", "tip", "follow_up", "rules", "unless", "negation", "min_count", "within_first"})
    rules_raw = raw.get("rules")
    if not isinstance(rules_raw, list) or not rules_raw or not all(isinstance(r, dict) for r in rules_raw):
        raise where.fail("rules", "must be a non-empty array of tables ([[cues.<id>.rules]])")
    rules = []
    for i, r in enumerate(rules_raw):
        rw = _Where(source, f"cue '{cid}' rule {i + 1}")
        rw.only(r, {"match", "near", "window"})
        match = rw.patterns(r, "match")
        if not match:
            raise rw.fail("match", "must list at least one pattern")
        rules.append(Rule(match, rw.patterns(r, "near"), int(rw.number(r, "window", 1))))
    within = raw.get("within_first")
    if within is not None:
        within = where.number(raw, "within_first")
        if not 0 < within <= 1:
            raise where.fail("within_first", "must be a fraction in (0, 1]")
    negation = raw.get("negation", True)
    if not isinstance(negation, bool):
        raise where.fail("negation", "must be true or false")
    return Cue(
        id=cid,
        label=where.text(raw, "label"),
        tip=where.text(raw, "tip"),
        follow_up=where.text(raw, "follow_up"),
        rules=tuple(rules),
        unless=where.patterns(raw, "unless"),
        negation=negation,
        min_count=int(where.number(raw, "min_count", 1, low=1)),
        within_first=within,
        source=source,
    )


def _parse_question(n: int, raw: Any, source: str) -> Question:
    if not isinstance(raw, dict):
        raise BankError(f"{source}: question {n}: must be a table")
    qid = raw.get("id")
    where = _Where(source, f"question {n}" + (f" '{qid}'" if isinstance(qid, str) else ""))
    where.ident(qid)
    where.only(raw, {"id", "category", "text", "target_s", "prep_s", "cues", "focus", "follow_ups",
                    "vocabulary", "points", "estimate"})
    target = where.number(raw, "target_s", low=1)
    return Question(
        id=qid,
        category=where.ident(raw.get("category"), "category"),
        text=where.text(raw, "text"),
        target_s=target,
        prep_s=where.number(raw, "prep_s", 0),
        cues=where.strings(raw, "cues"),
        focus=where.strings(raw, "focus"),
        follow_ups=where.strings(raw, "follow_ups"),
        vocabulary=where.strings(raw, "vocabulary"),
        source=source,
        points=_parse_points(raw.get("points", []), source, where.entry),
        estimate=parse_estimate(raw["estimate"], where.fail) if "estimate" in raw else None,
    )


def _parse_points(raw: Any, source: str, entry: str) -> tuple[Point, ...]:
    """A question's `points`: an array of tables {id, text, examples}; ids unique in the question."""
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise _Where(source, entry).fail("points", "must be an array of tables {id, text, examples}")
    out: list[Point] = []
    for i, p in enumerate(raw):
        where = _Where(source, f"{entry} point {i + 1}" + (f" '{p['id']}'" if isinstance(p.get("id"), str) else ""))
        where.only(p, {"id", "text", "examples", "quantified"})
        pid = where.ident(p.get("id"))
        if any(q.id == pid for q in out):
            raise where.fail("id", "duplicate point id in this question")
        quantified = p.get("quantified", False)
        if not isinstance(quantified, bool):
            raise where.fail("quantified", "must be true or false")
        out.append(Point(pid, where.text(p, "text"), where.strings(p, "examples"), quantified=quantified))
    return tuple(out)


# --- loading --------------------------------------------------------------------------------

def bundled_prompts_dir() -> Path:
    """The question banks and rubric shipped inside the package (voiceprep/prompts)."""
    return Path(__file__).resolve().parent.parent / "prompts"


def read_bank_file(path: Path) -> BankFile:
    return parse_bank(read_utf8(path), str(path))


def load_bank(folders: Iterable[Path | str] = (), include_bundled: bool = True) -> Bank:
    """Load the bundled prompts, then each user folder in order.

    A later folder may redefine a cue or a category (that is how users tune the
    rubric); question ids must be unique across all folders.
    """
    dirs = ([bundled_prompts_dir()] if include_bundled else []) + [Path(f) for f in folders]
    files: list[BankFile] = []
    for d in dirs:
        if not d.is_dir():
            raise BankError(f"{d}: prompts folder not found")
        paths = sorted(d.glob("*.toml"))
        if not paths and not (d / "stories").is_dir():  # a folder of stories alone is fine
            raise BankError(f"{d}: prompts folder holds no *.toml bank files (nor a stories/ folder)")
        files += [read_bank_file(p) for p in paths]
    bank = merge(files)
    bank.lexicon_folders, bank.bundled_lexicon = tuple(Path(f) for f in folders), include_bundled
    return bank


def merge(files: list[BankFile]) -> Bank:
    questions: dict[str, Question] = {}
    cues: dict[str, Cue] = {}
    categories: dict[str, Category] = {}
    for f in files:
        cues.update(f.cues)
        categories.update(f.categories)
    for f in files:
        for q in f.questions:
            if q.id in questions:
                raise BankError(f"{f.source}: question '{q.id}': field 'id': duplicate question id "
                                f"(also in {questions[q.id].source})")
            questions[q.id] = q
    for cat in categories.values():
        for c in cat.cues:
            if c not in cues:
                raise BankError(f"category '{cat.id}': field 'cues': unknown cue '{c}'")
    for q in questions.values():
        if q.category not in categories:
            raise BankError(f"{q.source}: question '{q.id}': field 'category': unknown category "
                            f"'{q.category}' (known: {', '.join(sorted(categories))})")
        for fld in ("cues", "focus"):
            for c in getattr(q, fld):
                if c not in cues:
                    raise BankError(f"{q.source}: question '{q.id}': field '{fld}': unknown cue '{c}'")
    return Bank(questions, cues, categories)
