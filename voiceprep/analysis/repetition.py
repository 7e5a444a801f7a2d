"""Words and phrases leaned on too often, and sentences that keep opening the same way.

Works from the words alone, so it judges a typed transcript as well as a recorded one. Counts
are weighed against the answer's length: a habit word is flagged when it comes back at least
`min_count` times and more than `per_100` times per 100 words, so a long answer may say
"really" a few times without being told off. Technical nouns repeat by necessity ("the cache",
"the queue") and are never flagged: only the habit words and stock phrases below, and any
sentence opening.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from voiceprep.core.transcript import Transcript

_TOKEN = re.compile(r"[A-Za-z0-9']+(?:[-’'][A-Za-z0-9]+)*")
# Intensifiers, hedging adverbs and stock adjectives that speech coaches flag when they recur.
# Words with a technical sense are left out ("cache key", "critical section", "looks like", "the right shard").
HABIT_WORDS = frozenset("""
actually basically really just very totally obviously definitely honestly literally clearly essentially
super pretty quite simply absolutely seriously truly extremely awesome amazing great huge nice cool
interesting important crucial okay stuff
""".split())
STOCK_PHRASES = ("at the end of the day", "in terms of", "to be honest", "the thing is", "as i said",
                 "like i said", "and stuff", "or something", "and so on", "if that makes sense",
                 "at this point", "going forward", "you know what i mean", "that being said", "kind of", "sort of")


@dataclass(frozen=True)
class Repeat:
    """One overused item: `kind` is "word", "phrase" or "opening" (how sentences start)."""

    phrase: str
    count: int
    kind: str
    share: float  # per 100 words for words and phrases; share of sentences for openings


@dataclass(frozen=True)
class RepetitionLimits:
    min_count: int = 3          # fewer repeats are never flagged
    per_100: float = 1.0        # a habit word or phrase more often than this per 100 words
    opening_share: float = 0.4  # the same first word opens at least this share of sentences
    min_sentences: int = 4      # openings are only judged in answers with this many sentences


def _words(text: str) -> list[str]:
    return [m.group(0).lower().replace("’", "'") for m in _TOKEN.finditer(text)]


def find_repetition(transcript: Transcript, limits: RepetitionLimits | None = None) -> tuple[Repeat, ...]:
    """Overused habit words, stock phrases and sentence openings, most frequent first."""
    lim = limits or RepetitionLimits()
    words = _words(transcript.text)
    if not words:
        return ()
    per100 = 100 / len(words)
    found: list[Repeat] = []
    for word, n in Counter(w for w in words if w in HABIT_WORDS).items():
        if n >= lim.min_count and n * per100 > lim.per_100:
            found.append(Repeat(word, n, "word", round(n * per100, 2)))
    joined = " " + " ".join(words) + " "
    for phrase in STOCK_PHRASES:
        n = joined.count(f" {phrase} ")
        if n >= lim.min_count and n * per100 > lim.per_100:
            found.append(Repeat(phrase, n, "phrase", round(n * per100, 2)))
    found += _openings(transcript, lim)
    return tuple(sorted(found, key=lambda r: (-r.count, r.kind, r.phrase)))


def _openings(transcript: Transcript, lim: RepetitionLimits) -> list[Repeat]:
    """First words shared by many sentences ("So ... So ... So ...")."""
    firsts = [ws[0] for s in transcript.sentences() if (ws := _words(s.text))]
    if len(firsts) < lim.min_sentences:
        return []
    out = []
    for word, n in Counter(firsts).items():
        if n >= lim.min_count and n / len(firsts) >= lim.opening_share and word not in {"i", "the", "we", "it"}:
            out.append(Repeat(word, n, "opening", round(n / len(firsts), 2)))
    return out
