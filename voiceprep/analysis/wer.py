"""Word error rate: how far a transcript is from the script that was spoken.

Both sides are normalised the same way (case, punctuation, hyphens, numbers written
as digits or words), so the rate counts misheard words, not spelling conventions.
"""

from __future__ import annotations

import re

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
         "sixteen seventeen eighteen nineteen").split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_TOKEN = re.compile(r"[a-z0-9']+")


def number_words(n: int) -> list[str]:
    """0 <= n < 10**12 as words: 4000 -> ['four', 'thousand']."""
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        return [_TENS[n // 10]] + ([_ONES[n % 10]] if n % 10 else [])
    if n < 1000:
        return [_ONES[n // 100], "hundred"] + (number_words(n % 100) if n % 100 else [])
    for size, name in ((10**9, "billion"), (10**6, "million"), (1000, "thousand")):
        if n >= size:
            return number_words(n // size) + [name] + (number_words(n % size) if n % size else [])
    raise ValueError(n)


def normalize(text: str) -> list[str]:
    """Lower-case words with digits spelled out: "5,000 QPS" -> five thousand qps."""
    text = text.lower().replace("%", " percent").replace("-", " ")
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    words: list[str] = []
    for tok in _TOKEN.findall(text):
        tok = tok.strip("'")
        if tok.isdigit() and len(tok) <= 12:
            words += number_words(int(tok))
        elif tok:
            words.append(tok)
    return words


def word_error_rate(reference: str, hypothesis: str) -> float:
    """(substitutions + deletions + insertions) / reference words, by edit distance."""
    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / len(ref)


__all__ = ["word_error_rate", "normalize", "number_words"]
