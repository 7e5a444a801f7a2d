"""Train the semantic cue detector on the corpus's train split; choose thresholds on dev.

    .venv/bin/pip install -e '.[train]'     # scikit-learn, for training only
    .venv/bin/python tools/train_cues.py    # writes voiceprep/data/cue_model.npz

Passage labels come from the corpus evidence: a passage of an answer that hits a cue is a
positive when it overlaps a quoted evidence sentence (other passages of that answer are left
out: the labelers quoted one to three sentences, not every one); every passage of an answer
that misses the cue is a negative. The test split is never read here.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceprep.analysis.corpus import CorpusAnswer, load_corpus  # noqa: E402
from voiceprep.analysis.embedding import SentenceEncoder  # noqa: E402
from voiceprep.analysis.evaluate import Verdicts, rule_verdicts  # noqa: E402
from voiceprep.analysis.semantic import CueModel, Detector, features, passages  # noqa: E402
from voiceprep.core.bank import Bank, load_bank  # noqa: E402
from voiceprep.core.transcript import Transcript  # noqa: E402

CORPUS = ROOT / "tests" / "data" / "corpus"
OUT = ROOT / "voiceprep" / "data" / "cue_model.npz"
THRESHOLDS = np.round(np.arange(0.20, 1.00, 0.01), 2)
RULE_THRESHOLDS = (0.0, 0.3, 0.5, 0.7, 1.01)  # 1.01: the rule never counts


def _words(text: str) -> set[str]:
    return set(text.lower().split())


def overlaps(passage: str, quotes: tuple[str, ...]) -> bool:
    """The passage and a quote share most of the shorter one's words."""
    mine = _words(passage)
    return any(len(mine & _words(q)) >= 0.6 * min(len(mine), len(_words(q))) for q in quotes if q.strip())


def passage_table(answers: list[CorpusAnswer], detector: Detector) -> tuple[np.ndarray, list[int], list[str]]:
    """Features of every passage of every answer, the answer each belongs to, and its text."""
    rows, owner, texts = [], [], []
    for k, a in enumerate(answers):
        found = passages(Transcript(text=a.text).sentences())
        rows.append(features(detector.embed([p.text for p in found])))
        owner += [k] * len(found)
        texts += [p.text for p in found]
    return np.vstack(rows), owner, texts


def fit_cue(cue: str, x: np.ndarray, owner: list[int], texts: list[str], answers: list[CorpusAnswer]):
    from sklearn.linear_model import LogisticRegression

    y, use = [], []
    for i, k in enumerate(owner):
        a = answers[k]
        positive = cue in a.hits and overlaps(texts[i], a.evidence.get(cue, ()))
        y.append(int(positive))
        use.append(positive or cue not in a.hits)
    keep = np.array(use) & np.array([answers[k].split == "train" for k in owner])
    clf = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000).fit(x[keep], np.array(y)[keep])
    return clf.coef_[0].astype(np.float32), float(clf.intercept_[0])


def choose_thresholds(cue: str, best: dict[int, float], rules: Verdicts, answers: list[CorpusAnswer],
                      bank: Bank) -> tuple[float, float]:
    """The dev split's best F1 for this cue; ties go to the higher (more precise) threshold."""
    judged = [k for k, a in enumerate(answers) if a.split == "dev" and cue in {c.id for c in bank.cues_for(a.category)}]

    def f1(t: float, t2: float) -> float:
        said = {k: best[k] >= t or (rules[k][cue] and best[k] >= t2) for k in judged}
        tp = sum(said[k] and cue in answers[k].hits for k in judged)
        fp = sum(said[k] and cue not in answers[k].hits for k in judged)
        fn = sum(not said[k] and cue in answers[k].hits for k in judged)
        return 2 * tp / (2 * tp + fp + fn) if tp else 0.0

    return max(((t, t2) for t in THRESHOLDS for t2 in RULE_THRESHOLDS),
               key=lambda tt: (round(f1(*tt), 3), tt[0], tt[1]))


def main() -> int:
    bank = load_bank()
    answers = [a for a in load_corpus(CORPUS) if a.split in ("train", "dev")]
    cues = tuple(sorted({c.id for cat in bank.categories for c in bank.cues_for(cat)}))
    detector = Detector(SentenceEncoder.load(), CueModel((), *(np.zeros((0, n), np.float32) for n in (768,)),
                                                           *(np.zeros(0, np.float32) for _ in range(3))))
    x, owner, texts = passage_table(answers, detector)
    rules = rule_verdicts(answers, bank, cues)
    weights, bias, thresholds, rule_thresholds = [], [], [], []
    for cue in cues:
        w, b = fit_cue(cue, x, owner, texts, answers)
        p = 1.0 / (1.0 + np.exp(-(x @ w + b)))
        best: dict[int, float] = {}
        for i, k in enumerate(owner):
            best[k] = max(best.get(k, 0.0), float(p[i]))
        t, t2 = choose_thresholds(cue, best, rules, answers, bank)
        weights.append(w), bias.append(b), thresholds.append(t), rule_thresholds.append(t2)
        print(f"{cue:22} threshold {t:.2f}, with its rule {t2:.2f}")
    model = CueModel(cues, np.array(weights), np.array(bias, np.float32), np.array(thresholds, np.float32),
                     np.array(rule_thresholds, np.float32))
    model.save(OUT)
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size // 1024} KB) from "
          f"{sum(a.split == 'train' for a in answers)} train answers, thresholds on "
          f"{sum(a.split == 'dev' for a in answers)} dev answers")
    return 0


if __name__ == "__main__":
    sys.exit(main())
