from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from voiceprep.core.bank import load_bank, parse_bank
from voiceprep.core.errors import BankError, QuestionNotFound

CANONICAL = ["clarify_requirements", "customer_focus", "numbers", "observability", "tradeoffs", "scalability",
             "failure_modes", "consistency", "star_situation", "star_task", "star_action", "star_result",
             "ownership", "impact", "reflection"]
AT_LEAST = {
    "system_design": ["clarify_requirements", "numbers", "observability", "tradeoffs", "scalability",
                      "failure_modes", "consistency"],
    "behavioral": ["star_situation", "star_task", "star_action", "star_result", "ownership", "impact",
                   "reflection", "numbers"],
    "deep_dive": ["customer_focus", "numbers", "observability", "tradeoffs", "scalability", "ownership", "impact"],
}

GOOD_Q = '''
[[question]]
id = "q1"
category = "system_design"
text = "Design a thing."
target_s = 300
'''


def test_bundled_bank_has_40_questions_in_every_category(bank):
    assert len(bank.questions) >= 40
    for cat in ("system_design", "behavioral", "deep_dive", "concurrency"):
        assert len(bank.list_questions(cat)) >= 5
    for q in bank.questions.values():
        assert q.text and q.target_s > 0 and q.follow_ups, q.id


@pytest.mark.parametrize("topic", ["version one", "ingests", "fan-out", "twenty minutes", "cache, a primary database",
                                   "CAP and PACELC", "API", "messaging", "file storage", "threads and when processes",
                                   "mutexes", "race condition", "deadlock", "parallelism", "who it was for",
                                   "most challenging", "failed", "proudest", "stepped up", "teammate",
                                   "product manager", "incomplete data", "mentored", "new joiner"])
def test_bank_covers_the_promised_topics(bank, topic):
    assert any(topic.lower() in q.text.lower() for q in bank.questions.values()), topic


def test_every_canonical_cue_has_label_tip_follow_up_and_rules(bank):
    for cid in CANONICAL:
        cue = bank.cues[cid]
        assert cue.label and cue.tip and cue.follow_up and cue.rules


@pytest.mark.parametrize("category, cues", AT_LEAST.items())
def test_categories_evaluate_at_least_the_contract_cues(bank, category, cues):
    assert set(cues) <= set(bank.category(category).cues)


def test_vocabulary_puts_core_jargon_first(bank):
    q = bank.question("sd-read-heavy-scaling")
    vocab = bank.vocabulary_for("system_design", q)
    assert vocab[:3] == ["cache", "shard", "p99"] and "CDN" in vocab


@pytest.mark.parametrize("text, message", [
    ("[[question]\nid=", "not valid TOML"),
    ("[[question]]\nid = \"q1\"\ncategory = \"system_design\"\ntarget_s = 10\n", "question 1 'q1': field 'text': missing"),
    ("[[question]]\nid = \"Bad Id\"\ncategory = \"system_design\"\ntext = \"x\"\ntarget_s = 10\n", "field 'id'"),
    ("[[question]]\nid = \"q1\"\ncategory = \"system_design\"\ntext = \"x\"\ntarget_s = -5\n", "field 'target_s': must be a number >= 1"),
    ("[[question]]\nid = \"q1\"\ncategory = \"system_design\"\ntext = \"x\"\ntarget_s = \"long\"\n", "field 'target_s'"),
    ("[[question]]\nid = \"q1\"\ncategory = \"system_design\"\ntext = \"x\"\ntarget_s = 10\ncues = \"numbers\"\n", "field 'cues': must be a list"),
    (GOOD_Q + GOOD_Q, "question 2 'q1': field 'id': duplicate question id"),
    ("[cues.x]\nlabel = \"X\"\ntip = \"t\"\nfollow_up = \"f\"\n", "cue 'x': field 'rules'"),
    ("[cues.x]\nlabel = \"X\"\ntip = \"t\"\nfollow_up = \"f\"\n[[cues.x.rules]]\nmatch = ['(unclosed']\n", "cue 'x' rule 1: field 'match[0]': invalid pattern"),
    ("[cues.x]\nlabel = \"X\"\ntip = \"t\"\nfollow_up = \"f\"\nwithin_first = 2\n[[cues.x.rules]]\nmatch = ['a']\n", "field 'within_first'"),
    ("[cues.x]\ntip = \"t\"\nfollow_up = \"f\"\n[[cues.x.rules]]\nmatch = ['a']\n", "cue 'x': field 'label': missing"),
    ("[categories.c]\ncues = []\n", "category 'c': field 'cues': must list at least one cue"),
    ("surprise = 1\n", "unknown top-level key 'surprise'"),
    ("question = 3\n", "'question' must be an array of tables"),
    (GOOD_Q + "targt_s = 4\n", "question 1 'q1': field 'targt_s': unknown field"),
    ("[cues.x]\nlabel = \"X\"\ntip = \"t\"\nfollow_up = \"f\"\n[[cues.x.rules]]\nmatch = ['a']\nunless = ['b']\n",
     "cue 'x' rule 1: field 'unless': unknown field"),
])
def test_parse_errors_name_file_entry_and_field(text, message):
    with pytest.raises(BankError) as err:
        parse_bank(text, "my.toml")
    assert str(err.value).startswith("my.toml: ")
    assert message in str(err.value)


