"""Time the voice measures: what is left after the answer ends, and a whole-file review.

For each answer length an espeak-ng answer is generated (bench/answers.py sentences and pauses;
word times spread evenly over each spoken sentence, as a transcript would give them). Practice:
the answer is fed to `VoiceTracker` in 100 ms int16 blocks, as the session feeds it while
recording, faster than real time, so the worker is let catch up (`drain`) before the end, as
it does at real time; what counts is the time from the last block to the measures (`finish` +
`measure_voice`), which is added to the feedback latency. Review: `analyse_audio` on the whole
file. Budgets: 1.0 s feedback in all (aim 0.2 s for the voice part), 3 s for a 10-minute review.

    .venv/bin/python bench/voice.py                      # 1, 3, 10, 20 min; review of 10 min
    .venv/bin/python bench/voice.py --minutes 1 --review-minutes 1
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from answers import RATE, SENTENCES, synthesize  # noqa: E402

from voiceprep.analysis.voice import VoiceTracker, analyse_audio, measure_voice  # noqa: E402
from voiceprep.core.transcript import Transcript, Word  # noqa: E402


def answer(seconds: float, seed: int = 1) -> tuple[np.ndarray, Transcript]:
    rng = random.Random(seed)
    cache: dict[str, np.ndarray] = {}
    parts, words, t = [np.zeros(RATE // 2, np.float32)], [], 0.5
    while t < seconds:
        sentence = rng.choice(SENTENCES)
        if sentence not in cache:
            cache[sentence] = synthesize(sentence, 160)
        speech = cache[sentence]
        d = len(speech) / RATE
        ws = sentence.split()
        words += [Word(" " + w, t + d * k / len(ws), t + d * (k + 1) / len(ws)) for k, w in enumerate(ws)]
        pause = rng.uniform(2.0, 4.0) if rng.random() < 0.08 else rng.uniform(0.3, 1.0)
        parts += [speech, np.zeros(int(pause * RATE), np.float32)]
        t += d + pause
    audio = np.concatenate(parts)
    return audio, Transcript.from_words(words, len(audio) / RATE)


def practice(audio: np.ndarray, transcript: Transcript) -> dict:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    tracker = VoiceTracker()
    worst_block = 0.0
    t0 = time.perf_counter()
    for i in range(0, len(pcm), RATE // 10):
        b0 = time.perf_counter()
        tracker.feed(pcm[i: i + RATE // 10])
        worst_block = max(worst_block, time.perf_counter() - b0)
    fed = time.perf_counter() - t0
    c0 = time.process_time()
    tracker.drain()  # fed faster than real time: let the worker catch up, as it does at real time
    worker_cpu = time.process_time() - c0
    t1, c1 = time.perf_counter(), time.process_time()
    voice = measure_voice(tracker.finish(), transcript)
    after, cpu = time.perf_counter() - t1, time.process_time() - c1
    return {"after_answer_s": round(after, 3), "after_answer_cpu_s": round(cpu, 3), "feeding_s": round(fed, 2),
            "worker_cpu_per_audio_min_s": round(worker_cpu / (len(audio) / RATE / 60), 3),
            "slowest_block_s": round(worst_block, 3), "monotone": len(voice.monotone), "reliable": voice.reliable}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", default="1,3,10,20")
    ap.add_argument("--review-minutes", type=float, default=10.0)
    args = ap.parse_args()
    out: dict = {"load_average": [round(x, 2) for x in os.getloadavg()], "practice": {}, "review": None}
    for m in [float(x) for x in args.minutes.split(",") if x]:
        audio, transcript = answer(60 * m)
        out["practice"][f"{m:g} min"] = practice(audio, transcript)
        print(f"{m:g} min: {out['practice'][f'{m:g} min']}", file=sys.stderr)
    if args.review_minutes:
        audio, transcript = answer(60 * args.review_minutes)
        best, cpu = float("inf"), float("inf")
        for _ in range(2):
            t0, c0 = time.perf_counter(), time.process_time()
            analyse_audio(audio, transcript)
            best, cpu = min(best, time.perf_counter() - t0), min(cpu, time.process_time() - c0)
        out["review"] = {"minutes": args.review_minutes, "seconds": round(best, 2), "cpu_s": round(cpu, 2)}
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(out, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
