"""Generated spoken answers of a given length, with the script that was spoken.

Sentences of a system-design answer (clarifying questions, numbers, trade-offs, failure
modes, observability, fillers) are drawn at random and spoken one by one by espeak-ng;
between sentences goes a pause like a speaker's: mostly 0.3-1.0 s, sometimes a 2-4 s
thinking pause. Nothing is downloaded; the same seed gives the same answer.
"""

from __future__ import annotations

import random
import subprocess
import tempfile
import wave
from pathlib import Path

import numpy as np

RATE = 16000
SENTENCES = [
    "So, um, before I design anything, can I ask how many users we expect?",
    "I will assume ten million daily users and about five thousand requests per second at peak.",
    "Reads outnumber writes by roughly a hundred to one, so the read path matters most.",
    "Uh, the latency goal is two hundred milliseconds at the p99 for a redirect.",
    "I would put a cache in front of the database, and shard the database by user.",
    "The trade-off is that reads can be stale for a few seconds, so profiles are eventually consistent.",
    "Payments are different: there we need strong consistency and a single leader per account.",
    "If a cache node fails, requests fall back to the database behind a circuit breaker.",
    "Writes go into a Kafka topic first, so a slow consumer never blocks the user.",
    "Each consumer group commits its offset after the write, which gives us at least once delivery.",
    "To avoid duplicates, every event carries an idempotency key that the consumer checks.",
    "I would watch the error rate and the p99 latency on a dashboard, and page the on call engineer.",
    "We can add read replicas as traffic grows, and split hot shards when one gets too big.",
    "Um, the storage grows by about two terabytes a month, so after three years we hold seventy terabytes.",
    "Another option is a single big relational database, which is simpler but will not scale past one machine.",
    "I mean, the queue gives us back pressure, but it adds a second system to operate.",
    "For the first version I would keep one region and add a second region for disaster recovery later.",
    "Retries use exponential backoff with jitter, so a failing service is not flooded.",
    "Like, the hardest part is the hot key problem when one celebrity gets millions of reads.",
    "We would replicate every partition three times, across availability zones.",
    "A consistent hash ring lets us add cache nodes without moving most of the keys.",
    "Tracing every request end to end tells us which service adds the latency.",
    "You know, I would start simple, measure, and only then add the complexity.",
    "The cost is roughly forty thousand dollars a month for the cluster at this size.",
]


def synthesize(text: str, wpm: int = 160) -> np.ndarray:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.wav"
        subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(path), text], check=True, capture_output=True)
        with wave.open(str(path)) as w:
            rate = w.getframerate()
            pcm = np.frombuffer(w.readframes(w.getnframes()), np.int16).astype(np.float32) / 32768.0
    if rate != RATE:  # espeak-ng speaks at 22050 Hz
        n = int(len(pcm) * RATE / rate)
        pcm = np.interp(np.linspace(0, len(pcm) - 1, n), np.arange(len(pcm)), pcm).astype(np.float32)
    return pcm


def make_answer(seconds: float, seed: int = 1) -> tuple[np.ndarray, str]:
    """About `seconds` of answer audio and its script."""
    rng = random.Random(seed)
    cache: dict[tuple[str, int], np.ndarray] = {}
    parts: list[np.ndarray] = [np.zeros(int(0.5 * RATE), np.float32)]
    script: list[str] = []
    total = 0.5
    while total < seconds:
        sentence, wpm = rng.choice(SENTENCES), rng.choice((150, 160, 170))
        if (sentence, wpm) not in cache:
            cache[sentence, wpm] = synthesize(sentence, wpm)
        speech = cache[sentence, wpm]
        pause = rng.uniform(2.0, 4.0) if rng.random() < 0.08 else rng.uniform(0.3, 1.0)
        parts += [speech, np.zeros(int(pause * RATE), np.float32)]
        script.append(sentence)
        total += len(speech) / RATE + pause
    return np.concatenate(parts), " ".join(script)


def write_wav(path: Path, audio: np.ndarray) -> None:
    pcm = (np.clip(audio, -1, 1) * 32767).astype(np.int16)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())
