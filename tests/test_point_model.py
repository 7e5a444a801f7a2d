from __future__ import annotations

import json

import pytest

from voiceprep.analysis.point_model import (
    KINDS,
    WEIGHTS,
    PointFeatures,
    PointModel,
    point_key,
    shipped_model,
)
from voiceprep.core.bank import load_bank
from voiceprep.core.errors import ModelError


def test_the_model_weighs_similarity_and_words_and_a_decided_point_stays_decided():
    model = PointModel(similarity=4.0, words=2.0, point_words=1.0, bias=-3.0, technical=0.5, story=0.5)
    few, many = PointFeatures(0.6, None, 0.1, 0.1), PointFeatures(0.6, None, 0.8, 0.9)
    assert model.score(few) < 0.5 < model.score(many)
    assert not model.made(few, "technical") and model.made(many, "technical")
    assert model.score(PointFeatures(0.0, None, decided=True)) == 1.0
    assert not model.made(PointFeatures(0.99, None, 1.0, 1.0, decided=False), "story")


@pytest.mark.parametrize("lead, key, made", [
    (0.0, "", False),
    (0.3, "", True),                 # closer than every other point of the list: counts more
    (0.0, "q/easy", True),           # a point often made in words far from its text
    (0.3, "q/named-not-made", False),  # a point often named without being made
    (0.0, "q/unknown", False),       # no offset: a point the model never saw
])
def test_a_points_lead_and_its_offset_move_its_score(lead, key, made):
    model = PointModel(similarity=4.0, words=0.0, point_words=0.0, bias=-2.4, lead=2.0,
                       offsets={"q/easy": 1.0, "q/named-not-made": -2.0})
    assert model.made(PointFeatures(0.55, None, lead=lead, key=key), "technical") is made


def test_a_point_without_an_offset_is_judged_by_the_general_model():
    general = PointModel(similarity=10.0, words=0.0, point_words=0.0, bias=-5.0, technical=0.5)
    model = PointModel(similarity=0.0, words=0.0, point_words=0.0, bias=-5.0, offsets={"q/p": 0.0}, general=general)
    assert not model.made(PointFeatures(0.9, None, key="q/p"), "technical")  # its own weights: never made
    assert model.made(PointFeatures(0.9, None, key="q/other"), "technical")  # no offset: the general model's
    assert model.made(PointFeatures(0.9, None), "technical")                 # a story's bullet
    assert model.score(PointFeatures(0.9, None)) == general.score(PointFeatures(0.9, None))


def test_a_model_file_round_trips():
    general = PointModel(1.0, 1.0, 1.0, -2.0, story=0.3, lead=2.0)
    model = PointModel(1.5, 2.0, 0.5, -3.0, technical=0.4, behavioral=0.3, estimation=0.6, story=0.5, lead=1.0,
                       offsets={point_key("sd-news-feed", "push"): 0.25}, general=general)
    assert PointModel.parse(model.to_json(), "m.json") == model


def _file(**changes) -> str:
    data = json.loads(PointModel(1.0, 1.0, 1.0, -1.0).to_json())
    for path, value in changes.items():
        section, _, name = path.partition("__")
        if name:
            data[section][name] = value
        else:
            data[section] = value
    return json.dumps(data)


@pytest.mark.parametrize("text, message", [
    ("{", "m.json: not valid JSON"),
    ("[]", "m.json: field 'weights.similarity' is missing or not a number"),
    (_file(weights__lead="high"), "m.json: field 'weights.lead' is missing or not a number"),
    (_file(weights__bias=True), "m.json: field 'weights.bias' is missing or not a number"),
    (_file(thresholds__story=None), "m.json: field 'thresholds.story' is missing or not a number"),
    (_file(offsets=[1, 2]), "m.json: field 'offsets' is not a table"),
    (_file(offsets={"q/p": "x"}), "m.json: field 'offsets.q/p' is not a number"),
    (_file(general={"weights": {}}), "m.json: field 'general.weights.similarity' is missing or not a number"),
])
def test_a_bad_model_file_is_named_with_its_field(text, message):
    with pytest.raises(ModelError) as err:
        PointModel.parse(text, "m.json")
    assert str(err.value).startswith(message)


def test_a_missing_model_file_is_a_model_error(tmp_path):
    with pytest.raises(ModelError, match="cannot read the point model"):
        PointModel.read(tmp_path / "none.json")


def test_the_shipped_model_has_every_weight_and_offsets_only_for_built_in_points():
    model = shipped_model()
    assert all(isinstance(getattr(model, w), float) for w in WEIGHTS)
    assert all(0.0 < model.threshold(k) < 1.0 for k in KINDS)
    bank = load_bank()
    built_in = {point_key(q.id, p.id) for q in bank.questions.values() for p in q.points}
    assert model.offsets and set(model.offsets) <= built_in
    assert model.general is not None and not model.general.offsets and model.general.general is None
