"""Point coverage, measured: precision, recall and macro-F1 of the point matcher per split.

The labeled answers are tests/data/points/{train,dev,test}*.toml (README.md there: labeling
rules and split); each [[answer]] names a built-in question or `story:<id>` (stories in
tests/data/points/prompts/stories) and lists the points a reader judged made. Every (answer,
point) pair is one decision. Precision and recall are those of "made"; macro-F1 is the mean
of the F1 of "made" and of "missed". split.toml freezes the test split's fingerprint: a
changed test split is reported, and `--fit` (which fits the matcher's PointModel on train and
dev only: a logistic regression with one offset per built-in point, then one threshold per kind
of point; with its out-of-fold figure by 5-fold cross-validation grouped by author or question;
`--write` ships it) refuses to run if the test split is not the frozen one.

A second reader's blind labels (second/*.toml) give the agreement between readers, printed
after the splits.

    python -m voiceprep.analysis.points_evaluate [tests/data/points] [--fit [--write]]
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from voiceprep.analysis.point_model import (
    FEATURES,
    KINDS,
    MODEL_FILE,
    PointFeatures,
    PointModel,
    point_kind,
    shipped_model,
)
from voiceprep.analysis.points import CueVerdicts, Embed, cue_verdicts, point_features
from voiceprep.analysis.semantic import Detector
from voiceprep.analysis.verdicts import judge
from voiceprep.core.bank import Bank, Point, load_bank, tomllib
from voiceprep.core.errors import BankError
from voiceprep.core.stories import load_stories
from voiceprep.core.transcript import Transcript

SPLITS = ("train", "dev", "test")
DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "points"
SHIPPED = Path(__file__).resolve().parents[1] / "data" / MODEL_FILE


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
    group: str = ""       # who it comes from (the author, else the question): cross-validation folds
    kind: str = "technical"  # which threshold its points take (points.point_kind)


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
            points, kind, category = stories[target[6:]].points, "story", None
        else:
            if target not in bank.questions:
                raise BankError(f"{where}: field 'question': unknown question '{target}'")
            points, kind, category = bank.questions[target].points, "question", bank.questions[target].category
        unknown = set(e["hits"]) - {p.id for p in points}
        if unknown:
            raise BankError(f"{where}: field 'hits': unknown point(s) {sorted(unknown)}")
        author = e.get("author")
        out.append(LabeledAnswer(e["id"], split, target, e["text"].strip(), points, kind, frozenset(e["hits"]),
                                 isinstance(author, str), str(author).lower() if isinstance(author, str) else target,
                                 point_kind(kind, category)))
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

    @classmethod
    def of(cls, decisions: Iterable[tuple[bool, bool]]) -> Score:
        """The counts of (said made, really made) decisions."""
        tp = fp = fn = tn = 0
        for said, made in decisions:
            tp, fp, fn, tn = tp + (said and made), fp + (said and not made), fn + (made and not said), \
                tn + (not said and not made)
        return cls(tp, fp, fn, tn)

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


Scored = list[tuple[LabeledAnswer, Point, PointFeatures]]


def score_all(answers: Sequence[LabeledAnswer], embed: Embed, cues: Callable[[LabeledAnswer], CueVerdicts] | None = None) -> Scored:
    """Every (answer, point) pair with what the matcher found (`cues`: an answer's cue verdicts,
    as the report judges them, for the points decided by a cue)."""
    out: Scored = []
    for a in answers:
        found = point_features(Transcript(text=a.text).sentences(), a.points, a.source, embed,
                               cues=cues(a) if cues is not None else None,
                               question=a.target if a.source == "question" else "")
        out += [(a, p, f) for p, f in zip(a.points, found)]
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


def tally(scored: Scored, model: PointModel) -> Score:
    return Score.of((model.made(f, a.kind), p.id in a.hits) for a, p, f in scored)


def parse_second(text: str, source: str, answers: dict[str, LabeledAnswer]) -> dict[str, frozenset[str]]:
    """A second reader's labels (second/*.toml: [[answer]] id and hits, labeled blind from the texts
    and the points alone); errors name the file, the answer and the field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    out = {}
    for n, e in enumerate(data.get("answer", []), 1):
        where = f"{source}: answer {n} ({e.get('id', '?')})"
        if e.get("id") not in answers:
            raise BankError(f"{where}: field 'id': no labeled answer has it")
        if not isinstance(e.get("hits"), list):
            raise BankError(f"{where}: field 'hits' is missing or not list")
        unknown = set(e["hits"]) - {p.id for p in answers[e["id"]].points}
        if unknown:
            raise BankError(f"{where}: field 'hits': unknown point(s) {sorted(unknown)}")
        out[e["id"]] = frozenset(e["hits"])
    return out


