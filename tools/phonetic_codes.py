"""Which phonetic code finds misheard terms best: metaphone, NYSIIS (jellyfish) or espeak-ng phonemes.

Recall: of the pairs (term, what tiny.en wrote for it) in a file tools/mine_confusions.py wrote,
how many come within a similarity threshold of one of the term's forms. False alarms: of the
1-3 word n-grams of plain text that names no lexicon term (the bundled demo answer and the
behavioral questions), how many come that close to any term. Cost: time per code.

    .venv/bin/python tools/phonetic_codes.py /tmp/heard.jsonl
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable, Sequence

import jellyfish

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceprep.core.bank import tomllib
from voiceprep.core.lexicon import load_lexicon, words_of
from voiceprep.hearing.lexicon import similarity

THRESHOLDS = (0.75, 0.8, 0.85, 1.0)


def pairs(path: Path) -> list[tuple[str, tuple[str, ...]]]:
    terms = {t.term: t for t in load_lexicon().terms}
    out = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        term, heard = terms.get(row["term"]), words_of(row.get("heard") or "")
        if term is not None and heard and heard not in term.forms and len(heard) <= 4:
            out.append((term.term, heard))
    return list(dict.fromkeys(out))


def plain_ngrams(forms: set[tuple[str, ...]]) -> list[tuple[str, ...]]:
    text = (ROOT / "voiceprep" / "data" / "answer_url_shortener.txt").read_text()
    bank = tomllib.loads((ROOT / "voiceprep" / "prompts" / "behavioral.toml").read_text())
    text += " ".join(q["text"] + " " + " ".join(q.get("follow_ups", [])) for q in bank["question"])
    toks = words_of(text)
    grams = dict.fromkeys(tuple(toks[i:i + n]) for n in (1, 2, 3) for i in range(len(toks) - n + 1))
    return [g for g in grams if not any(g[i:i + len(f)] == f for f in forms for i in range(len(g)))]


def espeak(strings: Sequence[str]) -> list[str]:
    out = subprocess.run(["espeak-ng", "-q", "-x", "--ipa", "-v", "en-us"], input="\n".join(strings),
                         capture_output=True, text=True, check=True).stdout
    return [re.sub(r"[ˈˌː_\s-]", "", line) for line in out.splitlines()]


def report(name: str, encode: Callable[[list[tuple[str, ...]]], list[str]], forms: list[tuple[str, tuple[str, ...]]],
           confused: list[tuple[str, tuple[str, ...]]], plain: list[tuple[str, ...]]) -> None:
    started = time.perf_counter()
    form_codes = encode([f for _t, f in forms])
    heard_codes = encode([h for _t, h in confused])
    plain_codes = encode(plain)
    cost = (time.perf_counter() - started) / (len(forms) + len(confused) + len(plain))
    by_term = list(zip([t for t, _f in forms], form_codes))
    for th in THRESHOLDS:
        found = sum(1 for (t, _h), c in zip(confused, heard_codes)
                    if any(tt == t and similarity(c, fc) >= th for tt, fc in by_term))
        alarms = sum(1 for c in plain_codes if len(c) >= 4 and any(similarity(c, fc) >= th for _t, fc in by_term))
        print(f"| {name} | {th} | {found / len(confused):.1%} ({found}/{len(confused)}) | "
              f"{alarms / len(plain):.2%} ({alarms}/{len(plain)}) | {cost * 1e6:.1f} µs |")


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 1:
        print(__doc__)
        return 2
    lexicon = load_lexicon()
    forms = [(t.term, f) for t in lexicon.terms for f in t.forms if not any(c.isdigit() for c in "".join(f))]
    confused = pairs(Path(args[0]))
    plain = plain_ngrams({f for _t, f in forms})
    print(f"{len(confused)} (term, heard) pairs, {len(plain)} plain n-grams")
    print("| code | similarity | recall | false alarms | cost a code |")
    print("|---|---:|---:|---:|---:|")
    report("metaphone", lambda ws: [jellyfish.metaphone("".join(w)) for w in ws], forms, confused, plain)
    report("NYSIIS", lambda ws: [jellyfish.nysiis("".join(w)) for w in ws], forms, confused, plain)
    report("espeak-ng IPA (one call per list)", lambda ws: espeak([" ".join(w) for w in ws]), forms, confused, plain)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
