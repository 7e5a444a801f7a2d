"""The semantic cue detector: what an answer's sentences mean, not which words they use.

Each passage of the answer (a sentence; a long unpunctuated one is cut into pieces of about
25 words) is embedded with all-MiniLM-L6-v2 (analysis.embedding), together with the mean of
its neighbours, and its words and word pairs are weighed by tf-idf (analysis.ngrams). A per-cue
logistic regression over both, trained on the real-answer corpus
(tests/data/corpus, train and dev splits; tools/train_cues.py), gives each passage a
probability. An answer hits a cue when its best passage reaches the cue's threshold, or when
the cue's rule (analysis.rubric) matched and the best passage is not below a low one (0.2 at
most). Both thresholds per cue come from cross-validation by source (docs/cues.md has the figures).

The weights ship inside the package (voiceprep/data/cue_model.npz); nothing is fetched.
Embeddings are cached by passage text, so passages embedded while the answer was spoken
(`Detector.warm`) cost nothing when the answer ends.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Sequence

import numpy as np

from voiceprep.analysis.embedding import EMBEDDING_DIM, Encoder, SentenceEncoder
from voiceprep.analysis.ngrams import NgramVocabulary
from voiceprep.core.errors import ModelError
from voiceprep.core.transcript import Sentence

PIECE_WORDS = 25   # a sentence longer than LONG_WORDS is cut into pieces of this many words
LONG_WORDS = 40
MODEL_FILE = "cue_model.npz"


@dataclass(frozen=True)
class Passage:
    """A sentence, or a piece of a long one, with its place in the recording."""

    text: str
    start: float | None
    end: float | None
    sentence: int  # index of its sentence


@dataclass(frozen=True)
class CueScore:
    """The best passage for one cue, and whether the detector alone or with the rule says hit."""

    cue: str
    probability: float
    passage: Passage | None
    threshold: float
    rule_threshold: float

    def hit(self, rule_hit: bool) -> bool:
        return self.probability >= self.threshold or (rule_hit and self.probability >= self.rule_threshold)


def passages(sentences: Sequence[Sentence]) -> list[Passage]:
    """The units the detector reads: sentences, long ones cut into timed pieces."""
    out: list[Passage] = []
    for i, s in enumerate(sentences):
        words = s.text.split()
        if len(words) <= LONG_WORDS:
            if words:
                out.append(Passage(s.text.strip(), s.start, s.end, i))
            continue
        timed = len(s.words) == len(words)
        for k in range(0, len(words), PIECE_WORDS):
            piece = words[k:k + PIECE_WORDS + 5]  # a little overlap, so no phrase is cut in two only
            start = s.words[k].start if timed else s.start
            end = s.words[min(k + len(piece), len(words)) - 1].end if timed else s.end
            out.append(Passage(" ".join(piece), start, end, i))
    return out


_NO_TERMS = NgramVocabulary((), np.zeros(0, np.float32))
_NO_TERMS_WEIGHTS = np.zeros((0, 0), np.float32)


@dataclass(frozen=True)
class CueModel:
    """Per-cue logistic regressions over [passage, neighbours] embeddings and the passage's
    tf-idf terms, and their thresholds."""

    cues: tuple[str, ...]
    weights: np.ndarray        # (cues, 2 * 384)
    bias: np.ndarray           # (cues,)
    threshold: np.ndarray      # (cues,): the detector alone
    rule_threshold: np.ndarray  # (cues,): when the cue's rule matched too (1.01: never)
    vocabulary: NgramVocabulary = field(default_factory=lambda: _NO_TERMS)
    term_weights: np.ndarray = field(default_factory=lambda: _NO_TERMS_WEIGHTS)  # (cues, terms); empty: none

    @classmethod
    def load(cls, path: Path | None = None) -> CueModel:
        """The model shipped in voiceprep/data (or the one at `path`)."""
        if path is not None:
            return cls.read(path)
        with resources.as_file(resources.files("voiceprep") / "data" / MODEL_FILE) as shipped:
            return cls.read(shipped)

    @classmethod
    def read(cls, path: Path) -> CueModel:
        """A model file; errors name the file and the field."""
        try:
            with np.load(path) as data:
                terms = (NgramVocabulary(tuple(json.loads(str(data["terms"]))), data["idf"].astype(np.float64)),
                         data["term_weights"].astype(np.float32)) if "terms" in data else (_NO_TERMS, _NO_TERMS_WEIGHTS)
                model = cls(tuple(json.loads(str(data["cues"]))), data["weights"].astype(np.float32),
                            data["bias"].astype(np.float32), data["threshold"].astype(np.float32),
                            data["rule_threshold"].astype(np.float32), *terms)
        except (OSError, KeyError, ValueError) as exc:
            raise ModelError(f"{path}: not a cue model ({type(exc).__name__}: {exc})") from None
        n = len(model.cues)
        if model.weights.shape[0] != n or not (len(model.bias) == len(model.threshold) == len(model.rule_threshold) == n):
            raise ModelError(f"{path}: field 'weights' has {model.weights.shape[0]} rows for {n} cues")
        if len(model.vocabulary) and model.term_weights.shape != (n, len(model.vocabulary)):
            raise ModelError(f"{path}: field 'term_weights' is {model.term_weights.shape}, "
                             f"not {n} cues by {len(model.vocabulary)} terms")
        return model

    def save(self, path: Path) -> None:
        terms = {"terms": json.dumps(list(self.vocabulary.terms)), "idf": self.vocabulary.idf.astype(np.float32),
                 "term_weights": self.term_weights} if len(self.vocabulary) else {}
        np.savez_compressed(path, cues=json.dumps(list(self.cues)), weights=self.weights, bias=self.bias,
                            threshold=self.threshold, rule_threshold=self.rule_threshold, **terms)

    def term_logits(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, cues): what each text's tf-idf terms add to its logit (zeros without terms)."""
        if not len(self.vocabulary):
            return np.zeros((len(texts), len(self.cues)), np.float32)
        return self.vocabulary.scores(texts, self.term_weights)

    def probabilities(self, features: np.ndarray, term_logits: np.ndarray) -> np.ndarray:
        """(passages, cues) probabilities from the passages' features and their `term_logits`."""
        if not len(features):
            return np.zeros((0, len(self.cues)), np.float32)
        return 1.0 / (1.0 + np.exp(-(features @ self.weights.T + self.bias + term_logits)))


