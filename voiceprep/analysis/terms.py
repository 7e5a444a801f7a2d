"""Technical terms in a transcript: were they heard, and was any written that was not said?

The term test set (tests/data/terms/sentences.toml) holds sentences by other people with every
technical term marked by its character span and its canonical written form. Scoring one
hypothesis transcript against one sentence gives:
  * term hits: a marked term is a hit when the hypothesis words aligned with it spell the term,
    ignoring case, spaces, hyphens and punctuation ("fan-out" = "fanout"), numbers written as
    digits or words ("202" = "two hundred two"), a trailing plural or possessive "s", and the
    spoken forms listed in the data file's [spoken] table ("p99" = "p ninety nine");
  * false terms: a term of the set's vocabulary written in the hypothesis where the aligned
    reference words do not say it (this is what term precision counts);
  * the word errors of the words outside the terms (voiceprep.analysis.wer), so a change that
    helps terms can be seen not to hurt the rest.
`parse_term_set` checks the text of the data file (no I/O); `load_term_set` reads it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from voiceprep.analysis.wer import normalize, number_words, word_error_rate
from voiceprep.core.bank import tomllib
from voiceprep.core.errors import BankError

SPLITS = ("train", "dev", "test", "heldout")  # train: tests/data/terms/train.toml, mined only
SLACK = 3  # hypothesis words either side of an aligned place that may still hold the term
MAX_TERM_WORDS = 6
_TOKEN = re.compile(r"\d{1,3}(?:,\d{3})+|[a-z0-9']+|%")


@dataclass(frozen=True)
class TermSpan:
    """One marked occurrence: its canonical written form and where it is in the sentence."""

    term: str
    start: int
    end: int


@dataclass(frozen=True)
class TermSentence:
    id: str
    text: str
    source: str
    terms: tuple[TermSpan, ...]
    split: str

    def surface(self, span: TermSpan) -> str:
        return self.text[span.start:span.end]


@dataclass(frozen=True)
class TermSet:
    """The sentences and the spoken-form table (written form -> ways it is said)."""

    sentences: tuple[TermSentence, ...]
    spoken: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def split(self, *names: str) -> list[TermSentence]:
        return [s for s in self.sentences if s.split in names]


@dataclass(frozen=True)
class SentenceScore:
    """The term and word counts of one hypothesis against one sentence."""

    occurrences: int
    hits: int
    missed: tuple[str, ...]
    outputs: int  # vocabulary terms written in the hypothesis
    false_terms: tuple[str, ...]
    other_words: int  # reference words outside the terms
    other_errors: int  # their substitutions, deletions and insertions
    heard: tuple[str, ...] = ()  # per missed term, the words written in its place ("" for none)


@dataclass(frozen=True)
class TermScore:
    """Counts summed over sentences, with the three rates they give."""

    sentences: int = 0
    occurrences: int = 0
    hits: int = 0
    outputs: int = 0
    false_terms: int = 0
    other_words: int = 0
    other_errors: int = 0

    @property
    def accuracy(self) -> float:
        return self.hits / self.occurrences if self.occurrences else 0.0

    @property
    def precision(self) -> float:
        return 1.0 - self.false_terms / self.outputs if self.outputs else 1.0

    @property
    def other_wer(self) -> float:
        return self.other_errors / self.other_words if self.other_words else 0.0

    def plus(self, o: TermScore) -> TermScore:
        return TermScore(self.sentences + o.sentences, self.occurrences + o.occurrences, self.hits + o.hits,
                         self.outputs + o.outputs, self.false_terms + o.false_terms,
                         self.other_words + o.other_words, self.other_errors + o.other_errors)

    def add(self, s: SentenceScore) -> TermScore:
        return TermScore(self.sentences + 1, self.occurrences + s.occurrences, self.hits + s.hits,
                         self.outputs + s.outputs, self.false_terms + len(s.false_terms),
                         self.other_words + s.other_words, self.other_errors + s.other_errors)


# --- the data file -------------------------------------------------------------------------------

def _need(entry: dict, key: str, kind: type, where: str) -> Any:
    if key not in entry:
        raise BankError(f"{where}: field '{key}' is missing")
    if not isinstance(entry[key], kind):
        raise BankError(f"{where}: field '{key}' should be {kind.__name__}, not {type(entry[key]).__name__}")
    return entry[key]


def _parse_span(raw: Any, text: str, where: str) -> TermSpan:
    if not isinstance(raw, dict):
        raise BankError(f"{where}: should be a table {{term, start, end}}")
    span = TermSpan(_need(raw, "term", str, where), _need(raw, "start", int, where), _need(raw, "end", int, where))
    if not 0 <= span.start < span.end <= len(text) or not text[span.start:span.end].strip():
        raise BankError(f"{where}: field 'end' or 'start' is outside the text or marks no word")
    return span


def parse_term_set(text: str, source: str) -> TermSet:
    """The sentences and spoken forms of a data file's text; errors name file, entry and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BankError(f"{source}: not valid TOML: {exc}") from None
    spoken = {}
    for key, forms in data.get("spoken", {}).items():
        if not isinstance(forms, list) or not all(isinstance(f, str) for f in forms):
            raise BankError(f"{source}: spoken '{key}': should be a list of strings")
        spoken[key] = tuple(forms)
    out, seen = [], set()
    for n, entry in enumerate(data.get("sentence", []), 1):
        where = f"{source}: sentence {n} ({entry.get('id', '?')})"
        sid, body = _need(entry, "id", str, where), _need(entry, "text", str, where)
        if sid in seen:
            raise BankError(f"{where}: field 'id' repeats an earlier sentence")
        seen.add(sid)
        split = _need(entry, "split", str, where)
        if split not in SPLITS:
            raise BankError(f"{where}: field 'split' is '{split}', not one of {', '.join(SPLITS)}")
        spans = tuple(_parse_span(raw, body, f"{where}: terms[{i}]")
                      for i, raw in enumerate(_need(entry, "terms", list, where)))
        out.append(TermSentence(sid, body, _need(entry, "source", str, where), spans, split))
    return TermSet(tuple(out), spoken)


