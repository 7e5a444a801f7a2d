"""A stored attempt, read once into typed values: what review, replay, history, export and the
index use, so none of them walks report.json with chains of `.get`.

`parse_attempt` checks a report.json document (parse, no I/O); `read_attempt` loads an attempt
folder (I/O) and parses it. A broken document names the file, the entry and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from voiceprep.analysis.repetition import Repeat
from voiceprep.analysis.voice import Curve, SentenceVoice, Stretch, VoiceMeasures
from voiceprep.core.errors import StorageError
from voiceprep.core.transcript import Transcript

REPORT = "report.json"
TRANSCRIPT = "transcript.json"


@dataclass(frozen=True)
class Evidence:
    """A sentence that decided a cue; `match_start` is when the deciding words were said."""

    text: str
    start: float | None = None
    end: float | None = None
    match_start: float | None = None

    @property
    def at(self) -> float | None:
        """The moment to jump to: the deciding words, else the sentence."""
        return self.match_start if self.match_start is not None else self.start


@dataclass(frozen=True)
class StoredCue:
    id: str
    label: str
    hit: bool
    tip: str = ""
    evidence: tuple[Evidence, ...] = ()
    recovered_on_follow_up: bool = False


@dataclass(frozen=True)
class TimedWord:
    word: str
    start: float
    end: float


@dataclass(frozen=True)
class Filler:
    word: str
    start: float | None


@dataclass(frozen=True)
class StoredPause:
    start: float
    end: float
    length_s: float


@dataclass(frozen=True)
class PaceWindow:
    start: float
    end: float
    wpm: float


@dataclass(frozen=True)
class Timing:
    """Delivery figures of an answer with audio (None for `check`)."""

    duration_s: float | None = None
    speaking_s: float | None = None
    wpm: float | None = None
    longest_pause_s: float | None = None
    target_s: float | None = None
    wpm_range: tuple[float, float] = (130.0, 160.0)
    pauses: tuple[StoredPause, ...] = ()
    windows: tuple[PaceWindow, ...] = ()


@dataclass(frozen=True)
class EstimateCheck:
    """One estimate step of the answer, checked (report.json numbers.checks)."""

    kind: str
    verdict: str  # ok | off | missing_unit
    explanation: str
    sentence: str
    start: float | None = None


@dataclass(frozen=True)
class StoredEstimate:
    """An estimation question's grade (report.json `estimate`): the one-line summary and each step."""

    verdict: str  # ok | off | missing
    summary: str
    steps: tuple[EstimateCheck, ...] = ()  # kind = the step's label
    start: float | None = None             # when the final figure was said


@dataclass(frozen=True)
class StoredPoint:
    """A key point of the question or a bullet of the user's story (report.json `points`)."""

    id: str
    text: str
    hit: bool
    source: str = "question"  # or "story"
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class StoredMismatch:
    """The story told with another number or role than its notes or the last telling."""

    kind: str
    point: str
    noted: str
    said: str
    start: float | None = None
    against: str = "notes"


@dataclass(frozen=True)
class SelfReview:
    rating: int | None = None
    verdicts: dict[str, bool] = field(default_factory=dict)  # cue id -> the user agreed with the verdict
    note: str = ""


@dataclass(frozen=True)
class StoredAttempt:
    """One attempt as stored: the report's figures and verdicts, typed."""

    id: str | None
    category: str
    question_id: str | None
    question_text: str | None
    text: str
    words: tuple[TimedWord, ...]
    timing: Timing | None
    fillers: tuple[Filler, ...]
    fillers_per_100: float | None
    cues: tuple[StoredCue, ...]
    self_review: SelfReview | None = None
    estimates: tuple[EstimateCheck, ...] = ()
    estimate: StoredEstimate | None = None
    outcomes: tuple[Evidence, ...] | None = None  # a story's quantified results; None: not a story category
    voice: VoiceMeasures | None = None  # None for `check` and for attempts stored before voice measures
    points: tuple[StoredPoint, ...] = ()  # attempts stored before key points were checked: none
    story_id: str | None = None
    mismatches: tuple[StoredMismatch, ...] = ()
    folder: Path | None = None
    transcript: Transcript | None = None  # transcript.json: words with Whisper's spacing and confidence

    @property
    def cues_hit(self) -> int:
        return sum(c.hit for c in self.cues)

    def cue(self, cue_id: str) -> StoredCue | None:
        return next((c for c in self.cues if c.id == cue_id), None)

    def figures(self) -> dict[str, Any]:
        """The headline figures, as JSON (history's comparison)."""
        t = self.timing
        return {"attempt": self.id, "duration_s": t.duration_s if t else None, "wpm": t.wpm if t else None,
                "fillers_per_100": self.fillers_per_100, "cues_hit": self.cues_hit}


