"""Voice measures on audio with known answers: synthetic voiced tones (known pitch and level),
and espeak-ng speech made flat, lively, quiet, trailing off and noisy with sox."""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path

import numpy as np
import pytest

from voiceprep.analysis.repetition import find_repetition
from voiceprep.analysis.voice import analyse_audio, analyse_frames, measure_voice, spread_st, voice_lines
from voiceprep.core.samples import SAMPLE_RATE as SR
from voiceprep.core.transcript import Transcript, Word

SENTENCE = "we keep each partition on three brokers so reads stay fast."  # 11 words


def voiced(f0: np.ndarray, amp: np.ndarray | float = 0.3, seed: int = 0) -> np.ndarray:
    """A voice-like signal (10 harmonics) following `f0` Hz per sample, at amplitude `amp`."""
    phase = 2 * np.pi * np.cumsum(f0) / SR
    x = sum(np.sin(k * phase) / k for k in range(1, 11))
    x = x / np.max(np.abs(x)) * amp
    return (x + np.random.default_rng(seed).normal(0, 1e-4, len(x))).astype(np.float32)


def sentences(total_s: float, sentence_s: float = 4.0, gap_s: float = 0.5) -> tuple[np.ndarray, Transcript]:
    """Words of SENTENCE spread over each `sentence_s` sentence, with `gap_s` pauses; and a mask of speech."""
    words, mask = [], np.zeros(int(total_s * SR), bool)
    t = 0.2
    while t + sentence_s <= total_s:
        ws = SENTENCE.split()
        for i, w in enumerate(ws):
            words.append(Word(" " + w, t + sentence_s * i / len(ws), t + sentence_s * (i + 1) / len(ws)))
        mask[int(t * SR): int((t + sentence_s) * SR)] = True
        t += sentence_s + gap_s
    return mask, Transcript.from_words(words, total_s)


def build(kind: str, total_s: float = 30.0) -> tuple[np.ndarray, Transcript]:
    t = np.arange(int(total_s * SR)) / SR
    mask, transcript = sentences(total_s)
    lively = 140 * 2 ** (4 / 12 * np.sin(2 * np.pi * 0.4 * t))  # +-4 semitones
    f0 = {"flat": np.full(len(t), 140.0), "glide": 100 * 2 ** (t / total_s)}.get(kind, lively)
    amp = np.full(len(t), 0.3)
    if kind == "quiet_middle":
        amp[(t >= 10) & (t < 20)] *= 0.03  # -30 dB for 10 s
    if kind == "all_quiet":
        amp *= 0.01  # about -50 dBFS
    if kind == "trailing":
        for w in transcript.sentences():
            amp[(t >= w.end - 1.0) & (t < w.end)] *= 0.15  # last second -16.5 dB
    audio = voiced(f0) / 0.3 * amp * mask
    if kind == "noisy":
        audio = audio + np.random.default_rng(1).normal(0, 0.1, len(audio)).astype(np.float32)
    return audio.astype(np.float32), transcript


@pytest.mark.parametrize("kind, monotone, quiet, trailing", [
    ("lively", False, False, False),
    ("flat", True, False, False),
    ("glide", False, False, False),
    ("quiet_middle", False, True, False),
    ("all_quiet", False, True, False),
    ("trailing", False, False, True),
])
def test_each_measure_flags_what_it_should_and_nothing_else(kind, monotone, quiet, trailing):
    audio, transcript = build(kind)
    v = analyse_audio(audio, transcript)
    assert v.reliable
    assert bool(v.monotone) == monotone
    assert bool(v.quiet) == quiet
    assert bool(v.trailing_off) == trailing


def test_the_flagged_stretches_are_where_the_audio_changed():
    v = analyse_audio(*build("quiet_middle"))
    (q,) = v.quiet
    assert 8.5 <= q.start <= 11 and 19 <= q.end <= 21.5
    v = analyse_audio(*build("trailing"))
    assert len(v.trailing_off) == len(build("trailing")[1].sentences())
    assert all(s.value >= 10 and s.text.endswith("fast.") for s in v.trailing_off)
    v = analyse_audio(*build("flat"))
    assert v.monotone[0].end - v.monotone[0].start >= 15 and v.monotone[0].value < 0.2


