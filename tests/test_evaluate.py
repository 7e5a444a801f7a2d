"""Accuracy harness: rubric precision/recall on labeled transcripts, and the same cues
surviving the trip through synthesized speech, Whisper and `voiceprep review`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from voiceprep.analysis.evaluate import format_table, load_labeled, macro_f1, main, score, tally

DATA = Path(__file__).parent / "data"


def test_labeled_set_is_large_and_covers_every_category():
    answers = load_labeled(DATA)
    assert len(answers) >= 40
    assert {a.category for a in answers} == {"system_design", "behavioral", "deep_dive", "concurrency"}
    assert {a.quality for a in answers} == {"strong", "weak", "borderline"}
    assert len({a.id for a in answers}) == len(answers)


def test_rubric_macro_f1_at_least_0_85(bank):
    scores = score(load_labeled(DATA), bank)
    table = format_table(scores)
    assert macro_f1(scores) >= 0.85, table
    for cid, s in scores.items():
        assert s.tp + s.fn > 0, f"{cid}: no labeled positive, so its recall is untested"


def test_score_counts_errors_both_ways(bank):
    from voiceprep.analysis.evaluate import LabeledAnswer

    answers = [LabeledAnswer("a", "system_design", "We shard the data.", frozenset({"numbers"}))]
    s = score(answers, bank)
    assert (s["scalability"].fp, s["numbers"].fn, s["observability"].tn) == (1, 1, 1)
    assert s["scalability"].errors == ["+a"] and s["numbers"].errors == ["-a"]


@pytest.mark.slow
def test_make_accuracy_prints_every_split_and_the_held_out_figures_hold(capsys, bank):
    """docs/cues.md: on the frozen test split (b30-b37: 209 answers from 146 sources used nowhere
    else) the rules and the detector fitted on b1-b29 together scored macro-F1 0.812 (rules alone
    0.678), and the detector finds the story's situation (recall 0.98, rules 0.23) and first-person
    actions (ownership recall 0.92, rules 0.36)."""
    from voiceprep.analysis.corpus import load_corpus
    from voiceprep.analysis.evaluate import verdicts_by_mode
    from voiceprep.analysis.semantic import Detector

    assert main([str(DATA)]) == 0
    out = capsys.readouterr().out
    assert out.count("macro-F1") == 4 and "frozen test split unchanged" in out
    test = [a for a in load_corpus(DATA / "corpus") if a.split == "test"]
    modes = {m: tally(test, v, bank) for m, v in verdicts_by_mode(test, bank, Detector.load()).items()}
    assert macro_f1(modes["combined"]) >= 0.78 and macro_f1(modes["combined"]) >= macro_f1(modes["rules"]) + 0.05
    for cue in ("ownership", "star_situation"):
        assert modes["combined"][cue].recall >= 0.75 > modes["rules"][cue].recall


AUDIO_CASES = [
    ("sd-url-shortener",
     "So, um, before I design anything, can I ask how many users we expect? I will assume a hundred million "
     "new links a month, and about four thousand redirects per second. Uh, redirects are served from a cache in "
     "front of the database, and the database is sharded by the short code, so we can add nodes as traffic grows. "
     "If the cache fails, we fall back to the database with a circuit breaker. The trade-off is that click "
     "counts are eventually consistent. Um, I would put the p99 latency on a dashboard and alert the on call.",
     {"clarify_requirements", "numbers", "scalability", "failure_modes", "tradeoffs", "consistency", "observability"},
     ["cache", "shard"]),
    ("bh-professional-failure",
     "At my last job I was a backend engineer on the payments team. I was responsible for a database migration, "
     "and, um, I ran it on a Friday and it locked the orders table for forty minutes. I rolled it back, and I "
     "wrote the postmortem. As a result, the team adopted online migrations and we have had no outage since. "
     "I learned to always test the rollback first.",
     {"star_situation", "star_task", "star_action", "star_result", "ownership", "reflection", "numbers"},
     ["postmortem"]),
    ("dd-operational-excellence",
     "Our customers were complaining that password reset emails arrived late. I owned the notification "
     "platform, which sends forty million messages a day. I set an SLO of ninety nine point nine percent "
     "delivered within a minute, and I built dashboards and alerts in Grafana. I added failover between two "
     "email providers instead of one, which costs more money but removed our single point of failure. "
     "As a result, support tickets about late emails were cut in half.",
     {"customer_focus", "numbers", "observability", "ownership", "impact", "tradeoffs"},
     ["SLO"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("qid, script, expected, jargon", AUDIO_CASES, ids=[c[0] for c in AUDIO_CASES])
def test_synthesized_answers_through_review(qid, script, expected, jargon, synth, user_dirs):
    wav = synth(script, qid, wpm=155)
    exe = Path(sys.executable).parent / "voiceprep"
    proc = subprocess.run([str(exe), "review", str(wav), "--question", qid, "--json"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    hits = {c["id"] for c in doc["cues"] if c["hit"]}
    assert expected <= hits, f"missing {expected - hits} in: {doc['transcript']['text']}"
    for term in jargon:
        assert term.lower() in doc["transcript"]["text"].lower(), term
    spoken_fillers = script.lower().count(" um,") + script.lower().count(" uh,") + script.lower().startswith("so, um")
    assert doc["fillers"]["count"] >= spoken_fillers - 1
    for cue in doc["cues"]:
        for ev in cue["evidence"]:
            assert 0 <= ev["start"] <= ev["end"] <= doc["timing"]["duration_s"] + 0.1
    assert (user_dirs / doc["attempt"] / "answer.wav").is_file()
    assert 100 < doc["timing"]["wpm"] < 220
