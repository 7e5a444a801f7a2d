"""Tests for analysis/ngrams.py: a passage's words and word pairs, weighed as the trainer's vectorizer does."""

from __future__ import annotations

import math

import numpy as np
import pytest

from voiceprep.analysis.ngrams import NgramVocabulary, terms_of


@pytest.mark.parametrize("text, terms", [
    ("The downside is cost", ["the", "downside", "is", "cost", "the downside", "downside is", "is cost"]),
    ("I, uh, learned: a lot!", ["uh", "learned", "lot", "uh learned", "learned lot"]),  # one-letter words are not terms
    ("P99 went 2x", ["p99", "went", "2x", "p99 went", "went 2x"]),
    ("", []),
])
def test_terms_are_lowercase_words_of_two_characters_or_more_and_their_pairs(text, terms):
    assert terms_of(text) == terms


VOCABULARY = NgramVocabulary(("cost", "downside", "the downside", "trade"), np.array([2.0, 1.5, 3.0, 1.0]))


@pytest.mark.parametrize("text, expected", [
    # counts 1 each: weights are the idfs, scaled to unit length
    ("The downside is cost", {0: 2.0, 1: 1.5, 2: 3.0}),
    # a term said twice weighs 1 + ln 2 times its idf
    ("cost cost trade", {0: 2.0 * (1 + math.log(2)), 3: 1.0}),
    ("nothing known here", {}),
])
def test_weights_are_sublinear_tf_times_idf_scaled_to_unit_length(text, expected):
    ids, values = VOCABULARY.weights(text)
    got = dict(zip(ids.tolist(), values.tolist()))
    norm = math.sqrt(sum(v * v for v in expected.values())) or 1.0
    assert got == pytest.approx({k: v / norm for k, v in expected.items()})


def test_scores_are_each_texts_weights_times_each_row():
    rows = np.array([[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 1.0, -1.0]], np.float32)
    got = VOCABULARY.scores(["cost", "the downside trade", "nothing"], rows)
    ids, values = VOCABULARY.weights("the downside trade")
    w = dict(zip(ids.tolist(), values.tolist()))
    assert got.shape == (3, 2)
    assert got[0] == pytest.approx([1.0, 0.0])
    assert got[1] == pytest.approx([0.0, w[1] + w[2] - w[3]])
    assert got[2] == pytest.approx([0.0, 0.0])
