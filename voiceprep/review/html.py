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
from voiceprep.review.voice_html import voice_section
from voiceprep.storage.attempt import StoredAttempt, Timing

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:1060px;margin:2em auto;padding:0 1em;color:#222}
h1{font-size:1.3em} .meta{color:#666} audio{width:100%;margin:1em 0}
.summary span{display:inline-block;margin-right:1.5em} .cue{margin:.4em 0}
.hit{color:#1a7f37} .miss{color:#c62828} .tip{color:#8a6d00;margin-left:1.6em}
.seek{cursor:pointer;color:#0550ae;text-decoration:underline dotted} .q{margin-left:1.6em;display:block}
#transcript{line-height:1.9} .w{cursor:pointer;border-radius:3px} .w:hover{background:#ddf4ff}
.filler{background:#fff3b0} .fixed{border-bottom:2px dotted #8250df} .now{background:#9fd5ff!important}
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
        voice_section(attempt.voice, duration),
        _pace(timing),
        _checklist(attempt),
        _points(attempt),
        _result(attempt),
        _your_estimate(attempt),
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
    span = duration  # scaled to the answer, so a short answer to a long question stays readable
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
    for p in attempt.points:
        t = p.evidence[0].start if p.hit and p.evidence else None
        if t is not None:
            out.append(f"<polygon class=point-mark points='{x(t):.1f},76 {x(t) + 4:.1f},80 {x(t):.1f},84 "
                       f"{x(t) - 4:.1f},80' fill='#8250df' data-t='{_t(t)}'><title>{escape(p.text)}</title></polygon>")
    for c in attempt.estimates:
        if c.start is not None:
            color = {"ok": "#2e7d32", "off": "#c62828"}.get(c.verdict, "#e6a700")
            out.append(f"<rect class=estimate-mark x='{x(c.start) - 4:.1f}' y=100 width=8 height=8 fill='{color}' "
                       f"data-t='{_t(c.start)}'><title>{escape(c.explanation)}</title></rect>")
    if target and target <= span:
        out.append(f"<line x1='{x(target):.1f}' x2='{x(target):.1f}' y1=0 y2=110 stroke='#c62828' "
                   f"stroke-dasharray='4 3'><title>target {clock(target)}</title></line>")
    elif target:  # beyond the answer's end: said at the right edge
        out.append(f"<text class=target-beyond x=996 y=125 font-size=10 text-anchor=end fill='#c62828'>"
                   f"target {clock(target)} →</text>")
    step = next((s for s in (5, 10, 15, 30, 60, 120, 300, 600) if span / s <= 10), 1200)
    for k in range(0, int(span) + 1, step):
        if target and target > span and x(k) > 900:
            break  # the right edge says where the target is
        out.append(f"<text x='{x(k):.1f}' y=125 font-size=10>{clock(k)}</text>")
    out.append("</svg><p class=legend><span>bands: phases</span><span>green: speech</span>"
               "<span>orange: fillers</span><span>blue: cue hits</span><span>purple: points made</span><span>squares: estimates (red: off)</span>"
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
            f"<polyline points='{pts}' fill=none stroke='#0969da' stroke-width=2 />{dots}</svg>"
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


def _points(attempt: StoredAttempt) -> str:
    """"Points 5/7": each point made, its quote clickable to its moment; the missed ones; the story
    told with other numbers or roles than its notes."""
    if not attempt.points:
        return ""
    made = [p for p in attempt.points if p.hit]
    out = [f"<h2 id=points>Points {len(made)}/{len(attempt.points)}</h2>"]
    for p in made:
        mine = " <em>(your story)</em>" if p.source == "story" else ""
        out.append(f"<div class='cue hit point'><b>✔ {escape(p.text)}</b>{mine}")
        out += [f"<span class=q>{_seekable('“' + e.text + '”', e.start)}</span>" for e in p.evidence[:1]]
        out.append("</div>")
    missed = [p for p in attempt.points if not p.hit]
    if missed:
        out.append("<div class='cue miss point-missed'><b>✘ Missed:</b><ul>"
                   + "".join(f"<li>{escape(p.text)}</li>" for p in missed) + "</ul></div>")
    for m in attempt.mismatches:
        out.append(f"<div class='cue miss mismatch'><b>≠ Told differently from your {escape(m.against)} "
                   f"({escape(m.kind)}):</b> noted “{escape(m.noted)}”, said {_seekable('“' + m.said + '”', m.start)}</div>")
    return "".join(out)


def _estimates(attempt: StoredAttempt) -> str:
    """Each estimate step that could be followed, right or off, at its moment."""
    if not attempt.estimates:
        return ""
    out = ["<h2>Estimates</h2>"]
    for c in attempt.estimates:
        mark, cls = {"ok": ("✔", "hit"), "off": ("✘", "miss")}.get(c.verdict, ("?", "miss"))
        out.append(f"<div class='cue {cls} estimate' data-verdict='{escape(c.verdict, quote=True)}'>"
                   f"<b>{mark}</b> {_seekable(c.explanation, c.start)}</div>")
    return "".join(out)


def _seekable(text: str, start: float | None) -> str:
    """A quote that jumps the audio to its moment when clicked."""
    attr = f" data-t='{_t(start)}'" if start is not None else ""
    at = f" [{clock(start)}]" if start is not None else ""
    return f"<span class='q{' seek' if start is not None else ''}'{attr}>{escape(text)}{at}</span>"


def _result(attempt: StoredAttempt) -> str:
    """A story's result: the quantified outcome quoted, or a note that it had no number."""
    if attempt.outcomes is None:
        return ""
    if not attempt.outcomes:
        return ("<div class='cue miss result'><b>#</b> Result not quantified: say by how much "
                "(time or money saved, percent, users, incidents).</div>")
    first = attempt.outcomes[0]
    return f"<div class='cue hit result'><b>#</b> Result quantified: {_seekable(first.text, first.start)}</div>"


def _your_estimate(attempt: StoredAttempt) -> str:
    """An estimation question: how close the figure came and each step of the reference chain."""
    grade = attempt.estimate
    if grade is None:
        return ""
    marks = {"ok": ("✔", "hit"), "off": ("✘", "miss")}
    mark, cls = marks.get(grade.verdict, ("?", "miss"))
    out = ["<h2>Your estimate</h2>",
           f"<div class='cue {cls} final' data-verdict='{escape(grade.verdict, quote=True)}'><b>{mark}</b> "
           f"{_seekable(grade.summary, grade.start)}</div>"]
    for step in grade.steps:
        mark, cls = marks.get(step.verdict, ("?", "miss"))
        out.append(f"<div class='cue {cls} step' data-verdict='{escape(step.verdict, quote=True)}'><b>{mark}</b> "
                   f"{_seekable(step.explanation, step.start)}</div>")
    return "".join(out)


def _corrected(attempt: StoredAttempt) -> dict[int, str]:
    """Word index -> "heard as ..." for the words transcript.json says were corrected."""
    t = attempt.transcript
    if t is None or len(t.words) != len(attempt.words):
        return {}
    return {c.index: f"corrected: Whisper wrote '{c.original_text}'" for c in t.corrections}


def _transcript(attempt: StoredAttempt) -> str:
    words = attempt.words
    if not words:
        return f"<h2>Transcript</h2><p id=transcript>{escape(attempt.text)}</p>"
    fillers = {round(f.start, 2) for f in attempt.fillers if f.start is not None}
    fixed = _corrected(attempt)
    spans = []
    for i, w in enumerate(words):
        cls = "w filler" if round(w.start, 2) in fillers else "w"
        title = ""
        if i in fixed:  # a term put right after decoding: what Whisper wrote shows on hover
            cls, title = cls + " fixed", f" title='{escape(fixed[i], quote=True)}'"
        lead = spaced(w.word)[: -len(w.word)] if i else ""  # Whisper's spacing: "5" ",000"
        spans.append(f"{lead}<span class='{cls}' data-t='{_t(w.start)}' data-e='{_t(w.end)}'{title}>"
                     f"{escape(w.word)}</span>")
    return "<h2>Transcript</h2><p id=transcript>" + "".join(spans) + "</p>"
