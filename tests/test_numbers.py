"""Tables for spoken quantities and estimate checks (quantities.py, estimates.py, numbers.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

import voiceprep.analysis.numbers as numbers_module
from voiceprep.analysis.numbers.estimates import check_estimates, fmt
from voiceprep.analysis.numbers.evaluate import evaluate, load, split_sentences
from voiceprep.analysis.numbers.impact import impact_numbers
from voiceprep.analysis.numbers.quantities import Sentence, find_quantities


def quantities(text: str) -> list[tuple[float, str | None, str | None]]:
    return [(q.value, q.unit, q.per) for q in find_quantities(split_sentences(text))]


def checks(text: str) -> list[tuple[str, float | None, str]]:
    sents = split_sentences(text)
    return [(c.kind, c.stated, c.verdict) for c in check_estimates(sents, find_quantities(sents))]


@pytest.mark.parametrize("text, expected", [
    ("a hundred million", [(1e8, None, None)]),
    ("100M", [(1e8, None, None)]),
    ("10k", [(1e4, None, None)]),
    ("1.5 billion", [(1.5e9, None, None)]),
    ("two hundred fifty milliseconds", [(250, "ms", None)]),
    ("p99 under 200 ms", [(200, "ms", None)]),
    ("p99 latency 200 ms", [(200, "ms", None)]),
    ("$15,000", [(15000, "$", None)]),
    ("fifteen grand", [(15000, "$", None)]),
    ("40 percent", [(40, "%", None)]),
    ("40%", [(40, "%", None)]),
    ("3x", [(3, "x", None)]),
    ("ten times more", [(10, "x", None)]),
    ("a couple of terabytes", [(2, "TB", None)]),
    ("half a petabyte", [(0.5, "PB", None)]),
    ("5 KB per tweet", [(5, "KB", "tweet")]),
    ("ninety nine point nine percent", [(99.9, "%", None)]),
    ("point five kilobytes", [(0.5, "KB", None)]),
    ("three sixty five", [(365, None, None)]),
    ("a hundred and twenty thousand", [(120000, None, None)]),
    ("eighty six thousand four hundred", [(86400, None, None)]),
    ("12K requests a second", [(12000, "requests", "second")]),
    ("400 writes a second", [(400, "writes", "second")]),
    ("50,000 QPS", [(50000, "requests", "second")]),
    ("2,000 RPS", [(2000, "requests", "second")]),
    ("100M DAU", [(1e8, "users", "day")]),
    ("300 million MAU", [(3e8, "users", "month")]),
    ("4M daily active users", [(4e6, "users", "day")]),
    ("1 million uploads daily", [(1e6, "uploads", "day")]),
    ("$2,000 monthly", [(2000, "$", "month")]),
    ("10 million reads per month", [(1e7, "reads", "month")]),
    ("20,000 orders an hour", [(20000, "orders", "hour")]),
    ("60 MB/s", [(60, "MB", "second")]),
    ("80 Mbps", [(80, "Mb", "second")]),
    ("ten gigabits per second", [(10, "Gb", "second")]),
    ("100 to 1", [(100, "ratio", None)]),
    ("100:1", [(100, "ratio", None)]),
    ("ten times a day", [(10, None, "day")]),
    ("10^5 seconds", [(1e5, "s", None)]),
    ("a terabyte of memory", [(1, "TB", None)]),
    ("five hundred gigs", [(500, "GB", None)]),
    ("3 nodes", [(3, "servers", None)]),
    ("ninety-nine point nine five percent", [(99.95, "%", None)]),
    ("5 M drivers", [(5e6, "drivers", None)]),
    ("fifty seven eighty seven uploads a second", [(5787, "uploads", "second")]),
    ("1 million location updates a second", [(1e6, "updates", "second")]),
    ("p99 went from 800 ms to a hundred and twenty", [(800, "ms", None), (120, "ms", None)]),
    ("2 KB per response", [(2, "KB", "response")]),
])
def test_quantity_forms(text, expected):
    assert quantities(text) == expected


@pytest.mark.parametrize("text", [
    "one of the main concerns",
    "first we shard, second we cache",
    "there are two things I'd clarify",
    "it returns HTTP 200",
    "the API returns a 202",
    "we moved in 2019",
    "this is version 3",
    "python 3.10 and HTTP/2",
    "the p99 is what matters",
    "one server handles the writes",
    "the 1st and 2nd replicas",
    "it got quicker",
])
def test_not_quantities(text):
    assert quantities(text) == []


@dataclass(frozen=True)
class TimedSentence:
    """Like voiceprep's Sentence: maps a character offset to the time of its word."""

    text: str
    start: float | None
    end: float | None

    def time_at(self, offset: int) -> float | None:
        return self.start + offset / 10