class _Fields:
    """Reads the fields of one entry of a document; errors name the file, the entry and the field."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise StorageError(f"{where}: expected a table, found {type(data).__name__}")
        self.data, self.where = data, where

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None, required: bool = False) -> Any:
        value = self.data.get(key, default)
        if value is None:
            if required:
                raise StorageError(f"{self.where}: field '{key}' is missing")
            return default
        if kind is float and isinstance(value, int) and not isinstance(value, bool):
            return float(value)
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float)):
            raise StorageError(f"{self.where}: field '{key}' should be {_name(kind)}, not {value!r}"[:300])
        return value

    def table(self, key: str, required: bool = False) -> _Fields | None:
        value = self.get(key, dict, required=required)
        return None if value is None else _Fields(value, f"{self.where} > {key}")

    def tables(self, key: str) -> list[_Fields]:
        return [_Fields(v, f"{self.where} > {key}[{i}]") for i, v in enumerate(self.get(key, list, default=[]))]


def _name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join({"str": "text", "float": "a number", "int": "a whole number", "bool": "true or false",
                        "list": "a list", "dict": "a table"}.get(k.__name__, k.__name__) for k in kinds)


def parse_attempt(doc: Any, source: str = REPORT, folder: Path | None = None) -> StoredAttempt:
    """A report.json document (the scripting interface's JSON report) as a StoredAttempt."""
    top = _Fields(doc, source)
    q = top.table("question", required=True)
    transcript = top.table("transcript", required=True)
    fillers = top.table("fillers") or _Fields({}, f"{source} > fillers")
    return StoredAttempt(
        id=top.get("attempt", str), category=q.get("category", str, required=True),
        question_id=q.get("id", str), question_text=q.get("text", str),
        text=transcript.get("text", str, default=""),
        words=tuple(TimedWord(w.get("word", str, required=True), w.get("start", float, required=True),
                              w.get("end", float, required=True)) for w in transcript.tables("words")),
        timing=_timing(top.table("timing")),
        fillers=tuple(Filler(f.get("word", str, default=""), f.get("start", float)) for f in fillers.tables("items")),
        fillers_per_100=fillers.get("per_100_words", float),
        cues=tuple(_cue(c) for c in top.tables("cues")),
        self_review=_review(top.table("self_review")), estimates=_estimates(top.table("numbers")),
        estimate=_estimate(top.table("estimate")), outcomes=_outcomes(top.table("impact")),
        voice=_voice(top.table("voice")), points=tuple(_point(p) for p in top.tables("points")),
        story_id=(top.table("story") or _Fields({}, source)).get("id", str),
        mismatches=tuple(_mismatch(m) for m in top.tables("point_mismatches")), folder=folder)


def _cue(c: _Fields) -> StoredCue:
    cue_id = c.get("id", str, required=True)
    return StoredCue(cue_id, c.get("label", str, default=cue_id), c.get("hit", bool, required=True),
                     c.get("tip", str, default=""),
                     tuple(Evidence(e.get("text", str, default=""), e.get("start", float), e.get("end", float),
                                    e.get("match_start", float)) for e in c.tables("evidence")),
                     c.get("recovered_on_follow_up", bool, default=False))


def _point(p: _Fields) -> StoredPoint:
    return StoredPoint(p.get("id", str, required=True), p.get("text", str, default=""), p.get("hit", bool, required=True),
                       p.get("source", str, default="question"),
                       tuple(Evidence(e.get("text", str, default=""), e.get("start", float), e.get("end", float))
                             for e in p.tables("evidence")))


def _mismatch(m: _Fields) -> StoredMismatch:
    return StoredMismatch(m.get("kind", str, required=True), m.get("point", str, default=""),
                          m.get("noted", str, default=""), m.get("said", str, default=""), m.get("start", float),
                          m.get("against", str, default="notes"))


def _timing(t: _Fields | None) -> Timing | None:
    if t is None:
        return None
    pauses = t.table("pauses")
    low, high = t.get("wpm_range", list, default=[130.0, 160.0])
    return Timing(t.get("duration_s", float), t.get("speaking_s", float), t.get("wpm", float),
                  t.get("longest_pause_s", float), t.get("target_s", float), (float(low), float(high)),
                  tuple(StoredPause(p.get("start", float, required=True), p.get("end", float, required=True),
                                    p.get("length_s", float, required=True)) for p in pauses.tables("items"))
                  if pauses else (),
                  tuple(PaceWindow(w.get("start", float, required=True), w.get("end", float, required=True),
                                   w.get("wpm", float, required=True)) for w in t.tables("windows")))


def _estimates(n: _Fields | None) -> tuple[EstimateCheck, ...]:
    """Attempts stored before estimates were checked have no `numbers`: none."""
    if n is None:
        return ()
    return tuple(EstimateCheck(c.get("kind", str, required=True), c.get("verdict", str, required=True),
                               c.get("explanation", str, default=""), c.get("sentence", str, default=""),
                               c.get("start", float)) for c in n.tables("checks"))


def _estimate(e: _Fields | None) -> StoredEstimate | None:
    if e is None:
        return None
    final = e.table("final")
    steps = tuple(EstimateCheck(s.get("label", str, required=True), s.get("verdict", str, required=True),
                                s.get("explanation", str, default=""), s.get("text", str, default=""),
                                s.get("start", float)) for s in e.tables("steps"))
    return StoredEstimate(e.get("verdict", str, required=True), e.get("summary", str, default=""), steps,
                          final.get("start", float) if final else None)


def _outcomes(i: _Fields | None) -> tuple[Evidence, ...] | None:
    """Attempts stored before results were quoted, or not stories: None."""
    if i is None:
        return None
    return tuple(Evidence(o.get("sentence", str, default=""), o.get("start", float), o.get("end", float))
                 for o in i.tables("outcomes"))


def _stretches(v: _Fields, key: str, value: str) -> tuple[Stretch, ...]:
    return tuple(Stretch(s.get("start", float, required=True), s.get("end", float, required=True),
                         s.get(value, float, default=0.0), s.get("text", str, default="")) for s in v.tables(key))


def _voice(v: _Fields | None) -> VoiceMeasures | None:
    """report.json `voice` (CONTRACT.md) back into VoiceMeasures; older attempts have none."""
    if v is None:
        return None
    pitch = v.table("pitch") or _Fields({}, f"{v.where} > pitch")
    loud = v.table("loudness") or _Fields({}, f"{v.where} > loudness")
    sentences = tuple(SentenceVoice(s.get("start", float, default=0.0), s.get("end", float, default=0.0),
                                    s.get("wpm", float), s.get("median_hz", float), s.get("spread_st", float),
                                    s.get("loudness_db", float)) for s in v.tables("sentences"))
    repeats = tuple(Repeat(r.get("phrase", str, required=True), r.get("count", int, required=True),
                           r.get("kind", str, default="word"), r.get("share", float, default=0.0))
                    for r in v.tables("repetition"))
    return VoiceMeasures(
        pitch.get("median_hz", float), pitch.get("spread_st", float), loud.get("median_db", float),
        loud.get("noise_db", float), loud.get("snr_db", float), _stretches(v, "monotone", "spread_st"),
        _stretches(v, "quiet", "level_db"), _stretches(v, "trailing_off", "drop_db"), sentences,
        _stretches(v, "pace_jumps", "wpm"), repeats, v.get("reliable", bool, required=True),
        tuple(v.get("unreliable_because", list, default=[])), _curve(v.table("curve")))


def _curve(c: _Fields | None) -> Curve | None:
    if c is None:
        return None
    series = []
    for key in ("pitch_hz", "loudness_db"):
        values = c.get(key, list, default=[])
        if not all(x is None or (isinstance(x, (int, float)) and not isinstance(x, bool)) for x in values):
            raise StorageError(f"{c.where}: field '{key}' should hold numbers or null")
        series.append(tuple(None if x is None else float(x) for x in values))
    return Curve(c.get("step_s", float, required=True), series[0], series[1])


def _review(r: _Fields | None) -> SelfReview | None:
    if r is None:
        return None
    verdicts = {v.get("cue", str, required=True): v.get("agree", bool, default=False) for v in r.tables("verdicts")}
    return SelfReview(r.get("rating", int), verdicts, r.get("note", str, default=""))


def read_attempt(folder: Path, with_transcript: bool = False) -> StoredAttempt:
    """The attempt stored in `folder`, read once; `with_transcript` also reads transcript.json
    (what phases and the HTML page need; the index and history do without)."""
    stored = parse_attempt(_json(folder / REPORT), str(folder / REPORT), folder)
    if not with_transcript:
        return stored
    path = folder / TRANSCRIPT
    try:
        transcript = Transcript.from_dict(_json(path))
    except (KeyError, TypeError, ValueError) as exc:
        raise StorageError(f"{path}: not a transcript ({type(exc).__name__}: {exc})") from None
    return replace(stored, transcript=transcript)


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StorageError(f"{path}: cannot read attempt: {exc}") from None
