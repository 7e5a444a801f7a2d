"""The lexicon as data (core/lexicon.py): parsing, errors naming file/entry/field, loading from folders."""

from __future__ import annotations

import pytest

from voiceprep.core.bank import load_bank
from voiceprep.core.errors import BankError
from voiceprep.core.lexicon import load_lexicon, parse_lexicon, words_of

GOOD = '''
[[term]]
term = "Postgres"
spoken = ["post gres"]
topics = ["data"]
confusions = ["posters", "post grass"]

[[term]]
term = "p99"
spoken = ["p ninety-nine"]
topics = ["system-design", "operations"]
'''


def test_a_good_file_parses_into_terms():
    terms = parse_lexicon(GOOD, "lex.toml")
    assert [t.term for t in terms] == ["Postgres", "p99"]
    pg, p99 = terms
    assert pg.confusions == (("posters",), ("post", "grass"))
    assert pg.forms == (("postgres",), ("post", "gres"))
    assert p99.spoken == (("p", "ninety", "nine"),) and p99.topics == ("system-design", "operations")
    assert pg.source == "lex.toml"


@pytest.mark.parametrize("entry, message", [
    ('topics = ["data"]', "lex.toml: term 1: field 'term': missing"),
    ('term = "--"\ntopics = ["data"]', "field 'term': must be a string with at least one letter"),
    ('term = "x"', "term 1 'x': field 'topics': must list at least one topic"),
    ('term = "x"\ntopics = []', "field 'topics': must list at least one topic"),
    ('term = "x"\ntopics = ["Data Stuff"]', "field 'topics[0]': must be lower-case"),
    ('term = "x"\ntopics = ["data"]\nspoken = "ex"', "field 'spoken': must be a list of strings"),
    ('term = "x"\ntopics = ["data"]\nconfusions = ["ok", 3]', "field 'confusions[1]': must be a string"),
    ('term = "fan-out"\ntopics = ["data"]\nconfusions = ["fan out"]',
     "term 1 'fan-out': field 'confusions[0]': 'fan out' is how the term is said, not a confusion"),
    ('term = "x"\ntopics = ["data"]\nconfusion = ["y"]', "field 'confusion': unknown field"),
])
def test_bad_entries_name_file_entry_and_field(entry, message):
    with pytest.raises(BankError) as err:
        parse_lexicon(f"[[term]]\n{entry}\n", "lex.toml")
    assert message in str(err.value)
    assert str(err.value).startswith("lex.toml: ")


@pytest.mark.parametrize("text, message", [
    ("term = 3", "'term' must be an array of tables"),
    ("[[term]\n", "not valid TOML"),
    ('[[term]]\nterm = "A"\ntopics = ["x"]\n[[term]]\nterm = "a"\ntopics = ["y"]\n',
     "term 2 'a': field 'term': duplicate of term 1"),
])
def test_bad_files_name_the_file(text, message):
    with pytest.raises(BankError, match=message):
        parse_lexicon(text, "lex.toml")


def test_words_of_is_the_form_every_comparison_uses():
    assert words_of("Fan-out, on Read!") == ("fan", "out", "on", "read")
    assert words_of("Amdahl’s law") == ("amdahl's", "law")


def test_the_bundled_lexicon_is_large_and_covers_every_topic():
    lexicon = load_lexicon()
    assert len(lexicon) >= 300
    assert {"system-design", "data", "concurrency", "operations", "networking", "behavioral"} <= lexicon.topics()
    by_name = {t.term: t for t in lexicon.terms}
    assert ("posters",) in by_name["Postgres"].confusions
    assert ("p", "ninety", "nine") in by_name["p99"].spoken
    assert ("kubernetes",) in by_name["k8s"].spoken
    assert sum(1 for t in lexicon.terms if t.confusions) >= 50


def test_a_user_folder_adds_terms_and_redefines_one(tmp_path):
    (tmp_path / "mine.toml").write_text(
        '[[term]]\nterm = "Zookeeper"\ntopics = ["data"]\nconfusions = ["zoo keeper"]\n'
        '[[term]]\nterm = "postgres"\ntopics = ["data"]\nconfusions = ["post chris"]\n')
    lexicon = load_lexicon([tmp_path])
    by_key = {t.key: t for t in lexicon.terms}
    assert by_key["zookeeper"].source.endswith("mine.toml")
    assert by_key["postgres"].confusions == (("post", "chris"),)  # replaced, not merged
    assert len(lexicon) == len(load_lexicon()) + 1


def test_the_bank_carries_the_lexicon_of_its_folders_and_ignores_term_tables(tmp_path):
    (tmp_path / "q.toml").write_text(
        '[[question]]\nid = "my-q"\ncategory = "system_design"\ntext = "Design it."\ntarget_s = 60\n'
        '[[term]]\nterm = "Zookeeper"\ntopics = ["data"]\n')
    bank = load_bank([tmp_path])
    assert "my-q" in bank.questions
    assert any(t.term == "Zookeeper" for t in bank.lexicon.terms)


def test_a_bad_user_term_fails_loading_with_its_file(tmp_path):
    (tmp_path / "bad.toml").write_text('[[term]]\nterm = "x"\n')
    with pytest.raises(BankError, match=r"bad\.toml: term 1 'x': field 'topics'"):
        load_lexicon([tmp_path])