def test_user_folder_adds_questions_and_overrides_cues(tmp_path, bank):
    (tmp_path / "mine.toml").write_text(GOOD_Q.replace('"q1"', '"my-question"') + '''
[cues.numbers]
label = "Numbers (strict)"
tip = "t"
follow_up = "f"
[[cues.numbers.rules]]
match = ['\\\\d+ qps']
''')
    merged = load_bank([tmp_path])
    assert merged.question("my-question").category == "system_design"
    assert merged.cues["numbers"].label == "Numbers (strict)"
    assert len(merged.questions) == len(bank.questions) + 1


@pytest.mark.parametrize("files, message", [
    ({}, "holds no *.toml bank files"),
    ({"a.toml": GOOD_Q.replace('"q1"', '"sd-url-shortener"')}, "duplicate question id (also in"),
    ({"a.toml": GOOD_Q + 'cues = ["no_such_cue"]\n'}, "field 'cues': unknown cue 'no_such_cue'"),
    ({"a.toml": GOOD_Q.replace("system_design", "cooking")}, "field 'category': unknown category 'cooking'"),
    ({"a.toml": b"\xff\xfe bad bytes"}, "not UTF-8"),
])
def test_load_errors(tmp_path, files, message):
    for name, content in files.items():
        p = tmp_path / name
        p.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(BankError, match=None) as err:
        load_bank([tmp_path])
    assert message in str(err.value)


def test_missing_folder(tmp_path):
    with pytest.raises(BankError, match="prompts folder not found"):
        load_bank([tmp_path / "nope"])


@pytest.mark.parametrize("call, message", [
    (lambda b: b.question("nope"), "unknown question id 'nope'"),
    (lambda b: b.question("url-shortener"), "sd-url-shortener?)"),
    (lambda b: b.category("cooking"), "unknown category 'cooking'"),
    (lambda b: b.list_questions("cooking"), "unknown category"),
])
def test_lookup_errors(bank, call, message):
    with pytest.raises(QuestionNotFound) as err:
        call(bank)
    assert message in str(err.value)


@pytest.mark.slow
def test_installed_wheel_finds_bundled_prompts(tmp_path):
    """Build the wheel and import from it alone: the prompts must travel inside the package."""
    root = Path(__file__).resolve().parent.parent
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                    "-w", str(tmp_path), str(root)], check=True)
    wheel = next(tmp_path.glob("voiceprep-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "voiceprep/prompts/cues.toml" in names and "voiceprep/prompts/behavioral.toml" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    out = subprocess.run([sys.executable, "-I", "-c",
                          "import sys; sys.path.insert(0, sys.argv[1]); import voiceprep.core.bank as b; "
                          "print(b.bundled_prompts_dir(), len(b.load_bank().questions))", str(site)],
                         capture_output=True, text=True, check=True).stdout.split()
    assert out[0].startswith(str(site)) and int(out[1]) >= 40


@pytest.mark.parametrize("category", ["system_design", "behavioral", "deep_dive", "concurrency", "estimation"])
def test_every_built_in_question_has_4_to_8_key_points_with_examples(bank, category):
    for q in bank.list_questions(category):
        assert 4 <= len(q.points) <= 8, q.id
        for p in q.points:
            assert p.text and (p.quantified or len(p.examples) >= 2), (q.id, p.id)


@pytest.mark.parametrize("points, message", [
    ('points = "x"', "question 1 'q1': field 'points': must be an array of tables"),
    ('points = [{id = "a"}]', "question 1 'q1' point 1 'a': field 'text': missing"),
    ('points = [{id = "a", text = "t"}, {id = "a", text = "u"}]', "point 2 'a': field 'id': duplicate point id"),
    ('points = [{id = "a", text = "t", examples = [1]}]', "point 1 'a': field 'examples': must be a list"),
    ('points = [{id = "a", text = "t", quantified = "yes"}]', "point 1 'a': field 'quantified': must be true or false"),
    ('points = [{id = "a", text = "t", weight = 2}]', "point 1 'a': field 'weight': unknown field"),
])
def test_bad_points_name_the_file_question_point_and_field(points, message):
    with pytest.raises(BankError) as err:
        parse_bank(GOOD_Q + points + "\n", "mine.toml")
    assert str(err.value).startswith("mine.toml: ") and message in str(err.value)


def test_points_parse_in_order_with_examples():
    f = parse_bank(GOOD_Q + 'points = [{id = "cache", text = "a cache", examples = ["redis in front"]},\n'
                            '  {id = "n", text = "a number", quantified = true}]\n', "mine.toml")
    [q] = f.questions
    assert [(p.id, p.examples, p.quantified) for p in q.points] == [("cache", ("redis in front",), False),
                                                                    ("n", (), True)]


def test_a_prompts_folder_of_stories_alone_is_accepted(tmp_path):
    (tmp_path / "stories").mkdir()
    assert len(load_bank([tmp_path]).questions) >= 40
