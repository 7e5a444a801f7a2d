"""How many lexicon terms a window's prompt can hold: the term set's dev sentences at several sizes.

Each dev sentence of tests/data/terms/sentences.toml is spoken by one voice of tools/terms_eval.py
(its cached audio is reused) and transcribed as `voiceprep review` does, with the prompt's terms
chosen from the lexicon (WhisperTranscriber(prompt_terms=N)), or the fixed glossary of before
(`fixed`), or the terms as faster-whisper hotwords (`hotwordsN`). The words and their probabilities
are kept (--words), so the corrections after decoding can be tuned on them without transcribing
again (--rescore). Only the dev split: the test and heldout sentences are never looked at here.

    .venv/bin/python tools/prompt_terms_sweep.py --sizes fixed,0,12,24,48 --words /tmp/sweep.jsonl
    .venv/bin/python tools/prompt_terms_sweep.py --rescore /tmp/sweep.jsonl   # raw and corrected
    .venv/bin/python tools/prompt_terms_sweep.py --timing    # what choosing and correcting cost
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Sequence

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

import terms_eval

from voiceprep.analysis.terms import TermScore, load_term_set, score_sentence, vocabulary
from voiceprep.core.bank import load_bank
from voiceprep.core.errors import NoSpeechError
from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.lexicon import CorrectionPolicy, correct, index_for
from voiceprep.hearing.whisper import WhisperTranscriber


def transcriber(size: str) -> WhisperTranscriber:
    if size == "fixed":
        return WhisperTranscriber(biased=False)
    if size.startswith("hotwords"):
        return WhisperTranscriber(prompt_terms=int(size[len("hotwords"):]), hotwords=True)
    return WhisperTranscriber(prompt_terms=int(size))


def sweep(sizes: Sequence[str], voice: str, out: Path) -> None:
    sentences = load_term_set(terms_eval.DATA).split("dev")
    bank = load_bank()
    with out.open("a") as f:
        for size in sizes:
            t = transcriber(size)
            for s in sentences:
                category, question = terms_eval.closest_question(bank, s.text)
                vocab = bank.vocabulary_for(category, question)
                audio = terms_eval.speak(terms_eval.VOICES[voice], s.text, terms_eval.default_cache())
                try:
                    words = [[w.word, w.start, w.end, w.probability] for w in t.transcribe(audio, vocab).words]
                except NoSpeechError:
                    words = []
                f.write(json.dumps({"size": size, "voice": voice, "id": s.id, "vocab": vocab, "words": words}) + "\n")
                f.flush()


def rescore(path: Path, policy: CorrectionPolicy) -> None:
    term_set = load_term_set(terms_eval.DATA)
    dev = {s.id: s for s in term_set.split("dev")}
    bank = load_bank()  # precision over the same terms as tools/terms_eval.py: set, glossaries, lexicon
    vocab, index = vocabulary(term_set, terms_eval.glossary(bank)), index_for(bank.lexicon)
    scores: dict[tuple[str, str, str], TermScore] = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        sentence = dev.get(row["id"])
        if sentence is None:
            continue  # not (or no longer) a dev sentence
        raw = Transcript.from_words([Word(*w) for w in row["words"]])
        for how, t in (("raw", raw), ("corrected", correct(raw, index, row["vocab"], policy) if raw.words else raw)):
            key = (row["voice"], row["size"], how)
            scores[key] = scores.get(key, TermScore()).add(score_sentence(sentence, t.text, term_set.spoken, vocab))
    print("| voice | prompt terms | output | sentences | term accuracy | term precision | non-term WER |")
    print("|---|---|---|---:|---:|---:|---:|")
    for (voice, size, how), s in scores.items():
        print(f"| {voice} | {size} | {how} | {s.sentences} | {s.accuracy:.1%} ({s.hits}/{s.occurrences}) | "
              f"{s.precision:.1%} ({s.outputs - s.false_terms}/{s.outputs}) | "
              f"{s.other_wer:.1%} ({s.other_errors}/{s.other_words}) |")


def timing(repeats: int = 200) -> None:
    """What choosing a window's terms and correcting an answer cost, on the bundled demo answer."""
    from voiceprep.testing import timed_transcript

    bank = load_bank()
    started = time.perf_counter()
    index = index_for(bank.lexicon)
    loaded = time.perf_counter() - started
    answer = timed_transcript((ROOT / "voiceprep" / "data" / "answer_url_shortener.txt").read_text())
    question = bank.question("sd-url-shortener")
    vocab = bank.vocabulary_for(question.category, question)
    heard = "".join(w.word for w in answer.words[-40:])
    started = time.perf_counter()
    for _ in range(repeats):
        index.choose(vocab, heard, 48)
    chose = (time.perf_counter() - started) / repeats
    started = time.perf_counter()
    for _ in range(10):
        correct(answer, index, vocab)
    corrected = (time.perf_counter() - started) / 10
    print(f"lexicon read and indexed once: {loaded * 1000:.0f} ms; choosing 48 terms: {chose * 1000:.2f} ms; "
          f"correcting a {len(answer.words)}-word answer: {corrected * 1000:.0f} ms")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="fixed,0,12,24,48", help="comma-separated: fixed, N, hotwordsN")
    p.add_argument("--voice", default="espeak-us-f2-170", choices=sorted(terms_eval.VOICES))
    p.add_argument("--words", type=Path, help="append each clip's words here (JSON lines)")
    p.add_argument("--rescore", type=Path, help="score a --words file, raw and corrected")
    p.add_argument("--timing", action="store_true", help="what choosing terms and correcting cost")
    args = p.parse_args(argv)
    if args.timing:
        timing()
        return 0
    if args.rescore:
        rescore(args.rescore, CorrectionPolicy())
        return 0
    if not args.words:
        p.error("give --words FILE (or --rescore FILE)")
    sweep(args.sizes.split(","), args.voice, args.words)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
