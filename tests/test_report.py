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
