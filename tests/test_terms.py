"""Term scoring (voiceprep.analysis.terms) and the term test set in tests/data/terms."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from voiceprep.analysis.terms import (
    TermSentence,
    TermSet,
    TermSpan,
    fingerprint,
    frozen_fingerprint,
    frozen_splits_hold,
    load_term_set,
    parse_term_set,
    score_sentence,
    source_unit,
    tokens,
    total,
    vocabulary,
)
from voiceprep.analysis.wer import normalize
from voiceprep.core.bank import tomllib
from voiceprep.core.errors import BankError
from voiceprep.core.lexicon import load_lexicon

DATA = Path(__file__).parent / "data" / "terms"
SPOKEN = {"p99": ("p ninety nine",), "202": ("two oh two",)}
_MARK = re.compile(r"\[([^\]|]+)(?:\|([^\]]+))?\]")


def marked(text: str, sid: str = "s1") -> TermSentence:
    """A sentence from "[surface]" / "[surface|canonical]" marks."""
    plain, spans, pos = "", [], 0
    for m in _MARK.finditer(text):
        plain += text[pos:m.start()]
        start = len(plain)
        plain += m.group(1)
        spans.append(TermSpan(m.group(2) or m.group(1), start, len(plain)))
        pos = m.end()
    return TermSentence(sid, plain + text[pos:], "https://example.org/a", tuple(spans), "dev")


def score(text: str, hypothesis: str, extra: tuple[str, ...] = ("Kafka", "Redis", "QPS")):
    sentence = marked(text)
    term_set = TermSet((sentence,), SPOKEN)
    return score_sentence(sentence, hypothesis, SPOKEN, vocabulary(term_set, extra))


@pytest.mark.parametrize("reference, hypothesis, hits, missed", [
    ("We store the rows in [Postgres] and cache them in [Redis].",
     "We store the rows in Postgres and cache them in Redis.", 2, ()),
    ("We store the rows in [Postgres] and cache them in [Redis].",
     "We store the rows in posters and cache them in Redis.", 1, ("Postgres",)),
    ("Make the handler [idempotent] so a retry is safe.", "Make the handler item potent so a retry is safe.",
     0, ("idempotent",)),
    ("The [p99] latency stays under two hundred milliseconds.",
     "The P99 latency stays under two hundred milliseconds.", 1, ()),
    ("The [p99] latency stays under two hundred milliseconds.",
     "The p ninety-nine latency stays under two hundred milliseconds.", 1, ()),
    ("The [p99] latency stays under two hundred milliseconds.",
     "the behinded eye latency stays under two hundred milliseconds.", 0, ("p99",)),
    ("The endpoint answers [202] and returns a job id.", "The endpoint answers two oh two and returns a job id.",
     1, ()),
    ("The endpoint answers [202] and returns a job id.", "The endpoint answers 202 and returns a job ID.", 1, ()),
    ("The endpoint answers [202] and returns a job id.", "The endpoint answers to 100 to and returns a job id.",
     0, ("202",)),
    ("We chose [fan-out on write] for most users.", "We chose Fanout on write for most users.", 1, ()),
    ("We chose [fan-out on write] for most users.", "We chose Fennout on write for most users.", 0,
     ("fan-out on write",)),
    ("Reads go to the [read replicas|read replica] first.", "Reads go to the read replica first.", 1, ()),
    ("A [mutex] guards the counter in the [critical section].",
     "A new deck guards the counter in the critical section.", 1, ("mutex",)),
    ("[Postgres] keeps every order for seven years in one big table.",
     "Keeps every order for seven years in one big table in Postgres.", 0, ("Postgres",)),
])
def test_a_term_is_a_hit_when_the_aligned_words_spell_it(reference, hypothesis, hits, missed):
    s = score(reference, hypothesis)
    assert (s.hits, s.missed) == (hits, missed)
    assert s.occurrences == reference.count("[")


@pytest.mark.parametrize("reference, hypothesis, heard", [
    ("The [p99] latency stays under two hundred milliseconds.",
     "the behinded eye latency stays under two hundred milliseconds.", ("behinded eye",)),
    ("We chose [fan-out on write] for most users.", "We chose Fennout on write for most users.",
     ("fennout on write",)),
    ("A [mutex] guards the counter in the [critical section].",
     "A new deck guards the counter in the critical section.", ("new deck",)),
    ("The [kubelet] uses [liveness probes|liveness probe] to restart a container.",
     "The Q-mail uses lineless probes to restart a container.", ("q mail", "lineless probes")),
    ("A [mutex] guards the counter.", "A guards the counter.", ("",)),
])
def test_the_words_heard_in_place_of_a_missed_term_are_kept(reference, hypothesis, heard):
    s = score(reference, hypothesis)
    assert s.heard == heard
    assert len(s.heard) == len(s.missed)


@pytest.mark.parametrize("reference, hypothesis, false_terms", [
    ("Reads go to a [read replica] first.", "Reads go to a read replica first.", ()),
    ("Reads go to a [read replica] first.", "Reads go to a read replica first from Kafka.", ("kafka",)),
    ("One of the advantages of using [Kubernetes] is its scheduler.",
     "One of the advantages of using QPS is its scheduler.", ("qps",)),
    # a term the reference says without a mark is not a false term
    ("We put a cache in front of [Postgres] for the reads.", "We put a Redis in front of Postgres for the reads.",
     ("redis",)),
    ("We keep hot keys in Redis and the rest in [Postgres].", "We keep hot keys in Redis and the rest in Postgres.",
     ()),
    # written where the reference has the term, but far from it: a miss and a false term
    ("[Postgres] keeps every order for seven years in one big table.",
     "Keeps every order for seven years in one big table in Postgres.", ("postgres",)),
    ("The [p99] latency stays low.", "The p ninety nine latency stays low.", ()),
])
def test_a_false_term_is_a_vocabulary_term_written_where_the_reference_has_none(reference, hypothesis,
                                                                                  false_terms):
    s = score(reference, hypothesis)
    assert s.false_terms == false_terms
    assert s.outputs >= len(false_terms)


@pytest.mark.parametrize("reference, hypothesis, words, errors", [
    ("We put the hot keys in [Redis] for speed.", "We put the hot keys in Redis for speed.", 8, 0),
    ("We put the hot keys in [Redis] for speed.", "We put the hot keys in Redis for sped.", 8, 1),
    # a misheard term counts for term accuracy, not as a word error of the rest
    ("We put the hot keys in [Redis] for speed.", "We put the hot keys in ready for speed.", 8, 0),
    ("We put the hot keys in [Redis] for speed.", "We put hot keys in Redis for speed today.", 8, 2),
    # the words heard in place of a missed term belong to it ("item potent" for "idempotent")
    ("Make the handler [idempotent] so a retry is safe.", "Make the handler item potent so a retry is safe.", 8, 0),
    ("The [p99] latency is fine.", "The p ninety nine latency is fine.", 4, 0),
])
def test_word_errors_are_counted_on_the_words_outside_the_terms(reference, hypothesis, words, errors):
    s = score(reference, hypothesis)
    assert (s.other_words, s.other_errors) == (words, errors)


def test_totals_give_accuracy_precision_and_wer():
    a = score("We store the rows in [Postgres] and cache them in [Redis].",
              "We store the rows in posters and cache them in Redis from Kafka.")
    b = score("The [p99] latency stays under two hundred milliseconds.",
              "The p99 latency stays under two hundred milliseconds.")
    t = total([a, b])
    assert (t.sentences, t.occurrences, t.hits, t.outputs, t.false_terms) == (2, 3, 2, 3, 1)
    assert t.accuracy == pytest.approx(2 / 3)
    assert t.precision == pytest.approx(2 / 3)
    assert t.other_wer == pytest.approx(t.other_errors / t.other_words)


@pytest.mark.parametrize("text", [
    "Fan-out, 5,000 QPS and 99.9% uptime!", "Kafka's consumer lag: 202 or p99?", "It's the I/O-bound path.",
])
def test_tokens_are_the_words_of_the_wer_normalization(text):
    assert [w for w, _, _ in tokens(text)] == normalize(text)


@pytest.mark.parametrize("source, unit", [
    ("github:donnemartin/system-design-primer/docs/en/sd_cache.md", "github:donnemartin/system-design-primer"),
    ("https://www.skills.sh/a/b", "skills.sh"),
    ("https://skills.sh/c", "skills.sh"),
    ("https://mail.cosmiclearn.com/go/x.php", "cosmiclearn.com"),
    ("http://eazysaas.com/blog/slo", "eazysaas.com"),
])
def test_the_unit_of_splitting_is_the_repository_or_site(source, unit):
    assert source_unit(source) == unit


@pytest.mark.parametrize("entry, message", [
    ('id = "a"\ntext = "Use Kafka here now."\nsource = "x"\nsplit = "tune"\nterms = []',
     "sentence 1 (a): field 'split' is 'tune'"),
    ('id = "a"\ntext = "Use Kafka."\nsource = "x"\nsplit = "dev"\nterms = [{term = "Kafka", start = 4, end = 40}]',
     "sentence 1 (a): terms[0]: field 'end' or 'start' is outside the text"),
    ('id = "a"\ntext = "Use Kafka."\nsplit = "dev"\nterms = []', "sentence 1 (a): field 'source' is missing"),
])
def test_errors_name_the_file_the_sentence_and_the_field(entry, message):
    with pytest.raises(BankError, match=re.escape(f"terms.toml: {message}")):
        parse_term_set(f"[[sentence]]\n{entry}\n", "terms.toml")


@pytest.fixture(scope="module")
def term_set() -> TermSet:
    return load_term_set(DATA / "sentences.toml")


def test_the_data_file_holds_enough_sentences_and_terms(term_set):
    assert len(term_set.sentences) >= 150
    assert sum(len(s.terms) for s in term_set.sentences) >= 400
    for s in term_set.sentences:
        assert 8 <= len(s.text.split()) <= 30, s.id
        assert s.terms, s.id
        assert all(s.surface(t).strip() == s.surface(t) for t in s.terms), s.id
        assert s.source.startswith(("github:", "http://", "https://")), s.id


def test_every_reference_scores_perfectly_against_itself(term_set):
    vocab = vocabulary(term_set)
    t = total(score_sentence(s, s.text, term_set.spoken, vocab) for s in term_set.sentences)
    assert (t.hits, t.false_terms, t.other_errors) == (t.occurrences, 0, 0)


def test_the_split_is_by_source_with_test_and_heldout_large_enough_to_report(term_set):
    splits_of = defaultdict(set)
    for s in term_set.sentences:
        splits_of[source_unit(s.source)].add(s.split)
    assert all(len(v) == 1 for v in splits_of.values()), {u: v for u, v in splits_of.items() if len(v) > 1}
    for name in ("test", "heldout"):  # test from new sources since 2026-12-01: split.toml says why
        assert len(term_set.split(name)) >= 60 and sum(len(s.terms) for s in term_set.split(name)) >= 120, name
    assert len(term_set.split("dev")) >= len(term_set.split("test"))
    recorded = tomllib.loads((DATA / "split.toml").read_text(encoding="utf-8"))
    assert recorded["split"] == {u: next(iter(v)) for u, v in splits_of.items()}
    for name in ("dev", "test", "heldout"):
        assert recorded["counts"][name]["sentences"] == len(term_set.split(name))
        assert recorded["counts"][name]["terms"] == sum(len(s.terms) for s in term_set.split(name))


def test_the_test_and_heldout_sentences_are_frozen(term_set):
    assert frozen_splits_hold(term_set, DATA / "split.toml"), (
        "the test or heldout sentences changed: they were frozen before any tuning (tests/data/terms/README.md)")
    assert frozen_fingerprint(DATA / "split.toml") == fingerprint(term_set.split("heldout", "test"))


def test_the_fingerprint_changes_with_a_term_mark():
    s = marked("We keep the hot keys in [Redis] for speed.")
    moved = TermSentence(s.id, s.text, s.source, (TermSpan("Redis", s.terms[0].start + 1, s.terms[0].end),), s.split)
    assert fingerprint([s]) != fingerprint([moved])
    assert fingerprint([s]) == fingerprint([marked("We keep the hot keys in [Redis] for speed.")])


def test_the_mined_sentences_share_no_source_and_no_sentence_with_the_scored_ones(term_set):
    mined = load_term_set(DATA / "train.toml")
    assert len(mined.sentences) >= 200 and {s.split for s in mined.sentences} == {"train"}
    assert not {source_unit(s.source) for s in mined.sentences} & {source_unit(s.source) for s in term_set.sentences}
    scored = [set(normalize(s.text)) for s in term_set.sentences]
    for s in mined.sentences:
        words = set(normalize(s.text))
        assert max(len(words & w) / len(words | w) for w in scored) < 0.6, s.id
    assert {t.term for t in load_lexicon().terms} >= {t.term for s in mined.sentences for t in s.terms}
