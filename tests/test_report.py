from __future__ import annotations

import io
import json

import pytest
from contract import assert_contract
from rich.console import Console

from voiceprep.analysis.report import analyse_answer
from voiceprep.core.transcript import Transcript
from voiceprep.review.render import render_report
from voiceprep.testing import timed_transcript

ANSWER = ("So, um, how many users do we expect? Let's say 10 million. We shard by user ID. "
          "The trade-off is stale reads. Uh, I'd alert on p99 latency.")


def test_json_matches_contract_for_audio(bank):
    q = bank.question("sd-read-heavy-scaling")
    report = analyse_answer(timed_transcript(ANSWER), bank, q.category, q)
    doc = json.loads(json.dumps(report.to_json()))
    assert_contract(doc, timed=True)
    assert doc["question"] == {"id": q.id, "category": "system_design", "text": q.text}
    assert doc["fillers"]["count"] == 2
    hits = {c["id"] for c in doc["cues"] if c["hit"]}
    assert {"clarify_requirements", "numbers", "scalability", "tradeoffs", "observability"} <= hits
    assert doc["timing"]["target_s"] == q.target_s


def test_json_matches_contract_for_text(bank):
    report = analyse_answer(Transcript(text=ANSWER), bank, "system_design")
    assert_contract(report.to_json(), timed=False)


def test_markdown_has_checklist_tips_and_transcript(bank):
    md = analyse_answer(timed_transcript(ANSWER), bank, "system_design").to_markdown()
    assert "## Checklist" in md and "- [x] **Scalability**" in md
    assert "Tip:" in md and ANSWER.split()[3] in md


def test_terminal_report_shows_evidence_time_tips_and_highlights_fillers(bank):
    report = analyse_answer(timed_transcript(ANSWER, wpm=120), bank, "system_design")
    out = io.StringIO()
    Console(file=out, width=100, color_system="truecolor", force_terminal=True).print(render_report(report))
    text = out.getvalue()
    assert "Checklist" in text and "Tip:" in text and "[0:0" in text
    plain = io.StringIO()
    Console(file=plain, width=100).print(render_report(report))
    assert "um" in plain.getvalue() and "Failure modes" in plain.getvalue()
    assert "\x1b[" in text  # styled: fillers highlighted


def test_terminal_transcript_keeps_whisper_spacing(bank):
    from voiceprep.core.transcript import Word

    words = [Word(" about", 0.0, 0.3), Word(" 5", 0.3, 0.5), Word(",000", 0.5, 0.7), Word(" QPS.", 0.7, 1.0)]
    report = analyse_answer(Transcript.from_words(words), bank, "system_design")
    out = io.StringIO()
    Console(file=out, width=100).print(render_report(report))
    assert "about 5,000 QPS." in out.getvalue()


@pytest.mark.parametrize("text, verdicts", [
    ("A hundred million new links a month, so about four thousand writes a second.", ["off"]),
    ("A hundred million new links a month, so roughly forty writes per second.", ["ok"]),
    ("We cache the hot keys and shard by user.", []),
])
def test_estimates_are_checked_in_the_json_and_markdown(bank, text, verdicts):
    report = analyse_answer(Transcript(text=text), bank, "system_design")
    doc = report.to_json()
    assert [c["verdict"] for c in doc["numbers"]["checks"]] == verdicts
    if verdicts == ["off"]:
        assert "not 4,000" in doc["numbers"]["checks"][0]["explanation"] and "## Estimates" in report.to_markdown()
    if verdicts:
        assert doc["numbers"]["quantities"][0]["per"] == "month"


@pytest.mark.parametrize("category, text, quantified, quote", [
    ("behavioral", "I rewrote the pipeline. Deploy time went from forty minutes to eight minutes.", True,
     "Deploy time went from forty minutes to eight minutes."),
    ("deep_dive", "We moved to a queue and it saved us $15,000 a month.", True, "it saved us $15,000 a month."),
    ("behavioral", "I rewrote the pipeline. After that it got a lot quicker.", False, None),
    ("system_design", "We cut p99 by 40 percent with a cache.", None, None),   # not a story: no result line
])
def test_a_story_s_result_is_quoted_when_quantified(bank, category, text, quantified, quote):
    report = analyse_answer(Transcript(text=text), bank, category)
    impact = report.to_json()["impact"]
    if quantified is None:
        assert impact is None and "## Result" not in report.to_markdown()
        return
    assert impact["quantified"] is quantified
    markdown = report.to_markdown()
    if quantified:
        line = next(ln for ln in markdown.splitlines() if ln.startswith("Result quantified: “"))
        assert quote in impact["outcomes"][0]["sentence"] and quote in line
        cue = next(c for c in report.cues if c.cue.id == "impact")
        if cue.hit:  # the quantified sentence is the impact cue's first evidence
            assert quote in cue.evidence[0].text
    else:
        assert impact["outcomes"] == [] and "Result not quantified" in markdown


