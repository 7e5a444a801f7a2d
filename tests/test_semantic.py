"""The semantic detector: passages, the shipped model, the decision with and without the rule."""

from __future__ import annotations

import numpy as np
import pytest

from voiceprep.analysis.semantic import CueModel, CueScore, Detector, passages
from voiceprep.core.errors import ModelError
from voiceprep.core.transcript import Transcript
from voiceprep.testing import FakeEncoder, timed_transcript


@pytest.mark.parametrize("text, pieces", [
    ("We shard by user. Then we cache reads.", ["We shard by user.", "Then we cache reads."]),
    ("", []),
    (" ".join(f"w{i}" for i in range(60)), [" ".join(f"w{i}" for i in range(30)),
                                            " ".join(f"w{i}" for i in range(25, 55)),
                                            " ".join(f"w{i}" for i in range(50, 60))]),
])
def test_long_unpunctuated_sentences_are_read_in_overlapping_pieces(text, pieces):
    assert [p.text for p in passages(Transcript(text=text).sentences())] == pieces


def test_pieces_of_a_timed_sentence_keep_their_own_times():
    t = timed_transcript(" ".join(f"w{i}" for i in range(60)), wpm=60)  # a word a second
    found = passages(t.sentences())
    assert [p.start for p in found] == [t.words[k].start for k in (0, 25, 50)]
    assert found[1].end == pytest.approx(t.words[54].end)


def test_the_shipped_model_covers_every_contract_cue():
    model = CueModel.load()
    assert set(model.cues) == {"clarify_requirements", "customer_focus", "numbers", "observability", "tradeoffs",
                               "scalability", "failure_modes", "consistency", "star_situation", "star_task",
                               "star_action", "star_result", "ownership", "impact", "reflection"}
    assert model.weights.shape == (15, 768) and np.all((model.threshold > 0) & (model.threshold < 1))
    assert len(model.vocabulary) > 1000 and model.term_weights.shape == (15, len(model.vocabulary))


def test_a_broken_model_file_names_the_file(tmp_path):
    bad = tmp_path / "cue_model.npz"
    np.savez(bad, cues="[]")
    with pytest.raises(ModelError, match="cue_model.npz.*not a cue model"):
        CueModel.load(bad)


@pytest.mark.parametrize("probability, rule_hit, expected", [
    (0.80, False, True),   # the detector alone
    (0.50, True, True),    # the rule, with the detector not against it
    (0.50, False, False),
    (0.20, True, False),   # the rule alone is not enough where the detector is sure it is absent
])
def test_a_cue_hits_by_the_detector_or_by_its_rule_above_a_lower_threshold(probability, rule_hit, expected):
    assert CueScore("numbers", probability, None, threshold=0.7, rule_threshold=0.3).hit(rule_hit) is expected


def _toy_detector() -> tuple[Detector, FakeEncoder]:
    encoder = FakeEncoder()
    direction = encoder.encode(["dashboards alerts metrics"])[0]
    weights = np.zeros((1, 768), np.float32)
    weights[0, :384] = 20 * direction
    model = CueModel(("observability",), weights, np.array([-8.0], np.float32), np.array([0.5], np.float32),
                     np.array([0.3], np.float32))
    return Detector(encoder, model), encoder


def test_the_best_passage_decides_and_is_quoted_with_its_time():
    detector, _ = _toy_detector()
    t = timed_transcript("We shard the data by user. I would watch dashboards alerts metrics. That is it.", wpm=60)
    score = detector.scores(t.sentences())["observability"]
    assert score.probability > 0.5 and score.passage.text == "I would watch dashboards alerts metrics."
    assert score.passage.start == pytest.approx(t.words[6].start)


def test_passages_embedded_while_the_answer_is_spoken_are_not_embedded_again():
    detector, encoder = _toy_detector()
    first = Transcript(text="We shard the data by user. I would watch the dashboards. And then")
    detector.warm(first.sentences()[:-1])
    before = encoder.calls
    final = Transcript(text="We shard the data by user. I would watch the dashboards. And then we add alerts.")
    detector.scores(final.sentences())
    assert encoder.calls - before == 1  # only the sentence that was still growing


def _with_terms(model: CueModel, weight: float) -> CueModel:
    from voiceprep.analysis.ngrams import NgramVocabulary

    vocabulary = NgramVocabulary(("the downside", "instead"), np.array([1.0, 1.0]))
    return CueModel(model.cues, model.weights, model.bias, model.threshold, model.rule_threshold, vocabulary,
                    np.array([[weight, weight]], np.float32))


def test_the_passages_terms_add_to_its_embedding_score():
    detector, encoder = _toy_detector()
    sentences = Transcript(text="We chose Kafka. The downside is the ops cost.").sentences()
    plain = detector.scores(sentences)["observability"].probability
    termed = Detector(encoder, _with_terms(detector.model, 20.0)).scores(sentences)["observability"]
    assert plain < 0.01 and termed.probability > 0.9 and termed.passage.text == "The downside is the ops cost."


def test_a_model_with_terms_is_saved_and_read_back(tmp_path):
    detector, _ = _toy_detector()
    model = _with_terms(detector.model, 3.0)
    model.save(tmp_path / "m.npz")
    back = CueModel.load(tmp_path / "m.npz")
    assert back.vocabulary.terms == model.vocabulary.terms and np.array_equal(back.term_weights, model.term_weights)
    texts = ["the downside is cost", "instead"]
    feats = np.zeros((2, 768), np.float32)
    assert np.allclose(back.probabilities(feats, back.term_logits(texts)), model.probabilities(feats, model.term_logits(texts)))


def test_term_weights_of_the_wrong_shape_name_the_field(tmp_path):
    detector, _ = _toy_detector()
    model = _with_terms(detector.model, 3.0)
    np.savez(tmp_path / "m.npz", cues='["observability"]', weights=model.weights, bias=model.bias,
             threshold=model.threshold, rule_threshold=model.rule_threshold, terms='["a", "b", "c"]',
             idf=np.ones(3, np.float32), term_weights=model.term_weights)
    with pytest.raises(ModelError, match="m.npz: field 'term_weights' is \\(1, 2\\), not 1 cues by 3 terms"):
        CueModel.load(tmp_path / "m.npz")
