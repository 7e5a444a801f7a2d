"""Word and word-pair features of a passage (tf-idf), beside its embedding in the cue detector.

The sentence embedding says what a passage is about; some cues also rest on the words used
("the downside", "instead of", "I learned", "p99"), which an average of token vectors blurs.
The detector adds, per passage, the tf-idf weights of its words and word pairs over a fixed
vocabulary learned from the corpus (tools/train_cues.py fits scikit-learn's TfidfVectorizer
with ngram_range=(1, 2), sublinear_tf=True, the default tokenisation and a smooth idf; this
module computes the same numbers in NumPy, so scikit-learn is needed for training only).
Why, and what it gained in cross-validation by source: docs/cues.md, "The detector".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise

import numpy as np

_TOKEN = re.compile(r"(?u)\b\w\w+\b")  # scikit-learn's default token_pattern


def terms_of(text: str) -> list[str]:
    """The words (two characters or more, lower case) and adjacent word pairs of a text, in order."""
    words = _TOKEN.findall(text.lower())
    return words + [f"{a} {b}" for a, b in pairwise(words)]


@dataclass(frozen=True)
class NgramVocabulary:
    """The terms the detector knows, each with its inverse document frequency."""

    terms: tuple[str, ...]
    idf: np.ndarray  # (terms,)
    _index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", {t: i for i, t in enumerate(self.terms)})  # frozen: set once here

    def __len__(self) -> int:
        return len(self.terms)

    def weights(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One passage's known terms (indices) and their tf-idf weights (1 + ln count, times idf,
        the row scaled to unit length), as the vectorizer computes them."""
        counts = Counter(self._index[t] for t in terms_of(text) if t in self._index)
        if not counts:
            return np.zeros(0, np.int64), np.zeros(0, np.float32)
        ids = np.fromiter(counts, np.int64, len(counts))
        values = np.array([1.0 + math.log(counts[i]) for i in ids]) * self.idf[ids]
        return ids, (values / np.linalg.norm(values)).astype(np.float32)

    def scores(self, texts: Sequence[str], weights: np.ndarray) -> np.ndarray:
        """(texts, rows of `weights`): each text's tf-idf vector times each row of `weights`
        (a (rows, terms) matrix), without building the (texts, terms) matrix."""
        out = np.zeros((len(texts), weights.shape[0]), np.float32)
        for k, text in enumerate(texts):
            ids, values = self.weights(text)
            if len(ids):
                out[k] = weights[:, ids] @ values
        return out
