"""Time per phase of an answer, from its timed sentences.

A system-design answer should move clarify -> estimate -> high-level design -> deep dive ->
trade-offs and wrap-up; a behavioral one Situation -> Task -> Action -> Result. Each sentence
is matched against the phases' cues. The answer stays in a phase while it keeps matching, moves
to the nearest later phase that matches (skipping at most one), and never goes back, so the
phases are contiguous spans that add up to the answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from voiceprep.analysis.rubric import check
from voiceprep.core.bank import Bank, Cue, Rule
from voiceprep.core.transcript import Transcript

_DESIGN = re.compile(r"\b(architecture|components?|services?|api|endpoints?|database|db|store|queue|schema|"
                     r"load balancer|client|server|high[\s-]level|design|flow|data model)\b", re.IGNORECASE)
# phase name -> cue ids that mark it (None: the built-in high-level-design pattern)
PLANS: dict[str, list[tuple[str, list[str] | None]]] = {
    "system_design": [("clarify", ["clarify_requirements"]), ("estimate", ["numbers"]),
                      ("high-level design", None),
                      ("deep dive", ["scalability", "failure_modes", "consistency", "observability"]),
                      ("trade-offs and wrap-up", ["tradeoffs"])],
    "behavioral": [("situation", ["star_situation"]), ("task", ["star_task"]), ("action", ["star_action"]),
                   ("result", ["star_result", "impact", "reflection"])],
}


@dataclass(frozen=True)
class Phase:
    name: str
    start: float
    end: float

    @property
    def seconds(self) -> float:
        return self.end - self.start


def phases(transcript: Transcript, bank: Bank, category: str) -> list[Phase]:
    """Contiguous phases covering the answer; [] for categories without a plan or untimed text."""
    plan = PLANS.get(category)
    sentences = transcript.sentences()
    if not plan or not transcript.timed or not sentences:
        return []
    design_cue = Cue("_design", "", "", "", (Rule((_DESIGN,)),))
    matchers = [[design_cue] if ids is None else [bank.cues[c] for c in ids if c in bank.cues] for _, ids in plan]
    current = 0
    labels: list[int] = []
    for s in sentences:
        one = Transcript.from_words(list(s.words))
        # a cue with min_count > 1 cannot be judged on one sentence: any match counts here
        hits = {i for i in range(current, len(plan)) if any(r.count > 0 for r in check(one, matchers[i]))}
        if current in hits:
            # still in this phase; step on only when the next one starts in the same sentence
            current = current + 1 if current + 1 in hits else current
        else:
            # the nearest later phase, skipping at most one: a trade-off named while estimating
            # does not end the answer, and "what scale do we need?" is not a deep dive
            ahead = [i for i in hits if i <= current + 2]
            current = min(ahead) if ahead else current
        labels.append(current)
    end = max(transcript.duration or 0.0, sentences[-1].end or 0.0)
    out: list[Phase] = []
    for i, s in enumerate(sentences):
        start = 0.0 if i == 0 else s.start or 0.0
        stop = sentences[i + 1].start if i + 1 < len(sentences) else end
        name = plan[labels[i]][0]
        if out and out[-1].name == name:
            out[-1] = Phase(name, out[-1].start, stop or end)
        else:
            out.append(Phase(name, start, stop or end))
    return out
