from __future__ import annotations

import pytest

from voiceprep.analysis.rubric import check, negated
from voiceprep.core.bank import parse_bank
from voiceprep.core.transcript import Transcript, Word


def hit(bank, cue_id: str, text: str) -> bool:
    return check(Transcript(text=text), [bank.cues[cue_id]])[0].hit


@pytest.mark.parametrize("cue, text, expected", [
    ("observability", "I'd put p99 latency on a dashboard and alert the on-call.", True),
    ("observability", "We never monitored anything.", False),
    ("observability", "There was no monitoring at all.", False),
    ("observability", "Monitoring was never set up.", False),
    ("observability", "We didn't have metrics, but we added tracing later.", True),
    ("observability", "The query was slow.", False),
    ("observability", "Lookups are O(log n) and users log in once.", False),
    ("numbers", "We serve 5,000 QPS with a p99 of 200 ms.", True),
    ("numbers", "About ten million users a day.", True),
    ("numbers", "It grew a lot and was very fast.", False),
    ("numbers", "Two requests both check the name.", False),
    ("consistency", "Profiles can be eventually consistent, payments need strong consistency.", True),
    ("consistency", "I consistently ship on time.", False),
    ("consistency", "I'd cap concurrency with a semaphore.", False),
    ("consistency", "Under CAP we choose availability.", True),
    ("scalability", "We shard by user ID and add read replicas.", True),
    ("scalability", "On a scale of one to ten it was a seven.", False),
    ("tradeoffs", "The trade-off is stale reads.", True),
    ("tradeoffs", "Polling is simpler but wastes requests.", True),
    ("tradeoffs", "I picked Rust because I wanted to learn it.", False),
    ("failure_modes", "If the primary goes down, we promote the replica.", True),
    ("failure_modes", "Retries with exponential backoff handle blips.", True),
    ("failure_modes", "There's not going to be any failover.", False),
    ("customer_focus", "Our sellers were losing sales while listings were invisible.", True),
    ("customer_focus", "We partition orders by customer region.", False),
    ("reflection", "Looking back, I'd have written the load test first.", True),
    ("reflection", "Every team should have documentation.", False),
    ("ownership", "I built the pipeline and I convinced the team.", True),
    ("ownership", "We built the pipeline and we convinced the team.", False),
    ("star_result", "In the end the error rate dropped to zero.", True),
    ("star_situation", "At my last job I was a backend engineer.", True),
    ("star_task", "My job was to cut the latency.", True),
])
def test_cue_table(bank, cue, text, expected):
    assert hit(bank, cue, text) is expected


def test_clarify_must_come_early(bank):
    early = "Can I ask how many users we expect? " + "We use a cache. " * 10
    late = "We use a cache. " * 10 + "What are the requirements?"
    assert hit(bank, "clarify_requirements", early)
    assert not hit(bank, "clarify_requirements", late)


@pytest.mark.parametrize("text, word, expected", [
    ("we never monitored it", "monitored", True),
    ("no dashboards existed", "dashboards", True),
    ("we had no budget, so we added metrics", "metrics", False),
    ("not only logs but metrics", "logs", False),
    ("metrics weren't there", "metrics", True),
    ("metrics that we read daily", "metrics", False),
])
def test_negation(text, word, expected):
    i = text.index(word)
    assert negated(text, i, i + len(word)) is expected


def test_evidence_points_at_the_moment_in_the_recording(bank):
    words = [Word(" So", 0.0, 0.2), Word(" we", 0.3, 0.4), Word(" cache.", 0.5, 0.9),
             Word(" I'd", 10.0, 10.2), Word(" alert", 10.3, 10.6), Word(" on", 10.6, 10.7),
             Word(" errors.", 10.8, 11.2)]
    [result] = check(Transcript.from_words(words), [bank.cues["observability"]])
    assert result.hit
    ev = result.evidence[0]
    assert (ev.text, ev.start, ev.end) == ("I'd alert on errors.", 10.0, 11.2)
    assert ev.match.lower() == "alert" and ev.match_start == 10.3


def test_near_rule_and_min_count():
    f = parse_bank('''
[cues.pair]
label = "Pair"
tip = "t"
follow_up = "f"
min_count = 2
[[cues.pair.rules]]
match = ['\\bfails?\\b']
near = ['\\bretry\\b']
''', "t.toml")
    cue = f.cues["pair"]
    assert not check(Transcript(text="It fails. It fails."), [cue])[0].hit
    assert not check(Transcript(text="It fails. We retry."), [cue])[0].hit  # one match only
    assert check(Transcript(text="It fails. We retry. It fails again."), [cue])[0].hit


def test_results_keep_cue_order_and_serialise(bank):
    cues = bank.cues_for("behavioral")
    results = check(Transcript(text="I led it."), cues)
    assert [r.cue.id for r in results] == [c.id for c in cues]
    d = results[0].to_dict()
    assert set(d) >= {"id", "hit", "label", "tip", "evidence"}
