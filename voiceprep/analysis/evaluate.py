"""Cue accuracy: per-cue precision and recall against hand-labeled answers.

Two sets: the project's own labeled answers (tests/data/labeled_*.toml, a regression set:
written here, the rules were tuned on them) and the corpus of real answers by other people
(tests/data/corpus, split by source into train, dev and test). Each set is judged by the
rules alone, the semantic detector alone, and both (what voiceprep uses). A cue is judged
only in the categories that evaluate it. `python -m voiceprep.analysis.evaluate` (make
accuracy) prints every table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from typing import Protocol, Sequence

from voiceprep.analysis.corpus import SPLITS, frozen_test_split_holds, load_corpus
from voiceprep.analysis.rubric import check
from voiceprep.analysis.semantic import Detector
from voiceprep.core.bank import Bank, load_bank, tomllib
from voiceprep.core.errors import BankError
from voiceprep.core.transcript import Transcript


@dataclass(frozen=True)
class LabeledAnswer:
    id: str
    category: str
    text: str
    hits: frozenset[str]
    quality: str = ""


@dataclass
class CueScore:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    errors: list[str] = field(default_factory=list)  # "+answer" false positive, "-answer" false negative

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def load_labeled(where: Path) -> list[LabeledAnswer]:
    """Every labeled_*.toml in a folder, or one file."""
    out = []
    for path in (sorted(where.glob("labeled_*.toml")) if where.is_dir() else [where]):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        for n, a in enumerate(data.get("answer", []), 1):
            try:
                out.append(LabeledAnswer(a["id"], a["category"], a["text"].strip(), frozenset(a["hits"]),
                                         a.get("quality", "")))
            except KeyError as exc:
                raise BankError(f"{path}: answer {n}: field {exc}: missing") from None
    return out


def score(answers: list[LabeledAnswer], bank: Bank) -> dict[str, CueScore]:
    scores: dict[str, CueScore] = {}
    for a in answers:
        for result in check(Transcript(text=a.text), bank.cues_for(a.category)):
            s = scores.setdefault(result.cue.id, CueScore())
            expected = result.cue.id in a.hits
            if result.hit and expected:
                s.tp += 1
            elif result.hit:
                s.fp += 1
                s.errors.append(f"+{a.id}")
            elif expected:
                s.fn += 1
                s.errors.append(f"-{a.id}")
            else:
                s.tn += 1
    return scores


def macro_f1(scores: dict[str, CueScore]) -> float:
    return sum(s.f1 for s in scores.values()) / len(scores) if scores else 0.0


def format_table(scores: dict[str, CueScore]) -> str:
    lines = [f"{'cue':22} {'tp':>3} {'fp':>3} {'fn':>3} {'tn':>3} {'prec':>6} {'recall':>6} {'f1':>6}  errors"]
    for cid, s in sorted(scores.items()):
        lines.append(f"{cid:22} {s.tp:3} {s.fp:3} {s.fn:3} {s.tn:3} {s.precision:6.2f} {s.recall:6.2f} {s.f1:6.2f}  "
                     + " ".join(s.errors))
    lines.append(f"macro-F1 {macro_f1(scores):.3f} over {len(scores)} cues")
    return "\n".join(lines)


class Judged(Protocol):
    """A labeled answer: what it says and the cues a reader judged present."""

    id: str
    category: str
    text: str
    hits: frozenset[str]


Verdicts = list[dict[str, bool]]  # per answer: cue -> hit
MODES = ("rules", "detector", "combined")


def rule_verdicts(answers: Sequence[Judged], bank: Bank, cues: Sequence[str]) -> Verdicts:
    return [{r.cue.id: r.hit for r in check(Transcript(text=a.text), [bank.cues[c] for c in cues])} for a in answers]


def detector_verdicts(answers: Sequence[Judged], bank: Bank, detector: Detector, combined: bool) -> Verdicts:
    """The detector's verdicts, alone or with the rules (what `voiceprep` reports)."""
    cues = list(detector.model.cues)
    rules = rule_verdicts(answers, bank, cues)
    out = []
    for a, ruled in zip(answers, rules):
        scores = detector.scores(Transcript(text=a.text).sentences())
        out.append({c: s.hit(ruled[c]) if combined else s.probability >= s.threshold for c, s in scores.items()})
    return out


def tally(answers: Sequence[Judged], verdicts: Verdicts, bank: Bank) -> dict[str, CueScore]:
    """Per cue, over the answers whose category evaluates it."""
    scores: dict[str, CueScore] = {}
    for a, said in zip(answers, verdicts):
        for cue in bank.cues_for(a.category):
            s = scores.setdefault(cue.id, CueScore())
            hit, expected = said[cue.id], cue.id in a.hits
            s.tp, s.fp = s.tp + (hit and expected), s.fp + (hit and not expected)
            s.fn, s.tn = s.fn + (expected and not hit), s.tn + (not hit and not expected)
            if hit != expected:
                s.errors.append(("+" if hit else "-") + a.id)
    return scores


def verdicts_by_mode(answers: Sequence[Judged], bank: Bank, detector: Detector | None) -> dict[str, Verdicts]:
    cues = sorted({c.id for cat in bank.categories for c in bank.cues_for(cat)})
    out = {"rules": rule_verdicts(answers, bank, cues)}
    if detector is not None:
        out["detector"] = detector_verdicts(answers, bank, detector, combined=False)
        out["combined"] = detector_verdicts(answers, bank, detector, combined=True)
    return out


def summary_table(rows: dict[str, dict[str, CueScore]]) -> str:
    """Per cue P/R/F1 for each labeled set and mode (columns), macro-F1 last."""
    cues = sorted({c for scores in rows.values() for c in scores})
    head = f"{'cue':22}" + "".join(f" {name:>17}" for name in rows)
    lines = [head, f"{'':22}" + "".join(f" {'P    R    F1':>17}" for _ in rows)]
    for c in cues:
        cells = [rows[n].get(c) for n in rows]
        lines.append(f"{c:22}" + "".join(f" {s.precision:4.2f} {s.recall:4.2f} {s.f1:4.2f}" if s else f" {'-':>17}"
                                         for s in cells))
    lines.append(f"{'macro-F1':22}" + "".join(f" {macro_f1(rows[n]):17.3f}" for n in rows))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data = Path(args[0]) if args else Path(__file__).resolve().parent.parent.parent / "tests" / "data"
    bank = load_bank()
    detector = Detector.load()
    own = load_labeled(data)
    corpus = load_corpus(data / "corpus")
    out = sys.stdout
    out.write(f"Own labeled answers ({len(own)}, written here; the rules were tuned on them):\n")
    modes = verdicts_by_mode(own, bank, detector)
    out.write(summary_table({m: tally(own, v, bank) for m, v in modes.items()}) + "\n\n")
    held = "frozen test split unchanged" if frozen_test_split_holds(corpus, data / "corpus") else \
        "TEST SPLIT CHANGED since it was frozen: its figures are not a held-out measure"
    for split in SPLITS:
        part = [a for a in corpus if a.split == split]
        out.write(f"Corpus of real answers by other people, {split} split ({len(part)} answers, "
                  f"{len({a.source_group for a in part})} sources){'; ' + held if split == 'test' else ''}:\n")
        modes = verdicts_by_mode(part, bank, detector)
        out.write(summary_table({m: tally(part, v, bank) for m, v in modes.items()}) + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
