from __future__ import annotations

import random

import pytest
from rich.console import Console

from voiceprep.review.history import (
    CueTrend,
    agreement,
    compare,
    cue_trends,
    pick_focus,
    render_comparison,
    render_history,
    weakest,
    word_diff,
)
from voiceprep.storage.attempt import StoredAttempt, parse_attempt
from voiceprep.storage.index import Attempt


def outcomes(table: dict[str, str]) -> list[tuple]:
    """{'cue': '1101'} -> rows (cue, attempt, hit, agree) in attempt order."""
    rows = []
    for cue, hits in table.items():
        rows += [(cue, f"a{i:03d}", int(h), None) for i, h in enumerate(hits)]
    return sorted(rows, key=lambda r: r[1])


def test_trends_rates_and_order():
    trends = cue_trends(outcomes({"numbers": "1" * 12, "observability": "000000000001", "tradeoffs": "110000000000"}))
    assert [t.cue for t in trends] == ["tradeoffs", "observability", "numbers"]  # weakest recent first
    obs = next(t for t in trends if t.cue == "observability")
    assert obs.rate == pytest.approx(1 / 12) and obs.recent_rate == pytest.approx(0.1)
    assert obs.early_rate == 0.0 and obs.run == "✘" * 9 + "✔"
    assert obs.to_dict()["recent"][-1] is True


@pytest.mark.parametrize("table, expected", [
    ({}, []),
    ({"numbers": "0"}, []),                                 # one attempt is too few to judge
    ({"numbers": "11", "tradeoffs": "00"}, ["tradeoffs"]),  # never-missed cues are not weak
    ({"a": "00", "b": "01", "c": "0101", "d": "000"}, ["d", "a", "c"]),
])
def test_weakest(table, expected):
    assert [t.cue for t in weakest(cue_trends(outcomes(table)))] == expected


def test_agreement_over_reviewed_attempts():
    rows = [Attempt("a", "", "q", "c", 1, 1, 1, 1, 2, 4, 7, 6), Attempt("b", "", "q", "c", 1, 1, 1, 1, 2, None, 0, 0)]
    assert agreement(rows) == {"attempts_reviewed": 1, "verdicts": 7, "agreed": 6, "rate": 0.857}
    assert agreement([])["rate"] is None


@pytest.mark.parametrize("old, new, expected", [
    ("a b c", "a b c", [("=", "a b c")]),
    ("we cache it.", "We cache it", [("=", "We cache it")]),
    ("we cache it", "we shard it", [("=", "we"), ("-", "cache"), ("+", "shard"), ("=", "it")]),
    ("", "new words", [("+", "new words")]),
    ("old words", "", [("-", "old words")]),
])
def test_word_diff(old, new, expected):
    assert word_diff(old, new) == expected


def doc(attempt: str, text: str, hits: dict[str, bool]) -> StoredAttempt:
    return parse_attempt({"attempt": attempt, "question": {"category": "system_design"}, "transcript": {"text": text},
                          "timing": {"duration_s": 60, "wpm": 150}, "fillers": {"per_100_words": 2.0},
                          "summary": {"cues_hit": sum(hits.values())},
                          "cues": [{"id": c, "hit": h} for c, h in hits.items()]})


def test_compare_names_cues_gained_and_lost_and_renders():
    c = compare(doc("one", "we use a cache", {"numbers": False, "tradeoffs": True}),
                doc("two", "we use a cache with 5000 QPS", {"numbers": True, "tradeoffs": False}))
    assert c.gained == ["numbers"] and c.lost == ["tradeoffs"]
    assert c.to_dict()["word_diff"][-1] == {"op": "+", "text": "with 5000 QPS"}
    out = Console(width=100, record=True)
    out.print(render_comparison(c, {"numbers": "Knows the numbers"}))
    text = out.export_text()
    assert "now hit: Knows the numbers" in text and "now missed: tradeoffs" in text and "5000 QPS" in text


def test_focus_prefers_questions_that_exercise_weak_cues(bank):
    trends = cue_trends(outcomes({"consistency": "0000", "observability": "0001", "numbers": "1111",
                                  "star_result": "1111"}))
    [q] = pick_focus(bank, trends, recent_questions=[], rng=random.Random(1))
    assert q.category == "system_design" and "consistency" in q.focus
    # the same request twice in a row: the question just practised loses the tie
    [again] = pick_focus(bank, trends, recent_questions=[q.id], rng=random.Random(1))
    assert again.id != q.id and "consistency" in again.focus
    # a category limits the pool; with no weak cue there, the choice is still valid
    [b] = pick_focus(bank, trends, [], category="behavioral", rng=random.Random(1))
    assert b.category == "behavioral"


def test_focus_without_history_is_random_but_valid(bank):
    picks = pick_focus(bank, [], [], category="concurrency", count=3, rng=random.Random(3))
    assert len({q.id for q in picks}) == 3 and all(q.category == "concurrency" for q in picks)
    many = pick_focus(bank, [], [], category="deep_dive", count=9, rng=random.Random(3))
    assert len(many) == 9  # more rounds than questions: questions repeat


def test_render_history_shows_table_trends_and_agreement():
    rows = [Attempt(f"2026110{i}-090000-sd-x", "", "sd-x", "system_design", 61.0, 150.0, 2.5, 5, 7,
                    4 if i == 2 else None, 7 if i == 2 else 0, 5 if i == 2 else 0) for i in (1, 2)]
    trends = [CueTrend("numbers", [True, False] * 8, reviewed=2, agreed=1)]
    out = Console(width=120, record=True)
    out.print(render_history(rows, 40, trends, agreement(rows), {"numbers": "Knows the numbers"}))
    text = out.export_text()
    assert "Attempts (2 newest of 40)" in text and "20261102-090000" in text and "1:01" in text and "4/5" in text
    assert "Knows the numbers" in text and "50% of 16" in text and "1/2" in text
    assert "agreed with 5 of 7 automatic verdicts (71%)" in text
