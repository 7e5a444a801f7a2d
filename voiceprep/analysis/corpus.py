"""The labeled corpus of real answers by other people (tests/data/corpus), split by source.

Each batch file holds [[answer]] entries (tests/data/corpus/LABELING.md); split.toml says which
split (train, dev, test) each source belongs to, and carries the test split's fingerprint, so a
changed test split is noticed. `parse_corpus` checks the text of one batch (no I/O);
`load_corpus` reads a folder.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voiceprep.core.bank import tomllib
from voiceprep.core.errors import BankError

SPLITS = ("train", "dev", "test")
CATEGORIES = ("system_design", "behavioral", "deep_dive", "concurrency")


@dataclass(frozen=True)
class CorpusAnswer:
    """One real answer, reworded into spoken style, with the cues a reader judged present."""

    id: str
    category: str
    text: str
    hits: frozenset[str]
    evidence: dict[str, tuple[str, ...]] = field(default_factory=dict)  # cue -> sentences that show it
    quality: str = ""
    source: str = ""
    source_group: str = ""
    asr: bool = False
    split: str = ""


@dataclass(frozen=True)
class SplitPlan:
    """Which split each source (unit) belongs to, and the frozen test split's fingerprint."""

    splits: dict[str, str]
    units: dict[str, str]
    test_fingerprint: str

    def unit(self, source_group: str) -> str:
        if source_group.startswith("github:learn-academy-2023-golf/"):
            return "learn-academy-2023-golf"
        return self.units.get(source_group, source_group)


def _field(entry: dict, key: str, kind: type, where: str) -> Any:
    if key not in entry:
        raise BankError(f"{where}: field '{key}' is missing")
    value = entry[key]
    if not isinstance(value, kind):
        raise BankError(f"{where}: field '{key}' should be {kind.__name__}, not {type(value).__name__}")
    return value


def parse_corpus(text: str, source: str) -> list[CorpusAnswer]:
    """The answers of one batch file's text; errors name the file, the entry and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    out = []
    for n, entry in enumerate(data.get("answer", []), 1):
        where = f"{source}: answer {n} ({entry.get('id', '?')})"
        evidence = {cue: tuple(quotes) for cue, quotes in _field(entry, "evidence", dict, where).items()} \
            if "evidence" in entry else {}
        category = _field(entry, "category", str, where)
        if category not in CATEGORIES:
            raise BankError(f"{where}: field 'category' is '{category}', not one of {', '.join(CATEGORIES)}")
        out.append(CorpusAnswer(_field(entry, "id", str, where), category, _field(entry, "text", str, where).strip(),
                                frozenset(_field(entry, "hits", list, where)), evidence,
                                entry.get("quality", ""), entry.get("source", ""),
                                _field(entry, "source_group", str, where), bool(entry.get("asr", False))))
    return out


def parse_split(text: str, source: str) -> SplitPlan:
    data = tomllib.loads(text)
    return SplitPlan(dict(data.get("split", {})), dict(data.get("units", {})), data.get("test_fingerprint", ""))


def fingerprint(answers: list[CorpusAnswer]) -> str:
    """A hash of the answers' ids, texts and labels: it changes if any of them does."""
    h = hashlib.sha256()
    for a in sorted(answers, key=lambda a: (a.source_group, a.id)):
        h.update((a.id + "\0" + a.text + "\0" + ",".join(sorted(a.hits))).encode())
    return h.hexdigest()


def load_corpus(folder: Path) -> list[CorpusAnswer]:
    """Every batch (b*.toml) of the folder, each answer with the split of its source."""
    plan = parse_split((folder / "split.toml").read_text(encoding="utf-8"), str(folder / "split.toml"))
    out = []
    for path in sorted(folder.glob("b*.toml")):
        for a in parse_corpus(path.read_text(encoding="utf-8"), str(path)):
            unit = plan.unit(a.source_group)
            if unit not in plan.splits:
                raise BankError(f"{path}: answer {a.id}: source '{unit}' has no split in split.toml")
            out.append(CorpusAnswer(**{**a.__dict__, "split": plan.splits[unit]}))
    return out


def frozen_test_split_holds(answers: list[CorpusAnswer], folder: Path) -> bool:
    """True when the test split is the one frozen in split.toml."""
    plan = parse_split((folder / "split.toml").read_text(encoding="utf-8"), str(folder / "split.toml"))
    return fingerprint([a for a in answers if a.split == "test"]) == plan.test_fingerprint
