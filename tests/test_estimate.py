"""The expected answer of an estimation question, parsed from bank data; errors name the field."""

from __future__ import annotations

import pytest

from voiceprep.core.bank import parse_bank
from voiceprep.core.errors import BankError

QUESTION = '''
[[question]]
id = "est-q"
category = "estimation"
text = "How much?"
target_s = 60
[question.estimate]
'''


def test_parse_an_estimate_with_steps():
    text = QUESTION + ('value = 550\nunit = "PB"\ntolerance = 3\nassumptions = "2 MB a photo"\n'
                       '[[question.estimate.steps]]\nlabel = "per day"\nvalue = 100\nunit = "TB"\nper = "day"\n')
    [q] = parse_bank(text, "e.toml").questions
    e = q.estimate
    assert (e.value, e.unit, e.per, e.tolerance, e.assumptions) == (550, "PB", None, 3, "2 MB a photo")
    assert [(s.label, s.value, s.unit, s.per) for s in e.steps] == [("per day", 100, "TB", "day")]
    assert e.final.label == "final figure" and e.final.value == 550


@pytest.mark.parametrize("body, message", [
    ('unit = "PB"\n', "field 'estimate.value': must be a number > 0"),
    ('value = -1\n', "field 'estimate.value': must be a number > 0"),
    ('value = 5\nper = "fortnight"\n', "field 'estimate.per': must be one of"),
    ('value = 5\ntolerance = 1\n', "field 'estimate.tolerance': must be a factor > 1"),
    ('value = 5\nguess = 3\n', "field 'estimate.guess': unknown field"),
    ('value = 5\n[[question.estimate.steps]]\nvalue = 3\n', "field 'estimate.steps[1].label'"),
    ('value = 5\n[[question.estimate.steps]]\nlabel = "x"\nvalue = "3"\n', "field 'estimate.steps[1].value'"),
])
def test_errors_name_the_file_the_question_and_the_field(body, message):
    with pytest.raises(BankError) as err:
        parse_bank(QUESTION + body, "e.toml")
    assert str(err.value).startswith("e.toml: question 1 'est-q': ") and message in str(err.value)