def load_term_set(path: Path) -> TermSet:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise BankError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return parse_term_set(text, str(path))


def source_unit(source: str) -> str:
    """The unit of splitting: a repository (github:owner/name) or a web site (host without www.)."""
    if source.startswith("github:"):
        return "github:" + "/".join(source[len("github:"):].split("/")[:2])
    host = urlparse(source).netloc.lower()
    for prefix in ("www.", "mail."):
        host = host.removeprefix(prefix)
    return host


def fingerprint(sentences: Iterable[TermSentence]) -> str:
    """A hash of the sentences' ids, texts, sources, splits and term marks: it changes if any does."""
    h = hashlib.sha256()
    for s in sorted(sentences, key=lambda s: s.id):
        marks = ";".join(f"{t.term}@{t.start}:{t.end}" for t in s.terms)
        h.update("\0".join((s.id, s.text, s.source, s.split, marks, "")).encode())
    return h.hexdigest()


def frozen_fingerprint(split_file: Path) -> str:
    """The fingerprint of the test and heldout sentences recorded when they were frozen."""
    return tomllib.loads(split_file.read_text(encoding="utf-8")).get("frozen_fingerprint", "")


def frozen_splits_hold(term_set: TermSet, split_file: Path) -> bool:
    """True when the test and heldout sentences are the ones frozen in split.toml."""
    return fingerprint(term_set.split("test", "heldout")) == frozen_fingerprint(split_file)


# --- scoring -------------------------------------------------------------------------------------

def tokens(text: str) -> list[tuple[str, int, int]]:
    """The words of `normalize` (wer.py), each with the character span it came from."""
    low = text.lower().replace("-", " ")
    out = []
    for m in _TOKEN.finditer(low):
        tok = m.group().strip("'").replace(",", "")
        if tok == "%":
            words = ["percent"]
        elif tok.isdigit() and len(tok) <= 12:
            words = number_words(int(tok))
        else:
            words = [tok] if tok else []
        out += [(w, m.start(), m.end()) for w in words]
    return out


def key(words: Sequence[str]) -> str:
    """What two spellings of a term share: the normalized words joined, apostrophes dropped."""
    return "".join(words).replace("'", "")


def forms(written: str, spoken: dict[str, tuple[str, ...]]) -> set[str]:
    """The keys a written term may appear as: itself and its spoken forms."""
    said = spoken.get(written, ()) + spoken.get(written.lower(), ())
    return {key(normalize(f)) for f in (written, *said)} - {""}


def vocabulary(term_set: TermSet, extra: Iterable[str] = ()) -> frozenset[str]:
    """Every key a term of the set, or an `extra` term (the bank's glossary, a lexicon), may be
    written as: what a false term is looked for among."""
    out: set[str] = set()
    for s in term_set.sentences:
        for t in s.terms:
            out |= forms(t.term, term_set.spoken) | forms(s.surface(t), term_set.spoken)
    for term in extra:
        out |= forms(term, term_set.spoken)
    return frozenset(out)


def _matches(k: str, wanted: set[str] | frozenset[str]) -> bool:
    """The key is wanted, or is a wanted key with a plural or possessive "s"."""
    return k in wanted or (len(k) > 2 and k.endswith("s") and k[:-1] in wanted)


