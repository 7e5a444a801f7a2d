"""Rubric accuracy: per-cue precision and recall against hand-labeled answers.

Labeled files are TOML with [[answer]] tables: id, category, text, and `hits`, the
cues a human reviewer judged present (every other cue of the category is a
judged miss). `python -m voiceprep.analysis.evaluate [FOLDER|FILE]` prints the table.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

from voiceprep.analysis.rubric import check
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


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0]) if args else Path(__file__).resolve().parent.parent / "tests" / "data"
    answers = load_labeled(folder)
    scores = score(answers, load_bank())
    sys.stdout.write(f"{len(answers)} labeled answers from {folder}\n{format_table(scores)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