def test_quantity_start_uses_word_times_when_available():
    sents = [TimedSentence("so that is 4,000 a second", 10.0, 13.0)]
    (q,) = find_quantities(sents)
    assert q.start == 10.0 + len("so that is ") / 10 and q.end == 13.0
    (c,) = check_estimates([TimedSentence("100 million a month is 4,000 a second", 0.0, 3.0)],
                           find_quantities([TimedSentence("100 million a month is 4,000 a second", 0.0, 3.0)]))
    assert c.start == len("100 million a month is ") / 10


def test_quantity_text_and_sentence_index():
    sents = [Sentence("Hello there.", 1.0, 2.0), Sentence("We serve 10k QPS at peak.", 2.0, 4.0)]
    (q,) = find_quantities(sents)
    assert (q.text, q.sentence, q.start, q.end) == ("10k QPS", 1, 2.0, 4.0)


@pytest.mark.parametrize("text, expected", [
    ("100 million a month is about 39 a second", [("rate", 39, "ok")]),
    ("We get 100 million requests a month, which is about 4,000 a second.", [("rate", 4000, "off")]),
    ("a billion requests a day is about ten thousand qps", [("rate", 10000, "ok")]),
    ("1 billion requests a day is about 11,574 per second.", [("rate", 11574, "ok")]),
    ("Reads to writes is 100 to 1, so with 4,000 writes a second we'd see 400k reads a second.",
     [("ratio", 400000, "ok")]),
    ("its ten to one read to write and we have two thousand writes a second so two hundred thousand reads a second",
     [("ratio", 200000, "off")]),
    ("Average load is 400 requests a second and peak is 3x, so 1,200 a second.", [("peak", 1200, "ok")]),
    ("The average is 2,000 QPS. Peak is about 5x, so we plan for 100,000 QPS.", [("peak", 100000, "off")]),
    ("We store 100 million photos a day at 2 MB each, so 200 TB a day, and with 3x replication about 600 TB a day.",
     [("storage", 200, "ok"), ("storage", 600, "ok")]),
    ("50 million messages a day at 1 KB each for 5 years is about 90 TB.", [("storage", 90, "ok")]),
    ("We serve 10,000 requests a second and each response is 50 KB, so egress is about 500 MB a second.",
     [("bandwidth", 500, "ok")]),
    ("twenty thousand reads a second at a hundred kilobytes each is about twenty gigabytes a second",
     [("bandwidth", 20, "off")]),
    ("Peak is 60,000 requests per second and one server handles about 2,000, so we need 30 servers.",
     [("servers", 30, "ok")]),
    ("At 100,000 QPS with each box doing 10,000 QPS we need about 100 servers.", [("servers", 100, "off")]),
    ("We write 500 GB a day and cache 20% of that, so about 100 GB of memory.", [("cache", 100, "ok")]),
    ("4 million times 50 KB times 1,000 is about 20 terabytes.", [("storage", 20, "off")]),
    ("100M divided by 30 times 86,400, about 40 writes a second.", [("rate", 40, "ok")]),
    ("We get 10 million requests, so we'd need about 120 requests per second of capacity.",
     [("rate", 120, "missing_unit")]),
    ("Each user uploads 3 photos a day at 500 KB, and with 2 million users that's 3 TB of storage.",
     [("storage", 3, "missing_unit")]),
    # a bare result keeps the period of a scaled base
    ("average is five hundred requests a second and at peak it's ten times that so about five thousand",
     [("peak", 5000, "ok")]),
    # "so X is Y": X is a premise, its inputs stay in the window
    ("Each message is about 250 bytes, so 1B messages a day is 250 GB a day.", [("storage", 250, "ok")]),
    # a retention after the result, and "kept for a year"
    ("We plan 50 billion entries a year at 500 bytes, so 25 TB a year, which is 250 TB over 10 years.",
     [("storage", 25, "ok"), ("storage", 250, "ok")]),
    ("ten million new posts a day each about five kilobytes kept for a year thats about two petabytes",
     [("storage", 2, "off")]),
    # "divided by A times B" read both ways: ok under a / (A * B)
    ("1 billion divided by 24 hours times 3600 seconds is about 12K requests a second.", [("rate", 12000, "ok")]),
    ("it is about six hundred million tweets a day which works out to about seven thousand tweets a second",
     [("rate", 7000, "ok")]),
    ("Ten thousand QPS at two kilobytes per response is about two hundred megabytes a second.",
     [("bandwidth", 200, "off")]),
    # compression divides
    ("Raw logs are 10 TB a day and compression gives us about 10x, so 1 TB a day on disk.",
     [("storage", 1, "ok")]),
    # an elided "per second" on a bandwidth result is not a missing retention
    ("We serve 5,000 requests a second at 20 KB, so 100 MB a second, which is 800 megabits.",
     [("bandwidth", 100, "ok"), ("bandwidth", 800, "ok")]),
    # "reads are ..." names the side of the ratio
    ("With 50 to 1 reads to writes and 300 writes a second, reads are 1,500 a second.", [("ratio", 1500, "off")]),
])
def test_estimate_checks(text, expected):
    assert checks(text) == expected