@pytest.mark.parametrize("hz", [90.0, 140.0, 220.0, 330.0])
def test_pitch_of_a_steady_tone_is_its_frequency(hz):
    audio, transcript = build("lively")
    audio = voiced(np.full(len(audio), hz)) * (np.abs(audio) > 0)
    v = analyse_audio(audio, transcript)
    assert v.median_hz == pytest.approx(hz, rel=0.01)
    assert v.spread_st < 0.1


@pytest.mark.parametrize("semitones", [1.0, 2.0, 4.0])
def test_spread_of_a_contour_follows_its_width(semitones):
    """A sine contour of +-A semitones: its 16th and 84th percentiles are at +-A sin(0.34 pi)."""
    t = np.arange(SR * 20) / SR
    f0 = 150 * 2 ** (semitones / 12 * np.sin(2 * np.pi * 0.5 * t))
    frames = analyse_frames(voiced(f0))
    assert spread_st(frames.f0) == pytest.approx(semitones * np.sin(0.34 * np.pi), rel=0.05)


@pytest.mark.parametrize("kind, clipped, reliable", [
    ("lively", 0.0, True),
    ("noisy", 0.0, False),   # noise 10 dB under the speech
    ("lively", 0.02, False),  # 2 % of samples clipped
])
def test_noise_or_clipping_make_pitch_and_loudness_unreliable(kind, clipped, reliable):
    v = analyse_audio(*build(kind), clipped=clipped)
    assert v.reliable is reliable
    if not reliable:
        assert v.unreliable_because and v.median_hz is None and v.median_db is None
        assert v.monotone == v.quiet == v.trailing_off == ()
        assert voice_lines(v)[0][0] == "Voice" and "not judged" in voice_lines(v)[0][1]


def test_pace_jumps_find_the_rushed_sentence():
    words, t = [], 0.0
    for rate in (2.5, 2.5, 2.5, 4.5, 2.5):  # words per second; the 4th sentence is rushed
        for i, w in enumerate(SENTENCE.split()):
            words.append(Word(" " + w, t + i / rate, t + (i + 0.9) / rate))
        t += len(SENTENCE.split()) / rate + 0.6
    transcript = Transcript.from_words(words, t)
    v = measure_voice(analyse_frames(np.zeros(SR, np.float32)), transcript)
    assert [round(j.value) for j in v.pace_jumps] == [round(60 * 11 / (10.9 / 4.5))]
    assert {name: text for name, text, _ in voice_lines(v)}["Pace changes"].startswith("sentences")


@pytest.mark.parametrize("text, expected", [
    ("So we shard the table. So reads scale. So writes go to a leader. Then we add a cache.", {("so", "opening")}),
    ("We basically shard it. It is basically a log. Basically the reads are basically cheap.",
     {("basically", "word")}),
    ("In terms of storage, in terms of reads and in terms of writes we are fine.", {("in terms of", "phrase")}),
    ("The cache holds hot keys. The cache is warm. The cache evicts by LRU. The cache is big.", set()),
    ("Each key is hashed. The cache key has a version. A key like this one looks like a path. Like, a key.", set()),
    ("This is really good. " + "We replicate the log to three brokers across zones. " * 40 + "Really, really.", set()),
])
def test_repetition_flags_habits_against_the_answer_length(text, expected):
    found = {(r.phrase, r.kind) for r in find_repetition(Transcript(text=text))}
    assert found == expected


def test_the_json_has_the_contract_fields():
    v = analyse_audio(*build("flat"))
    d = v.to_dict()
    assert set(d["pitch"]) >= {"median_hz", "spread_st"} and "median_db" in d["loudness"]
    assert d["reliable"] is True and isinstance(d["repetition"], list)
    assert set(d["monotone"][0]) >= {"start", "end"}
    assert all(set(x) >= {"start", "end", "text"} for x in analyse_audio(*build("trailing")).to_dict()["trailing_off"])
    line = {n: t for n, t, _ in voice_lines(v)}["Monotone"]
    assert line.startswith("0:0") and "spread 0." in line


# --- real speech: espeak-ng, changed with sox ----------------------------------------------------

