"""Key points: which of a question's points, or of the user's story bullets, the answer made.

Reads the answer as the cue detector does (semantic.passages: sentences, long ones cut into
timed pieces) with the same encoder and embedding cache (semantic.Detector.embed), plus the
clauses of long passages and each pair of neighbouring passages (the normalised mean of their
two vectors: a point is often made across two sentences, and one spoken sentence often makes
two). A point's references are its text and its example phrasings (a story bullet's: its text
and its clauses of three words or more). A passage's similarity to a point is its best cosine
similarity to a reference; it counts only if no other point of the list is closer to it by more
than MARGIN. Similarity alone missed many points made by other people in their own words, so the
verdict (analysis.point_model) combines it with word overlap, the share of the references'
content words said within a few neighbouring passages and the share of the point text's own,
with how far the point leads the list's other points where it is closest, and with the point's
offset. A `quantified` point is made by a quantified outcome (analysis.numbers) instead, and a
point that is the shape of a story (CUE_POINTS) by the report's verdict on that cue.

For a story, a bullet that was made is also checked against what the notes say: a number in
the bullet that the answer gave differently, or "I" in the bullet said as "we", is a
`Mismatch`, quoted from both sides.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from voiceprep.analysis.numbers import find_quantities, impact_numbers
from voiceprep.analysis.point_model import PointFeatures, PointModel, point_key, point_kind, shipped_model
from voiceprep.analysis.rubric import CueResult, Evidence
from voiceprep.analysis.semantic import Passage, passages
from voiceprep.core.bank import Point, Question
from voiceprep.core.stories import Story
from voiceprep.core.timefmt import clock
from voiceprep.core.transcript import Sentence, Transcript

Embed = Callable[[Sequence[str]], np.ndarray]

# A question's points that are the shape of a story rather than its substance are decided by the
# cue of the same meaning, as the report judged it: the cue detector learned those from answers
# by other people, the similarity to a point's text from none (chosen on the dev split:
# docs/performance.md, "Accuracy on answers by other people").
CUE_POINTS = {"situation": "star_situation", "own-role": "ownership", "actions": "star_action",
              "lesson": "reflection", "customer": "customer_focus"}

MARGIN = 0.05  # a passage counts for a point only if no other point is closer by more than this
WORD_WINDOW = 6  # a point's words are looked for within this many neighbouring passages (chosen by CV)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset("""a an the of to in on for and or but so we i it is are was be that this with as at by from they
you our my their its into then than just like um uh not can will would have has had were been what when which who
how all any each one your there them also only very about over after before more most other some such""".split())
_CLAUSE = re.compile(r"\s*(?:[;,:()]|\bplus\b|\band\b|\+)\s*", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r"[;:]|,\s*(?=(?:and|so|but|then|which|because|while|or)\b)|\s+(?:and then|so that|because)\s+",
                           re.IGNORECASE)
_I = re.compile(r"\b(?:I|I'm|I've|I'd|my|me|myself)\b")
_WE = re.compile(r"\b(?:we|we're|we've|we'd|our|us|the team)\b", re.IGNORECASE)


CueVerdicts = Mapping[str, tuple[bool, Evidence | None]]  # cue id -> the report's verdict and its evidence


def cue_verdicts(results: Sequence[CueResult]) -> CueVerdicts:
    """The report's cue verdicts, as point_features reads them."""
    return {c.cue.id: (c.hit, c.evidence[0] if c.evidence else None) for c in results}


def content_words(text: str) -> frozenset[str]:
    """A text's content words cut to five letters ("replica", "replicas" and "replicated" are one),
    without short and common words: what the overlap between a point and a passage counts."""
    return frozenset(w[:5] for w in _WORD.findall(text.lower()) if len(w) > 2 and w not in _STOP)


def overlap(wanted: frozenset[str], said: frozenset[str]) -> float:
    """The share of `wanted` that was said (0 when nothing is wanted)."""
    return len(wanted & said) / len(wanted) if wanted else 0.0


