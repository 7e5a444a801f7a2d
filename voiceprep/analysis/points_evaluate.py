"""Point coverage, measured: precision, recall and macro-F1 of the point matcher per split.

The labeled answers are tests/data/points/{train,dev,test}*.toml (README.md there: labeling
rules and split); each [[answer]] names a built-in question or `story:<id>` (stories in
tests/data/points/prompts/stories) and lists the points a reader judged made. Every (answer,
point) pair is one decision. Precision and recall are those of "made"; macro-F1 is the mean
of the F1 of "made" and of "missed". split.toml freezes the test split's fingerprint: a
changed test split is reported, and `--fit` (which sets the thresholds from train and dev
only) refuses to run if the test split is not the frozen one.

    python -m voiceprep.analysis.points_evaluate [tests/data/points] [--fit]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from voiceprep.analysis.points import CueVerdicts, Embed, Thresholds, cue_verdicts, score_points
from voiceprep.analysis.semantic import Detector
from voiceprep.analysis.verdicts import judge
from voiceprep.core.bank import Bank, Point, load_bank, tomllib
from voiceprep.core.errors import BankError
from voiceprep.core.stories import load_stories
from voiceprep.core.transcript import Transcript

SPLITS = ("train", "dev", "test")
DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "points"


@dataclass(frozen=True)
class LabeledAnswer:
    """One spoken-style answer, the points it is checked against, and those it made."""

    id: str
    split: str
    target: str          # a question id, or "story:<id>"
    text: str
    points: tuple[Point, ...]
    source: str          # "question" or "story"
    hits: frozenset[str]
    others: bool = False  # written by other people (an `author` field), not for this set


def parse_answers(text: str, source: str, split: str, bank: Bank, stories: dict) -> list[LabeledAnswer]:
    """One split file's answers; errors name the file, the answer and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    out = []
    for n, e in enumerate(data.get("answer", []), 1):
        where = f"{source}: answer {n} ({e.get('id', '?')})"
        for key, kind in (("id", str), ("question", str), ("text", str), ("hits", list)):
            if not isinstance(e.get(key), kind):
                raise BankError(f"{where}: field '{key}' is missing or not {kind.__name__}")
        target = e["question"]
        if target.startswith("story:"):
            if target[6:] not in stories:
                raise BankError(f"{where}: field 'question': unknown story '{target[6:]}'")
            points, kind = stories[target[6:]].points, "story"
        else:
            if target not in bank.questions:
                raise BankError(f"{where}: field 'question': unknown question '{target}'")
            points, kind = bank.questions[target].points, "question"
        unknown = set(e["hits"]) - {p.id for p in points}
        if unknown:
            raise BankError(f"{where}: field 'hits': unknown point(s) {sorted(unknown)}")
        out.append(LabeledAnswer(e["id"], split, target, e["text"].strip(), points, kind, frozenset(e["hits"]),
                                 isinstance(e.get("author"), str)))
    return out


def load_answers(folder: Path = DATA) -> list[LabeledAnswer]:
    bank = load_bank()
    stories = load_stories([folder / "prompts"], include_bundled=False)
    out = []
    for split in SPLITS:
        for path in sorted(folder.glob(f"{split}*.toml")):  # dev.toml, dev-2.toml, ...
            out += parse_answers(path.read_text(encoding="utf-8"), str(path), split, bank, stories)
    return out


def fingerprint(answers: Sequence[LabeledAnswer]) -> str:
    """A hash of the answers' ids, targets, texts and labels: it changes if any of them does."""
    h = hashlib.sha256()
    for a in sorted(answers, key=lambda a: a.id):
        h.update("\0".join([a.id, a.target, a.text, ",".join(sorted(a.hits))]).encode() + b"\1")
    return h.hexdigest()


def frozen_fingerprint(folder: Path = DATA) -> str:
    return tomllib.loads((folder / "split.toml").read_text(encoding="utf-8")).get("test_fingerprint", "")


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    tn: int

    @staticmethod
    def _f1(tp: int, fp: int, fn: int) -> float:
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def macro_f1(self) -> float:
        return (self._f1(self.tp, self.fp, self.fn) + self._f1(self.tn, self.fn, self.fp)) / 2


