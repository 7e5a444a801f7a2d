"""Estimation questions: the spoken figure against the expected one, and the first step that went wrong."""

from __future__ import annotations

import pytest

from voiceprep.analysis.numbers import find_numbers
from voiceprep.analysis.numbers.target import grade_estimate, how_far
from voiceprep.core.estimate import EstimateStep, EstimateTarget
from voiceprep.core.transcript import Transcript

STORAGE = EstimateTarget(550, "PB", steps=(EstimateStep("storage per day", 100, "TB", "day"),
                                           EstimateStep("five years, one copy", 182.5, "PB")))
RATES = EstimateTarget(3860, "reads", "second", steps=(EstimateStep("writes per second", 38.6, "writes", "second"),))


SAID = {"Tb": "terabits"}  # written "Tb" reads as terabytes; people say the word


def _grade(target: EstimateTarget, text: str):
    return grade_estimate(target, find_numbers(Transcript(text=text)).quantities)


@pytest.mark.parametrize("target, text, verdict, wrong", [
    # a right chain in other units: 1.16 GB a second is 100 TB a day; half a exabyte is 500 PB
    (STORAGE, "That's about 1.16 gigabytes a second. Five years is 180 petabytes, times three copies is half an "
              "exabyte, call it 500 petabytes.", "ok", None),
    (STORAGE, "A hundred terabytes a day, so about 550 petabytes in five years with copies.", "ok",
     "five years, one copy"),                               # right total, a step not said
    (STORAGE, "Ten terabytes a day, so five years is eighteen petabytes, and three copies is 55 petabytes.", "off",
     "storage per day"),                                    # the chain goes wrong at the first step
    (STORAGE, "We need a lot of disks, mostly cheap ones.", "missing", "storage per day"),
    (RATES, "About forty writes a second, and a hundred times that is four thousand reads a second.", "ok", None),
    (RATES, "That is 4,000 writes a second, so 400,000 reads a second.", "off", "writes per second"),
    (RATES, "Around 4,000 writes per second.", "missing", "writes per second"),  # writes are not the reads asked for
    (RATES, "Roughly four thousand QPS of reads.", "ok", "writes per second"),   # QPS counts as reads
])
def test_grade(target, text, verdict, wrong):
    grade = _grade(target, text)
    assert grade.verdict == verdict, grade.summary()
    assert (grade.wrong_step.step.label if grade.wrong_step else None) == wrong


def test_the_report_quotes_the_words_and_says_how_far():
    grade = _grade(RATES, "That is 4,000 writes a second, so 400,000 reads a second.")
    assert "“400,000 reads a second”" in grade.summary() and "104x too high" in grade.summary()
    data = grade.to_dict()
    assert data["wrong_step"] == "writes per second" and data["steps"][0]["stated"] == 4000
    assert data["final"]["verdict"] == "off" and data["expected"] == 3860


@pytest.mark.parametrize("ratio, said", [(1.0, "on the mark"), (1.4, "1.4x too high"), (0.25, "4x too low"),
                                         (104, "104x too high")])
def test_how_far(ratio, said):
    assert how_far(ratio) == said


def test_every_bundled_estimation_question_is_answered_right_by_its_own_chain(bank):
    """Speaking each reference step and the final figure gets every step and the answer right."""
    questions = bank.list_questions("estimation")
    assert len(questions) >= 5
    for q in questions:
        target = q.estimate
        assert target is not None, q.id
        said = [f"{s.value:g} {SAID.get(s.unit, s.unit or '')} {'per ' + s.per if s.per else ''}."
                for s in (*target.steps, target.final)]
        grade = _grade(target, " ".join(said))
        assert grade.verdict == "ok" and grade.wrong_step is None, (q.id, grade.to_dict())
