"""What was said, and when: the data every analysis stage reads.

A `Transcript` comes from Whisper (words with times) or from plain text (no
words, no times). `sentences()` gives the same view of both, so the rubric and
the metrics never care where the text came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SENTENCE_END = re.compile(r"[.!?]+[\"')\]]*$")
# a point between digits ("1.8 megabytes") is a decimal point, not the end of a sentence
_TEXT_SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))+(?:[.!?]+[\"')\]]*|\n|$)")


@dataclass(frozen=True)
class Word:
    """One recognised word; `word` keeps Whisper's leading space and punctuation."""

    word: str
    start: float
    end: float
    probability: float = 1.0

    @property
    def text(self) -> str:
        return self.word.strip()

    @property
    def mid(self) -> float:
        """The middle of the word: which side of a cut, or of a stretch of speech, it lies on."""
        return (self.start + self.end) / 2


@dataclass(frozen=True)
class Correction:
    """A word put right after decoding (hearing/lexicon.py): `index` is the corrected word's place
    in Transcript.words, `original` the words Whisper wrote there, kept so the change can be
    shown and undone."""

    index: int
    original: tuple[Word, ...]
    corrected: str
    reason: str = ""

    @property
    def original_text(self) -> str:
        return "".join(w.word for w in self.original).strip().rstrip(".,?!;:")

    def to_dict(self) -> dict:
        return {"index": self.index, "original": self.original_text, "corrected": self.corrected,
                "reason": self.reason, "words": [_word_dict(w) for w in self.original]}

    @classmethod
    def from_dict(cls, data: dict) -> Correction:
        return cls(int(data["index"]), tuple(_word_of(w) for w in data.get("words", [])),
                   str(data.get("corrected", "")), str(data.get("reason", "")))


def _word_dict(w: Word) -> dict:
    return {"word": w.text, "raw": w.word, "start": round(w.start, 3), "end": round(w.end, 3),
            "probability": round(w.probability, 3)}


def _word_of(w: dict) -> Word:
    return Word(w.get("raw") or spaced(w["word"]), float(w["start"]), float(w["end"]),
                float(w.get("probability", 1.0)))


@dataclass(frozen=True)
class Sentence:
    """A sentence with its place in the text and, when known, in the recording."""

    text: str
    start: float | None
    end: float | None
    words: tuple[Word, ...] = ()
    index: int = 0
    char_start: int = 0  # offset of the sentence in the whole transcript text

    def time_at(self, offset: int) -> float | None:
        """Start time of the word holding character `offset` of this sentence."""
        if not self.words:
            return self.start
        pos = -len(self.words[0].word) + len(self.words[0].word.lstrip())
        for w in self.words:
            pos += len(w.word)
            if offset < pos:
                return w.start
        return self.words[-1].start


@dataclass
class Transcript:
    """The answer's text and, for audio, its timed words.

    `duration` is the length of the audio the words came from (None for text);
    it can exceed the last word's end when the answer ends in silence.
    """

    text: str
    words: list[Word] = field(default_factory=list)
    duration: float | None = None
    language: str = "en"
    corrections: list[Correction] = field(default_factory=list)  # terms put right, with what was heard

    @classmethod
    def from_words(cls, words: list[Word], duration: float | None = None) -> Transcript:
        return cls(text=_join(words), words=list(words), duration=duration)

    @property
    def timed(self) -> bool:
        return bool(self.words)

    def sentences(self) -> list[Sentence]:
        """Split into sentences: on Whisper's punctuation for timed words, on text otherwise."""
        if self.words:
            return _sentences_from_words(self.words)
        return _sentences_from_text(self.text)

    def to_dict(self) -> dict:
        out = {
            "text": self.text,
            "words": [_word_dict(w) for w in self.words],
            "duration_s": None if self.duration is None else round(self.duration, 3),
            "language": self.language,
        }
        if self.corrections:  # absent when nothing was corrected: files stay as they were
            out["corrections"] = [c.to_dict() for c in self.corrections]
        return out

    @classmethod
    def from_dict(cls, data: dict) -> Transcript:
        words = [_word_of(w) for w in data.get("words", [])]
        return cls(text=data["text"], words=words, duration=data.get("duration_s"),
                   language=data.get("language", "en"),
                   corrections=[Correction.from_dict(c) for c in data.get("corrections", [])])


def _sentences_from_words(words: list[Word]) -> list[Sentence]:
    out: list[Sentence] = []
    current: list[Word] = []
    char = 0

    def flush() -> None:
        nonlocal char
        if not current:
            return
        text = _join(current)
        out.append(Sentence(text, current[0].start, current[-1].end, tuple(current), len(out), char))
        char += len(text) + 1
        current.clear()

    for w in words:
        current.append(w)
        if _SENTENCE_END.search(w.text):
            flush()
    flush()
    return out


_ATTACHED = tuple(",.;:!?%)'’-")


def spaced(token: str) -> str:
    """A stripped token with the leading space Whisper would give it: none before ",000" or "-off"."""
    return token if token.startswith(_ATTACHED) else " " + token


def _join(words: list[Word]) -> str:
    """Whisper's words carry their own leading spaces ("5" ",000", " trade" "-off")."""
    return "".join(w.word for w in words).strip()


def _sentences_from_text(text: str) -> list[Sentence]:
    out: list[Sentence] = []
    for m in _TEXT_SENTENCE.finditer(text):
        raw = m.group(0)
        stripped = raw.strip()
        if not stripped:
            continue
        start = m.start() + (len(raw) - len(raw.lstrip()))
        out.append(Sentence(stripped, None, None, (), len(out), start))
    return out
