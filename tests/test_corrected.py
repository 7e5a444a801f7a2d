"""A corrected transcript read back (hearing/corrected.py): the original words kept, stored and
undone, and the terminal's one-line summary of the corrections."""

from __future__ import annotations

import json

import pytest

from voiceprep.core.lexicon import load_lexicon
from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.corrected import summary, undo
from voiceprep.hearing.lexicon import TermIndex, correct

DESIGN = ["cache", "shard", "p99", "QPS", "Kafka", "Redis", "replica", "trade-off"]


@pytest.fixture(scope="module")
def index() -> TermIndex:
    return TermIndex(load_lexicon())


def heard(text: str) -> Transcript:
    """Words as Whisper gives them (leading spaces), 0.3 s each, probability 0.9."""
    words = [Word(" " + tok, i * 0.3, i * 0.3 + 0.25, 0.9) for i, tok in enumerate(text.split())]
    return Transcript.from_words(words, duration=len(words) * 0.3)


def test_the_original_words_are_kept_stored_and_can_be_undone(index):
    said = "We keep orders in posters and use a cash for reads."
    raw = heard(said)
    fixed = correct(raw, index, DESIGN)
    assert fixed.text == "We keep orders in Postgres and use a cache for reads."
    first, second = fixed.corrections
    assert (first.original_text, first.corrected, fixed.words[first.index].text) == ("posters", "Postgres", "Postgres")
    assert first.original == (raw.words[4],)
    assert second.original_text == "cash" and fixed.words[second.index].start == raw.words[8].start
    stored = Transcript.from_dict(json.loads(json.dumps(fixed.to_dict())))
    assert stored.corrections == fixed.corrections and stored.text == fixed.text
    assert undo(stored).text == said and undo(stored).corrections == []
    one = undo(stored, [0])
    assert one.text == "We keep orders in posters and use a cache for reads."
    assert [c.original_text for c in one.corrections] == ["cash"]
    assert one.words[one.corrections[0].index].text == "cache"


def test_the_terminal_summary_names_each_correction(index):
    fixed = correct(heard("We keep orders in posters and use a cash for reads."), index, DESIGN)
    assert summary(fixed) == "Corrected 2 terms: posters -> Postgres, cash -> cache"
    assert summary(heard("nothing here")) == ""
