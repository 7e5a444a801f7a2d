from __future__ import annotations

import io
import json

import pytest

from voiceprep.cli.common import Env
from voiceprep.cli.main import main
from voiceprep.core.errors import BankError, QuestionNotFound
from voiceprep.core.stories import find_story, load_stories, parse_story

PUBSUB = """# Pub/sub event bus for payment notifications
themes: challenging project, ownership, scale
- S: MVP with a one-year user projection and 10x spikes from marketing airdrops
- T: I owned the library design and the load tests
- A: built the library with integration and load tests; two teams adopted it
- R: 10,000 sign-ups a day on the same infrastructure
- Lesson: design for 10x from day one
"""


def test_the_contract_example_parses_into_labelled_points():
    story = parse_story(PUBSUB, "pubsub.md", "pubsub")
    assert story.title == "Pub/sub event bus for payment notifications"
    assert story.themes == ("challenging project", "ownership", "scale")
    assert [(p.id, p.label) for p in story.points] == [("s", "S"), ("t", "T"), ("a", "A"), ("r", "R"),
                                                       ("lesson", "Lesson")]
    assert story.points[3].text == "10,000 sign-ups a day on the same infrastructure"


@pytest.mark.parametrize("bullets, ids, labels", [
    ("- first thing\n- second thing\n", ["bullet-1", "bullet-2"], ["", ""]),
    ("- A: one\n- A: two\n- a: three\n", ["a", "a-2", "a-3"], ["A", "A", "A"]),
    ("- Situation: one\n- Result: two\n", ["s", "r"], ["S", "R"]),
    ("* R: star bullets too\n", ["r"], ["R"]),
    ("- Note: not a label, kept as text\n", ["bullet-1"], [""]),
])
def test_bullet_ids_and_labels(bullets, ids, labels):
    story = parse_story("# Title\n" + bullets, "x.md", "x")
    assert [p.id for p in story.points] == ids
    assert [p.label for p in story.points] == labels


def test_an_indented_line_continues_the_bullet_above():
    story = parse_story("# T\n- R: 10,000 sign-ups a day\n  on the same infrastructure\n", "x.md", "x")
    assert story.points[0].text == "10,000 sign-ups a day on the same infrastructure"


@pytest.mark.parametrize("text, story_id, message", [
    ("no title\n- a\n", "x", "x.md: line 1: a story starts with its title"),
    ("# T\nthemes: a\nthemes: b\n- a\n", "x", "x.md: line 3: 'themes:' given twice"),
    ("# T\n- a\nsome prose here\n", "x", "x.md: line 3: expected a '- ' bullet"),
    ("# T\n- R:   \n", "x", "x.md: line 2: bullet has no text after 'R:'"),
    ("# T\nthemes: a\n", "x", "x.md: story 'x' has no '- ' bullets"),
    ("\n\n", "x", "x.md: empty story"),
    ("# T\n- a\n", "Bad Name", "x.md: the file name 'Bad Name' is the story id"),
])
def test_bad_stories_name_the_file_and_line(text, story_id, message):
    with pytest.raises(BankError) as err:
        parse_story(text, "x.md", story_id)
    assert str(err.value).startswith(message)


def test_stories_load_from_the_stories_folder_of_each_prompts_folder(tmp_path):
    for name in ("one", "two"):
        (tmp_path / name / "stories").mkdir(parents=True)
    (tmp_path / "one" / "stories" / "pubsub.md").write_text(PUBSUB)
    (tmp_path / "two" / "stories" / "retry.md").write_text("# Retry storm\n- R: back in 25 minutes\n")
    found = load_stories([tmp_path / "one", tmp_path / "two"])
    assert sorted(found) == ["pubsub", "retry"]
    assert found["retry"].source.endswith("retry.md")
    (tmp_path / "two" / "stories" / "pubsub.md").write_text(PUBSUB)
    with pytest.raises(BankError, match="story id 'pubsub' is also"):
        load_stories([tmp_path / "one", tmp_path / "two"])


def test_an_unknown_story_names_the_known_ones(tmp_path):
    with pytest.raises(QuestionNotFound, match="unknown story 'nope' \\(known: a, b\\)"):
        find_story({"a": parse_story("# A\n- x\n", "a.md", "a"), "b": parse_story("# B\n- y\n", "b.md", "b")}, "nope")


def _run(argv: list[str], stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    env = Env(stdout=out, stderr=err, stdin=io.StringIO(stdin), environ={}, make_detector=lambda: None)
    return main(argv, env), out.getvalue(), err.getvalue()


def test_stories_command_lists_id_title_themes_and_bullets(tmp_path):
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "pubsub.md").write_text(PUBSUB)
    code, out, _ = _run(["stories", "--prompts", str(tmp_path), "--json"])
    assert code == 0
    [story] = json.loads(out)
    assert (story["id"], story["bullets"], story["themes"][0]) == ("pubsub", 5, "challenging project")
    code, out, _ = _run(["stories", "--prompts", str(tmp_path)])
    assert code == 0 and "pubsub" in out and "5" in out


def test_a_broken_story_is_one_line_and_exit_2(tmp_path):
    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "bad.md").write_text("# T\n- a\nprose\n")
    code, _, err = _run(["stories", "--prompts", str(tmp_path)])
    assert code == 2
    assert err.strip().startswith("error: ") and "bad.md: line 3" in err and err.count("\n") == 1


def test_check_with_an_unknown_story_fails_fast(tmp_path):
    (tmp_path / "stories").mkdir()
    code, _, err = _run(["check", "-", "--prompts", str(tmp_path), "--story", "nope", "--json"], "an answer")
    assert code == 2 and "unknown story 'nope'" in err


def test_check_with_a_story_linked_to_a_question_reports_both_kinds_of_points(tmp_path):
    from voiceprep.testing import fake_detector

    (tmp_path / "stories").mkdir()
    (tmp_path / "stories" / "bus.md").write_text("# Bus\nthemes: bh-most-challenging-project\n"
                                                 "- R: we reached 10,000 sign-ups a day\n- Lesson: test early\n")
    out = io.StringIO()
    env = Env(stdout=out, stderr=io.StringIO(), stdin=io.StringIO("So we reached 1,000 sign-ups a day"),
              environ={}, make_detector=fake_detector)
    assert main(["check", "-", "--prompts", str(tmp_path), "--story", "bus", "--json"], env) == 0
    doc = json.loads(out.getvalue())
    assert doc["question"]["id"] == "bh-most-challenging-project" and doc["story"] == {"id": "bus", "title": "Bus"}
    story = [(p["id"], p["hit"]) for p in doc["points"] if p["source"] == "story"]
    assert story == [("r", True), ("lesson", False)]
    assert any(p["source"] == "question" for p in doc["points"])
    assert [(m["kind"], m["point"]) for m in doc["point_mismatches"]] == [("number", "r")]


def test_questions_json_lists_each_question_s_points():
    code, out, _ = _run(["questions", "--category", "concurrency", "--json"])
    assert code == 0
    assert all(4 <= len(q["points"]) <= 8 and q["points"][0]["text"] for q in json.loads(out))