def word_windows(words: Sequence[frozenset[str]], size: int = WORD_WINDOW) -> list[frozenset[str]]:
    """The content words of every run of `size` neighbouring passages (one run when there are fewer):
    a point is made in one stretch of the answer, so its words count only when said close together."""
    return [frozenset().union(*words[i:i + size]) for i in range(max(1, len(words) - size + 1))]


@dataclass(frozen=True)
class PointResult:
    """One point's verdict: made or not, the passage that made it (with its time), its score."""

    point: Point
    hit: bool
    source: str  # "question" or "story"
    evidence: tuple[Evidence, ...] = ()
    score: float = 0.0

    def to_dict(self) -> dict:
        """The `points[]` entry of the JSON report (CONTRACT.md)."""
        r = lambda x: None if x is None else round(x, 2)
        return {"id": self.point.id, "text": self.point.text, "hit": self.hit, "source": self.source,
                "label": self.point.label or None, "score": round(self.score, 3),
                "evidence": [{"text": e.text, "start": r(e.start), "end": r(e.end)} for e in self.evidence]}


@dataclass(frozen=True)
class Mismatch:
    """A story told differently from its notes (or from the last telling): both quotes."""

    kind: str          # "number" or "role"
    point: str         # the bullet's point id
    noted: str         # what the notes (or the last attempt) say
    said: str          # what this answer says
    start: float | None = None
    against: str = "notes"  # "notes" or "last attempt"

    def to_dict(self) -> dict:
        return {"kind": self.kind, "point": self.point, "noted": self.noted, "said": self.said,
                "start": None if self.start is None else round(self.start, 2), "against": self.against}


def references(point: Point, source: str) -> list[str]:
    """The texts a passage is compared with: the point, its examples, a story bullet's clauses."""
    refs = [point.text, *point.examples]
    if source == "story":
        refs += [c for c in _CLAUSE.split(point.text) if len(c.split()) >= 3 and c != point.text]
    return list(dict.fromkeys(refs))


def clauses(text: str) -> list[str]:
    """The clauses of a passage worth reading alone (four words or more), when it has several:
    one long spoken sentence often makes two points ("..., so we kept the module, and we still
    work well together")."""
    parts = [c.strip() for c in _CLAUSE_BREAK.split(text) if c and len(c.split()) >= 4]
    return parts if len(parts) > 1 else []


def _units(found: list[Passage], embed: Embed) -> tuple[list[Evidence], np.ndarray]:
    """Each passage, each of its clauses, and each pair of neighbouring passages, as evidence and
    one normalised vector each (a pair is the mean of its two passages' vectors)."""
    vectors = embed([p.text for p in found])
    ev = [Evidence(p.text, p.start, p.end, "", p.start) for p in found]
    parts = [(c, p) for p in found for c in clauses(p.text)]
    if parts:
        ev += [Evidence(c, p.start, p.end, "", p.start) for c, p in parts]
        vectors = np.vstack([vectors, embed([c for c, _ in parts])])
    if len(found) < 2:
        return ev, vectors
    pairs = vectors[:len(found) - 1] + vectors[1:len(found)]
    pairs /= np.maximum(np.linalg.norm(pairs, axis=1, keepdims=True), 1e-9)
    ev += [Evidence(f"{a.text} {b.text}", a.start, b.end, "", a.start) for a, b in pairwise(found)]
    return ev, np.vstack([vectors, pairs])


