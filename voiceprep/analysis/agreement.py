"""How far two labelers agree on the corpus's cues: the ceiling a detector's score is read against.

A second labeler, who never saw the corpus labels, labeled some answers again by the same guide
(tests/data/corpus/LABELING.md); their labels are in tests/data/corpus/second/*.toml, one
[[answer]] entry each (id, hits, evidence). Agreement is counted per cue over the cues each
answer's category judges, as `evaluate` counts the detector: the F1 of one labeler's hits against
the other's (symmetric), and Cohen's kappa (agreement beyond chance). When two careful readers
agree on a cue at F1 0.7, a detector scored against one of them at 0.7 is as good as a reader.
`python -m voiceprep.analysis.agreement` (make accuracy) prints the tables.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceprep.analysis.corpus import CorpusAnswer, load_corpus
from voiceprep.analysis.evaluate import CueScore, detector_verdicts, macro_f1, summary_table, tally
from voiceprep.analysis.semantic import Detector
from voiceprep.core.bank import Bank, load_bank, tomllib
from voiceprep.core.errors import BankError


@dataclass(frozen=True)
class SecondLabel:
    """One answer's cues as the second labeler judged them, with the sentences that showed each."""

    id: str
    hits: frozenset[str]
    evidence: dict[str, tuple[str, ...]]


@dataclass
class Agreement:
    """Two labelers' verdicts on one cue: `score` counts the second's hits against the first's."""

    score: CueScore

    @property
    def judged(self) -> int:
        s = self.score
        return s.tp + s.fp + s.fn + s.tn

    @property
    def kappa(self) -> float:
        """Cohen's kappa: 1 is full agreement, 0 what chance gives with the same hit rates."""
        s, n = self.score, self.judged
        if not n:
            return 1.0
        seen = (s.tp + s.tn) / n
        chance = ((s.tp + s.fp) * (s.tp + s.fn) + (s.fn + s.tn) * (s.fp + s.tn)) / (n * n)
        return 1.0 if chance == 1 else (seen - chance) / (1 - chance)


def parse_second(text: str, source: str, cues: Iterable[str]) -> list[SecondLabel]:
    """The entries of one second-labeling file; errors name the file, the entry and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    known, out = set(cues), []
    for n, entry in enumerate(data.get("answer", []), 1):
        where = f"{source}: answer {n} ({entry.get('id', '?')})"
        for key, kind in (("id", str), ("hits", list)):
            if not isinstance(entry.get(key), kind):
                raise BankError(f"{where}: field '{key}' is missing or not a {kind.__name__}")
        unknown = sorted(set(entry["hits"]) - known)
        if unknown:
            raise BankError(f"{where}: field 'hits' names unknown cues: {', '.join(unknown)}")
        evidence = entry.get("evidence", {})
        missing = sorted(c for c in entry["hits"] if not evidence.get(c))
        if missing:
            raise BankError(f"{where}: field 'evidence' has no sentence for {', '.join(missing)}")
        out.append(SecondLabel(entry["id"], frozenset(entry["hits"]),
                               {c: tuple(q) for c, q in evidence.items()}))
    return out


def load_second(folder: Path, cues: Iterable[str]) -> list[SecondLabel]:
    """Every second-labeling file (*.toml) of the folder; none when the folder is missing."""
    cues = tuple(cues)
    return [label for path in sorted(folder.glob("*.toml"))
            for label in parse_second(path.read_text(encoding="utf-8"), str(path), cues)]


def agreement(first: Mapping[str, CorpusAnswer], second: Sequence[SecondLabel], bank: Bank) -> dict[str, Agreement]:
    """Per cue, the second labeler's hits counted against the corpus labels of the same answers
    (as `evaluate.tally` counts a detector's verdicts)."""
    missing = [label.id for label in second if label.id not in first]
    if missing:
        raise BankError(f"second labeling: answer {missing[0]} is not in the corpus")
    said = [{cue: cue in label.hits for cue in bank.cues} for label in second]
    return {cue: Agreement(score) for cue, score in tally([first[label.id] for label in second], said, bank).items()}


def relabeled(first: Mapping[str, CorpusAnswer], second: Sequence[SecondLabel]) -> list[CorpusAnswer]:
    """The second-labeled answers with the second labeler's hits in place of the corpus labels."""
    return [dataclasses.replace(first[label.id], hits=label.hits, evidence=label.evidence) for label in second]


def against_both(first: Mapping[str, CorpusAnswer], second: Sequence[SecondLabel], bank: Bank,
                 detector: Detector) -> str:
    """voiceprep's verdicts (rules + detector) scored against each labeler, beside their agreement."""
    mine = [first[label.id] for label in second]
    said = detector_verdicts(mine, bank, detector, combined=True)
    return summary_table({"voiceprep vs first": tally(mine, said, bank),
                          "voiceprep vs 2nd": tally(relabeled(first, second), said, bank),
                          "2nd vs first": {c: a.score for c, a in agreement(first, second, bank).items()}})


def format_agreement(rows: Mapping[str, Agreement]) -> str:
    """Per cue: answers judged, hits by each labeler, F1 between them and kappa; macro-F1 last."""
    lines = [f"{'cue':22} {'judged':>6} {'first':>5} {'second':>6} {'F1':>5} {'kappa':>6}"]
    for cue in sorted(rows):
        a, s = rows[cue], rows[cue].score
        lines.append(f"{cue:22} {a.judged:6} {s.tp + s.fn:5} {s.tp + s.fp:6} {s.f1:5.2f} {a.kappa:6.2f}")
    lines.append(f"macro-F1 {macro_f1({c: a.score for c, a in rows.items()}):.3f} over {len(rows)} cues")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    corpus_dir = Path(args[0]) if args else Path(__file__).resolve().parent.parent.parent / "tests" / "data" / "corpus"
    bank = load_bank()
    cues = sorted({c.id for cat in bank.categories for c in bank.cues_for(cat)})
    corpus = {a.id: a for a in load_corpus(corpus_dir)}
    second = load_second(corpus_dir / "second", cues)
    for name, splits in (("train and dev splits", ("train", "dev")), ("test split", ("test",))):
        mine = [label for label in second if label.id in corpus and corpus[label.id].split in splits]
        if mine:
            sys.stdout.write(f"Two labelers, blind to each other, on {len(mine)} answers of the {name} "
                             f"(corpus labels first, second labeling second):\n")
            sys.stdout.write(format_agreement(agreement(corpus, mine, bank)) + "\n\n")
            if splits == ("test",):
                sys.stdout.write(f"The same {len(mine)} test answers: voiceprep (rules + detector) scored against "
                                 "each labeler, and one labeler against the other:\n")
                sys.stdout.write(against_both(corpus, mine, bank, Detector.load()) + "\n\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