Scored = list[tuple[LabeledAnswer, Point, float]]


def score_all(answers: Sequence[LabeledAnswer], embed: Embed, cues: Callable[[LabeledAnswer], CueVerdicts] | None = None) -> Scored:
    """Every (answer, point) pair with the matcher's score (`cues`: an answer's cue verdicts, as
    the report judges them, for the points decided by a cue)."""
    out: Scored = []
    for a in answers:
        scores = score_points(Transcript(text=a.text).sentences(), a.points, a.source, embed,
                              cues=cues(a) if cues is not None else None)
        out += [(a, p, s) for p, (s, _) in zip(a.points, scores)]
    return out


def report_cues(bank: Bank, detector: Detector) -> Callable[[LabeledAnswer], CueVerdicts]:
    """An answer's cue verdicts as `check` would give them (rules and detector), for the points
    decided by a cue; none for a story's bullets."""
    def verdicts(a: LabeledAnswer) -> CueVerdicts:
        question = bank.questions.get(a.target)
        if question is None:
            return {}
        return cue_verdicts(judge(Transcript(text=a.text), bank.cues_for(question.category, question), detector))
    return verdicts


def tally(scored: Scored, thresholds: Thresholds) -> Score:
    tp = fp = fn = tn = 0
    for a, p, s in scored:
        said, made = s >= thresholds.of(a.source), p.id in a.hits
        tp, fp, fn, tn = tp + (said and made), fp + (said and not made), fn + (made and not said), \
            tn + (not said and not made)
    return Score(tp, fp, fn, tn)


def fit(scored: Scored) -> Thresholds:
    """The thresholds (one per source) with the best macro-F1 on the pairs given (train and dev)."""
    grid = [round(0.40 + 0.01 * k, 2) for k in range(46)]
    best: dict[str, float] = {}
    for source in ("question", "story"):
        mine = [x for x in scored if x[0].source == source]
        best[source] = max(grid, key=lambda t: (tally(mine, Thresholds(t, t)).macro_f1, -abs(t - 0.6)))
    return Thresholds(question=best["question"], story=best["story"])


def report(scored: Scored, thresholds: Thresholds) -> list[str]:
    lines = [f"point coverage (thresholds: question {thresholds.question:.2f}, story {thresholds.story:.2f})",
             f"{'split':<18} {'answers':>7} {'pairs':>6} {'precision':>9} {'recall':>7} {'macro-F1':>8}"]
    for split in SPLITS:
        mine = [x for x in scored if x[0].split == split]
        rows = [(split, mine)]
        if any(x[0].others for x in mine) and not all(x[0].others for x in mine):
            rows += [("  by other people", [x for x in mine if x[0].others]),
                     ("  written here", [x for x in mine if not x[0].others])]
        for name, part in rows:
            s = tally(part, thresholds)
            lines.append(f"{name:<18} {len({x[0].id for x in part}):>7} {len(part):>6} {s.precision:>9.3f} "
                         f"{s.recall:>7.3f} {s.macro_f1:>8.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m voiceprep.analysis.points_evaluate")
    p.add_argument("folder", nargs="?", default=str(DATA), type=Path)
    p.add_argument("--fit", action="store_true", help="print the thresholds train+dev choose (test unused)")
    args = p.parse_args(argv)
    answers = load_answers(args.folder)
    frozen = fingerprint([a for a in answers if a.split == "test"]) == frozen_fingerprint(args.folder)
    detector = Detector.load()
    embed, cues = detector.embed, report_cues(load_bank(), detector)
    if args.fit:
        if not frozen:
            print("the test split is not the frozen one (split.toml): refusing to fit", file=sys.stderr)
            return 2
        found = fit(score_all([a for a in answers if a.split != "test"], embed, cues))
        print(f"fitted on train+dev: question {found.question:.2f}, story {found.story:.2f}")
        return 0
    print("\n".join(report(score_all(answers, embed, cues), Thresholds())))
    print("test split: frozen (fingerprint matches split.toml)" if frozen
          else "test split: CHANGED since it was frozen (fingerprint differs from split.toml)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
