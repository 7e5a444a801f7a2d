"""Tests for analysis/agreement.py: two labelers' verdicts compared per cue."""

from __future__ import annotations

import re

import pytest

from voiceprep.analysis.agreement import Agreement, agreement, format_agreement, load_second, parse_second
from voiceprep.analysis.corpus import CorpusAnswer
from voiceprep.analysis.evaluate import CueScore
from voiceprep.core.bank import load_bank
from voiceprep.core.errors import BankError

CUES = ("numbers", "tradeoffs", "ownership", "impact")


def _answer(id_: str, category: str, hits: set[str]) -> CorpusAnswer:
    return CorpusAnswer(id_, category, "text", frozenset(hits), source_group="example.org", split="dev")


@pytest.mark.parametrize("tp, fp, fn, tn, kappa", [
    (5, 0, 0, 5, 1.0),    # full agreement
    (0, 5, 5, 0, -1.0),   # always opposite
    (2, 2, 2, 2, 0.0),    # what chance gives
    (0, 0, 0, 10, 1.0),   # both never say it: they agree
    (0, 0, 0, 0, 1.0),    # nothing judged
])
def test_kappa(tp, fp, fn, tn, kappa):
    assert Agreement(CueScore(tp, fp, fn, tn)).kappa == pytest.approx(kappa)


def test_agreement_counts_only_the_cues_each_category_judges():
    bank = load_bank()
    first = {"a": _answer("a", "behavioral", {"ownership", "impact"}),
             "b": _answer("b", "concurrency", {"tradeoffs", "ownership"})}
    second = parse_second('[[answer]]\nid = "a"\nhits = ["ownership"]\n[answer.evidence]\nownership = ["I did it."]\n'
                          '[[answer]]\nid = "b"\nhits = ["tradeoffs", "numbers"]\n[answer.evidence]\n'
                          'tradeoffs = ["X, but slower."]\nnumbers = ["Ten."]\n', "s.toml", CUES)
    rows = agreement(first, second, bank)
    assert "ownership" not in {c.id for c in bank.cues_for("concurrency")}
    assert (rows["ownership"].score.tp, rows["ownership"].judged) == (1, 1)       # b's ownership is not judged
    assert (rows["impact"].score.fn, rows["impact"].score.errors) == (1, ["-a"])
    assert (rows["numbers"].score.fp, rows["numbers"].judged) == (1, 2)
    assert rows["tradeoffs"].score.tp == 1
    table = format_agreement(rows)
    assert table.splitlines()[0].split() == ["cue", "judged", "first", "second", "F1", "kappa"]
    assert table.splitlines()[-1].startswith("macro-F1 ")


@pytest.mark.parametrize("text, message", [
    ('[[answer]]\nhits = []\n', "s.toml: answer 1 (?): field 'id' is missing or not a str"),
    ('[[answer]]\nid = "x"\nhits = "numbers"\n', "s.toml: answer 1 (x): field 'hits' is missing or not a list"),
    ('[[answer]]\nid = "x"\nhits = ["vibes"]\n', "s.toml: answer 1 (x): field 'hits' names unknown cues: vibes"),
    ('[[answer]]\nid = "x"\nhits = ["numbers"]\n', "s.toml: answer 1 (x): field 'evidence' has no sentence for numbers"),
    ('[[answer]\n', "s.toml: not valid TOML"),
])
def test_bad_second_labels_name_the_file_entry_and_field(text, message):
    with pytest.raises(BankError, match="^" + re.escape(message)):
        parse_second(text, "s.toml", CUES)


def test_an_answer_missing_from_the_corpus_is_named(tmp_path):
    (tmp_path / "s.toml").write_text('[[answer]]\nid = "ghost"\nhits = []\n')
    with pytest.raises(BankError, match="answer ghost is not in the corpus"):
        agreement({}, load_second(tmp_path, CUES), load_bank())


def test_the_shipped_second_labels_match_corpus_answers():
    from pathlib import Path

    from voiceprep.analysis.corpus import load_corpus

    folder = Path(__file__).parent / "data" / "corpus"
    bank = load_bank()
    cues = {c.id for cat in bank.categories for c in bank.cues_for(cat)}
    second = load_second(folder / "second", cues)
    corpus = {a.id: a for a in load_corpus(folder)}
    assert len(second) >= 60 and len({s.id for s in second}) == len(second)
    rows = agreement(corpus, second, bank)
    for s in second:
        for cue, quotes in s.evidence.items():
            assert all(q in corpus[s.id].text for q in quotes), (s.id, cue)
    assert 0.5 < sum(a.score.f1 for a in rows.values()) / len(rows) < 1.0
