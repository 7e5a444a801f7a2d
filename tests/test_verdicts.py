"""Verdicts from the rule and the detector together: which decides, and what is quoted."""

from __future__ import annotations

import pytest

from voiceprep.analysis.rubric import CueResult, Evidence
from voiceprep.analysis.semantic import CueScore, Passage
from voiceprep.analysis.verdicts import combine, judge
from voiceprep.core.transcript import Transcript

PASSAGE = Passage("I put error rates on a dashboard.", 12.0, 14.5, 3)
RULE_EVIDENCE = Evidence("We log every request.", 4.0, 5.0, "log", 4.2)


@pytest.mark.parametrize("rule_hit, probability, hit, decided_by, quoted", [
    (False, 0.9, True, "detector", [PASSAGE.text]),
    (True, 0.9, True, "both", [PASSAGE.text, RULE_EVIDENCE.text]),
    (True, 0.4, True, "rule", [RULE_EVIDENCE.text]),
    (True, 0.1, False, "", []),     # the rule matched, the detector is sure it is absent: no quote of a miss
    (False, 0.1, False, "", []),
])
def test_who_decides_and_what_is_quoted(bank, rule_hit, probability, hit, decided_by, quoted):
    ruled = CueResult(bank.cues["observability"], rule_hit, [RULE_EVIDENCE] if rule_hit else [], int(rule_hit))
    got = combine(ruled, CueScore("observability", probability, PASSAGE, threshold=0.7, rule_threshold=0.3))
    assert (got.hit, got.decided_by, [e.text for e in got.evidence]) == (hit, decided_by, quoted)
    assert got.score == pytest.approx(probability)
    if decided_by == "detector":
        assert got.evidence[0].start == 12.0 and got.to_dict()["decided_by"] == "detector"


def test_without_a_detector_the_rules_decide_alone(bank):
    t = Transcript(text="I would alert on the p99 latency and watch a dashboard.")
    [result] = judge(t, [bank.cues["observability"]], None)
    assert result.hit and result.score is None and result.to_dict()["decided_by"] == "rule"
