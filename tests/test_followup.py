"""Which follow-up the interviewer asks: a wrong estimate first, then a missing number, then a missed cue."""

from __future__ import annotations

import pytest

from voiceprep.analysis.followup import choose_follow_up
from voiceprep.analysis.report import analyse_answer
from voiceprep.core.transcript import Transcript


@pytest.mark.parametrize("category, text, reason, asks", [
    ("system_design", "We get a hundred million new links a month, so about four thousand writes a second.",
     "estimate", "four thousand writes a second"),
    ("system_design", "We expect about 12,000 requests per second at peak, and we cache the hot keys.",
     "servers", "12,000 requests per second"),
    ("system_design", "We get 12,000 requests per second at peak, spread over 30 servers.", "cue", ""),
    ("behavioral", "Last year our deploys kept failing. I owned the pipeline, so I rewrote it and added tests. "
                   "After that it got a lot quicker and everyone was happier.", "impact", "By how much"),
    ("behavioral", "Last year our deploys kept failing. I owned the pipeline, so I rewrote it and added tests. "
                   "Deploy time went from forty minutes to eight minutes.", "cue", ""),
])
def test_the_follow_up_that_matters_most(bank, category, text, reason, asks):
    chosen = choose_follow_up(analyse_answer(Transcript(text=text), bank, category))
    assert chosen.reason == reason, chosen
    assert asks in chosen.prompt
    if reason == "cue":
        assert chosen.cue is not None and not chosen.cue.hit and chosen.prompt == chosen.cue.cue.follow_up


def test_an_answer_that_hits_every_cue_gets_the_question_s_own_follow_up(bank):
    report = analyse_answer(Transcript(text="I led it."), bank, "behavioral")
    for c in report.cues:
        c.hit = True
    assert choose_follow_up(report, "What would you do differently?").prompt == "What would you do differently?"
