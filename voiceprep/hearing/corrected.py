"""A corrected transcript read back: its corrections taken back (`undo`) or named in one line
(`summary`). hearing/lexicon.py makes the corrections; this reads only what a transcript keeps of
them (Transcript.corrections), so stored attempts need no lexicon."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from voiceprep.core.transcript import Correction, Transcript, Word

_PUNCT = ".,?!;:"


def undo(transcript: Transcript, which: Sequence[int] | None = None) -> Transcript:
    """The transcript with corrections (positions in `corrections`; all when None) taken back:
    the original words return, and the other corrections' indexes follow."""
    chosen = set(range(len(transcript.corrections)) if which is None else which)
    by_index = {c.index: (k, c) for k, c in enumerate(transcript.corrections)}
    words: list[Word] = []
    kept: list[Correction] = []
    for i, w in enumerate(transcript.words):
        k, c = by_index.get(i, (None, None))
        if c is not None and k in chosen:
            words.extend(c.original)
            continue
        if c is not None:
            kept.append(replace(c, index=len(words)))
        words.append(w)
    return Transcript(text="".join(w.word for w in words).strip(), words=words, duration=transcript.duration, language=transcript.language,
                      corrections=kept)


def summary(transcript: Transcript, limit: int = 5) -> str:
    """One line for the terminal: "Corrected 2 terms: posters -> Postgres, ..." ("" if none)."""
    cs = transcript.corrections
    if not cs:
        return ""
    shown = ", ".join(f"{c.original_text} -> {transcript.words[c.index].text.rstrip(_PUNCT)}" for c in cs[:limit])
    more = f", and {len(cs) - limit} more" if len(cs) > limit else ""
    return f"Corrected {len(cs)} term{'s' if len(cs) != 1 else ''}: {shown}{more}"