def align(ref: Sequence[str], hyp: Sequence[str]) -> list[tuple[int | None, int | None]]:
    """Word alignment by edit distance: pairs (ref index, hyp index), None for a gap."""
    n, m = len(ref), len(hyp)
    cost = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        cost[i][0] = i
    for j in range(m + 1):
        cost[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: list[tuple[int | None, int | None]] = []
    i, j = n, m
    while i or j:
        if i and j and cost[i][j] == cost[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif i and cost[i][j] == cost[i - 1][j] + 1:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    return pairs[::-1]


def _place(pairs: Sequence[tuple[int | None, int | None]], wanted: set[int], index: int) -> tuple[int, int]:
    """The range of the other side's positions aligned to `wanted` (side `index` of the pairs)."""
    other = 1 - index
    at, lo, hi = 0, None, None
    for pair in pairs:
        if pair[other] is not None:
            at = pair[other] + 1
        if pair[index] in wanted:
            here = pair[other] if pair[other] is not None else at
            lo = here if lo is None else min(lo, here)
            hi = here if hi is None else max(hi, here)
    return (lo or 0, hi if hi is not None else 0)


def _found(words: Sequence[str], lo: int, hi: int, wanted: set[str] | frozenset[str]) -> tuple[int, int] | None:
    """The run of words in [lo - SLACK, hi + SLACK] whose key is wanted, nearest to lo first."""
    a, b = max(0, lo - SLACK), min(len(words), hi + SLACK + 1)
    runs = sorted(((start, size) for size in range(1, MAX_TERM_WORDS + 1) for start in range(a, b - size + 1)),
                  key=lambda r: (abs(r[0] - lo), r[1]))
    for start, size in runs:
        if _matches(key(words[start:start + size]), wanted):
            return start, start + size
    return None


def _heard_for(pairs: Sequence[tuple[int | None, int | None]], mine: set[int]) -> set[int]:
    """The hypothesis words heard in place of a missed term: those aligned with its words, and the
    inserted words next to them ("item potent" for "idempotent" is one term missed, not an insertion)."""
    at = [k for k, (r, _) in enumerate(pairs) if r in mine]
    if not at:
        return set()
    lo, hi = at[0], at[-1]
    while lo > 0 and pairs[lo - 1][0] is None:
        lo -= 1
    while hi + 1 < len(pairs) and pairs[hi + 1][0] is None:
        hi += 1
    return {j for _, j in pairs[lo:hi + 1] if j is not None}


def _term_outputs(hyp: Sequence[str], vocab: frozenset[str]) -> list[tuple[int, int]]:
    """Vocabulary terms written in the hypothesis: longest first, not overlapping."""
    out, i = [], 0
    while i < len(hyp):
        for size in range(min(MAX_TERM_WORDS, len(hyp) - i), 0, -1):
            if _matches(key(hyp[i:i + size]), vocab):
                out.append((i, i + size))
                i += size
                break
        else:
            i += 1
    return out


def score_sentence(sentence: TermSentence, hypothesis: str, spoken: dict[str, tuple[str, ...]],
                   vocab: frozenset[str]) -> SentenceScore:
    """Hits, false terms and non-term word errors of one hypothesis (see the module docstring)."""
    ref_tokens = tokens(sentence.text)
    ref = [w for w, _, _ in ref_tokens]
    hyp = normalize(hypothesis)
    pairs = align(ref, hyp)
    hits, missed, heard, term_ref, used_hyp, used_hits = 0, [], [], set(), set(), set()
    for span in sentence.terms:
        mine = {i for i, (_, a, b) in enumerate(ref_tokens) if a < span.end and b > span.start}
        term_ref |= mine
        wanted = forms(span.term, spoken) | forms(sentence.surface(span), spoken)
        lo, hi = _place(pairs, mine, 0)
        run = _found(hyp, lo, hi, wanted) if mine else None
        if run:
            hits += 1
            used_hyp |= set(range(*run))
            used_hits |= set(range(*run))
        else:
            missed.append(span.term)
            instead = _heard_for(pairs, mine)
            heard.append(" ".join(hyp[j] for j in sorted(instead)))
            used_hyp |= instead
    outputs = _term_outputs(hyp, vocab)
    false_terms = []
    for a, b in outputs:
        if used_hits & set(range(a, b)):
            continue
        lo, hi = _place(pairs, set(range(a, b)), 1)
        if _found(ref, lo, hi, {key(hyp[a:b]).removesuffix("s"), key(hyp[a:b])}) is None:
            false_terms.append(" ".join(hyp[a:b]))
    other_ref = [w for i, w in enumerate(ref) if i not in term_ref]
    other_hyp = [w for j, w in enumerate(hyp) if j not in used_hyp]
    errors = round(word_error_rate(" ".join(other_ref), " ".join(other_hyp)) * len(other_ref)) if other_ref else 0
    return SentenceScore(len(sentence.terms), hits, tuple(missed), len(outputs), tuple(false_terms),
                         len(other_ref), errors, tuple(heard))


def total(scores: Iterable[SentenceScore]) -> TermScore:
    out = TermScore()
    for s in scores:
        out = out.add(s)
    return out


__all__ = [
    "SPLITS",
    "SentenceScore",
    "TermScore",
    "TermSentence",
    "TermSet",
    "TermSpan",
    "align",
    "fingerprint",
    "forms",
    "frozen_fingerprint",
    "frozen_splits_hold",
    "key",
    "load_term_set",
    "parse_term_set",
    "score_sentence",
    "source_unit",
    "tokens",
    "total",
    "vocabulary",
]
