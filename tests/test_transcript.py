from __future__ import annotations

import pytest

from voiceprep.core.transcript import Transcript, Word


def words(*spec):
    return [Word(w, s, e) for w, s, e in spec]


def test_whisper_words_keep_their_own_spacing():
    t = Transcript.from_words(words((" about", 0.0, 0.3), (" 5", 0.3, 0.5), (",000", 0.5, 0.7),
                                    (" QPS.", 0.7, 1.0), (" The", 1.2, 1.3), (" trade", 1.3, 1.5), ("-off.", 1.5, 1.8)))
    assert t.text == "about 5,000 QPS. The trade-off."
    sentences = t.sentences()
    assert [s.text for s in sentences] == ["about 5,000 QPS.", "The trade-off."]
    assert (sentences[1].start, sentences[1].end) == (1.2, 1.8)


def test_time_at_maps_character_offsets_to_word_starts():
    t = Transcript.from_words(words((" We", 0.0, 0.2), (" monitor", 0.2, 0.6), (" it.", 0.6, 0.9)))
    s = t.sentences()[0]
    assert s.time_at(s.text.index("monitor")) == 0.2
    assert s.time_at(s.text.index(" it.") + 1) == 0.6


@pytest.mark.parametrize("text, expected", [
    ("One. Two? Three!", ["One.", "Two?", "Three!"]),
    ("no final stop", ["no final stop"]),
    ("Line one\nLine two.", ["Line one", "Line two."]),
    ("Wait... what?", ["Wait...", "what?"]),
    ("That is 1.8 MB a second. Then 3. Done", ["That is 1.8 MB a second.", "Then 3.", "Done"]),  # decimals
])
def test_text_sentences(text, expected):
    sentences = Transcript(text=text).sentences()
    assert [s.text for s in sentences] == expected
    assert all(s.start is None for s in sentences)
    assert all(text[s.char_start:].startswith(s.text) for s in sentences)


def test_round_trip_dict():
    t = Transcript.from_words(words((" Hi.", 0.1, 0.4)), duration=2.0)
    back = Transcript.from_dict(t.to_dict())
    assert back.text == t.text and back.duration == 2.0 and back.words[0].start == 0.1


def test_stored_transcripts_keep_whisper_spacing():
    t = Transcript.from_words(words((" about", 0.0, 0.3), (" 5", 0.3, 0.5), (",000", 0.5, 0.7), (" QPS.", 0.7, 1.0)))
    assert Transcript.from_dict(t.to_dict()).text == "about 5,000 QPS."
    old = t.to_dict()
    for w in old["words"]:
        del w["raw"]  # files written before "raw" was stored
    assert Transcript.from_dict(old).text == "about 5,000 QPS."
