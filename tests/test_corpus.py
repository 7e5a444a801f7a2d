"""The corpus of real answers: its size and mix, its split by source, the frozen test split,
evidence that is really in the text, and none of the sources reserved for an outside evaluation."""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest

from voiceprep.analysis.corpus import frozen_test_split_holds, load_corpus, parse_corpus
from voiceprep.core.errors import BankError

FOLDER = Path(__file__).parent / "data" / "corpus"
RESERVED = ("amartyushov.gitbook.io", "blog.davidmontesdeoca.es", "careers.heb.com", "chiraghasija.cc", "codemia.io",
            "coderslingo.com", "darekfoto.com", "dev.to", "deveshshetty.com", "gitgood.dev", "gitplumbers.com",
            "grokdatum", "henryzhang.info", "talkenglish.com", "imhireready.com", "interviewlane.com",
            "job-interviews.co", "jointaro.com", "leadtechinterview", "lotide.fbxl.net", "luyenphongvan.online",
            "lyte-code.pages.dev", "myteacher.pages.dev", "netverks.com", "prachub.com", "rohanhandore.com",
            "sammi-antha.com", "sandjam.co.uk", "thundergolfer", "webskyne.com", "wetransfer.com", "yangwg",
            "0Ankit0/", "Chandramani2/", "Dfellner92/", "DimaJoyti/", "Nikitha-Pulluri/", "Sammii-HK/",
            "SheldonWangRJT/", "anshul-garg27/atlassian-prep", "ayonious/", "luckyhegde6/", "mikerhodes/toykv",
            "nagachary/", "pintu-iitbhu/", "raghusodani/", "ritishBhatoye/", "salmanbd100/", "shahadot786/",
            "suyashshetty/", "tariq-hasan/", "u-pawan/")


@pytest.fixture(scope="module")
def corpus():
    return load_corpus(FOLDER)


def test_size_mix_and_weak_share(corpus):
    assert len(corpus) >= 300 and len({a.id for a in corpus}) == len(corpus)
    assert {a.category for a in corpus} == {"system_design", "behavioral", "deep_dive", "concurrency"}
    assert sum(a.quality == "weak" for a in corpus) >= len(corpus) / 3
    assert sum(a.asr for a in corpus) >= len(corpus) / 8  # heard as tiny.en would hear them


def test_no_source_is_in_two_splits_and_the_test_split_is_frozen(corpus):
    splits = collections.defaultdict(set)
    for a in corpus:
        splits[a.source_group].add(a.split)
    assert all(len(s) == 1 for s in splits.values())
    test = [a for a in corpus if a.split == "test"]
    assert len(test) >= 80 and {a.category for a in test} == {"system_design", "behavioral", "deep_dive", "concurrency"}
    assert frozen_test_split_holds(corpus, FOLDER), "the test split changed after it was frozen"


def test_every_hit_is_shown_by_sentences_of_the_answer(corpus):
    for a in corpus:
        assert set(a.evidence) == set(a.hits), a.id
        for cue, quotes in a.evidence.items():
            assert all(q in a.text for q in quotes), (a.id, cue)


def test_no_reserved_source_was_used(corpus):
    used = [(a.id, a.source) for a in corpus if any(r in a.source or r in a.source_group for r in RESERVED)]
    assert not used


@pytest.mark.parametrize("text, message", [
    ('[[answer]]\nid = "x"\ncategory = "sd"\ntext = "t"\nhits = []\nsource_group = "g"\n', "answer 1 (x): field 'category'"),
    ('[[answer]]\nid = "x"\ncategory = "behavioral"\nhits = []\nsource_group = "g"\n', "answer 1 (x): field 'text' is missing"),
    ('[[answer]]\nid = "x"\ncategory = "behavioral"\ntext = "t"\nhits = "numbers"\nsource_group = "g"\n',
     "answer 1 (x): field 'hits' should be list"),
])
def test_a_broken_batch_names_the_file_the_entry_and_the_field(text, message):
    with pytest.raises(BankError, match=re.escape("b9.toml: " + message)):
        parse_corpus(text, "b9.toml")
