"""Hearing the domain's terms: which to prompt for, and which misheard words to put right.

Two uses of the lexicon (core/lexicon.py), both led by what the answer is about:

  * `TermIndex.choose` picks each window's prompt terms: the question's own vocabulary, then
    the terms already heard in the answer, then the terms of the topics the question and the
    answer so far are about (system design, data, concurrency, operations, networking,
    behavioral). It runs before every window's decoding, so it is plain dictionary work
    (measured in docs/transcription.md).
  * `correct` replaces words after decoding: a span of 1-3 words that Whisper was seen to write
    for a term (the lexicon's confusions), or that sounds like it (metaphone codes), becomes the
    term, but only when the answer's topic fits the term and, for a sound-alike, when Whisper
    itself was unsure of the words. A correction that is not clearly better is not made: one
    that writes a term nobody said is the worst outcome, so the thresholds favour precision.
    The original words stay in the transcript (Transcript.corrections), so a correction can be
    shown and undone (hearing/corrected.py).
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import jellyfish
import numpy as np

from voiceprep.core.lexicon import Lexicon, Term, words_of
from voiceprep.core.transcript import Correction, Transcript, Word
from voiceprep.hearing.protocols import ChunkTranscriber, Transcriber

MAX_SPAN = 4            # a correction replaces at most this many words
AMBIGUOUS = 0.1  # a sound-alike whose code is this close to a second term's is not taken ("coroutine", "goroutine")
VOCABULARY_WEIGHT = 3.0  # a question term counts this many heard mentions towards the topics
_PUNCT = ".,?!;:"
_MAX_SPANS_KEPT = 50_000  # spans whose options are kept (a 60-minute answer, heard by both lanes: about 20,000)
# a sound-alike span neither starts nor ends with one of these ("the item potent" would lose its "the")
_FUNCTION = frozenset(["the", "a", "an", "to", "of", "and", "or", "is", "are", "was", "in", "on", "at", "for",
                       "by", "it", "its", "we", "i", "you", "so", "as", "be"])


@dataclass(frozen=True)
class CorrectionPolicy:
    """When a correction is made (chosen on the term set's dev sentences: docs/transcription.md).

    `min_topic`: the share of the answer's topic evidence the term's topics must hold for a
    sound-alike; `confusion_min_topic` for a listed confusion, which is evidence of its own, so
    less is asked ("q mail it" is the kubelet in a design answer that names no operations term),
    but not nothing (a behavioral story's "cash registers" stay cash). `sound_max_probability` and
    `min_similarity`: a sound-alike (not a listed confusion) is taken only for words Whisper
    was unsure of, only when the metaphone codes nearly agree and the letters are alike too
    (`min_spelling`, Jaro-Winkler: metaphone drops vowels and merges t/d, so "tell reads" and
    "dual writes" share a code). `min_code`: codes shorter than this match too many words.
    `sound_min_words`: a sound-alike must span this many words (a term Whisper split up, as in
    "item potent producer"); on dev, single-word sound-alikes were mostly other real words
    ("application" for replication, "scheduled" for scheduler)."""

    min_topic: float = 0.3
    confusion_min_topic: float = 0.1
    confusion_max_probability: float = 1.0
    sound_max_probability: float = 0.7
    min_similarity: float = 0.8
    min_spelling: float = 0.8
    min_code: int = 4
    sound_min_words: int = 2


def sound_code(tokens: Sequence[str]) -> str:
    """The metaphone code of words said together ("item potent" and "idempotent": ITMPTNT)."""
    return jellyfish.metaphone("".join(tokens)) if tokens else ""


def similarity(a: str, b: str) -> float:
    """1 for equal codes, falling with their edit distance."""
    if not a or not b:
        return 0.0
    return 1.0 - jellyfish.levenshtein_distance(a, b) / max(len(a), len(b))


def spelling(tokens: Sequence[str], term: Term) -> float:
    """How alike the letters are (Jaro-Winkler) to the closest of the term's forms."""
    heard = "".join(tokens)
    return max(jellyfish.jaro_winkler_similarity(heard, "".join(form)) for form in term.forms)


class TermIndex:
    """The lexicon, indexed for finding terms in heard words and for sound-alike look-ups."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self.terms: tuple[Term, ...] = lexicon.terms
        self._forms: dict[str, list[tuple[tuple[str, ...], int]]] = {}   # first word -> (form, term)
        self._confusions: dict[tuple[str, ...], list[int]] = {}
        self._codes: list[tuple[str, int, int]] = []                     # (code, words, term)
        self._by_key = {t.key: i for i, t in enumerate(self.terms)}
        self._found: dict[str, int | None] = {}  # vocabulary entries looked up before
        self._by_topic: dict[str, list[int]] = {}
        for i, term in enumerate(self.terms):
            for form in term.forms:
                self._forms.setdefault(form[0], []).append((form, i))
                if not any(ch.isdigit() for ch in term.term):  # numbers ("302") change by listed confusions only
                    self._codes.append((sound_code(form), len(form), i))
            for c in term.confusions:
                self._confusions.setdefault(c, []).append(i)
            for topic in term.topics:
                self._by_topic.setdefault(topic, []).append(i)
        for forms in self._forms.values():
            forms.sort(key=lambda f: -len(f[0]))
        self._spans: dict[tuple[tuple[Word, ...], CorrectionPolicy], tuple[SpanOptions, ...]] = {}

    def span_options(self, words: tuple[Word, ...], policy: CorrectionPolicy) -> tuple[SpanOptions, ...]:
        """`span_options` of these words, worked out once: correcting a transcript again as it
        grows (practice/warm.py) leaves only the new words' spans for the end of the answer."""
        key = (words, policy)
        found = self._spans.get(key)
        if found is None:
            if len(self._spans) >= _MAX_SPANS_KEPT:
                self._spans.clear()
            found = self._spans[key] = span_options(words, self, policy)
        return found

    def mentions(self, tokens: Sequence[str]) -> list[tuple[int, int, int]]:
        """Terms said in `tokens` as (start, length, term), longest form first, not overlapping."""
        out, i = [], 0
        while i < len(tokens):
            hit = next(((len(f), t) for f, t in self._forms.get(tokens[i], ()) if tuple(tokens[i:i + len(f)]) == f),
                       None)
            if hit:
                out.append((i, hit[0], hit[1]))
                i += hit[0]
            else:
                i += 1
        return out

    def find(self, text: str) -> int | None:
        """The term a vocabulary entry names (by written or spoken form), if the lexicon has it."""
        if text not in self._found:
            tokens = words_of(text)
            hits = self.mentions(tokens)
            self._found[text] = self._by_key.get(text.lower(),
                                                 hits[0][2] if hits and hits[0][1] == len(tokens) else None)
        return self._found[text]

    def topics(self, vocabulary: Sequence[str], tokens: Sequence[str]) -> dict[str, float]:
        """Each topic's share of the evidence: the question's terms, then the terms heard."""
        score: dict[str, float] = {}
        found = [(VOCABULARY_WEIGHT, self.find(v)) for v in vocabulary]
        found += [(1.0, t) for _s, _n, t in self.mentions(tokens)]
        for weight, t in found:
            if t is None:
                continue
            topics = self.terms[t].topics
            for topic in topics:
                score[topic] = score.get(topic, 0.0) + weight / len(topics)
        total = sum(score.values())
        return {k: v / total for k, v in score.items()} if total else {}

    def fit(self, term: Term, topics: dict[str, float]) -> float:
        return max((topics.get(t, 0.0) for t in term.topics), default=0.0)

    def choose(self, vocabulary: Sequence[str], heard: str, n: int) -> list[str]:
        """Up to `n` prompt terms for a window: the question's vocabulary, then terms heard in
        the answer so far (latest first), then the terms of its topics, the best-fitting first
        (in lexicon order within a topic)."""
        if n <= 0:
            return []
        tokens = words_of(heard)
        chosen: list[str] = []
        seen: set[str] = set()

        def add(name: str) -> None:
            if name.lower() not in seen and len(chosen) < n:
                seen.add(name.lower())
                chosen.append(name)

        for v in vocabulary:
            if v.strip():
                add(v.strip())
        for _s, _n, t in reversed(self.mentions(tokens)):
            add(self.terms[t].term)
        topics = self.topics(vocabulary, tokens) if len(chosen) < n else {}
        # a term fits as well as its best topic: the topics' terms, the largest share first
        for topic in sorted(topics, key=lambda t: -topics[t]):
            for i in self._by_topic.get(topic, ()):
                if len(chosen) >= n:
                    return chosen
                add(self.terms[i].term)
        return chosen

    # --- correction ---------------------------------------------------------------------------

    def said_in_plural(self, tokens: tuple[str, ...]) -> bool:
        """Whether these words are a listed confusion only with their last word made singular
        ("non reputable reads"): the term is then written in the plural."""
        return tokens not in self._confusions and _last_singular(tokens) in self._confusions

    def candidates(self, tokens: tuple[str, ...], min_similarity: float | None = None) -> list[tuple[int, str, float]]:
        """Terms these words may stand for: (term, reason, strength), listed confusions first, then
        (with `min_similarity`) terms whose metaphone code is at least that similar."""
        listed = self._confusions.get(tokens) or self._confusions.get(_last_singular(tokens), ())
        out = [(t, "confusion", 1.0) for t in listed]
        code = sound_code(tokens)
        if min_similarity is not None and code and not any(ch.isdigit() for ch in "".join(tokens)):
            slack = len(code) * (1 - min_similarity) / min_similarity  # codes whose length rules them out
            for other, _words, t in self._codes:
                if abs(len(other) - len(code)) <= slack:
                    sim = similarity(code, other)
                    if sim >= min_similarity:
                        out.append((t, "sound", sim))
        return out


def correct(transcript: Transcript, index: TermIndex, vocabulary: Sequence[str] = (),
            policy: CorrectionPolicy | None = None) -> Transcript:
    """The transcript with misheard terms put right; each change is kept in `corrections`
    with the words Whisper wrote. Corrections already there are kept (their indexes follow)."""
    policy = policy or CorrectionPolicy()
    words = transcript.words
    if not words or not index.terms:
        return transcript
    tokens_all = [t for w in words for t in words_of(w.word)]
    topics = index.topics(vocabulary, tokens_all)
    in_vocabulary = {t for t in (index.find(v) for v in vocabulary) if t is not None}
    out: list[Word] = []
    corrections = [c for c in transcript.corrections]
    moved = {c.index: c for c in corrections}
    kept: list[Correction] = []
    i = 0
    while i < len(words):
        found = _best(words, i, index, topics, in_vocabulary, policy)
        if found is None:
            if i in moved:
                kept.append(replace(moved[i], index=len(out)))
            out.append(words[i])
            i += 1
            continue
        length, term, reason = found
        span = words[i:i + length]
        tokens = tuple(t for w in span for t in words_of(w.word))
        kept.append(Correction(len(out), tuple(span), term.term, reason))
        out.append(_written(term, span, starts=i == 0 or words[i - 1].text.endswith((".", "?", "!")),
                            plural=index.said_in_plural(tokens)))
        i += length
    if len(kept) == len(corrections) and all(a.index == b.index for a, b in zip(kept, corrections)):
        return transcript
    return Transcript(text=_join(out), words=out, duration=transcript.duration, language=transcript.language,
                      corrections=kept)


@dataclass(frozen=True)
class SpanOptions:
    """What one span of heard words may be corrected to, before the answer's topics are weighed.

    `right`: a term among the candidates is written exactly so (no shorter span is wrong either);
    `options`: (term, kind, strength) of the candidates that pass the policy's sound and
    confidence tests. It depends on the words alone, so it is worked out once per span
    (`TermIndex.span_options`), while the answer is spoken, and only the topics are weighed at
    the end."""

    length: int
    right: bool
    options: tuple[tuple[int, str, float], ...]


def span_options(words: Sequence[Word], index: TermIndex, policy: CorrectionPolicy) -> tuple[SpanOptions, ...]:
    """The spans starting at `words[0]` that may be a term, longest first (see SpanOptions)."""
    out: list[SpanOptions] = []
    for length in range(min(MAX_SPAN, len(words)), 0, -1):
        span = words[:length]
        inner = [w.text[-1:] for w in span[:-1]]
        if any(p in ".?!;:" for p in inner):
            continue  # a term does not straddle a sentence
        clause = "," in inner  # Whisper puts commas inside a term it did not know ("item, potent")
        tokens = tuple(t for w in span for t in words_of(w.word))
        # a term already heard here ("the semaphore", "Kafka's", "deadlocks") is left alone, unless
        # the words are a listed confusion ("rate limit or" for rate limiter, "post your SQL")
        if not tokens:
            continue
        heard = bool(index.mentions(_singular(tokens)))
        least, most = min(w.probability for w in span), max(w.probability for w in span)
        # a sound-alike only where every word was unsure (a sure neighbour is never swallowed)
        sound = (not heard and not clause and length >= policy.sound_min_words and most <= policy.sound_max_probability
                 and tokens[0] not in _FUNCTION and tokens[-1] not in _FUNCTION
                 and len(sound_code(tokens)) >= policy.min_code)
        found = index.candidates(tokens, policy.min_similarity if sound else None)
        if heard and not found:
            continue
        alike = sorted({(s, t) for t, kind, s in found if kind == "sound"}, reverse=True)
        if len({t for s, t in alike if s >= alike[0][0] - AMBIGUOUS}) > 1 if alike else False:
            found = [c for c in found if c[1] == "confusion"]  # sounds like two terms: like neither, clearly
        right = any(tokens in index.terms[t].forms for t, _k, _s in found)
        ok = tuple((t, kind, strength) for t, kind, strength in found
                   if (least <= policy.confusion_max_probability if kind == "confusion"
                       else spelling(tokens, index.terms[t]) >= policy.min_spelling))
        if right or ok:
            out.append(SpanOptions(length, right, ok))
        if right:
            break  # already right: no shorter span here is wrong either
    return tuple(out)


def _best(words: Sequence[Word], i: int, index: TermIndex, topics: dict[str, float], in_vocabulary: set[int],
          policy: CorrectionPolicy) -> tuple[int, Term, str] | None:
    """The correction of the span starting at word `i`, longest span first, or None."""
    for span in index.span_options(tuple(words[i:i + MAX_SPAN]), policy):
        if span.right:
            return None
        best: tuple[float, Term, str] | None = None
        for t, kind, strength in span.options:
            term = index.terms[t]
            fit = 1.0 if t in in_vocabulary else index.fit(term, topics)
            if fit < (policy.confusion_min_topic if kind == "confusion" else policy.min_topic):
                continue
            rank = (2.0 if kind == "confusion" else strength) + fit
            if best is None or rank > best[0]:
                tokens = tuple(tok for w in words[i:i + span.length] for tok in words_of(w.word))
                reason = f"heard as '{' '.join(tokens)}'" if kind == "confusion" else "sounds like it"
                best = (rank, term, reason)
        if best is not None:
            return span.length, best[1], best[2]
    return None


def _singular(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """Plurals and possessives as the lexicon writes terms: "deadlocks" -> "deadlock", "kafka's" -> "kafka"."""
    out = []
    for t in tokens:
        if t.endswith("'s"):
            t = t[:-2]
        elif len(t) > 4 and t.endswith("ies"):
            t = t[:-3] + "y"
        elif len(t) > 3 and t.endswith("s") and not t.endswith("ss"):
            t = t[:-1]
        out.append(t)
    return tuple(out)


def _last_singular(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words with the last one singular: a listed confusion said in the plural ("non
    reputable reads"); only the last word, since "make URLs shorter" is no URL shortener."""
    return tokens[:-1] + _singular(tokens[-1:])


def _written(term: Term, span: Sequence[Word], starts: bool, plural: bool = False) -> Word:
    """The term as one word in the place of `span`: the first word's leading space, the last
    word's trailing punctuation, a capital where the sentence `starts`, an "s" for a `plural`."""
    first, last = span[0], span[-1]
    lead = first.word[:len(first.word) - len(first.word.lstrip())]
    text = term.term + ("s" if plural and not term.term.endswith("s") else "")
    if starts and first.text[:1].isupper() and text[:1].islower():
        text = text[:1].upper() + text[1:]
    tail = last.text[len(last.text.rstrip(_PUNCT)):]
    return Word(lead + text + tail, first.start, last.end, max(w.probability for w in span))


def _join(words: Iterable[Word]) -> str:
    return "".join(w.word for w in words).strip()


def correct_terms(transcript: Transcript, lexicon: Lexicon, vocabulary: Sequence[str] = (),
                  policy: CorrectionPolicy | None = None) -> Transcript:
    """`correct` with the lexicon indexed here: what review and practice call after transcribing,
    before the analysis reads the transcript."""
    return correct(transcript, index_for(lexicon), vocabulary, policy)


@functools.lru_cache(maxsize=4)
def index_for(lexicon: Lexicon) -> TermIndex:
    """The lexicon indexed once per process (indexing the bundled one takes about 0.1 s)."""
    return TermIndex(lexicon)


class CorrectingTranscriber:
    """A Transcriber whose whole-file transcripts come out corrected (tools and the term harness).
    Its `chunker` is the inner one's: incremental callers correct the finished transcript themselves."""

    def __init__(self, inner: Transcriber, lexicon: Lexicon, policy: CorrectionPolicy | None = None) -> None:
        self.inner, self.index, self.policy = inner, index_for(lexicon), policy

    def transcribe(self, audio: np.ndarray, vocabulary: Sequence[str] = ()) -> Transcript:
        return correct(self.inner.transcribe(audio, vocabulary), self.index, vocabulary, self.policy)

    def load(self) -> object:
        return self.inner.load()

    def chunker(self) -> ChunkTranscriber | None:
        return self.inner.chunker()


__all__ = [
    "CorrectingTranscriber",
    "CorrectionPolicy",
    "TermIndex",
    "correct",
    "correct_terms",
    "index_for",
    "similarity",
    "sound_code",
    "spelling",
]
