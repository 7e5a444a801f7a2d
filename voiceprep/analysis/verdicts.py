"""Cue verdicts: the precise rules of analysis.rubric and the semantic detector, together.

Without a detector (it failed to load, or a test passes none) the rules decide alone, as
before. With one, each cue the detector knows is decided by it (semantic.CueScore.hit), the
rule counting only where it matched; evidence quotes the passage whose score decided, with
its time in the recording, before any sentence the rule matched.
"""

from __future__ import annotations

from dataclasses import replace

from voiceprep.analysis.rubric import CueResult, Evidence, check
from voiceprep.analysis.semantic import CueScore, Detector
from voiceprep.core.bank import Cue
from voiceprep.core.transcript import Transcript

EVIDENCE_LIMIT = 3


def judge(transcript: Transcript, cues: list[Cue], detector: Detector | None = None) -> list[CueResult]:
    """Every cue's verdict and evidence, in the order given."""
    ruled = check(transcript, cues)
    if detector is None:
        return ruled
    scores = detector.scores(transcript.sentences())
    return [combine(r, scores[r.cue.id]) if r.cue.id in scores else r for r in ruled]


def combine(ruled: CueResult, score: CueScore) -> CueResult:
    """One cue's verdict from its rule's result and its detector score."""
    hit = score.hit(ruled.hit)
    semantic = score.probability >= score.threshold
    decided_by = "detector" if semantic and not ruled.hit else "both" if semantic else "rule" if hit else ""
    evidence = list(ruled.evidence) if hit or not ruled.hit else []
    p = score.passage
    if hit and semantic and p is not None and not any(e.text.strip() in p.text or p.text in e.text for e in evidence):
        evidence.insert(0, Evidence(p.text, p.start, p.end, "", p.start))
    return replace(ruled, hit=hit, evidence=evidence[:EVIDENCE_LIMIT], score=round(score.probability, 3),
                   decided_by=decided_by)