TEXT = ["We store each message in a partitioned log on several brokers.",
        "Readers poll their partition and commit offsets when they finish.",
        "When a broker fails, a replica takes over within a few seconds.",
        "This keeps latency low for most users at peak load.",
        "We measured the tail latency with synthetic traffic last quarter.",
        "The cache absorbs most reads, so the database stays small."]


def _read(path: Path) -> np.ndarray:
    with wave.open(str(path), "rb") as w:
        rate, data = w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), np.int16)
    assert rate == SR
    return data.astype(np.float32) / 32768


def _speech(tmp_path: Path, variant: str) -> tuple[np.ndarray, Transcript]:
    """The six sentences twice (about 45 s), each sentence synthesized and changed alone, then joined."""
    parts, words, t = [np.zeros(SR // 4, np.float32)], [], 0.25
    for i, text in enumerate(TEXT * 2):
        raw, out = tmp_path / f"{variant}{i}r.wav", tmp_path / f"{variant}{i}.wav"
        ssml = {"flat": "x-low", "lively": "x-high"}.get(variant, "medium")
        subprocess.run(["espeak-ng", "-m", "-w", str(raw), f'<speak><prosody range="{ssml}">{text}</prosody></speak>'],
                       check=True)
        subprocess.run(["sox", str(raw), "-r", str(SR), str(out), "silence", "1", "0.01", "0.5%", "reverse",
                        "silence", "1", "0.01", "0.5%", "reverse"], check=True)
        if variant == "trailing":  # the last second 15 dB down
            head, tail = tmp_path / "h.wav", tmp_path / "t.wav"
            subprocess.run(["sox", str(out), str(head), "trim", "0", "-1"], check=True)
            subprocess.run(["sox", str(out), str(tail), "trim", "-1", "vol", "-15dB"], check=True)
            subprocess.run(["sox", str(head), str(tail), str(out)], check=True)
        x = _read(out)
        d = len(x) / SR
        ws = text.split()
        words += [Word(" " + w, t + d * k / len(ws), t + d * (k + 1) / len(ws)) for k, w in enumerate(ws)]
        parts += [x, np.zeros(SR // 2, np.float32)]
        t += d + 0.5
    audio = np.concatenate(parts)
    joined = tmp_path / f"{variant}.wav"
    with wave.open(str(joined), "wb") as w:
        w.setnchannels(1), w.setsampwidth(2), w.setframerate(SR)
        w.writeframes((audio * 32767).astype(np.int16).tobytes())
    if variant in ("quiet", "noisy"):
        out = tmp_path / f"{variant}-sox.wav"
        if variant == "quiet":
            subprocess.run(["sox", str(joined), str(out), "vol", "-20dB"], check=True)
        else:
            noise = tmp_path / "noise.wav"
            subprocess.run(["sox", "-n", "-r", str(SR), "-b", "16", "-c", "1", str(noise), "synth",
                            f"{len(audio) / SR:.2f}", "whitenoise", "vol", "0.3"], check=True)
            subprocess.run(["sox", "-m", str(joined), str(noise), str(out)], check=True)
        audio = _read(out)
    return audio, Transcript.from_words(words, len(audio) / SR)


@pytest.mark.slow
@pytest.mark.parametrize("variant, reliable, monotone, quiet, trailing", [
    ("neutral", True, False, False, False),
    ("lively", True, False, False, False),
    ("flat", True, True, False, False),
    ("trailing", True, False, False, True),
    ("quiet", True, False, True, False),
    ("noisy", False, False, False, False),
])
def test_espeak_speech_is_judged_correctly(tmp_path, variant, reliable, monotone, quiet, trailing):
    assert shutil.which("espeak-ng") and shutil.which("sox"), "espeak-ng and sox are required (make deps)"
    v = analyse_audio(*_speech(tmp_path, variant))
    assert v.reliable is reliable, v.unreliable_because
    assert bool(v.monotone) is monotone
    assert bool(v.quiet) is quiet
    assert (len(v.trailing_off) >= 8) is trailing and (len(v.trailing_off) <= 1 or trailing)
    if variant == "lively":
        flat = analyse_audio(*_speech(tmp_path, "flat"))
        assert v.spread_st > 3 * flat.spread_st