def load_second(folder: Path, answers: Sequence[LabeledAnswer]) -> dict[str, frozenset[str]]:
    by_id = {a.id: a for a in answers}
    out: dict[str, frozenset[str]] = {}
    for path in sorted((folder / "second").glob("*.toml")):
        out.update(parse_second(path.read_text(encoding="utf-8"), str(path), by_id))
    return out


def agreement(scored: Scored, model: PointModel, second: dict[str, frozenset[str]]) -> list[str]:
    """How far a second reader is from the first (the ceiling of a fair figure), and the matcher
    from the second reader, on the answers both labeled."""
    mine = [x for x in scored if x[0].id in second]
    reader = Score.of((p.id in second[a.id], p.id in a.hits) for a, p, _ in mine)
    matcher = Score.of((model.made(f, a.kind), p.id in second[a.id]) for a, p, f in mine)
    n = len({a.id for a, _, _ in mine})
    splits = "/".join(sorted({a.split for a, _, _ in mine}))  # a dev answer's figure is a fitting figure
    return [f"second reader against the first, {n} answers labeled twice ({splits}): precision "
            f"{reader.precision:.3f}, recall {reader.recall:.3f}, macro-F1 {reader.macro_f1:.3f}",
            f"the matcher against the second reader ({splits}): precision {matcher.precision:.3f}, "
            f"recall {matcher.recall:.3f}, macro-F1 {matcher.macro_f1:.3f}"]


def _logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0) -> np.ndarray:
    """Weights (bias last) of an L2-regularised logistic regression, by Newton's method."""
    x1 = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(x1.shape[1])
    reg = np.full(x1.shape[1], l2)
    reg[-1] = 0.0  # the bias is not shrunk
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-x1 @ w))
        hessian = (x1 * (p * (1 - p))[:, None]).T @ x1 + np.diag(reg)
        step = np.linalg.solve(hessian, x1.T @ (p - y) + reg * w)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def fit(scored: Scored) -> PointModel:
    """The model fitted on the pairs given (train and dev): logistic weights with one offset per
    built-in point (shrunk toward 0 like the weights: a point seen in a few answers moves little),
    and general weights without offsets for the points it has none for; each with, per kind of
    point (KINDS), the probability threshold of the best macro-F1 (why offsets and kinds:
    docs/performance.md, "Key points")."""
    semantic = [x for x in scored if x[2].decided is None]
    general = _thresholds(_weights(semantic, []), scored)
    keys = sorted({f.key for _, _, f in semantic if f.key})
    return _thresholds(replace(_weights(semantic, keys), general=general), scored) if keys else general


def _weights(semantic: Scored, keys: Sequence[str]) -> PointModel:
    """The logistic weights on FEATURES, and an offset for each of `keys`."""
    column = {k: len(FEATURES) + i for i, k in enumerate(keys)}
    x = np.zeros((len(semantic), len(FEATURES) + len(keys)))
    for i, (_, _, f) in enumerate(semantic):
        x[i, :len(FEATURES)] = [getattr(f, name) for name in FEATURES]
        if f.key in column:
            x[i, column[f.key]] = 1.0
    y = np.array([p.id in a.hits for a, p, _ in semantic], float)
    w = _logistic(x, y)
    return PointModel(**{name: round(float(v), 3) for name, v in zip(FEATURES, w)}, bias=round(float(w[-1]), 3),
                      offsets={k: round(float(w[i]), 3) for k, i in column.items()})


def _thresholds(model: PointModel, scored: Scored) -> PointModel:
    """The model with, per kind of point, the threshold of the best macro-F1 on `scored`."""
    grid = [round(0.10 + 0.01 * k, 2) for k in range(81)]
    best = {}
    for kind in KINDS:
        mine = [x for x in scored if x[0].kind == kind]
        best[kind] = max(grid, key=lambda t: (tally(mine, replace(model, **{kind: t})).macro_f1, -abs(t - 0.5)))
    return replace(model, **best)


