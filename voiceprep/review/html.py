"""One self-contained HTML page for an attempt: click any word or quote to hear that moment.

Built from the stored CONTRACT.md document (report.json) and the phases. Every piece of text
from banks and transcripts is HTML-escaped, and the script carries no data of its own (it reads
times from data-t attributes), so no text can open a tag or reach the script.
"""

from __future__ import annotations

from html import escape

from voiceprep.analysis.phases import Phase
from voiceprep.core.timefmt import clock
from voiceprep.core.transcript import spaced
from voiceprep.storage.attempt import StoredAttempt, Timing

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1060px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.3em} .meta{color:#666} audio{width:100%;margin:1em 0}
.summary span{display:inline-block;margin-right:1.5em} .cue{margin:.4em 0}
.hit{color:#1a7f37} .miss{color:#c62828} .tip{color:#8a6d00;margin-left:1.6em}
.seek{cursor:pointer;color:#0550ae;text-decoration:underline dotted} .q{margin-left:1.6em;display:block}
#transcript{line-height:1.9} .w{cursor:pointer;border-radius:3px} .w:hover{background:#ddf4ff}
.filler{background:#fff3b0} .now{background:#9fd5ff!important}
svg{width:100%;height:auto;border:1px solid #eee;background:#fafafa} .legend span{margin-right:1em;font-size:.9em}
"""

_JS = """
const a=document.getElementById('a');
function seek(t){const go=()=>{a.currentTime=t;a.play().catch(()=>{});};
  if(a.readyState<1){a.addEventListener('loadedmetadata',go,{once:true});a.load();}else go();}
document.querySelectorAll('[data-t]').forEach(el=>el.addEventListener('click',()=>seek(parseFloat(el.dataset.t))));
const words=[...document.querySelectorAll('#transcript .w')];
a.addEventListener('timeupdate',()=>{const t=a.currentTime;
  words.forEach(w=>w.classList.toggle('now',t>=+w.dataset.t&&t<+w.dataset.e));});
"""

_PHASE_COLORS = ["#cfe8ff", "#d8f5d0", "#fde2c8", "#e8d9ff", "#ffd6e0"]


def _t(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def render_html(attempt: StoredAttempt, phases: list[Phase], audio_src: str) -> str:
    """The page for one attempt; `audio_src` is a relative path or a data: URL."""
    timing = attempt.timing
    duration = (timing.duration_s if timing else None) or 0.0
    target = timing.target_s if timing else None
    title = escape(attempt.question_text or f"{attempt.category} answer")
    parts = [
        "<!doctype html><html lang=en><head><meta charset=utf-8>",
        f"<title>{title}</title><style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>",
        f"<p class=meta>{escape(attempt.category)}{' · ' + escape(attempt.question_id) if attempt.question_id else ''}"
        f"{' · attempt ' + escape(attempt.id) if attempt.id else ''}</p>",
        _summary(attempt),
        f"<audio id=a controls preload=auto src=\"{escape(audio_src, quote=True)}\"></audio>",
        _timeline(attempt, phases, duration, target),
        _pace(timing),
        _checklist(attempt),
        _estimates(attempt),
        _transcript(attempt),
        f"<script>{_JS}</script></body></html>",
    ]
    return "\n".join(parts)


def _summary(attempt: StoredAttempt) -> str:
    items = [f"cues {attempt.cues_hit}/{len(attempt.cues)}",
             f"fillers {len(attempt.fillers)} ({attempt.fillers_per_100 or 0} per 100 words)"]
    timing = attempt.timing
    if timing:
        items[:0] = [f"duration {clock(timing.duration_s)}"
                     + (f" (target {clock(timing.target_s)})" if timing.target_s else ""),
                     f"pace {timing.wpm or 0:.0f} wpm", f"longest pause {timing.longest_pause_s or 0:.1f} s"]
    return "<p class=summary>" + "".join(f"<span>{escape(i)}</span>" for i in items) + "</p>"


def _timeline(attempt: StoredAttempt, phases: list[Phase], duration: float, target: float | None) -> str:
    words = attempt.words
    if not words or not duration:
        return ""
    span = max(duration, target or 0.0)
    x = lambda t: 1000 * t / span  # noqa: E731
    out = ["<h2>Timeline</h2><svg id=timeline viewBox='0 0 1000 130' role=img aria-label='timeline'>"]
    for i, p in enumerate(phases):
        color = _PHASE_COLORS[i % len(_PHASE_COLORS)]
        width = max(x(p.end) - x(p.start), 0.5)
        label = f"{p.name} {p.seconds:.0f}s"
        out.append(f"<rect class=phase x='{x(p.start):.1f}' y=0 width='{width:.1f}' "
                   f"height=30 fill='{color}' data-t='{_t(p.start)}'><title>{escape(p.name)}: {p.seconds:.0f} s"
                   f"</title></rect>")
        if width > 6.5 * len(label):  # label only bands wide enough to hold it; the list below has all
            out.append(f"<text x='{x(p.start) + 3:.1f}' y=19 font-size=11>{escape(label)}</text>")
    # speech vs silence: words merged across gaps shorter than 0.3 s
    runs: list[list[float]] = []
    for w in words:
        if runs and w.start - runs[-1][1] < 0.3:
            runs[-1][1] = w.end
        else:
            runs.append([w.start, w.end])
    for s, e in runs:
        out.append(f"<rect class=speech x='{x(s):.1f}' y=40 width='{max(x(e) - x(s), 0.5):.1f}' height=20 "
                   f"fill='#6cc070' data-t='{_t(s)}'></rect>")
    for f in attempt.fillers:
        if f.start is not None:
            out.append(f"<rect class=filler-mark x='{x(f.start):.1f}' y=64 width=2 height=14 fill='#e6a700' "
                       f"data-t='{_t(f.start)}'><title>{escape(f.word)}</title></rect>")
    for c in attempt.cues:
        for e in c.evidence[:1]:
            t = e.at
            if c.hit and t is not None:
                out.append(f"<circle class=cue-mark cx='{x(t):.1f}' cy=92 r=5 fill='#0969da' data-t='{_t(t)}'>"
                           f"<title>{escape(c.label)}</title></circle>")
    for c in attempt.estimates:
        if c.start is not None:
            color = {"ok": "#2e7d32", "off": "#c62828"}.get(c.verdict, "#e6a700")
            out.append(f"<rect class=estimate-mark x='{x(c.start) - 4:.1f}' y=100 width=8 height=8 fill='{color}' "
                       f"data-t='{_t(c.start)}'><title>{escape(c.explanation)}</title></rect>")
    if target:
        out.append(f"<line x1='{x(target):.1f}' x2='{x(target):.1f}' y1=0 y2=110 stroke='#c62828' "
                   f"stroke-dasharray='4 3'><title>target {clock(target)}</title></line>")
    for k in range(0, int(span) + 1, max(30, int(span / 10) // 30 * 30 or 30)):
        out.append(f"<text x='{x(k):.1f}' y=125 font-size=10>{clock(k)}</text>")
    out.append("</svg><p class=legend><span>bands: phases</span><span>green: speech</span>"
               "<span>orange: fillers</span><span>blue: cue hits</span><span>squares: estimates (red: off)</span>"
               "<span>dashed: target time</span></p>")
    if phases:
        total = sum(p.seconds for p in phases) or 1.0
        items = "".join(f"<li class=seek data-t='{_t(p.start)}' style='border-left:12px solid "
                        f"{_PHASE_COLORS[i % len(_PHASE_COLORS)]};padding-left:6px'>{escape(p.name)}: "
                        f"{clock(p.seconds)} ({100 * p.seconds / total:.0f} %)</li>" for i, p in enumerate(phases))
        out.append(f"<h3>Time per phase</h3><ul id=phases style='list-style:none;padding:0'>{items}</ul>")
    return "".join(out)


def _pace(timing: Timing | None) -> str:
    windows = timing.windows if timing else ()
    if timing is None or len(windows) < 2:
        return ""
    top = max(max(w.wpm for w in windows), 200)
    end = windows[-1].end or 1
    pts = " ".join(f"{1000 * (w.start + w.end) / 2 / end:.1f},{100 - 100 * w.wpm / top:.1f}" for w in windows)
    lo, hi = timing.wpm_range
    band = f"<rect x=0 y='{100 - 100 * hi / top:.1f}' width=1000 height='{100 * (hi - lo) / top:.1f}' fill='#e6f4ea'/>"
    dots = "".join(f"<circle cx='{1000 * (w.start + w.end) / 2 / end:.1f}' cy='{100 - 100 * w.wpm / top:.1f}' "
                   f"r=3 fill='#0969da' data-t='{_t(w.start)}'><title>{clock(w.start)}: {w.wpm:.0f} wpm"
                   f"</title></circle>" for w in windows)
    labels = (f"<text x=4 y='{100 - 100 * hi / top - 2:.1f}' font-size=9>{hi:.0f}</text>"
              f"<text x=4 y='{100 - 100 * lo / top + 9:.1f}' font-size=9>{lo:.0f}</text>")
    return (f"<h2>Words per minute</h2><svg id=pace viewBox='0 0 1000 100'>{band}{labels}"
            f"<polyline points='{pts}' fill=none stroke='#0969da' stroke-width=2/>{dots}</svg>"
            "<p class=legend><span>green band: comfortable pace</span><span>dots: 30 s windows</span></p>")


def _checklist(attempt: StoredAttempt) -> str:
    out = ["<h2>Checklist</h2>"]
    for c in attempt.cues:
        cls, mark = ("hit", "✔") if c.hit else ("miss", "✘")
        extra = " <em>(recovered on follow-up)</em>" if c.recovered_on_follow_up else ""
        out.append(f"<div class='cue {cls}'><b>{mark} {escape(c.label)}</b>{extra}")
        for e in c.evidence:
            t = e.at
            attr = f" data-t='{_t(t)}'" if t is not None else ""
            out.append(f"<span class='q{' seek' if t is not None else ''}'{attr}>“{escape(e.text)}”"
                       f"{' [' + clock(t) + ']' if t is not None else ''}</span>")
        if not c.hit:
            out.append(f"<div class=tip>Tip: {escape(c.tip)}</div>")
        out.append("</div>")
    return "".join(out)


def _estimates(attempt: StoredAttempt) -> str:
    """Each estimate step that could be followed, right or off, at its moment."""
    if not attempt.estimates:
        return ""
    out = ["<h2>Estimates</h2>"]
    for c in attempt.estimates:
        mark, cls = {"ok": ("✔", "hit"), "off": ("✘", "miss")}.get(c.verdict, ("?", "miss"))
        attr = f" data-t='{_t(c.start)}'" if c.start is not None else ""
        at = f" [{clock(c.start)}]" if c.start is not None else ""
        out.append(f"<div class='cue {cls} estimate' data-verdict='{escape(c.verdict, quote=True)}'>"
                   f"<b>{mark}</b> <span class='q{' seek' if c.start is not None else ''}'{attr}>"
                   f"{escape(c.explanation)}{at}</span></div>")
    return "".join(out)


def _transcript(attempt: StoredAttempt) -> str:
    words = attempt.words
    if not words:
        return f"<h2>Transcript</h2><p id=transcript>{escape(attempt.text)}</p>"
    fillers = {round(f.start, 2) for f in attempt.fillers if f.start is not None}
    spans = []
    for i, w in enumerate(words):
        cls = "w filler" if round(w.start, 2) in fillers else "w"
        lead = spaced(w.word)[: -len(w.word)] if i else ""  # Whisper's spacing: "5" ",000"
        spans.append(f"{lead}<span class='{cls}' data-t='{_t(w.start)}' data-e='{_t(w.end)}'>"
                     f"{escape(w.word)}</span>")
    return "<h2>Transcript</h2><p id=transcript>" + "".join(spans) + "</p>"
