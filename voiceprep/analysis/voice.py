"""How the answer sounds: pitch, loudness, monotone, quiet and trailing-off stretches, pace
per sentence and repeated words.

The frames (pitch and level every 20 ms) come from `voice_frames.VoiceTracker`, fed while the
answer is recorded; `measure_voice` judges them against the transcript's words, and
`analyse_audio` does both for a whole file (`review`). Thresholds and their sources are in
`VoiceThresholds` and docs/voice.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from voiceprep.analysis.repetition import Repeat, find_repetition
from voiceprep.analysis.voice_frames import SILENT_DB, STEP_S, Frames, VoiceTracker, analyse_frames
from voiceprep.core.timefmt import clock
from voiceprep.core.transcript import Sentence, Transcript, Word

_PER_S = round(1 / STEP_S)  # frames per second
__all__ = ["STEP_S", "Curve", "Frames", "SentenceVoice", "Stretch", "VoiceMeasures", "VoiceThresholds",
           "VoiceTracker", "analyse_audio", "analyse_frames", "measure_voice", "quantiles", "spread_st",
           "voice_lines"]


@dataclass(frozen=True)
class VoiceThresholds:
    """When a stretch is flagged. Sources in docs/voice.md."""

    monotone_st: float = 1.2      # pitch SD under this many semitones (Hincks 2004/2005: PDQ 0.06-0.07)...
    monotone_s: float = 15.0      # ...over a window of this many seconds
    quiet_below_own_db: float = 10.0  # 10 dB under the speaker's own level: half as loud (Stevens 1957)
    quiet_absolute_db: float = -40.0  # or speech under this level in dBFS (14 dB under ITU-T P.56's -26)
    quiet_s: float = 3.0
    trail_drop_db: float = 10.0   # last words this much quieter than the rest of the sentence
    trail_tail_s: float = 1.0     # "last words": those starting in the sentence's last second
    pace_jump: float = 0.25       # a sentence 25 % faster than the answer's median sentence pace
    min_snr_db: float = 15.0      # below this speech-to-noise ratio pitch and loudness are not judged
    max_clipped: float = 0.005    # nor above this share of clipped samples


@dataclass(frozen=True)
class Stretch:
    """A flagged moment: `value` is the spread (st), level (dBFS), drop (dB) or pace (wpm)."""

    start: float
    end: float
    value: float
    text: str = ""


@dataclass(frozen=True)
class SentenceVoice:
    start: float
    end: float
    wpm: float | None
    median_hz: float | None
    spread_st: float | None
    loudness_db: float | None


@dataclass(frozen=True)
class Curve:
    """Pitch (Hz) and loudness (dBFS) per `step_s` bin from 0 s, for the HTML page; None: no voice."""

    step_s: float
    pitch_hz: tuple[float | None, ...]
    loudness_db: tuple[float | None, ...]


@dataclass(frozen=True)
class VoiceMeasures:
    """Everything measured about the voice; pitch and loudness figures are None when unreliable."""

    median_hz: float | None
    spread_st: float | None
    median_db: float | None
    noise_db: float | None
    snr_db: float | None
    monotone: tuple[Stretch, ...]
    quiet: tuple[Stretch, ...]
    trailing_off: tuple[Stretch, ...]
    sentences: tuple[SentenceVoice, ...]
    pace_jumps: tuple[Stretch, ...]
    repetition: tuple[Repeat, ...]
    reliable: bool
    unreliable_because: tuple[str, ...] = ()
    curve: Curve | None = None
    thresholds: VoiceThresholds = VoiceThresholds()

    def to_dict(self) -> dict:
        """The `voice` field of report.json (CONTRACT.md), with its extra fields."""
        r = lambda x, d=2: None if x is None else round(float(x), d)  # noqa: E731
        th = self.thresholds
        return {
            "pitch": {"median_hz": r(self.median_hz, 1), "spread_st": r(self.spread_st)},
            "loudness": {"median_db": r(self.median_db, 1), "noise_db": r(self.noise_db, 1),
                         "snr_db": r(self.snr_db, 1)},
            "monotone": [{"start": r(s.start), "end": r(s.end), "spread_st": r(s.value)} for s in self.monotone],
            "quiet": [{"start": r(s.start), "end": r(s.end), "level_db": r(s.value, 1)} for s in self.quiet],
            "trailing_off": [{"start": r(s.start), "end": r(s.end), "text": s.text, "drop_db": r(s.value, 1)}
                             for s in self.trailing_off],
            "repetition": [{"phrase": x.phrase, "count": x.count, "kind": x.kind, "share": x.share}
                           for x in self.repetition],
            "reliable": self.reliable,
            "unreliable_because": list(self.unreliable_because),
            "sentences": [{"start": r(s.start), "end": r(s.end), "wpm": r(s.wpm, 1), "median_hz": r(s.median_hz, 1),
                           "spread_st": r(s.spread_st), "loudness_db": r(s.loudness_db, 1)} for s in self.sentences],
            "pace_jumps": [{"start": r(s.start), "end": r(s.end), "wpm": r(s.value, 1), "text": s.text}
                           for s in self.pace_jumps],
            "thresholds": {"monotone_st": th.monotone_st, "monotone_s": th.monotone_s,
                           "quiet_below_own_db": th.quiet_below_own_db, "quiet_absolute_db": th.quiet_absolute_db,
                           "trail_drop_db": th.trail_drop_db, "pace_jump": th.pace_jump,
                           "min_snr_db": th.min_snr_db, "max_clipped": th.max_clipped},
            "curve": None if self.curve is None else {
                "step_s": self.curve.step_s, "pitch_hz": [r(x, 1) for x in self.curve.pitch_hz],
                "loudness_db": [r(x, 1) for x in self.curve.loudness_db]},
        }


def analyse_audio(audio: np.ndarray, transcript: Transcript, clipped: float = 0.0,
                  thresholds: VoiceThresholds | None = None) -> VoiceMeasures:
    """The whole-file path (`review`): the same tracker fed the recording at once."""
    tracker = VoiceTracker(chunk_s=30.0, threaded=False)  # nothing to wait for: fewer, larger pieces
    tracker.feed(audio)
    return measure_voice(tracker.finish(), transcript, clipped, thresholds)


# --- judging the frames ------------------------------------------------------------------------------

def quantiles(x: np.ndarray, qs: tuple[float, ...]) -> list[float]:
    """Nearest-rank quantiles by partial sort: one call instead of np.percentile's many
    (the measures take thousands of them on a long answer)."""
    ks = [min(len(x) - 1, round(q * (len(x) - 1))) for q in qs]
    part = np.partition(x, ks)
    return [float(part[k]) for k in ks]


def _median(x: np.ndarray) -> float:
    return quantiles(x, (0.5,))[0]


def spread_st(f0: np.ndarray) -> float | None:
    """Robust standard deviation of voiced pitch in semitones: half the 16th-84th percentile
    range (equal to the SD for a normal distribution, blind to octave errors)."""
    f0 = f0[f0 > 0]
    if len(f0) < 20:
        return None
    lo, hi = quantiles(12 * np.log2(f0), (0.16, 0.84))
    return (hi - lo) / 2


def _in_spans(times: np.ndarray, words: list[Word] | tuple[Word, ...], gap: float = 0.3) -> np.ndarray:
    """Frames inside spoken words (words closer than `gap` merged into one run)."""
    mask = np.zeros(len(times), bool)
    runs: list[list[float]] = []
    for w in words:
        if runs and w.start - runs[-1][1] < gap:
            runs[-1][1] = max(runs[-1][1], w.end)
        else:
            runs.append([w.start, w.end])
    for s, e in runs:
        mask[np.searchsorted(times, s): np.searchsorted(times, e)] = True
    return mask


def measure_voice(frames: Frames, transcript: Transcript, clipped: float = 0.0,
                  thresholds: VoiceThresholds | None = None) -> VoiceMeasures:
    """Judge the frames of an answer with its timed words; `clipped` is the share of clipped
    samples (audio.wav.clipped_fraction, measured by the caller)."""
    th = thresholds or VoiceThresholds()
    t, f0, db = frames.times, frames.f0, frames.db
    words = transcript.words
    noise = quantiles(db, (0.05,))[0] if len(db) else None
    speech = (_in_spans(t, words) if words else np.ones(len(t), bool)) & (db > (noise or SILENT_DB) + 6)
    median_db = _median(db[speech]) if speech.any() else None
    snr = None if median_db is None or noise is None else median_db - noise
    voiced = speech & (f0 > 0)
    because = []
    if median_db is None or voiced.sum() < 2 * _PER_S:
        because.append("too little voiced speech")
    if snr is not None and snr < th.min_snr_db:
        because.append(f"background noise: speech only {snr:.0f} dB above it (need {th.min_snr_db:g})")
    if clipped > th.max_clipped:
        because.append(f"{clipped:.1%} of samples clipped (limit {th.max_clipped:.1%})")
    reliable = not because
    sentences = transcript.sentences()
    common = {"sentences": tuple(_sentence_voice(s, t, f0, db, speech, voiced, reliable) for s in sentences),
              "pace_jumps": _pace_jumps(sentences, th), "repetition": find_repetition(transcript),
              "unreliable_because": tuple(because), "curve": _curve(t, f0, db, speech, transcript.duration),
              "thresholds": th}
    if not reliable:
        return VoiceMeasures(None, None, None, noise, snr, (), (), (), reliable=False, **common)
    pitch = np.where(voiced, f0, 0.0)
    med_hz = _median(f0[voiced])
    pitch[np.abs(12 * np.log2(np.maximum(pitch, 1e-9) / med_hz)) > 12] = 0.0  # octave errors
    return VoiceMeasures(med_hz, spread_st(pitch), median_db, noise, snr,
                         _monotone(t, pitch, th), _quiet(t, db, speech, median_db, th),
                         _trailing(sentences, t, db, speech, th), reliable=True, **common)


def _windows(t: np.ndarray, mask: np.ndarray, length: float, step: float):
    """(start, end, index slice) of windows of `length` s every `step` s over the masked frames."""
    if not mask.any():
        return
    first, last = t[mask][0], t[mask][-1]
    s = first
    while True:
        e = min(s + length, last)
        yield s, e, slice(np.searchsorted(t, s), np.searchsorted(t, e))
        if e >= last:
            return
        s += step


def _merge(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[list[float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def _monotone(t: np.ndarray, pitch: np.ndarray, th: VoiceThresholds) -> tuple[Stretch, ...]:
    """Windows of `monotone_s` whose pitch spread stays under `monotone_st` (3 s of voicing at least)."""
    flagged = []
    for s, e, sl in _windows(t, pitch > 0, th.monotone_s, th.monotone_s / 6):
        seg = pitch[sl]
        if e - s >= th.monotone_s - 1e-6 and (seg > 0).sum() >= 3 * _PER_S:
            spread = spread_st(seg)
            if spread is not None and spread < th.monotone_st:
                flagged.append((s, e))
    out = []
    for s, e in _merge(flagged):
        sl = slice(np.searchsorted(t, s), np.searchsorted(t, e))
        out.append(Stretch(round(float(s), 2), round(float(e), 2), spread_st(pitch[sl]) or 0.0))
    return tuple(out)


def _quiet(t: np.ndarray, db: np.ndarray, speech: np.ndarray, own: float, th: VoiceThresholds) -> tuple[Stretch, ...]:
    """Windows of `quiet_s` whose speech is 10 dB under the speaker's own level, or under the absolute floor."""
    limit = max(own - th.quiet_below_own_db, th.quiet_absolute_db)
    if own < th.quiet_absolute_db:
        limit = float("inf")  # the whole answer is too quiet: every stretch of speech is
    flagged = []
    for s, e, sl in _windows(t, speech, th.quiet_s, 1.0):
        seg = db[sl][speech[sl]]
        if len(seg) >= _PER_S and _median(seg) < limit:
            flagged.append((s, e))
    out = []
    for s, e in _merge(flagged):
        sl = slice(np.searchsorted(t, s), np.searchsorted(t, e))
        out.append(Stretch(round(float(s), 2), round(float(e), 2), _median(db[sl][speech[sl]])))
    return tuple(out)