def cross_validate(scored: Scored, folds: int = 5, by: Callable[[LabeledAnswer], str] = lambda a: a.group) -> Scored:
    """Out-of-fold verdicts: each group (`by`: the author, or the question for the answers written
    here; or the question, for points never seen) is judged by a model fitted without it. Returns
    the pairs with their features decided (`decided` set to the held-out model's verdict), so that
    `tally` scores them as they came out."""
    groups = sorted({by(a) for a, _, _ in scored})
    fold = {g: i % folds for i, g in enumerate(np.random.default_rng(0).permutation(groups))}
    out: Scored = []
    for k in range(folds):
        model = fit([x for x in scored if fold[by(x[0])] != k])
        out += [(a, p, replace(f, decided=model.made(f, a.kind))) for a, p, f in scored if fold[by(a)] == k]
    return out


def report(scored: Scored, model: PointModel) -> list[str]:
    def needed(m: PointModel, kinds: Sequence[str]) -> str:
        return ", ".join(f"{kind} {m.threshold(kind):.2f}" for kind in kinds)

    if model.general is None:
        needed_text = needed(model, KINDS)
    else:  # a story's bullets never have an offset
        needed_text = f"{needed(model, KINDS[:3])} (built-in points); {needed(model.general, KINDS)} (points without an offset)"
    lines = [f"point coverage (probability needed: {needed_text})",
             f"{'split':<18} {'answers':>7} {'pairs':>6} {'precision':>9} {'recall':>7} {'macro-F1':>8}"]
    for split in SPLITS:
        mine = [x for x in scored if x[0].split == split]
        rows = [(split, mine)]
        if any(x[0].others for x in mine) and not all(x[0].others for x in mine):
            rows += [("  by other people", [x for x in mine if x[0].others]),
                     ("  written here", [x for x in mine if not x[0].others])]
        for name, part in rows:
            s = tally(part, model)
            lines.append(f"{name:<18} {len({x[0].id for x in part}):>7} {len(part):>6} {s.precision:>9.3f} "
                         f"{s.recall:>7.3f} {s.macro_f1:>8.3f}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m voiceprep.analysis.points_evaluate")
    p.add_argument("folder", nargs="?", default=str(DATA), type=Path)
    p.add_argument("--fit", action="store_true", help="print the model train+dev fit, and its out-of-fold figure (test unused)")
    p.add_argument("--write", action="store_true", help=f"with --fit: write the model to voiceprep/data/{MODEL_FILE}")
    args = p.parse_args(argv)
    answers = load_answers(args.folder)
    frozen = fingerprint([a for a in answers if a.split == "test"]) == frozen_fingerprint(args.folder)
    detector = Detector.load()
    embed, cues = detector.embed, report_cues(load_bank(), detector)
    if args.fit:
        if not frozen:
            print("the test split is not the frozen one (split.toml): refusing to fit", file=sys.stderr)
            return 2
        scored = score_all([a for a in answers if a.split != "test"], embed, cues)
        found = fit(scored)
        print(f"fitted on train+dev: {replace(found, offsets={}, general=None)} with {len(found.offsets)} point "
              f"offsets; without offsets: {found.general}")
        if args.write:
            SHIPPED.write_text(found.to_json(), encoding="utf-8")
            print(f"written to {SHIPPED}")
        for folds, by in (("authors", lambda a: a.group), ("questions never seen", lambda a: a.target)):
            held = cross_validate(scored, by=by)
            for name, part in (("all", held), ("by other people", [x for x in held if x[0].others])):
                s = tally(part, found)
                print(f"out-of-fold ({folds}), {name}: precision {s.precision:.3f}, recall {s.recall:.3f}, "
                      f"macro-F1 {s.macro_f1:.3f}")
        return 0
    scored = score_all(answers, embed, cues)
    model = shipped_model()
    print("\n".join(report(scored, model)))
    second = load_second(args.folder, answers)
    for split in SPLITS:  # dev's figure is a fitting figure, test's is not: never pooled
        mine = [x for x in scored if x[0].split == split]
        if any(a.id in second for a, _, _ in mine):
            print("\n".join(agreement(mine, model, second)))
    print("test split: frozen (fingerprint matches split.toml)" if frozen
          else "test split: CHANGED since it was frozen (fingerprint differs from split.toml)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
