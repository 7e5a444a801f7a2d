"""Delivery metrics from a `Transcript`: pace, pauses, fillers, hedges, pronouns, timing.

Pure functions of the words and their times; thresholds come in a `Thresholds`
value so users can tune them. Defaults follow common speaking-coach practice:
about 130-160 words per minute, under 2 fillers per 100 words, and pauses of
2 s or more noticed by a listener.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from voiceprep.core.transcript import Transcript

_TOKEN = re.compile(r"[A-Za-z0-9']+(?:[-’'][A-Za-z0-9]+)*")
_SIMPLE_FILLERS = {"um", "uh", "er", "erm", "uhm", "umm", "uhh", "ah", "hmm", "mm", "mhm"}
_PHRASE_FILLERS = [("you", "know"), ("i", "mean"), ("sort", "of"), ("kind", "of")]
_WORD_FILLERS = {"basically", "literally"}
# "what kind of", "this sort of": noun use, not a filler
_DETERMINERS = {"what", "this", "that", "these", "those", "some", "any", "the", "a", "an", "one", "every",
                "which", "same", "different", "other", "no", "each", "all", "many"}
_YOU_KNOW_NOT = {"do", "did", "if", "don't", "didn't", "you", "would", "will", "to", "whether", "let"}
_HEDGES = [("i", "think"), ("i", "guess"), ("i", "believe"), ("i", "suppose"), ("not", "sure"),
           ("maybe",), ("probably",), ("perhaps",), ("possibly",), ("might",), ("hopefully",)]
_I_WORDS = {"i", "me", "my", "mine", "myself", "i'm", "i've", "i'd", "i'll"}
_WE_WORDS = {"we", "us", "our", "ours", "ourselves", "we're", "we've", "we'd", "we'll"}


@dataclass(frozen=True)
class Thresholds:
    pause_s: float = 2.0          # a gap this long between words is a pause worth flagging
    wpm_low: float = 130.0
    wpm_high: float = 160.0
    fillers_per_100: float = 2.0  # more than this is flagged
    window_s: float = 30.0        # pace is also reported per window of this length
    target_tolerance: float = 0.2  # within +-20 % of the target time counts as on time


@dataclass(frozen=True)
class Token:
    """A word as the metrics see it: lower-cased text, times when known, and its punctuation."""

    text: str
    start: float | None
    end: float | None
    raw: str
    word_index: int = -1  # index in transcript.words (timed), else -1
    offset: int = -1      # character offset in transcript.text (text only), else -1


@dataclass(frozen=True)
class Mark:
    """A flagged word or phrase: what, when, and which tokens (`pos`, `length`) it covers."""

    word: str
    start: float | None
    pos: int = 0
    length: int = 1


@dataclass(frozen=True)
class Pause:
    start: float
    end: float

    @property
    def length(self) -> float:
        return self.end - self.start


@dataclass
class Metrics:
    word_count: int
    duration_s: float | None
    speaking_s: float | None
    first_word_s: float | None
    wpm: float | None
    articulation_wpm: float | None
    windows: list[dict]
    pauses: list[Pause]
    longest_pause_s: float | None
    fillers: list[Mark]
    hedges: list[Mark]
    i_count: int
    we_count: int
    target_s: float | None
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def fillers_per_minute(self) -> float | None:
        if not self.duration_s:
            return None
        return len(self.fillers) / (self.duration_s / 60)

    @property
    def fillers_per_100_words(self) -> float:
        return 100 * len(self.fillers) / self.word_count if self.word_count else 0.0

    @property
    def i_share(self) -> float | None:
        total = self.i_count + self.we_count
        return self.i_count / total if total else None

    @property
    def pace(self) -> str | None:
        if self.wpm is None:
            return None
        if self.wpm < self.thresholds.wpm_low:
            return "slow"
        return "fast" if self.wpm > self.thresholds.wpm_high else "good"

    @property
    def target_status(self) -> str | None:
        if self.target_s is None or self.duration_s is None:
            return None
        tol = self.thresholds.target_tolerance * self.target_s
        if self.duration_s > self.target_s + tol:
            return "over"
        return "under" if self.duration_s < self.target_s - tol else "on target"


def tokens(transcript: Transcript) -> list[Token]:
    """Split into word tokens; a Whisper word like "sharding," keeps its time."""
    out: list[Token] = []
    if transcript.words:
        for i, w in enumerate(transcript.words):
            for m in _TOKEN.finditer(w.text):
                out.append(Token(m.group(0).lower().replace("’", "'"), w.start, w.end, w.text, word_index=i))
    else:
        for m in _TOKEN.finditer(transcript.text):
            # raw: the text up to the next token, so punctuation after the word is visible
            out.append(Token(m.group(0).lower().replace("’", "'"), None, None,
                             transcript.text[m.start(): m.end() + 1], offset=m.start()))
    return out


def analyse(transcript: Transcript, target_s: float | None = None,
            thresholds: Thresholds | None = None) -> Metrics:
    th = thresholds or Thresholds()
    toks = tokens(transcript)
    words = transcript.words
    fillers = find_fillers(toks)
    hedges = _find_phrases(toks, _HEDGES)
    i_count = sum(t.text in _I_WORDS for t in toks)
    we_count = sum(t.text in _WE_WORDS for t in toks)
    if not words:
        return Metrics(len(toks), None, None, None, None, None, [], [], None, fillers, hedges,
                       i_count, we_count, target_s, th)
    duration = transcript.duration if transcript.duration is not None else words[-1].end
    duration = max(duration, words[-1].end)
    gaps = [Pause(a.end, b.start) for a, b in zip(words, words[1:]) if b.start > a.end]
    pauses = [g for g in gaps if g.length >= th.pause_s]
    span = words[-1].end - words[0].start
    # speaking time: the answer's span less every noticeable silence inside it
    speaking = span - sum(g.length for g in gaps if g.length >= 0.3)
    n = len(toks)
    return Metrics(
        word_count=n,
        duration_s=duration,
        speaking_s=max(speaking, 0.0),
        first_word_s=words[0].start,
        wpm=60 * n / span if span > 0 else None,
        articulation_wpm=60 * n / speaking if speaking > 0 else None,
        windows=_windows(toks, duration, th.window_s),
        pauses=pauses,
        longest_pause_s=max((g.length for g in gaps), default=0.0),
        fillers=fillers,
        hedges=hedges,
        i_count=i_count,
        we_count=we_count,
        target_s=target_s,
        thresholds=th,
    )


def find_fillers(toks: list[Token]) -> list[Mark]:
    """Disfluencies and verbal tics, telling filler "like" and "kind of" from their real uses."""
    out: list[Mark] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        prev = toks[i - 1] if i else None
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        if t.text in _SIMPLE_FILLERS or t.text in _WORD_FILLERS:
            out.append(Mark(t.text, t.start, i))
        elif t.text == "like" and _filler_like(prev, t):
            out.append(Mark("like", t.start, i))
        elif nxt is not None and (t.text, nxt.text) in _PHRASE_FILLERS and _filler_phrase(prev, t, nxt):
            out.append(Mark(f"{t.text} {nxt.text}", t.start, i, 2))
            i += 1
        i += 1
    return out


def _filler_like(prev: Token | None, t: Token) -> bool:
    """"like," and "um, like" are fillers; "looks like a queue" and ", like Redis" (such as) are not."""
    if t.raw.rstrip().endswith(","):
        return True
    if prev is None or prev.raw.rstrip().endswith((".", "?", "!")):
        return True
    return prev.text in _SIMPLE_FILLERS


def _filler_phrase(prev: Token | None, t: Token, nxt: Token) -> bool:
    if t.text in ("sort", "kind"):
        return prev is None or prev.text not in _DETERMINERS
    if t.text == "you":
        if prev is not None and prev.text in _YOU_KNOW_NOT:
            return False
        return True
    # "I mean": a filler when set off ("I mean, ...") or opening a sentence
    return nxt.raw.rstrip().endswith(",") or prev is None or prev.raw.rstrip().endswith((",", ".", "?", "!"))


def _find_phrases(toks: list[Token], phrases: list[tuple[str, ...]]) -> list[Mark]:
    out: list[Mark] = []
    for i in range(len(toks)):
        for p in phrases:
            if tuple(t.text for t in toks[i: i + len(p)]) == p:
                out.append(Mark(" ".join(p), toks[i].start, i, len(p)))
    return out


def _windows(toks: list[Token], duration: float, size: float) -> list[dict]:
    out = []
    start = 0.0
    while start < duration:
        end = min(start + size, duration)
        n = sum(1 for t in toks if t.start is not None and start <= t.start < end)
        out.append({"start": round(start, 2), "end": round(end, 2), "words": n,
                    "wpm": round(60 * n / (end - start), 1) if end > start else 0.0})
        start = end
    return out
