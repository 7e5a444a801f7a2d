"""The report: one value holding everything an answer's analysis found.

`analyse_answer` wires the pure stages (metrics, rubric) together; `Report`
serialises to the JSON document of CONTRACT.md and to Markdown. Terminal
rendering lives in `render.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from voiceprep.analysis.metrics import Metrics, Thresholds, analyse
from voiceprep.analysis.numbers import NumbersFound, Outcome, find_numbers, quantified_outcomes
from voiceprep.analysis.numbers.target import EstimateGrade, grade_estimate
from voiceprep.analysis.points import Mismatch, PointResult, answer_points, cue_verdicts, markdown_lines
from voiceprep.analysis.rubric import CueResult, Evidence
from voiceprep.analysis.semantic import Detector
from voiceprep.analysis.verdicts import judge
from voiceprep.analysis.voice import VoiceMeasures, voice_lines
from voiceprep.core.bank import Bank, Question
from voiceprep.core.stories import Story
from voiceprep.core.timefmt import clock
from voiceprep.core.transcript import Transcript

SCHEMA = 1
STORY_CATEGORIES = ("behavioral", "deep_dive")  # answers whose result should be a number
ESTIMATE_MARK = {"ok": "✔", "off": "✘", "missing_unit": "?", "missing": "?"}


def _r(x: float | None, digits: int = 2) -> float | None:
    return None if x is None else round(float(x), digits)


@dataclass
class Report:
    category: str
    question: Question | None
    transcript: Transcript
    metrics: Metrics
    cues: list[CueResult]
    numbers: NumbersFound = field(default_factory=NumbersFound)
    outcomes: tuple[Outcome, ...] | None = None  # quantified results of a story; None: not a story category
    estimate: EstimateGrade | None = None        # estimation questions: the spoken figure against the expected
    voice: VoiceMeasures | None = None           # from the recording; None for `check` (set by practice and review)
    feedback_s: float | None = None
    attempt_id: str | None = None
    model: str | None = None
    extra: dict = field(default_factory=dict)
    points: list[PointResult] = field(default_factory=list)  # the question's key points, the story's bullets
    mismatches: list[Mismatch] = field(default_factory=list)  # the story told otherwise than its notes
    story: Story | None = None

    @property
    def hits(self) -> int:
        return sum(c.hit for c in self.cues)

    def to_json(self) -> dict:
        m = self.metrics
        timing = None
        if self.transcript.timed:
            timing = {
                "duration_s": _r(m.duration_s), "speaking_s": _r(m.speaking_s), "wpm": _r(m.wpm, 1),
                "longest_pause_s": _r(m.longest_pause_s), "first_word_s": _r(m.first_word_s),
                "articulation_wpm": _r(m.articulation_wpm, 1), "pace": m.pace,
                "wpm_range": [m.thresholds.wpm_low, m.thresholds.wpm_high],
                "target_s": _r(m.target_s), "target_status": m.target_status,
                "over_target_s": _r(m.duration_s - m.target_s) if m.target_s and m.duration_s is not None else None,
                "pauses": {"threshold_s": m.thresholds.pause_s, "count": len(m.pauses),
                           "total_s": _r(sum(p.length for p in m.pauses)),
                           "items": [{"start": _r(p.start), "end": _r(p.end), "length_s": _r(p.length)}
                                     for p in m.pauses]},
                "windows": m.windows,
            }
        q = self.question
        return {
            "schema": SCHEMA,
            "question": {"id": q.id if q else None, "category": self.category, "text": q.text if q else None},
            "transcript": {"text": self.transcript.text,
                           "words": [{"word": w.text, "start": _r(w.start, 3), "end": _r(w.end, 3)}
                                     for w in self.transcript.words]},
            "timing": timing,
            "fillers": {"count": len(m.fillers), "per_minute": _r(m.fillers_per_minute),
                        "per_100_words": _r(m.fillers_per_100_words),
                        "limit_per_100_words": m.thresholds.fillers_per_100,
                        "items": [{"word": f.word, "start": _r(f.start)} for f in m.fillers]},
            "hedges": {"count": len(m.hedges), "items": [{"word": h.word, "start": _r(h.start)} for h in m.hedges]},
            "pronouns": {"i": m.i_count, "we": m.we_count, "i_share": _r(m.i_share)},
            "word_count": m.word_count,
            "cues": [c.to_dict() for c in self.cues],
            "numbers": self.numbers.to_dict(),
            "impact": None if self.outcomes is None else {
                "quantified": bool(self.outcomes), "outcomes": [o.to_dict() for o in self.outcomes]},
            "estimate": self.estimate.to_dict() if self.estimate else None,
            "voice": self.voice.to_dict() if self.voice else None,
            "points": [p.to_dict() for p in self.points],
            "story": {"id": self.story.id, "title": self.story.title} if self.story else None,
            "point_mismatches": [m.to_dict() for m in self.mismatches],
            "summary": {"cues_hit": self.hits, "cues_total": len(self.cues),
                        "points_hit": sum(p.hit for p in self.points), "points_total": len(self.points)},
            "latency": {"feedback_s": _r(self.feedback_s, 3)},
            "attempt": self.attempt_id,
            "model": self.model,
            **self.extra,
        }

    def to_markdown(self) -> str:
        m = self.metrics
        q = self.question
        lines = [f"# {q.text if q else self.category + ' answer'}", ""]
        lines.append(f"Category: {self.category}" + (f" · question `{q.id}`" if q else ""))
        lines += ["", "## Timing", ""]
        if self.transcript.timed:
            lines += ["| measure | value |", "|---|---|",
                      f"| duration | {clock(m.duration_s)}" + (f" (target {clock(m.target_s)}, {m.target_status})" if m.target_s else "") + " |",
                      f"| speaking | {clock(m.speaking_s)} |",
                      f"| pace | {m.wpm or 0:.0f} wpm ({m.pace}; aim {m.thresholds.wpm_low:.0f}-{m.thresholds.wpm_high:.0f}) |",
                      f"| longest pause | {m.longest_pause_s or 0:.1f} s ({len(m.pauses)} over {m.thresholds.pause_s:g} s) |"]
        else:
            lines.append("No audio: timing not measured.")
        lines.append(f"| fillers | {len(m.fillers)} ({m.fillers_per_100_words:.1f} per 100 words) |"
                     if self.transcript.timed else f"\nFillers: {len(m.fillers)} ({m.fillers_per_100_words:.1f} per 100 words)")
        lines += ["", f"## Checklist ({self.hits}/{len(self.cues)})", ""]
        for c in self.cues:
            mark = "x" if c.hit else " "
            lines.append(f"- [{mark}] **{c.cue.label}**" + (" (recovered on follow-up)" if c.recovered_on_follow_up else ""))
            for e in c.evidence:
                at = f" [{clock(e.start)}]" if e.start is not None else ""
                lines.append(f"  - “{e.text}”{at}")
            if not c.hit:
                lines.append(f"  - Tip: {c.cue.tip}")
        if self.estimate is not None:
            lines += ["", "## Your estimate", "", self.estimate.summary()]
            lines += [f"- {ESTIMATE_MARK.get(s.verdict, '?')} {s.describe()}" for s in self.estimate.steps]
        if self.outcomes is not None:
            lines += ["", "## Result", "", outcome_line(self.outcomes)]
        if self.numbers.checks:
            lines += ["", "## Estimates", ""]
            for c in self.numbers.checks:
                at = f" [{clock(c.start)}]" if c.start is not None else ""
                lines.append(f"- {ESTIMATE_MARK[c.verdict]} {c.explanation}{at}")
        if self.voice is not None:
            lines += ["", "## Voice", ""] + [f"- **{name}**: {text}" for name, text, _ in voice_lines(self.voice)]
        lines += markdown_lines(self.points, self.mismatches)
        lines += ["", "## Transcript", "", self.transcript.text, ""]
        return "\n".join(lines)



def analyse_answer(transcript: Transcript, bank: Bank, category: str, question: Question | None = None,
                   thresholds: Thresholds | None = None, detector: Detector | None = None,
                   story: Story | None = None) -> Report:
    """Metrics and cue verdicts for one answer (rules, and the semantic detector when given)."""
    metrics = analyse(transcript, question.target_s if question else None, thresholds)
    cues = judge(transcript, bank.cues_for(category, question), detector)
    numbers = find_numbers(transcript)
    outcomes = None
    if category in STORY_CATEGORIES:
        outcomes = tuple(quantified_outcomes(transcript.sentences()))
        _quote_outcomes(cues, outcomes)
    estimate = grade_estimate(question.estimate, numbers.quantities) if question and question.estimate else None
    report = Report(category, question, transcript, metrics, cues, numbers, outcomes, estimate, story=story)
    if detector is not None:  # points are judged by meaning only: no detector, no verdicts
        report.points, report.mismatches = answer_points(transcript.sentences(), question, story, detector.embed,
                                                         cues=cue_verdicts(cues))
    return report


def outcome_line(outcomes: tuple[Outcome, ...]) -> str:
    """Whether a story's result was quantified, quoting the first figure ("it got quicker" is no number)."""
    if not outcomes:
        return "Result not quantified: say by how much (time or money saved, percent, users, incidents)."
    first = outcomes[0]
    at = f" [{clock(first.start)}]" if first.start is not None else ""
    others = len({o.sentence for o in outcomes}) - 1
    more = f" (+{others} more)" if others else ""
    return f"Result quantified: “{first.sentence.strip()}”{at}{more}"


def _quote_outcomes(cues: list[CueResult], outcomes: tuple[Outcome, ...]) -> None:
    """A hit `impact` cue quotes the quantified result first: it is the evidence that matters most."""
    impact = next((c for c in cues if c.cue.id == "impact" and c.hit), None)
    if impact is None or not outcomes:
        return
    quoted = {e.text.strip() for e in impact.evidence}
    first = outcomes[0]
    if first.sentence.strip() not in quoted:
        impact.evidence.insert(0, Evidence(first.sentence, first.start, first.end, first.quantity.text,
                                           first.quantity.start))
