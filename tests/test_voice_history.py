"""The voice over time: trends per measure from the index, `--focus` on a voice measure."""

from __future__ import annotations

import json
import random

import pytest
from rich.console import Console

from voiceprep.review.history import agreement, render_history
from voiceprep.review.voice_history import (FOCUS, focus_status, gone, pick_voice_focus, render_voice_trends,
                                            voice_trends)
from voiceprep.storage.index import Index, VoiceRow


def rows(monotone: list[float | None], spread: float = 2.0) -> list[VoiceRow]:
    """One row per attempt, oldest first; None: the voice could not be judged."""
    return [VoiceRow(f"a{i:03d}", m is not None, None if m is None else spread, -25.0, m, 0.0,
                     None if m is None else 1, 0, 3) for i, m in enumerate(monotone)]


def test_a_trend_per_measure_skips_unjudged_attempts_and_says_better_or_worse():
    trends = {t.measure.key: t for t in voice_trends(rows([40.0] * 5 + [None] + [30.0] * 5 + [0.0] * 5))}
    mono = trends["monotone_s"]
    assert len(mono.values) == 15 and mono.recent == [30.0] * 5 + [0.0] * 5
    assert mono.early_mean == 40.0 and mono.recent_mean == 15.0 and mono.present_in == 5
    assert mono.line() == "█" * 5 + "▁" * 5
    assert set(trends) == {"monotone_s", "quiet_s", "trailing_off", "pace_jumps", "repetition", "spread_st"}
    out = Console(width=140, record=True)
    out.print(render_voice_trends(list(trends.values())))
    text = out.export_text()
    assert "Voice over time" in text and "monotone" in text and "40.0 s flagged" in text and "↑ better" in text
    assert "5 of 10" in text
    assert json.loads(json.dumps(mono.to_dict()))["recent_mean"] == 15.0


def test_render_history_adds_the_voice_trends_when_there_are_some():
    out = Console(width=140, record=True)
    out.print(render_history([], 0, [], agreement([]), {}, voice_trends(rows([12.0, 0.0]))))
    assert "Voice over time" in out.export_text()
    out = Console(width=140, record=True)
    out.print(render_history([], 0, [], agreement([]), {}))
    assert "Voice over time" not in out.export_text()


@pytest.mark.parametrize("voice, name, expected", [
    ({"reliable": True, "monotone": [{"start": 1, "end": 20}]}, "monotone", False),
    ({"reliable": True, "monotone": []}, "monotone", True),
    ({"reliable": False, "monotone": []}, "monotone", None),  # not judged: neither gone nor there
    ({"reliable": False, "repetition": []}, "repetition", True),  # words are judged without audio quality
    ({"reliable": True, "pace_jumps": [{"start": 3, "end": 8}]}, "pace", False),
    (None, "quiet", None),
])
def test_gone_reads_the_focused_measure_of_a_report(voice, name, expected):
    assert gone(voice, name) is expected


def test_voice_focus_picks_long_questions_not_asked_lately(bank):
    picks = pick_voice_focus(bank, [], "system_design", count=2, rng=random.Random(0))
    longest = max(q.target_s for q in bank.list_questions("system_design"))
    assert picks[0].target_s == longest
    again = pick_voice_focus(bank, [picks[0].id], "system_design", count=1, rng=random.Random(0))
    assert again[0].id != picks[0].id
    assert set(FOCUS) == {"monotone", "quiet", "trailing_off", "pace", "repetition"}
    assert "no recorded answers judged yet" in focus_status(None, "monotone")


def test_the_index_keeps_voice_rows_for_attempts_with_audio(user_dirs, add_attempt):
    from voiceprep.storage.attempt import parse_attempt
    from voiceprep.storage.index import voice_row

    folder = add_attempt("sd-url-shortener", "So we shard it. So we cache it. So we replicate it. So it scales.")
    doc = json.loads((folder / "report.json").read_text())
    doc["voice"] = {"pitch": {"median_hz": 120.0, "spread_st": 0.9}, "loudness": {"median_db": -26.0},
                    "monotone": [{"start": 0.0, "end": 16.5}], "quiet": [], "trailing_off": [],
                    "repetition": [{"phrase": "so", "count": 4}], "reliable": True}
    (folder / "report.json").write_text(json.dumps(doc))
    with Index.open(user_dirs) as index:
        [row] = index.voice_rows()
    assert (row.attempt, row.reliable, row.monotone_s, row.spread_st, row.repetition) == (folder.name, True, 16.5,
                                                                                          0.9, 4)
    assert voice_row("x", parse_attempt({"question": {"category": "behavioral"}, "transcript": {"text": "hi"}})) \
        is None  # `check` and older attempts: no voice row
    trend = next(t for t in voice_trends([row]) if t.measure.key == "monotone_s")
    assert focus_status(trend, "monotone") == "Focus: monotone (showed in 1 of the last 1 answers)"
