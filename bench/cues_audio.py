"""Cue accuracy through the whole audio path: corpus answers spoken by espeak-ng voices, heard by
Whisper tiny.en as `voiceprep review` hears them, judged by the rules and the detector.

    .venv/bin/python bench/cues_audio.py [--split test] [--voices en-us,en+f3] [--limit N]

Prints per-cue precision/recall/F1 and macro-F1 per voice, beside the same answers as text.
The speech is made here and thrown away; nothing is stored.
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

from voiceprep.analysis.corpus import load_corpus  # noqa: E402
from voiceprep.analysis.evaluate import macro_f1, summary_table, tally  # noqa: E402
from voiceprep.analysis.report import analyse_answer  # noqa: E402
from voiceprep.analysis.semantic import Detector  # noqa: E402
from voiceprep.audio.wav import decode  # noqa: E402
from voiceprep.core.bank import load_bank  # noqa: E402
from voiceprep.core.transcript import Transcript  # noqa: E402
from voiceprep.hearing.runtime import configure_process  # noqa: E402
from voiceprep.hearing.whisper import WhisperTranscriber  # noqa: E402


def spoken(text: str, voice: str, folder: Path) -> Path:
    path = folder / "answer.wav"
    subprocess.run(["espeak-ng", "-v", voice, "-s", "160", "-w", str(path), text], check=True)
    return path


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--split", default="test")
    p.add_argument("--voices", default="en-us,en+f3")
    p.add_argument("--limit", type=int, default=0)
    args = p.parse_args()
    configure_process()
    bank, detector, whisper = load_bank(), Detector.load(), WhisperTranscriber()
    answers = [a for a in load_corpus(ROOT / "tests" / "data" / "corpus") if a.split == args.split]
    answers = answers[:args.limit] if args.limit else answers
    rows = {"text": tally(answers, [_verdicts(Transcript(text=a.text), a, bank, detector) for a in answers], bank)}
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory() as tmp:
        for voice in args.voices.split(","):
            said = []
            for a in answers:
                audio = decode(spoken(a.text, voice, Path(tmp)))
                said.append(_verdicts(whisper.transcribe(audio, bank.vocabulary_for(a.category)), a, bank, detector))
            rows[voice] = tally(answers, said, bank)
            print(f"[{time.monotonic() - t0:.0f} s] {voice}: macro-F1 {macro_f1(rows[voice]):.3f}", flush=True)
    print(f"{args.split} split, {len(answers)} answers, rules and detector together (as voiceprep reports):")
    print(summary_table(rows))
    return 0


def _verdicts(transcript: Transcript, answer, bank, detector) -> dict[str, bool]:
    report = analyse_answer(transcript, bank, answer.category, None, None, detector)
    return {c.cue.id: c.hit for c in report.cues}


if __name__ == "__main__":
    sys.exit(main())
