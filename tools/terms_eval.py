"""Technical terms on new voices: the term test set spoken by several voices, heard by voiceprep.

Every sentence of tests/data/terms/sentences.toml is spoken by each voice below (espeak-ng
variants the tests never use, and the Piper neural voice), the audio cached under
~/.cache/voiceprep/terms_audio (or --cache), and transcribed the way `voiceprep review`
transcribes a file: WhisperTranscriber(model).transcribe(audio, bank.vocabulary_for(category,
question)), with the system-design or concurrency question whose vocabulary the sentence shares
most (its category's vocabulary alone when none shares any). Scoring is
voiceprep.analysis.terms: term accuracy (hits / occurrences), term precision (terms written that
were said / terms written) and the word error rate of the words outside the terms.

    .venv/bin/python tools/terms_eval.py                  # dev + test, every voice, --lexicon off
    .venv/bin/python tools/terms_eval.py --lexicon on     # with lexicon biasing (issue 16, items 2-3)
    .venv/bin/python tools/terms_eval.py --voices piper-joe --splits dev --records /tmp/dev.jsonl
    .venv/bin/python tools/terms_eval.py --heldout        # adds the set-aside quarter (scored since 2026-12-01)

`build_transcriber` is the one place that decides what "--lexicon off" and "--lexicon on" mean.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TextIO

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceprep.analysis.terms import (
    SentenceScore,
    TermScore,
    TermSentence,
    TermSet,
    load_term_set,
    score_sentence,
    vocabulary,
)
from voiceprep.core.bank import Bank, Question, load_bank
from voiceprep.core.errors import NoSpeechError

DATA = ROOT / "tests" / "data" / "terms" / "sentences.toml"
CATEGORIES = ("system_design", "concurrency")


@dataclass(frozen=True)
class Voice:
    """A synthetic speaker: espeak-ng with its arguments, or Piper at a length scale."""

    name: str
    engine: str  # "espeak" | "piper"
    args: tuple[str, ...] = ()
    length_scale: float | None = None


# The tests speak with espeak-ng's default voice ("en") at 160 wpm; none of these is that voice.
VOICES = {v.name: v for v in (
    Voice("espeak-us-f2-170", "espeak", ("-v", "en-us+f2", "-s", "170")),
    Voice("espeak-gb-rp-m3-150", "espeak", ("-v", "en-gb-x-rp+m3", "-s", "150")),
    Voice("espeak-en-f3-185", "espeak", ("-v", "en+f3", "-s", "185")),
    Voice("piper-joe", "piper"),
)}


def default_cache() -> Path:
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "voiceprep" / "terms_audio"


def speak(voice: Voice, text: str, cache: Path) -> np.ndarray:
    """The sentence spoken by `voice`, 16 kHz mono float32; synthesized once, then read from the cache."""
    from voiceprep.audio.wav import decode, write_wav

    path = cache / voice.name / (hashlib.sha256(text.encode()).hexdigest()[:20] + ".wav")
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.wav")
        if voice.engine == "espeak":
            subprocess.run(["espeak-ng", *voice.args, "-w", str(tmp), text], check=True, capture_output=True)
        else:
            from voiceprep.audio.piper import synthesize
            write_wav(tmp, synthesize(text, voice.length_scale))
        os.replace(tmp, path)
    return decode(path)


def closest_question(bank: Bank, text: str) -> tuple[str, Question | None]:
    """The system-design or concurrency question whose vocabulary the sentence shares most."""
    low = text.lower()
    best: tuple[int, str, Question | None] = (0, CATEGORIES[0], None)
    for category in CATEGORIES:
        for q in bank.list_questions(category):
            shared = sum(1 for v in bank.vocabulary_for(category, q) if v.lower() in low)
            if shared > best[0]:
                best = (shared, category, q)
    return best[1], best[2]


def glossary(bank: Bank) -> list[str]:
    """Terms a transcript may write that the term set does not mark: every category's and question's
    vocabulary, and the domain lexicon's terms and spoken forms when there is one. The same list
    serves --lexicon off and on, so their term precision counts the same terms."""
    out = [v for c in bank.categories for q in [None, *bank.list_questions(c)] for v in bank.vocabulary_for(c, q)]
    try:
        from voiceprep.core.lexicon import load_lexicon
    except ImportError:
        return out
    for term in load_lexicon().terms:
        out += [term.term, *(" ".join(words) for words in term.spoken)]
    return out


def rescore(term_set: TermSet, lines: Sequence[str], bank: Bank) -> Results:
    """Scores of recorded hypotheses (--records of an earlier run), by the current scoring."""
    vocab = vocabulary(term_set, glossary(bank))
    by_id = {s.id: s for s in term_set.sentences}
    out = Results()
    for line in lines:
        r = json.loads(line)
        sentence = by_id.get(r["id"])
        if sentence is not None and sentence.text == r["reference"]:  # sentences since dropped or changed: skipped
            out.add(r["voice"], sentence.split, sentence, r["hypothesis"],
                    score_sentence(sentence, r["hypothesis"], term_set.spoken, vocab))
    return out


def build_transcriber(lexicon: str, model: str | None):
    """The transcriber for "--lexicon off" (today's pipeline: the fixed glossary of the category's
    and question's first 12 terms) or "--lexicon on" (issue 16 items 2-3), and a note saying what
    that means now. This is the seam where the lexicon work plugs in."""
    from voiceprep.hearing.whisper import WhisperTranscriber

    biasing = "biased" in {f.name for f in fields(WhisperTranscriber)}
    if lexicon == "off":
        options = {"biased": False} if biasing else {}
        return WhisperTranscriber(model, **options), "lexicon off: fixed glossary (category + question terms, first 12)"
    if not biasing:
        return WhisperTranscriber(model), ("lexicon on is a NO-OP here: the lexicon biasing is not in "
                                           "voiceprep.hearing.whisper yet, so these are the --lexicon off figures")
    from voiceprep.core.lexicon import load_lexicon
    from voiceprep.hearing.lexicon import CorrectingTranscriber

    return CorrectingTranscriber(WhisperTranscriber(model), load_lexicon()), (
        "lexicon on: prompt terms chosen from the lexicon per window (biased=True), then misheard terms "
        "corrected after decoding (hearing.lexicon.correct), as `voiceprep review` does")


@dataclass
class Results:
    """Scores per (voice, split), and one record per transcribed clip."""

    scores: dict[tuple[str, str], TermScore] = field(default_factory=dict)
    records: list[dict] = field(default_factory=list)
    sink: TextIO | None = None  # each record is also written here as a JSON line, as it comes

    def add(self, voice: str, split: str, sentence: TermSentence, hypothesis: str, s: SentenceScore) -> None:
        self.scores[(voice, split)] = self.scores.get((voice, split), TermScore()).add(s)
        self.records.append({"voice": voice, "split": split, "id": sentence.id, "reference": sentence.text,
                             "hypothesis": hypothesis, "missed": list(s.missed), "false_terms": list(s.false_terms)})
        if self.sink is not None:
            self.sink.write(json.dumps(self.records[-1], ensure_ascii=False) + "\n")
            self.sink.flush()


def evaluate(term_set: TermSet, sentences: Sequence[TermSentence], voices: Sequence[Voice], transcriber,
             bank: Bank, cache: Path, progress: Callable[[str], None], sink: TextIO | None = None) -> Results:
    vocab = vocabulary(term_set, glossary(bank))
    out = Results(sink=sink)
    for voice in voices:
        started = time.monotonic()
        for n, sentence in enumerate(sentences, 1):
            category, question = closest_question(bank, sentence.text)
            audio = speak(voice, sentence.text, cache)
            try:
                hypothesis = transcriber.transcribe(audio, bank.vocabulary_for(category, question)).text
            except NoSpeechError:
                hypothesis = ""
            out.add(voice.name, sentence.split, sentence, hypothesis,
                    score_sentence(sentence, hypothesis, term_set.spoken, vocab))
            if n % 25 == 0:
                progress(f"{voice.name}: {n}/{len(sentences)} ({time.monotonic() - started:.0f} s)")
    return out


def render(results: Results, voices: Sequence[Voice], splits: Sequence[str], note: str, out: TextIO) -> None:
    out.write(f"# {note}\n")
    out.write("| voice | split | sentences | term accuracy | term precision | non-term WER |\n")
    out.write("|---|---|---:|---:|---:|---:|\n")
    for split in splits:
        rows = [(v.name, results.scores.get((v.name, split))) for v in voices]
        every = TermScore()
        for _, s in rows:
            if s:
                every = every.plus(s)
        for name, s in rows + [("all voices", every)]:
            if s and s.sentences:
                out.write(f"| {name} | {split} | {s.sentences} | {s.accuracy:.1%} ({s.hits}/{s.occurrences}) | "
                          f"{s.precision:.1%} ({s.outputs - s.false_terms}/{s.outputs}) | "
                          f"{s.other_wer:.1%} ({s.other_errors}/{s.other_words}) |\n")


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data", type=Path, default=DATA)
    p.add_argument("--splits", default="dev,test", help="comma-separated: dev, test (default dev,test)")
    p.add_argument("--heldout", action="store_true", help="also score the heldout quarter (set aside until 2026-12-01; make accuracy scores it)")
    p.add_argument("--voices", default=",".join(VOICES), help=f"comma-separated, of {', '.join(VOICES)}")
    p.add_argument("--lexicon", choices=("off", "on"), default="off")
    p.add_argument("--model", default=None, help="Whisper model as `voiceprep review --model` takes it")
    p.add_argument("--cache", type=Path, default=default_cache())
    p.add_argument("--limit", type=int, default=0, help="only the first N sentences of each split (quick look)")
    p.add_argument("--records", type=Path, help="write one JSON line per clip (hypothesis, missed, false terms)")
    p.add_argument("--rescore", type=Path, help="score the hypotheses of an earlier --records file; no audio")
    args = p.parse_args(argv)
    splits = [s for s in args.splits.split(",") if s]
    if "heldout" in splits and not args.heldout:
        p.error("the heldout split is scored only with --heldout")
    splits += ["heldout"] if args.heldout and "heldout" not in splits else []
    voices = [VOICES[v] for v in args.voices.split(",")]
    if any(v.engine == "piper" for v in voices) and not args.rescore:
        from voiceprep.audio.piper import voice_missing

        if why := voice_missing():
            print(f"piper voice skipped: {why}", file=sys.stderr)
            voices = [v for v in voices if v.engine != "piper"]
    term_set = load_term_set(args.data)
    chosen = [s for split in splits for s in term_set.split(split)[:args.limit or None]]
    if args.rescore:
        lines = [ln for ln in args.rescore.read_text(encoding="utf-8").splitlines() if ln.strip()]
        results = rescore(term_set, lines, load_bank())
        scored = set(results.scores)
        render(results, [v for v in voices if any(k[0] == v.name for k in scored)],
               [s for s in splits if any(k[1] == s for k in scored)], f"rescored {args.rescore}", sys.stdout)
        return 0
    transcriber, note = build_transcriber(args.lexicon, args.model)
    sink = args.records.open("w", encoding="utf-8") if args.records else None
    try:
        results = evaluate(term_set, chosen, voices, transcriber, load_bank(), args.cache,
                           lambda m: print(m, file=sys.stderr, flush=True), sink)
    finally:
        if sink is not None:
            sink.close()
    render(results, voices, splits, f"{note}; model {args.model or 'tiny.en'}; splits {', '.join(splits)}",
           sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