def point_features(sentences: Sequence[Sentence], points: Sequence[Point], source: str,
                   embed: Embed, margin: float = MARGIN, cues: CueVerdicts | None = None,
                   question: str = "") -> list[PointFeatures]:
    """Each point's best similarity to the answer with the passage (or pair) that reached it, its
    lead over the list's other points, and its word overlap with the passages.

    A passage counts for a point only when no other point of the list is more than `margin`
    closer to it: "I owned the design" is the task bullet, not the action bullet that also
    mentions the design. A `quantified` point is decided by analysis.numbers instead (made when
    the answer states a quantified outcome), and a question's point in CUE_POINTS by its cue's
    verdict in `cues` when the report judged that cue. `question`: the id of the question whose
    points these are (the key of their offsets in the model; none for a story's bullets)."""
    found = passages(sentences)
    if not found or not points:
        return [PointFeatures(0.0, None) for _ in points]
    evidence, units = _units(found, embed)
    refs = [references(p, source) for p in points]
    vectors = embed([r for rs in refs for r in rs])
    sims = np.empty((len(units), len(points)), np.float32)
    k = 0
    for j, rs in enumerate(refs):
        sims[:, j] = (units @ vectors[k:k + len(rs)].T).max(axis=1)
        k += len(rs)
    semantic = [j for j, p in enumerate(points) if not p.quantified]
    closest = sims[:, semantic].max(axis=1) if semantic else np.zeros(len(units))
    said = word_windows([content_words(f.text) for f in found])
    out: list[PointFeatures] = []
    outcome = _outcome(sentences) if any(p.quantified for p in points) else None
    for j, p in enumerate(points):
        if p.quantified:
            out.append(PointFeatures(float(outcome is not None), outcome, decided=outcome is not None))
            continue
        verdict = (cues or {}).get(CUE_POINTS.get(p.id, "")) if source == "question" else None
        if verdict is not None:
            out.append(PointFeatures(float(verdict[0]), verdict[1] if verdict[0] else None, decided=verdict[0]))
            continue
        eligible = np.where(sims[:, j] >= closest - margin, sims[:, j], -1.0)
        best = int(np.argmax(eligible))
        wanted, own = content_words(" ".join(refs[j])), content_words(p.text)
        measured = {"words": max(overlap(wanted, u) for u in said), "point_words": max(overlap(own, u) for u in said),
                    "lead": _lead(sims, j, semantic), "key": point_key(question, p.id) if question else ""}
        if eligible[best] > -1:
            out.append(PointFeatures(float(eligible[best]), evidence[best], **measured))
        else:
            out.append(PointFeatures(0.0, None, **measured))
    return out


def _lead(sims: np.ndarray, j: int, semantic: Sequence[int]) -> float:
    """At the unit closest to point j, how much closer it is than any other point of the list
    (its similarity there when it is the only one)."""
    best = int(np.argmax(sims[:, j]))
    rivals = [q for q in semantic if q != j]
    return float(sims[best, j] - (sims[best, rivals].max() if rivals else 0.0))


def _outcome(sentences: Sequence[Sentence]) -> Evidence | None:
    """The sentence of the answer's first quantified outcome (analysis.numbers.impact_numbers)."""
    found = impact_numbers(list(sentences))
    if not found:
        return None
    s = sentences[found[0].sentence]
    return Evidence(s.text, s.start, s.end, found[0].text, found[0].start)


def judge_points(sentences: Sequence[Sentence], points: Sequence[Point], source: str, embed: Embed,
                 model: PointModel | None = None, cues: CueVerdicts | None = None,
                 category: str | None = None, question: str = "") -> list[PointResult]:
    """Every point's verdict, in the order given (`model`: the shipped one unless given; `cues`
    and `question`: see point_features; `category`: the question's, which sets the threshold of
    its points)."""
    model = model or shipped_model()
    out = []
    kind = point_kind(source, category)
    for p, f in zip(points, point_features(sentences, points, source, embed, cues=cues, question=question)):
        hit = model.made(f, kind)
        out.append(PointResult(p, hit, source, (f.evidence,) if hit and f.evidence is not None else (), model.score(f)))
    return out


def values(text: str) -> list[tuple[float, str]]:
    """The quantities stated in a text: (value, how it was said)."""
    return [(q.value, q.text) for q in find_quantities(Transcript(text=text).sentences())]


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= 0.05 * max(abs(a), abs(b), 1e-9)


