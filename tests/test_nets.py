"""The safety nets of one window's decoding: when a pass looks wrong, and which pass is kept."""

from __future__ import annotations

import pytest

from voiceprep.core.transcript import Word
from voiceprep.hearing.nets import hear, on_speech, skipped, stuck


def _words(spec: str) -> list[Word]:
    """'a@1.0-1.3 b@1.4-1.8' -> Words."""
    out = []
    for tok in spec.split():
        text, times = tok.split("@")
        a, b = times.split("-")
        out.append(Word(" " + text, float(a), float(b)))
    return out


def _even(n: int, start: float, end: float) -> list[Word]:
    """n words laid out evenly from start to end."""
    step = (end - start) / max(n, 1)
    return [Word(f" w{i}", start + i * step, start + (i + 0.8) * step) for i in range(n)]


@pytest.mark.parametrize("words, spans, expected", [
    (_even(10, 0, 4), [(0.0, 4.0)], False),                    # 2.5 words a second: heard
    (_even(3, 0, 4), [(0.0, 4.0)], True),                      # under one a second of all the speech
    # one long stretch heard, another of 4 s with no word: skipped, though the total is enough
    (_even(20, 0, 6), [(0.0, 6.0), (6.5, 10.5)], True),
    # a short stretch (under SKIPPED_SPAN_S) without words is a cough, not a lost sentence
    (_even(20, 0, 6), [(0.0, 6.0), (6.5, 7.5)], False),
    # a word stretched over a lost sentence counts once: 1 word on a 4.5 s stretch
    (_even(12, 0, 4) + [Word(" um", 4.1, 8.6)], [(0.0, 4.0), (4.1, 8.6)], True),
    ([], [], False),                                           # no speech, nothing to hear
])
def test_skipped(words, spans, expected):
    assert skipped(words, spans) is expected


@pytest.mark.parametrize("n, seconds, expected", [(60, 10.0, False), (61, 10.0, True), (0, 0.0, False)])
def test_stuck_on_too_many_words(n, seconds, expected):
    assert stuck(_even(n, 0, max(seconds, 0.1)), seconds) is expected


@pytest.mark.parametrize("text, expected", [
    ("that's the B -I -I -I -I -I", True),                      # seen: "p99" looping as "-I"
    ("a little bit of a little bit of a little bit of a little bit of", True),  # a phrase looping
    ("Latency, latency. LATENCY? latency!", True),             # case and punctuation do not hide a loop
    ("the the the cache", False),                              # a stammer is speech
    ("we shard, we shard, we shard by user", False),           # three times, said on purpose
    ("I would put a cache in front of the database and shard it by user", False),
])
def test_stuck_on_a_phrase_looping(text, expected):
    words = _even(len(text.split()), 0.0, 10.0)
    words = [Word(" " + t, w.start, w.end) for t, w in zip(text.split(), words)]
    assert stuck(words, 10.0) is expected


def test_on_speech_drops_words_invented_over_silence():
    words = _words("so@0.0-0.3 we@0.4-0.6 thank@5.0-5.3 you@5.4-5.6 shard@8.1-8.5")
    assert [w.text for w in on_speech(words, [(0.0, 0.7), (8.0, 9.0)])] == ["so", "we", "shard"]


class Passes:
    """A decode that answers from a table: (text before, plain) -> words; records the calls."""

    def __init__(self, table: dict[tuple[str, bool], list[Word]]):
        self.table, self.calls = table, []

    def __call__(self, text_before: str, plain: bool) -> list[Word]:
        self.calls.append((text_before, plain))
        return self.table[(text_before, plain)]


SPANS = [(0.0, 4.0), (4.5, 8.5)]
ALL = _even(20, 0.0, 8.5)        # every stretch heard
LATE = _even(9, 4.5, 8.5)        # the first sentence skipped
PART = _even(12, 0.0, 4.0) + _even(3, 4.5, 8.5)  # the first sentence heard, the second at 0.75 words/s


@pytest.mark.parametrize("context, table, expected_calls, expected_note, expected_n", [
    # the first pass heard it all: no other pass
    ("before", {("before", False): ALL}, [("before", False)], "", 20),
    # the text before made it skip the first sentence: the pass without it is kept
    ("before", {("before", False): LATE, ("", False): ALL},
     [("before", False), ("", False)], "no context", 20),
    # both prompted passes lost words; the plain one heard more
    ("before", {("before", False): LATE, ("", False): PART, ("", True): ALL},
     [("before", False), ("", False), ("", True)], "plain", 20),
    # a retry that hears less is not kept
    ("before", {("before", False): PART, ("", False): LATE, ("", True): []},
     [("before", False), ("", False), ("", True)], "", 15),
    # the first window has no text before: the pass without it would be the same pass
    ("", {("", False): LATE, ("", True): ALL}, [("", False), ("", True)], "plain", 20),
])
def test_hear_tries_the_next_pass_only_while_speech_looks_skipped(context, table, expected_calls, expected_note,
                                                                  expected_n):
    decode = Passes(table)
    words, note = hear(decode, context, SPANS)
    assert decode.calls == expected_calls
    assert (note, len(words)) == (expected_note, expected_n)
