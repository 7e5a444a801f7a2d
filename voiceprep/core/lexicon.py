"""The domain lexicon: technical terms, how they are said, and what Whisper writes for them.

Terms live in the prompt folders beside the question banks, as `[[term]]` tables in any
`*.toml` file (the bundled ones in prompts/lexicon.toml):

    [[term]]
    term = "Postgres"                 # the written form
    spoken = ["post gres"]            # other ways it is said ("p ninety-nine" for p99)
    topics = ["data"]                 # what talk it belongs to (system design, data, ...)
    confusions = ["posters"]          # what Whisper tiny.en was heard to write for it

`parse_lexicon(text, source)` validates one file; `load_lexicon(folders)` reads the bundled
folder, then each user folder, a later folder's term replacing an earlier one of the same
written form (case-insensitive), as banks let users redefine cues. Errors name the file, the
entry and the field. Hearing uses it to choose each window's prompt terms and to correct
misheard terms (hearing/lexicon.py).
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from voiceprep.core.errors import BankError, read_utf8

_TOPIC = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
_FIELDS = {"term", "spoken", "topics", "confusions"}
_WORD = re.compile(r"[a-z0-9']+")


def words_of(text: str) -> tuple[str, ...]:
    """Lower-case word tokens, the form every comparison uses ("Fan-out," -> ("fan", "out"))."""
    return tuple(_WORD.findall(text.lower().replace("’", "'")))


@dataclass(frozen=True)
class Term:
    """One lexicon entry. `spoken` and `confusions` are word tuples (see words_of)."""

    term: str
    spoken: tuple[tuple[str, ...], ...]
    topics: tuple[str, ...]
    confusions: tuple[tuple[str, ...], ...] = ()
    source: str = ""

    @property
    def forms(self) -> tuple[tuple[str, ...], ...]:
        """Every correct way to hear it: the written form's words, then the spoken forms."""
        written = words_of(self.term)
        return (written, *[s for s in self.spoken if s != written])

    @property
    def key(self) -> str:
        return self.term.lower()


@dataclass(frozen=True)
class Lexicon:
    """All terms, in file order (bundled first)."""

    terms: tuple[Term, ...] = ()

    def __len__(self) -> int:
        return len(self.terms)

    def topics(self) -> set[str]:
        return {t for term in self.terms for t in term.topics}


def parse_lexicon(text: str, source: str = "<text>") -> tuple[Term, ...]:
    """The `[[term]]` entries of one prompt file (other tables belong to the banks and are skipped)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    raw = data.get("term", [])
    if not isinstance(raw, list):
        raise BankError(f"{source}: 'term' must be an array of tables ([[term]])")
    out: list[Term] = []
    seen: dict[str, int] = {}
    for n, entry in enumerate(raw, 1):
        term = _parse_term(n, entry, source)
        if term.key in seen:
            raise BankError(f"{source}: term {n} '{term.term}': field 'term': duplicate of term {seen[term.key]}")
        seen[term.key] = n
        out.append(term)
    return tuple(out)


def _parse_term(n: int, raw: Any, source: str) -> Term:
    if not isinstance(raw, dict):
        raise BankError(f"{source}: term {n}: must be a table")
    name = raw.get("term")
    entry = f"term {n}" + (f" '{name}'" if isinstance(name, str) else "")

    def fail(fld: str, problem: str) -> BankError:
        return BankError(f"{source}: {entry}: field '{fld}': {problem}")

    for key in raw:
        if key not in _FIELDS:
            raise fail(key, f"unknown field (expected one of: {', '.join(sorted(_FIELDS))})")
    if not isinstance(name, str) or not words_of(name):
        raise fail("term", "missing" if name is None else "must be a string with at least one letter or digit")

    def phrases(fld: str) -> tuple[tuple[str, ...], ...]:
        value = raw.get(fld, [])
        if not isinstance(value, list):
            raise fail(fld, "must be a list of strings")
        out = []
        for i, v in enumerate(value):
            if not isinstance(v, str) or not words_of(v):
                raise fail(f"{fld}[{i}]", "must be a string with at least one letter or digit")
            out.append(words_of(v))
        return tuple(out)

    topics = raw.get("topics")
    if not isinstance(topics, list) or not topics:
        raise fail("topics", "must list at least one topic")
    for i, t in enumerate(topics):
        if not isinstance(t, str) or not _TOPIC.match(t):
            raise fail(f"topics[{i}]", "must be lower-case letters, digits, '-' or '_' (at most 32)")
    spoken, confusions = phrases("spoken"), phrases("confusions")
    right = {words_of(name), *spoken}
    for i, c in enumerate(confusions):
        if c in right:
            raise fail(f"confusions[{i}]", f"'{' '.join(c)}' is how the term is said, not a confusion")
    return Term(name.strip(), spoken, tuple(topics), confusions, source)


def read_lexicon_file(path: Path) -> tuple[Term, ...]:
    """The terms of one prompt file; a file without a `term` table (a bank) is not parsed again."""
    text = read_utf8(path)
    if not re.search(r"^\s*(\[\[\s*term\s*\]\]|term\s*=)", text, re.MULTILINE):
        return ()
    return parse_lexicon(text, str(path))


def bundled_lexicon_dir() -> Path:
    """The prompts folder shipped inside the package (the same as the banks')."""
    return Path(__file__).resolve().parent.parent / "prompts"


def load_lexicon(folders: Iterable[Path | str] = (), include_bundled: bool = True) -> Lexicon:
    """The bundled terms, then each user folder's, in order; a later term replaces an earlier one
    with the same written form (so a user can fix a confusion that misfires for their voice)."""
    dirs = ([bundled_lexicon_dir()] if include_bundled else []) + [Path(f) for f in folders]
    terms: dict[str, Term] = {}
    for d in dirs:
        if not d.is_dir():
            raise BankError(f"{d}: prompts folder not found")
        for path in sorted(d.glob("*.toml")):
            for term in read_lexicon_file(path):
                terms.pop(term.key, None)
                terms[term.key] = term
    return Lexicon(tuple(terms.values()))


__all__ = ["Lexicon", "Term", "bundled_lexicon_dir", "load_lexicon", "parse_lexicon", "read_lexicon_file", "words_of"]
