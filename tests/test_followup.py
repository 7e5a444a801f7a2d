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


@pytest.mark.parametrize("text, reason, asks", [
    ("That is 4,000 writes a second. So 4,000 reads a second, roughly.", "estimate",
     "You said 4,000 writes a second for the writes per second"),                        # first wrong step
    ("I'd guess four hundred thousand reads a second.", "estimate", "What is the writes per second?"),  # step not said
    ("About forty writes a second, and a hundred times that is four thousand reads a second.", "cue", ""),
])
def test_an_estimation_answer_is_asked_about_the_step_that_went_wrong(bank, text, reason, asks):
    q = bank.question("est-url-shortener-rates")
    chosen = choose_follow_up(analyse_answer(Transcript(text=text), bank, q.category, q))
    assert chosen.reason == reason and asks in chosen.prompt, chosen


def test_a_missed_key_point_is_asked_before_a_missed_cue_with_the_bank_s_own_question(bank):
    from voiceprep.testing import fake_detector

    q = bank.question("sd-news-feed")
    text = "On write we push the post id into every follower's feed in Redis"
    report = analyse_answer(Transcript(text=text), bank, q.category, q, detector=fake_detector())
    chosen = choose_follow_up(report)
    missed = next(p for p in report.points if not p.hit)
    assert chosen.reason == "point" and chosen.point is missed and chosen.cue is None
    assert any(not c.hit for c in report.cues)  # a cue was missed too: the point still comes first
    celebrity = next(p for p in report.points if p.point.id == "celebrity")
    from voiceprep.analysis.followup import point_prompt

    assert point_prompt(celebrity, q.follow_ups) == "How do you handle a celebrity with fifty million followers?"


@pytest.mark.parametrize("source, expected", [
    ("story", "Your notes say: “10,000 sign-ups a day”. Tell me about that part."),
    ("question", "One thing you did not mention: 10,000 sign-ups a day. Can you walk me through that?"),
])
def test_a_missed_point_without_a_matching_bank_question_is_asked_from_its_text(source, expected):
    from voiceprep.analysis.followup import point_prompt
    from voiceprep.analysis.points import PointResult
    from voiceprep.core.bank import Point

    assert point_prompt(PointResult(Point("r", "10,000 sign-ups a day"), False, source), ("Why Kafka?",)) == expected