def test_an_estimation_question_says_how_close_the_figure_came(bank):
    q = bank.question("est-url-shortener-rates")
    text = "A hundred million links a month is about four thousand writes a second, so 400,000 reads a second."
    report = analyse_answer(Transcript(text=text), bank, q.category, q)
    doc = report.to_json()
    assert doc["estimate"]["verdict"] == "off" and doc["estimate"]["wrong_step"] == "writes per second"
    assert "## Your estimate" in report.to_markdown()
    out = io.StringIO()
    Console(file=out, width=120).print(render_report(report))
    assert "Your estimate: went wrong at writes per second" in out.getvalue()
    assert "104x too high" in out.getvalue()
    assert analyse_answer(Transcript(text=text), bank, "system_design").to_json()["estimate"] is None


def _voice(reliable: bool = True):
    from voiceprep.analysis.repetition import Repeat
    from voiceprep.analysis.voice import Stretch, VoiceMeasures

    if not reliable:
        return VoiceMeasures(None, None, None, -30.0, 8.0, (), (), (), (), (), (Repeat("so", 4, "opening", 0.5),),
                             False, ("background noise: speech only 8 dB above it (need 15)",))
    return VoiceMeasures(120.0, 1.9, -24.0, -70.0, 46.0, (Stretch(42.0, 65.0, 1.1),), (Stretch(80.0, 84.0, -41.0),),
                         (Stretch(12.5, 13.4, 14.0, "the database."),), (), (Stretch(90.0, 96.0, 210.0, "fast."),),
                         (Repeat("basically", 5, "word", 2.5),), True)


@pytest.mark.parametrize("reliable", [True, False])
def test_voice_is_in_the_json_markdown_and_delivery_panel(bank, reliable):
    from contract import assert_voice_contract

    report = analyse_answer(timed_transcript(ANSWER), bank, "system_design")
    report.voice = _voice(reliable)
    doc = json.loads(json.dumps(report.to_json()))
    assert_voice_contract(doc["voice"], audio=True)
    md = report.to_markdown()
    out = io.StringIO()
    Console(file=out, width=140, color_system=None).print(render_report(report))
    text = out.getvalue()
    if reliable:
        assert doc["voice"]["monotone"] == [{"start": 42.0, "end": 65.0, "spread_st": 1.1}]
        assert doc["voice"]["trailing_off"][0]["text"] == "the database."
        assert "## Voice" in md and "- **Monotone**: 0:42–1:05 (spread 1.1 st)" in md
        assert "Monotone      0:42–1:05 (spread 1.1 st)" in text or "0:42–1:05 (spread 1.1 st)" in text
        assert "Trailing off" in text and "“the database.” (14 dB quieter)" in text
        assert "“basically” ×5" in text and "Quiet" in text and "1:20–1:24 (-41 dBFS)" in text
    else:
        assert doc["voice"]["reliable"] is False and doc["voice"]["pitch"]["median_hz"] is None
        assert "not judged: background noise" in text and "“so” opens 4 sentences" in md


def test_voice_is_null_for_text(bank):
    from contract import assert_voice_contract

    doc = analyse_answer(Transcript(text=ANSWER), bank, "system_design").to_json()
    assert_voice_contract(doc["voice"], audio=False)
    assert "## Voice" not in analyse_answer(Transcript(text=ANSWER), bank, "system_design").to_markdown()


def test_terminal_report_shows_points_made_with_quotes_and_times_and_lists_the_missed(bank):
    from voiceprep.testing import fake_detector

    q = bank.question("sd-long-running-jobs")
    said = q.points[0].examples[0]
    report = analyse_answer(timed_transcript(f"Well. {said}. Then lunch.", wpm=150), bank, q.category, q,
                            detector=fake_detector())
    out = io.StringIO()
    Console(file=out, width=200, highlight=False).print(render_report(report))
    text = out.getvalue()
    made = sum(p.hit for p in report.points)
    assert f"Points {made}/{len(q.points)}" in text
    from voiceprep.core.timefmt import clock

    assert f"[{clock(report.points[0].evidence[0].start)}] “{said}.”" in text  # the quote, at its moment
    missed = [p for p in report.points if not p.hit]
    assert missed and "Missed: " + missed[0].point.text in text
    assert_contract(report.to_json(), timed=True)
