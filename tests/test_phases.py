from __future__ import annotations

import pytest

from voiceprep.analysis.phases import phases
from voiceprep.core.transcript import Transcript
from voiceprep.testing import timed_transcript


def test_design_answer_moves_through_phases_in_order(bank):
    text = ("Can I ask what scale we need? I assume ten million users and 5,000 QPS. "
            "The high level design has an API service in front of a database. "
            "To scale, we shard the database and add read replicas. "
            "The trade-off is stale reads, and that wraps it up.")
    t = timed_transcript(text, wpm=120, start=0.0)
    ps = phases(t, bank, "system_design")
    assert [p.name for p in ps] == ["clarify", "estimate", "high-level design", "deep dive", "trade-offs and wrap-up"]
    assert ps[0].start == 0.0 and ps[-1].end == pytest.approx(t.duration)
    assert all(a.end == pytest.approx(b.start) for a, b in zip(ps, ps[1:]))
    assert sum(p.seconds for p in ps) == pytest.approx(t.duration)


def test_phases_never_go_back(bank):
    text = "I ran the migration first. At my last job we had an outage. My task was to fix it. I rolled it back."
    names = [p.name for p in phases(timed_transcript(text, start=0.0), bank, "behavioral")]
    assert names == ["action"]  # the situation told after the action does not rewind the phases


def test_star_answer(bank):
    text = ("At my last job I was on the payments team. My task was to cut failed payments. "
            "I added retries and I rewrote the job. As a result failures dropped by 40 percent.")
    ps = phases(timed_transcript(text, start=0.0), bank, "behavioral")
    assert [p.name for p in ps] == ["situation", "task", "action", "result"]


def test_no_plan_or_no_times(bank):
    assert phases(Transcript(text="We shard it."), bank, "system_design") == []
    assert phases(timed_transcript("We shard it."), bank, "concurrency") == []


def test_an_early_trade_off_does_not_end_the_answer(bank):
    text = ("How many users do we expect? I assume 10 million users. The trade-off of random codes is collisions. "
            "Redirects come from a cache in front of the database. We shard the store as traffic grows. "
            "Overall the trade-off is cost, and that wraps it up.")
    names = [p.name for p in phases(timed_transcript(text, start=0.0), bank, "system_design")]
    assert names == ["clarify", "estimate", "high-level design", "deep dive", "trade-offs and wrap-up"]