def number_mismatch(noted: str, said: str) -> bool:
    """True when both texts state quantities and none of the noted ones is said."""
    n, s = values(noted), values(said)
    return bool(n and s) and not any(_same(a, b) for a, _ in n for b, _ in s)


def role_mismatch(noted: str, said: str) -> bool:
    """True when the notes say "I" and the answer says only "we" for the same bullet."""
    return bool(_I.search(noted)) and bool(_WE.search(said)) and not _I.search(said)


def story_mismatches(results: Sequence[PointResult]) -> list[Mismatch]:
    """Bullets made with other numbers, or another role, than the notes give."""
    out = []
    for r in results:
        if r.source != "story" or not r.hit or not r.evidence:
            continue
        said = r.evidence[0]
        for kind, differs in (("number", number_mismatch), ("role", role_mismatch)):
            if differs(r.point.text, said.text):
                out.append(Mismatch(kind, r.point.id, r.point.text, said.text, said.start))
    return out


def telling_mismatches(results: Sequence[PointResult], last: dict[str, str]) -> list[Mismatch]:
    """Bullets made now and in the last attempt (`last`: point id -> its quote then) whose
    numbers or roles differ between the two tellings."""
    out = []
    for r in results:
        before = last.get(r.point.id)
        if r.source != "story" or not r.hit or not r.evidence or not before:
            continue
        said = r.evidence[0]
        for kind, differs in (("number", number_mismatch), ("role", role_mismatch)):
            if differs(before, said.text):
                out.append(Mismatch(kind, r.point.id, before, said.text, said.start, "last attempt"))
    return out


def answer_points(sentences: Sequence[Sentence], question: Question | None, story: Story | None,
                  embed: Embed, model: PointModel | None = None,
                  cues: CueVerdicts | None = None) -> tuple[list[PointResult], list[Mismatch]]:
    """The question's points, then the story's bullets, judged; and where the story was told
    with other numbers or roles than its notes. `cues`: the report's cue verdicts (point_features)."""
    results = (judge_points(sentences, question.points, "question", embed, model, cues, question.category,
                            question.id) if question else [])
    told = judge_points(sentences, story.points, "story", embed, model) if story else []
    return results + told, story_mismatches(told)


def summary(results: Sequence[PointResult]) -> str:
    """"Points 5/7" for a report's headline."""
    return f"Points {sum(r.hit for r in results)}/{len(results)}"


def _at(t: float | None) -> str:
    return f" [{clock(t)}]" if t is not None else ""


def markdown_lines(results: Sequence[PointResult], mismatches: Sequence[Mismatch]) -> list[str]:
    """The report's "Points" section: each point made quoted at its moment, each missed one listed,
    and the story told differently from its notes."""
    if not results:
        return []
    lines = ["", f"## {summary(results)}", ""]
    for r in results:
        where = " (your story)" if r.source == "story" else ""
        lines.append(f"- [{'x' if r.hit else ' '}] {r.point.text}{where}")
        lines += [f"  - “{e.text}”{_at(e.start)}" for e in r.evidence]
    missed = [r.point.text for r in results if not r.hit]
    if missed:
        lines += ["", "Missed: " + "; ".join(missed)]
    lines += [""] if mismatches else []
    for m in mismatches:
        lines.append(f"- Told differently ({m.kind}, against the {m.against}): noted “{m.noted}”, "
                     f"said “{m.said}”{_at(m.start)}")
    return lines


def clause_texts(sentences: Sequence[Sentence]) -> list[str]:
    """The clauses the matcher reads besides the passages: what to embed while the answer is spoken."""
    return [c for p in passages(sentences) for c in clauses(p.text)]


def reference_texts(question: Question | None, story: Story | None) -> list[str]:
    """Every text the answer's passages are compared with: embedded before the answer ends."""
    out = [r for p in (question.points if question else ()) if not p.quantified for r in references(p, "question")]
    return out + [r for p in (story.points if story else ()) for r in references(p, "story")]