@pytest.mark.parametrize("text", [
    "We have 5 servers and 100 million users, so it's fine.",
    "It's 10 million users, which is 3 times our current load.",
    "p99 is 200 ms, so we have 50 ms of headroom.",
    "Costs were $15,000 a month, so $180,000 a year.",
    "The hit rate is 90%, so 10% of 10,000 reads a second reach the database, which is 1,000 reads a second.",
    "twenty times a day that's four billion reads a day",
    "We have 30M daily users, and about 10M of them create URLs, 3 each per day, so that's 90M new URLs a day.",
    "We get 10 per hour, so 240 over the day.",
    "About 1,000 requests a second, so about 86 million.",
    "We shorten 100 million URLs a month and keep them 10 years, so 100 million times 12 times 10 is 12 billion.",
    "Monthly we see 30 million uploads, about 1 million uploads daily.",
    "We have 10,000 writes a second and each row is 1 KB, so 100 GB a second of writes.",
    "We have 5 M monthly users, so about 1 M daily users.",
    "We ingest 20,000 events a second, each fans out to 4 services, so 80,000 deliveries a second; "
    "in a storm the fan-out is 40x, so 800,000 a second.",
    "We want 2 billion pages in a month, so 2 billion over 30 days is about 770 pages a second.",
])
def test_silent_when_unsure(text):
    assert [c for c in checks(text) if c[2] != "ok"] == []


def test_off_explanation_shows_the_arithmetic():
    sents = split_sentences("100 million a month is about 4,000 a second.")
    (c,) = check_estimates(sents, find_quantities(sents))
    assert c.verdict == "off" and round(c.expected, 1) == 38.6
    assert "38.6 per second, not 4,000" in c.explanation and "100 million per month" in c.explanation


@pytest.mark.parametrize("value, text", [(38.58, "38.6"), (4000, "4,000"), (1.2e6, "1.2 million"), (0.0116, "0.0116")])
def test_fmt(value, text):
    assert fmt(value) == text


@pytest.mark.parametrize("text, expected", [
    ("I cut the cloud bill by $15,000 a month and reduced incidents by 40%.", [(15000, "$"), (40, "%")]),
    ("That saved us about fifteen grand a year and made the build three x faster.", [(15000, "$"), (3, "x")]),
    ("We cut p99 from 800 ms to 200 ms.", [(800, "ms"), (200, "ms")]),
    ("We grew to 10,000 sign-ups a day.", [(10000, "signups")]),
    ("It got quicker and the team was happier.", []),
    ("We have 200 ms of budget.", []),
])
def test_impact_numbers(text, expected):
    assert [(q.value, q.unit) for q in impact_numbers(split_sentences(text))] == expected


def test_facade_exports():
    mod = numbers_module
    sents = [mod.Sentence("We get 100 million requests a month, which is about 4,000 a second.", 0.0, 3.0)]
    qs = mod.find_quantities(sents)
    assert [c.verdict for c in mod.check_estimates(sents, qs)] == ["off"]
    assert mod.impact_numbers(sents) == []


def test_dev_split_meets_targets():
    s = evaluate(load(), "dev")
    qp, qr = s.q_tp / s.q_found, s.q_tp / s.q_gold
    assert 2 * qp * qr / (qp + qr) >= 0.90
    assert s.off_tp / s.off_pred >= 0.95 and s.off_tp / s.off_gold >= 0.80
