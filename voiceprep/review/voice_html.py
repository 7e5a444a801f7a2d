"""The voice curves of the HTML page: pitch and loudness under the timeline, on the same time
scale, with the monotone, quiet, trailing-off and rushed stretches marked; every mark seeks
the audio when clicked (data-t, like the timeline's marks).

Pitch is drawn in semitones around the answer's median (what the monotone measure judges),
loudness in dBFS. All text is HTML-escaped.
"""

from __future__ import annotations

import math
from html import escape

from voiceprep.analysis.voice import Stretch, VoiceMeasures, voice_lines
from voiceprep.core.timefmt import clock

_MARKS = (("monotone", "#8250df", "monotone"), ("quiet", "#0969da", "too quiet"),
          ("trailing_off", "#c62828", "trailing off"), ("pace_jumps", "#e6a700", "rushed"))
_PITCH_TOP, _PITCH_H = 20, 70    # y of the pitch band and its height (+-6 semitones)
_LOUD_TOP, _LOUD_H = 110, 60     # loudness band: -70 to 0 dBFS
_ST_RANGE = 6.0
_DB_FLOOR = -70.0


def _polyline(points: list[tuple[float, float] | None], color: str, cls: str) -> str:
    """One polyline per run of known points (gaps where there is no voice)."""
    runs: list[list[tuple[float, float]]] = [[]]
    for p in points:
        if p is None:
            if runs[-1]:
                runs.append([])
        else:
            runs[-1].append(p)
    return "".join(f"<polyline class={cls} points='{' '.join(f'{x:.1f},{y:.1f}' for x, y in run)}' fill=none "
                   f"stroke='{color}' stroke-width='1.5'/>" for run in runs if len(run) > 1)


def _marks(stretches: tuple[Stretch, ...], name: str, color: str, label: str, x) -> str:
    out = []
    for s in stretches:
        width = max(x(s.end) - x(s.start), 3.0)
        tip = f"{label} {clock(s.start)}–{clock(s.end)}" + (f": {s.text}" if s.text else "")
        out.append(f"<rect class='voice-mark {name}-mark' x='{x(s.start):.1f}' y=2 width='{width:.1f}' height=12 "
                   f"fill='{color}' opacity=.8 data-t='{s.start:.2f}'><title>{escape(tip)}</title></rect>"
                   f"<rect x='{x(s.start):.1f}' y={_PITCH_TOP} width='{width:.1f}' height={_LOUD_TOP + _LOUD_H - _PITCH_TOP}"
                   f" fill='{color}' opacity='.08' pointer-events='none'/>")
    return "".join(out)


def voice_section(voice: VoiceMeasures | None, span: float) -> str:
    """The curves and flagged stretches over `span` seconds (the timeline's scale), then one line
    per measure; empty when the attempt has no voice measures."""
    if voice is None or not span:
        return ""
    x = lambda t: 1000 * min(t, span) / span  # noqa: E731
    out = ["<h2>Voice</h2>"]
    if not voice.reliable:
        out.append(f"<p class=miss>Pitch and loudness not judged: {escape('; '.join(voice.unreliable_because))}</p>")
    out.append("<svg id=voice viewBox='0 0 1000 190' role=img aria-label='pitch and loudness'>")
    curve = voice.curve
    if curve is not None:
        known = [p for p in curve.pitch_hz if p]
        ref = voice.median_hz or (sorted(known)[len(known) // 2] if known else None)
        pitch: list[tuple[float, float] | None] = []
        loud: list[tuple[float, float] | None] = []
        for i, (hz, db) in enumerate(zip(curve.pitch_hz, curve.loudness_db)):
            t = (i + 0.5) * curve.step_s
            if hz and ref:
                st = max(-_ST_RANGE, min(_ST_RANGE, 12 * math.log2(hz / ref)))
                pitch.append((x(t), _PITCH_TOP + _PITCH_H / 2 - st / _ST_RANGE * _PITCH_H / 2))
            else:
                pitch.append(None)
            loud.append(None if db is None else
                        (x(t), _LOUD_TOP + _LOUD_H * min(1.0, max(0.0, db / _DB_FLOOR))))
        out.append(f"<line x1=0 x2=1000 y1={_PITCH_TOP + _PITCH_H / 2} y2={_PITCH_TOP + _PITCH_H / 2} "
                   "stroke='#ccc' stroke-dasharray='2 3'/>")
        out.append(_polyline(pitch, "#8250df", "pitch-curve") + _polyline(loud, "#1a7f37", "loudness-curve"))
    out.append(f"<text x=4 y={_PITCH_TOP + 10} font-size=9>pitch ±{_ST_RANGE:g} st</text>"
               f"<text x=4 y={_LOUD_TOP + 10} font-size=9>loudness (0 to {_DB_FLOOR:g} dBFS)</text>")
    for name, color, label in _MARKS:
        out.append(_marks(getattr(voice, name), name, color, label, x))
    out.append("</svg><p class=legend><span>purple: pitch (dashed: your median)</span><span>green: loudness</span>"
               "<span>marks: monotone (purple), too quiet (blue), trailing off (red), rushed (orange)</span></p>")
    items = "".join(f"<li class='{'miss' if flagged else 'hit'}'><b>{escape(name)}</b>: {escape(text)}</li>"
                    for name, text, flagged in voice_lines(voice))
    out.append(f"<ul id=voice-lines>{items}</ul>")
    return "".join(out)
