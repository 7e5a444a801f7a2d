"""Rubric check: which cues an answer hits, and the sentences that prove it.

Pure: takes a `Transcript` and `Cue`s (from the bank), touches no file or
device. A cue hits when enough sentences match one of its rules; a match that
is negated in its own clause ("we never monitored anything") does not count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voiceprep.core.bank import Cue, Rule
from voiceprep.core.transcript import Sentence, Transcript

# A clause ends at these; negation does not reach across them.
_CLAUSE_BREAK = re.compile(r"[,;:()]|\b(?:but|because|although|though|so|whereas|while|and then|which|instead)\b",
                           re.IGNORECASE)
_NEGATOR = re.compile(
    r"\b(?:not|no|never|nobody|nothing|none|neither|nor|without|lack(?:ed|ing)?|zero|"
    r"\w+n't|\w+n’t|cannot|hardly)\b", re.IGNORECASE)
_NOT_ONLY = re.compile(r"\bnot\s+(?:only|just)\b", re.IGNORECASE)
# "monitoring was never set up", "metrics weren't there"
_POST_NEGATION = re.compile(
    r"^[\s\w'’-]{0,12}?\b(?:(?:was|were|is|are|has|have|had|did|does|do|got)\s+(?:never|not)\b|"
    r"(?:wasn|weren|isn|aren|hasn|haven|hadn|didn|doesn|don)['’]t\b)", re.IGNORECASE)
_EVIDENCE_LIMIT = 3


@dataclass(frozen=True)
class Evidence:
    """The sentence that triggered a hit, where it sits in the recording, and the words matched."""

    text: str
    start: float | None
    end: float | None
    match: str = ""
    match_start: float | None = None

    def to_dict(self) -> dict:
        r = lambda x: None if x is None else round(x, 2)  # noqa: E731
        return {"text": self.text, "start": r(self.start), "end": r(self.end),
                "match": self.match, "match_start": r(self.match_start)}


@dataclass
class CueResult:
    cue: Cue
    hit: bool
    evidence: list[Evidence] = field(default_factory=list)
    count: int = 0  # distinct matches found
    recovered_on_follow_up: bool = False
    score: float | None = None  # the semantic detector's probability for its best passage (None: rules alone)
    decided_by: str = ""        # "rule", "detector" or "both" for a hit (analysis.verdicts)

    def to_dict(self) -> dict:
        return {
            "id": self.cue.id,
            "hit": self.hit,
            "label": self.cue.label,
            "tip": self.cue.tip,
            "follow_up": self.cue.follow_up,
            "count": self.count,
            "evidence": [e.to_dict() for e in self.evidence],
            "recovered_on_follow_up": self.recovered_on_follow_up,
            "score": self.score,
            "decided_by": self.decided_by or ("rule" if self.hit else ""),
        }


def check(transcript: Transcript, cues: list[Cue]) -> list[CueResult]:
    """Evaluate every cue against the transcript, in the order given."""
    sentences = transcript.sentences()
    extent = _extent(transcript, sentences)
    return [_check_cue(cue, sentences, extent) for cue in cues]


def negated(text: str, start: int, end: int) -> bool:
    """True when the match at text[start:end] is negated within its own clause."""
    before = text[:start]
    breaks = list(_CLAUSE_BREAK.finditer(before))
    clause = before[breaks[-1].end():] if breaks else before
    tail = " ".join(clause.split()[-5:])
    if _NEGATOR.search(tail) and not _NOT_ONLY.search(tail):
        return True
    after = text[end:]
    nxt = _CLAUSE_BREAK.search(after)
    return bool(_POST_NEGATION.search(after[: nxt.start()] if nxt else after))


def _extent(transcript: Transcript, sentences: list[Sentence]) -> float:
    if transcript.timed and sentences:
        return max(sentences[-1].end or 0.0, 1e-6)
    return max(len(transcript.text), 1)


def _position(sentence: Sentence, timed: bool) -> float:
    return (sentence.start or 0.0) if timed else float(sentence.char_start)


def _check_cue(cue: Cue, sentences: list[Sentence], extent: float) -> CueResult:
    timed = bool(sentences and sentences[0].words)
    hits: dict[int, Evidence] = {}
    count = 0
    for i, s in enumerate(sentences):
        if any(p.search(s.text) for p in cue.unless):
            continue
        if cue.within_first is not None and _position(s, timed) > cue.within_first * extent:
            continue
        spans: list[re.Match[str]] = []
        for rule in cue.rules:
            spans += _rule_matches(rule, cue, sentences, i)
        if spans:
            first = min(spans, key=lambda m: m.start())
            hits[i] = Evidence(s.text, s.start, s.end, first.group(0).strip(), s.time_at(first.start()))
            count += len({m.start() for m in spans})
    ordered = [hits[i] for i in sorted(hits)]
    # min_count counts distinct matches ("I built ... I wrote" is two), not sentences
    return CueResult(cue, count >= cue.min_count, ordered[:_EVIDENCE_LIMIT], count)


def _rule_matches(rule: Rule, cue: Cue, sentences: list[Sentence], i: int) -> list[re.Match[str]]:
    text = sentences[i].text
    out = []
    for pattern in rule.match:
        for m in pattern.finditer(text):
            if cue.negation and negated(text, m.start(), m.end()):
                continue
            out.append(m)
    if out and rule.near and not _near(rule, sentences, i):
        return []
    return out


def _near(rule: Rule, sentences: list[Sentence], i: int) -> bool:
    lo, hi = max(0, i - rule.window), min(len(sentences), i + rule.window + 1)
    for s in sentences[lo:hi]:
        for p in rule.near:
            for m in p.finditer(s.text):
                if not negated(s.text, m.start(), m.end()):
                    return True
    return False
