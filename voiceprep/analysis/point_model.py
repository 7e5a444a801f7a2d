"""How the point matcher's findings become verdicts: the features of one point, and the fitted model.

A point's features (PointFeatures) are its best similarity to the answer, how much closer it is
there than the list's other points (`lead`), and how many of its words were said nearby. The
model (PointModel) is a logistic regression on them plus one offset per built-in point, learned
from answers by other people: some points are made in words far from their text ("kill the
deadlocked ones" for "abort a victim"), others are named far more often than made. A point with
no offset (a story's bullet, a question of the user's own) takes general weights fitted without
offsets. Then one threshold per kind of point (KINDS): a behavioral answer's points are told in
looser words than a design answer's. Fitted on the train and dev splits of tests/data/points
only (`python -m voiceprep.analysis.points_evaluate --fit --write`), shipped as
voiceprep/data/MODEL_FILE; why and what it scores: docs/performance.md, "Key points".
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from voiceprep.analysis.rubric import Evidence
from voiceprep.core.errors import ModelError

KINDS = ("technical", "behavioral", "estimation", "story")
FEATURES = ("similarity", "words", "point_words", "lead")  # PointFeatures' fields the model weighs
WEIGHTS = (*FEATURES, "bias")
MODEL_FILE = "point_model.json"


@dataclass(frozen=True)
class PointFeatures:
    """What the matcher found for one point: its best similarity (after the margin) and the passage
    that reached it, the largest share of its references' content words said within one run of
    neighbouring passages (`words`) and of its own text's (`point_words`), how much closer it is
    than any other point of its list at the passage closest to it (`lead`), and the point's
    key ("question-id/point-id", for its offset; empty for a story's bullet). `decided` when a
    number or a cue verdict decides the point."""

    similarity: float
    evidence: Evidence | None
    words: float = 0.0
    point_words: float = 0.0
    decided: bool | None = None
    lead: float = 0.0
    key: str = ""


def point_kind(source: str, category: str | None) -> str:
    """Which threshold a point takes (one of KINDS): a story's bullet's, or its question's kind
    (system design, concurrency and deep dive are "technical")."""
    if source == "story":
        return "story"
    return category if category in ("behavioral", "estimation") else "technical"


def point_key(question: str, point: str) -> str:
    """The key of a built-in question's point in the model's offsets."""
    return f"{question}/{point}"


@dataclass(frozen=True)
class PointModel:
    """A logistic combination of a point's features and its offset, and the probability a point
    needs to count as made, by its kind (point_kind). A point with no offset (a story's bullet, a
    question of the user's own) is judged by `general` when there is one: weights fitted without
    offsets, which do better on points never seen than these weights with an offset of 0."""

    similarity: float
    words: float
    point_words: float
    bias: float
    technical: float = 0.5
    behavioral: float = 0.5
    estimation: float = 0.5
    story: float = 0.5
    lead: float = 0.0
    offsets: Mapping[str, float] = field(default_factory=dict)  # point_key -> added to the logit
    general: PointModel | None = None

    def threshold(self, kind: str) -> float:
        return {"technical": self.technical, "behavioral": self.behavioral, "estimation": self.estimation,
                "story": self.story}[kind]

    def _for(self, f: PointFeatures) -> PointModel:
        return self.general if self.general is not None and f.key not in self.offsets else self

    def score(self, f: PointFeatures) -> float:
        """The probability that the point was made (1 or 0 when a number or a cue decided it)."""
        if f.decided is not None:
            return float(f.decided)
        m = self._for(f)
        z = (m.bias + m.similarity * f.similarity + m.words * f.words + m.point_words * f.point_words
             + m.lead * f.lead + m.offsets.get(f.key, 0.0))
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))

    def made(self, f: PointFeatures, kind: str) -> bool:
        return f.decided if f.decided is not None else self.score(f) >= self._for(f).threshold(kind)

    def to_dict(self) -> dict:
        """The model file's content (what `parse` reads)."""
        data: dict = {"weights": {w: getattr(self, w) for w in WEIGHTS},
                      "thresholds": {k: self.threshold(k) for k in KINDS},
                      "offsets": dict(sorted(self.offsets.items()))}
        if self.general is not None:
            data["general"] = self.general.to_dict()
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=1) + "\n"

    @classmethod
    def parse(cls, text: str, source: str) -> PointModel:
        """A model file's text; errors name the file and the field."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ModelError(f"{source}: not valid JSON: {exc}") from None
        return cls._from(data, source, "")

    @classmethod
    def _from(cls, data: object, source: str, at: str) -> PointModel:
        values: dict[str, float] = {}
        for section, names in (("weights", WEIGHTS), ("thresholds", KINDS)):
            for name in names:
                value = (data.get(section) or {}).get(name) if isinstance(data, dict) else None
                if not _number(value):
                    raise ModelError(f"{source}: field '{at}{section}.{name}' is missing or not a number")
                values[name] = float(value)
        assert isinstance(data, dict)
        offsets = data.get("offsets", {})
        if not isinstance(offsets, dict):
            raise ModelError(f"{source}: field '{at}offsets' is not a table")
        for key, value in offsets.items():
            if not _number(value):
                raise ModelError(f"{source}: field '{at}offsets.{key}' is not a number")
        general = cls._from(data["general"], source, f"{at}general.") if "general" in data else None
        return cls(**values, offsets={k: float(v) for k, v in offsets.items()}, general=general)

    @classmethod
    def read(cls, path: Path) -> PointModel:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ModelError(f"{path}: cannot read the point model: {exc.strerror}") from None
        return cls.parse(text, str(path))


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


@cache
def shipped_model() -> PointModel:
    """The model fitted and shipped with voiceprep (read once)."""
    with resources.as_file(resources.files("voiceprep") / "data" / MODEL_FILE) as path:
        return PointModel.read(path)