def _level(t: np.ndarray, db: np.ndarray, speech: np.ndarray, words: tuple[Word, ...] | list[Word]) -> float | None:
    sl = slice(np.searchsorted(t, words[0].start), np.searchsorted(t, words[-1].end))
    mask = _in_spans(t[sl], words, gap=0.05) & speech[sl]
    return _median(db[sl][mask]) if np.count_nonzero(mask) >= 3 else None


def _trailing(sentences: list[Sentence], t: np.ndarray, db: np.ndarray, speech: np.ndarray,
              th: VoiceThresholds) -> tuple[Stretch, ...]:
    """Sentences whose last words (those starting in the last second) drop `trail_drop_db` under the rest."""
    out = []
    for s in sentences:
        if len(s.words) < 4 or s.end is None or s.start is None or s.end - s.start < 2 * th.trail_tail_s:
            continue
        cut = max(min(i for i, w in enumerate(s.words) if w.start >= s.end - th.trail_tail_s or i == len(s.words) - 1),
                  len(s.words) // 2)
        tail, rest = s.words[cut:], s.words[:cut]
        low, level = _level(t, db, speech, tail), _level(t, db, speech, rest)
        if low is not None and level is not None and level - low >= th.trail_drop_db:
            text = "".join(w.word for w in tail).strip()
            out.append(Stretch(round(tail[0].start, 2), round(s.end, 2), level - low, text))
    return tuple(out)


def _sentence_voice(s: Sentence, t, f0, db, speech, voiced, reliable: bool) -> SentenceVoice:
    wpm = None
    if s.words and s.end is not None and s.start is not None and s.end - s.start >= 1.0 and len(s.words) >= 3:
        wpm = 60 * len(s.words) / (s.end - s.start)
    if not reliable or s.start is None or s.end is None:
        return SentenceVoice(s.start or 0.0, s.end or 0.0, wpm, None, None, None)
    sl = slice(np.searchsorted(t, s.start), np.searchsorted(t, s.end))
    v = f0[sl][voiced[sl]]
    loud = db[sl][speech[sl]]
    return SentenceVoice(s.start, s.end, wpm, _median(v) if len(v) else None, spread_st(v),
                         _median(loud) if len(loud) else None)


def _pace_jumps(sentences: list[Sentence], th: VoiceThresholds) -> tuple[Stretch, ...]:
    """Sentences of 6 words or more spoken `pace_jump` faster than the answer's median sentence."""
    paced = [(s, 60 * len(s.words) / (s.end - s.start)) for s in sentences
             if len(s.words) >= 6 and s.start is not None and s.end is not None and s.end - s.start >= 1.0]
    if len(paced) < 3:
        return ()
    median = _median(np.array([w for _, w in paced]))
    return tuple(Stretch(round(s.start, 2), round(s.end, 2), wpm, s.text) for s, wpm in paced
                 if wpm >= median * (1 + th.pace_jump))


def _curve(t, f0, db, speech, duration: float | None) -> Curve | None:
    """Pitch (geometric mean of voiced speech) and loudness (loudest 30 ms) in at most ~600 bins
    of 0.5 s or more, for the page's curves."""
    if not len(t):
        return None
    end = max(duration or 0.0, float(t[-1]))
    step = max(0.5, round(end / 600, 1))
    n = int(end / step) + 1
    bins = np.minimum((t / step).astype(int), n - 1)
    voiced = (f0 > 0) & speech
    count = np.bincount(bins, weights=voiced, minlength=n)
    logs = np.bincount(bins, weights=np.where(voiced, np.log2(np.maximum(f0, 1e-9)), 0.0), minlength=n)
    loud = np.full(n, -np.inf)
    np.maximum.at(loud, bins, db)
    pitch = tuple(float(2 ** (logs[b] / count[b])) if count[b] >= 3 else None for b in range(n))
    return Curve(step, pitch, tuple(float(x) if np.isfinite(x) else None for x in loud))


# --- one line per measure (terminal panel, Markdown) ------------------------------------------------

def _span(s: Stretch) -> str:
    return f"{clock(s.start)}–{clock(s.end)}"


def _more(items: tuple) -> str:
    return f" (+{len(items) - 1} more)" if len(items) > 1 else ""


def voice_lines(v: VoiceMeasures) -> list[tuple[str, str, bool]]:
    """(measure, text with its worst moment, flagged) for each voice measure."""
    th = v.thresholds
    lines: list[tuple[str, str, bool]] = []
    if not v.reliable:
        lines.append(("Voice", "not judged: " + "; ".join(v.unreliable_because), True))
    else:
        lines.append(("Pitch", f"median {v.median_hz or 0:.0f} Hz, spread {v.spread_st or 0:.1f} st", False))
        mono = sorted(v.monotone, key=lambda s: s.value)
        lines.append(("Monotone", f"{_span(mono[0])} (spread {mono[0].value:.1f} st){_more(v.monotone)}" if mono
                      else f"none (no {th.monotone_s:.0f} s under {th.monotone_st:g} st)", bool(mono)))
        above = f", {v.snr_db:.0f} dB above the background" if v.snr_db is not None else ""
        lines.append(("Loudness", f"median {v.median_db or 0:.0f} dBFS{above}", False))
        quiet = sorted(v.quiet, key=lambda s: s.value)
        lines.append(("Quiet", f"{_span(quiet[0])} ({quiet[0].value:.0f} dBFS){_more(v.quiet)}" if quiet
                      else "none", bool(quiet)))
        trail = sorted(v.trailing_off, key=lambda s: -s.value)
        lines.append(("Trailing off", f"{len(trail)} sentence(s); worst {clock(trail[0].start)} “{trail[0].text}” "
                      f"({trail[0].value:.0f} dB quieter)" if trail else "none", bool(trail)))
    paced = [s.wpm for s in v.sentences if s.wpm is not None]
    jumps = sorted(v.pace_jumps, key=lambda s: -s.value)
    if paced:
        rng = f"sentences {min(paced):.0f}–{max(paced):.0f} wpm"
        lines.append(("Pace changes", f"{rng}; rushed {_span(jumps[0])} ({jumps[0].value:.0f} wpm){_more(jumps)}"
                      if jumps else f"{rng}; no rushed sentence", bool(jumps)))
    reps = ", ".join(f"“{r.phrase}” opens {r.count} sentences" if r.kind == "opening" else f"“{r.phrase}” ×{r.count}"
                     for r in v.repetition[:4])
    lines.append(("Repetition", reps or "none", bool(v.repetition)))
    return lines
