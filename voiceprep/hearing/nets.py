"""Safety nets for one window's decoding: the ways Whisper loses words, and the passes that repair them.

Whole-file transcription (transcribe.py) and both lanes of the incremental stream
(incremental.py) hear a window through `hear`, so a window comes out the same whichever
of them decodes it.

The passes, each only if the one before still looks wrong:
  1. the prompt (glossary, disfluent tail) followed by the text before the window;
  2. the same prompt without that text. Conditioned on it, tiny.en now and then skips the
     window's first sentences: on a generated 20 min answer, 7 of 51 windows lost 14 to 37
     of their 55 words, and a beam pass without the text before heard 54-60 of them in
     every one (greedy with the text: as few as the first pass);
  3. no prompt at all ("plain"): the prompt itself can make Whisper skip a stretch.

A pass "looks wrong" when it heard under one word a second of the window's speech, or
when one stretch of speech of at least SKIPPED_SPAN_S got under one word a second. On
that answer every window that lost words had such a stretch (0 to 0.44 words a second)
and no other window did (the lowest 2.1).
"""

from __future__ import annotations

from typing import Callable, Sequence

from voiceprep.core.transcript import Word

# Speech runs at 2 to 3 words a second; under 1 word per second of detected speech means
# whole sentences went missing.
MIN_WORDS_PER_SPEECH_S = 1.0
# and nobody says more than 6 words a second: more is Whisper repeating itself
MAX_WORDS_PER_S = 6.0
# a phrase of up to LOOP_WORDS words said LOOP_REPEATS times in a row is a decoding looping
LOOP_REPEATS, LOOP_WORDS = 4, 4
# a stretch of speech at least this long heard at under MIN_WORDS_PER_SPEECH_S was skipped
SKIPPED_SPAN_S = 1.5
PAD_S = 0.2  # how far from detected speech a word's middle may lie

Span = tuple[float, float]  # (start, end) in seconds, in the words' time
Decode = Callable[[str, bool], list[Word]]  # (text before the window, plain) -> its words on speech


def on_speech(words: Sequence[Word], spans: Sequence[Span], pad_s: float = PAD_S) -> list[Word]:
    """The words whose middle lies within `pad_s` of detected speech. Whisper invents text over
    long silences ("Thank you."); those words go."""
    return [w for w in words if any(a - pad_s <= w.mid <= b + pad_s for a, b in spans)]


def stuck(words: Sequence[Word], seconds: float) -> bool:
    """A decoding caught repeating itself: more words than anyone says in `seconds`, or a phrase
    looping. The loop can be short: "the p99" came back as "the B" and 27 times "-I" within
    1.5 s of an 11 s front window (41 words, well under 6 a second), and kept as the front
    lane's words it became the next careful window's context, which then looped too."""
    if len(words) > MAX_WORDS_PER_S * seconds:
        return True
    texts = [w.text.lower().strip(".,?!;:") for w in words]
    for n in range(1, LOOP_WORDS + 1):
        for i in range(len(texts) - n * LOOP_REPEATS + 1):
            if all(texts[i + k * n:i + (k + 1) * n] == texts[i:i + n] for k in range(1, LOOP_REPEATS)):
                return True
    return False


def skipped(words: Sequence[Word], spans: Sequence[Span]) -> bool:
    """Whether a pass lost speech: under one word a second of all of it, or of one long stretch."""
    speech_s = sum(b - a for a, b in spans)
    if len(words) < MIN_WORDS_PER_SPEECH_S * speech_s:
        return True
    for a, b in spans:
        if b - a >= SKIPPED_SPAN_S:
            heard = sum(1 for w in words if a - 0.1 <= w.mid <= b + 0.1)
            if heard < MIN_WORDS_PER_SPEECH_S * (b - a):
                return True
    return False


def hear(decode: Decode, context: str, spans: Sequence[Span]) -> tuple[list[Word], str]:
    """A window's words over its speech `spans`, and which net decided ("" when the first pass did).

    A later pass replaces the words so far only if it heard more of them."""
    words, note = decode(context, False), ""
    retries = ([("no context", "", False)] if context else []) + [("plain", "", True)]
    for name, text_before, plain in retries:
        if not skipped(words, spans):
            break
        other = decode(text_before, plain)
        if len(other) > len(words):
            words, note = other, name
    return words, note


__all__ = ["MAX_WORDS_PER_S", "MIN_WORDS_PER_SPEECH_S", "SKIPPED_SPAN_S", "hear", "on_speech", "skipped", "stuck"]
