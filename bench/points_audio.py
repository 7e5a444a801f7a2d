"""Key-point accuracy through the whole audio path: the labeled answers of tests/data/points spoken
by synthetic voices (espeak-ng variants and Piper's neural voice), heard by Whisper tiny.en and
corrected by the lexicon as `voiceprep review` hears them, judged as its report judges them.

    .venv/bin/python bench/points_audio.py [--split test] [--voices espeak-us,piper-joe] [--limit N]

Prints precision, recall and macro-F1 per voice, beside the same answers as text, for the answers
by other people and for all. The speech is made in a temporary folder and thrown away.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voiceprep.analysis.points_evaluate import DATA, LabeledAnswer, Score, load_answers  # noqa: E402
from voiceprep.analysis.report import analyse_answer  # noqa: E402
from voiceprep.analysis.semantic import Detector  # noqa: E402
from voiceprep.audio.wav import decode, write_wav  # noqa: E402
from voiceprep.core.bank import Bank, load_bank  # noqa: E402
from voiceprep.core.stories import load_stories  # noqa: E402
from voiceprep.core.transcript import Transcript  # noqa: E402
from voiceprep.hearing.lexicon import correct_terms  # noqa: E402
from voiceprep.hearing.runtime import configure_process  # noqa: E402
from voiceprep.hearing.whisper import WhisperTranscriber  # noqa: E402

# None of these is the tests' own voice (espeak-ng "en" at 160 words a minute).
VOICES = {"espeak-us": ("-v", "en-us", "-s", "165"), "espeak-f3": ("-v", "en+f3", "-s", "175"), "piper-joe": ()}


def spoken(text: str, voice: str, folder: Path):
    """The answer spoken by `voice`, 16 kHz mono float32."""
    path = folder / "answer.wav"
    if voice == "piper-joe":
        from voiceprep.audio.piper import synthesize

        write_wav(path, synthesize(text))
    else:
        subprocess.run(["espeak-ng", *VOICES[voice], "-w", str(path), text], check=True, capture_output=True)
    return decode(path)


def made(transcript: Transcript, answer: LabeledAnswer, bank: Bank, stories: dict, detector: Detector) -> dict[str, bool]:
    """The points the report marks made, as `review` would judge the answer (question or story)."""
    if answer.source == "story":
        story = stories[answer.target.removeprefix("story:")]
        report = analyse_answer(transcript, bank, "behavioral", None, None, detector, story)
    else:
        question = bank.questions[answer.target]
        report = analyse_answer(transcript, bank, question.category, question, None, detector)
    return {r.point.id: r.hit for r in report.points}


def heard(audio, answer: LabeledAnswer, bank: Bank, whisper: WhisperTranscriber) -> Transcript:
    question = bank.questions.get(answer.target)
    category = question.category if question else "behavioral"
    vocabulary = bank.vocabulary_for(category, question)
    return correct_terms(whisper.transcribe(audio, vocabulary), bank.lexicon, vocabulary)


def scores(answers: list[LabeledAnswer], said: list[dict[str, bool]]) -> tuple[Score, Score]:
    """The scores of the answers by other people, and of all."""
    def of(keep) -> Score:
        return Score.of((s[p.id], p.id in a.hits) for a, s in zip(answers, said) if keep(a) for p in a.points)
    return of(lambda a: a.others), of(lambda a: True)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="test")
    p.add_argument("--voices", default="espeak-us,piper-joe")
    p.add_argument("--limit", type=int, default=0)
    args = p.parse_args()
    configure_process()
    bank, detector, whisper = load_bank(), Detector.load(), WhisperTranscriber()
    stories = load_stories([DATA / "prompts"], include_bundled=False)
    answers = [a for a in load_answers() if a.split == args.split]
    answers = answers[:args.limit] if args.limit else answers
    rows = {"text": scores(answers, [made(Transcript(text=a.text), a, bank, stories, detector) for a in answers])}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for voice in args.voices.split(","):
            said = [made(heard(spoken(a.text, voice, Path(tmp)), a, bank, whisper), a, bank, stories, detector)
                    for a in answers]
            rows[voice] = scores(answers, said)
            print(f"[{time.monotonic() - t0:.0f} s] {voice}: macro-F1 {rows[voice][0].macro_f1:.3f} by other people",
                  flush=True)
    print(f"{args.split} split, {len(answers)} answers ({sum(a.others for a in answers)} by other people), "
          "points as voiceprep reports them (precision / recall / macro-F1):")
    print(f"{'':<12} {'by other people':>24} {'all':>24}")
    for name, (others, every) in rows.items():
        cells = [f"{s.precision:.3f} / {s.recall:.3f} / {s.macro_f1:.3f}" for s in (others, every)]
        print(f"{name:<12} {cells[0]:>24} {cells[1]:>24}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
