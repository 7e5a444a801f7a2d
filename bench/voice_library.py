"""Which pitch tracker for the voice measures: Praat (praat-parselmouth) against librosa's pyin.

Measures, on this machine, seconds of CPU per minute of 16 kHz audio and pitch accuracy:
- synthetic voiced signals with a known f0 (harmonic tones and glides, numpy), error in cents
  and the share of voiced frames found;
- espeak-ng speech at pitch settings -p 20/50/80 (median f0 must rise with the setting) and
  with SSML prosody range x-low / x-high (spread in semitones must be larger for x-high).
librosa is only needed to run this comparison, not by voiceprep (`pip install librosa`).

    .venv/bin/python bench/voice_library.py          # prints one JSON document
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
import wave
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
SR = 16000
FLOOR, CEILING, STEP = 75.0, 500.0, 0.01
TEXT = ("We store each message in a partitioned log. Readers poll their partition and commit offsets. "
        "When a broker fails, a replica takes over within seconds. This keeps latency low for most users.")


def harmonic(f0: np.ndarray, seed: int = 0) -> np.ndarray:
    """A voice-like signal: 10 harmonics with falling amplitude following `f0` (Hz per sample)."""
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 11))
    x = 0.3 * x / np.max(np.abs(x))
    return (x + np.random.default_rng(seed).normal(0, 0.003, len(x))).astype(np.float32)


def synthetic() -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(name, audio, true f0 per sample): steady tones, glides, and a vibrato-like contour."""
    n = SR * 10
    t = np.arange(n) / SR
    cases = [("steady 110 Hz", np.full(n, 110.0)), ("steady 220 Hz", np.full(n, 220.0)),
             ("glide 90-180 Hz", 90 * 2 ** (t / 10)), ("glide 300-150 Hz", 300 * 2 ** (-t / 10)),
             ("contour 140 Hz +-3 st", 140 * 2 ** (3 / 12 * np.sin(2 * np.pi * 0.5 * t)))]
    return [(name, harmonic(f0, i), f0) for i, (name, f0) in enumerate(cases)]


def praat(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import parselmouth
    p = parselmouth.Sound(audio.astype(np.float64), SR).to_pitch_ac(time_step=STEP, pitch_floor=FLOOR,
                                                                     pitch_ceiling=CEILING)
    return p.xs(), p.selected_array["frequency"]


def pyin(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    import librosa
    f0, voiced, _ = librosa.pyin(audio, fmin=FLOOR, fmax=CEILING, sr=SR, frame_length=1024,
                                 hop_length=int(SR * STEP))
    times = librosa.times_like(f0, sr=SR, hop_length=int(SR * STEP))
    return times, np.where(voiced, np.nan_to_num(f0), 0.0)


def praat_as_used(audio: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Praat as voiceprep runs it (voiceprep/analysis/voice.py): 8 kHz, a frame every 20 ms."""
    from voiceprep.analysis.voice import analyse_frames
    f = analyse_frames(audio)
    return f.times, f.f0


TRACKERS = {"praat": praat, "praat_8k_20ms": praat_as_used, "pyin": pyin}


def accuracy(track, audio: np.ndarray, truth: np.ndarray) -> dict:
    times, f0 = track(audio)
    idx = np.clip((times * SR).astype(int), 0, len(truth) - 1)
    voiced = f0 > 0
    cents = 1200 * np.abs(np.log2(f0[voiced] / truth[idx][voiced]))
    return {"voiced_share": round(float(voiced.mean()), 3), "median_error_cents": round(float(np.median(cents)), 1),
            "gross_errors": round(float(np.mean(cents > 50)), 3)}


def speed(track, minutes: float = 1.0) -> float:
    """CPU-seconds of wall time per minute of audio (one minute of glides, best of two)."""
    t = np.arange(int(SR * 60 * minutes)) / SR
    audio = harmonic(150 * 2 ** (np.sin(2 * np.pi * 0.2 * t) / 4))
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        track(audio)
        best = min(best, time.perf_counter() - t0)
    return round(best / minutes, 3)


def espeak(path: Path, text: str, *args: str) -> np.ndarray:
    subprocess.run(["espeak-ng", "-w", str(path), *args, text], check=True)
    with wave.open(str(path), "rb") as w:
        rate, data = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    x = data.astype(np.float32) / 32768
    return np.interp(np.arange(0, len(x), rate / SR), np.arange(len(x)), x).astype(np.float32)


def speech(track, folder: Path) -> dict:
    out = {}
    variants = {"-p 20": ("-p", "20"), "-p 50": ("-p", "50"), "-p 80": ("-p", "80")}
    for name, args in variants.items():
        _, f0 = track(espeak(folder / "p.wav", TEXT, *args))
        out[name] = {"median_hz": round(float(np.median(f0[f0 > 0])), 1)}
    for name in ("x-low", "x-high"):
        audio = espeak(folder / "r.wav", f'<speak><prosody range="{name}">{TEXT}</prosody></speak>', "-m")
        _, f0 = track(audio)
        st = 12 * np.log2(f0[f0 > 0] / np.median(f0[f0 > 0]))
        out[f"range {name}"] = {"sd_st": round(float(np.std(st)), 2)}
    return out


def noise_robustness() -> dict:
    """Praat as used, on a +-3 st contour with pauses, with white noise added at known SNRs: how far
    pitch and spread drift, and what measure_voice reports as the SNR (voiceprep's reliability gate)."""
    from voiceprep.analysis.voice import analyse_frames, measure_voice, spread_st
    from voiceprep.core.transcript import Transcript, Word

    t = np.arange(SR * 30) / SR
    on = (t % 3) < 2.5
    truth = 140 * 2 ** (3 / 12 * np.sin(2 * np.pi * 0.4 * t))
    clean = harmonic(truth) * on
    rms = np.sqrt(np.mean(clean[on] ** 2))
    words = [Word(" w", k * 3 + 0.1, k * 3 + 2.4) for k in range(10)]
    out = {}
    for snr in (40, 30, 20, 15, 10, 5):
        noisy = clean + np.random.default_rng(snr).normal(0, rms / 10 ** (snr / 20), len(clean)).astype(np.float32)
        f = analyse_frames(noisy)
        idx = np.clip((f.times * SR).astype(int), 0, len(t) - 1)
        speech = on[idx]
        found = speech & (f.f0 > 0)
        cents = 1200 * np.abs(np.log2(f.f0[found] / truth[idx][found]))
        v = measure_voice(f, Transcript.from_words(words, 30.0))
        out[f"{snr} dB"] = {"voiced_found": round(float(found.sum() / speech.sum()), 3),
                            "gross_errors": round(float(np.mean(cents > 50)), 3),
                            "spread_st": round(spread_st(np.where(found, f.f0, 0)) or 0, 2),
                            "snr_db_measured": None if v.snr_db is None else round(v.snr_db, 1)}
    return out


def main() -> int:
    report: dict = {"load_average": [round(x, 2) for x in os.getloadavg()]}
    with tempfile.TemporaryDirectory() as tmp:
        for name, track in TRACKERS.items():
            report[name] = {
                "seconds_per_audio_minute": speed(track),
                "synthetic": {case: accuracy(track, audio, truth) for case, audio, truth in synthetic()},
                "espeak": speech(track, Path(tmp)),
            }
            print(f"{name} done", file=sys.stderr)
        report["noise"] = noise_robustness()
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