def features(vectors: np.ndarray) -> np.ndarray:
    """Each passage's embedding beside the mean of its neighbours (the passages around it)."""
    n = len(vectors)
    if not n:
        return np.zeros((0, 2 * EMBEDDING_DIM), np.float32)
    context = np.empty_like(vectors)
    for i in range(n):
        around = [j for j in (i - 1, i + 1) if 0 <= j < n]
        context[i] = vectors[around].mean(axis=0) if around else vectors[i]
    return np.hstack([vectors, context])


class Detector:
    """Scores an answer's passages for every cue. Thread-safe: `warm` may run while the answer
    is spoken, `scores` when it ends."""

    def __init__(self, encoder: Encoder, model: CueModel) -> None:
        self.encoder, self.model = encoder, model
        self._cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # text -> (embedding, term logits)
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> Detector:
        return cls(SentenceEncoder.load(), CueModel.load())

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Embeddings of texts, from the cache where they were seen before."""
        return self._cached(texts)[0]

    def _cached(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """Embeddings and term logits of texts; each text is embedded and scored once."""
        if not texts:
            return np.zeros((0, EMBEDDING_DIM), np.float32), np.zeros((0, len(self.model.cues)), np.float32)
        with self._lock:
            new = list(dict.fromkeys(t for t in texts if t not in self._cache))
            if new:
                for text, vector, terms in zip(new, self.encoder.encode(new), self.model.term_logits(new)):
                    self._cache[text] = (vector, terms)
            vectors = np.array([self._cache[t][0] for t in texts], np.float32).reshape(len(texts), -1)
            return vectors, np.array([self._cache[t][1] for t in texts], np.float32).reshape(len(texts), -1)

    def warm(self, sentences: Sequence[Sentence]) -> None:
        """Embed and score the terms of the passages of an answer still being spoken (cached by text)."""
        self._cached([p.text for p in passages(sentences)])

    def scores(self, sentences: Sequence[Sentence]) -> dict[str, CueScore]:
        """For each cue of the model: its best passage and probability."""
        found = passages(sentences)
        vectors, terms = self._cached([p.text for p in found])
        probs = self.model.probabilities(features(vectors), terms)
        out = {}
        for k, cue in enumerate(self.model.cues):
            best = int(np.argmax(probs[:, k])) if len(found) else -1
            out[cue] = CueScore(cue, float(probs[best, k]) if best >= 0 else 0.0, found[best] if best >= 0 else None,
                                float(self.model.threshold[k]), float(self.model.rule_threshold[k]))
        return out
