"""Terminal rendering of a Report with rich: question, timing, checklist, transcript.

Returns renderables; the caller owns the Console (tests pass Console(file=...)).
"""

from __future__ import annotations

from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from voiceprep.analysis.metrics import tokens
from voiceprep.analysis.report import ESTIMATE_MARK, Report, outcome_line
from voiceprep.analysis.voice import voice_lines
from voiceprep.core.timefmt import clock
from voiceprep.hearing.corrected import summary

_FILLER_STYLE = "bold black on yellow"


def render_report(report: Report) -> RenderableType:
    parts: list[RenderableType] = [_question(report), _timing(report), _checklist(report)]
    if report.points:
        parts.append(_points(report))
    if report.estimate is not None:
        parts.append(_your_estimate(report))
    if report.numbers.checks:
        parts.append(_estimates(report))
    parts.append(_transcript(report))
    return Group(*parts)


def _question(report: Report) -> RenderableType:
    q = report.question
    title = f"{report.category}" + (f" · {q.id}" if q else "")
    body = Text(q.text if q else "(no question: free answer)", style="bold")
    if report.attempt_id:
        body.append(f"\nattempt {report.attempt_id}", style="dim")
    return Panel(body, title=title, title_align="left", border_style="cyan")


def _timing(report: Report) -> RenderableType:
    m = report.metrics
    t = Table.grid(padding=(0, 2))
    t.add_column(style="bold")
    t.add_column()
    if report.transcript.timed:
        status_style = {"on target": "green", "over": "red", "under": "yellow"}.get(m.target_status or "", "")
        target = f"  target {clock(m.target_s)} · [{status_style}]{m.target_status}[/]" if m.target_s else ""
        t.add_row("Duration", f"{clock(m.duration_s)}{target}")
        t.add_row("Speaking", f"{clock(m.speaking_s)}  (first word at {m.first_word_s or 0:.1f} s)")
        pace_style = "green" if m.pace == "good" else "yellow"
        t.add_row("Pace", f"[{pace_style}]{m.wpm or 0:.0f} wpm[/] ({m.pace}; aim "
                          f"{m.thresholds.wpm_low:.0f}-{m.thresholds.wpm_high:.0f})")
        t.add_row("Pauses", f"{len(m.pauses)} over {m.thresholds.pause_s:g} s · longest {m.longest_pause_s or 0:.1f} s")
    else:
        t.add_row("Timing", "[dim]text only: no timing[/]")
    over = m.fillers_per_100_words > m.thresholds.fillers_per_100
    f_style = "red" if over else "green"
    t.add_row("Fillers", f"[{f_style}]{len(m.fillers)}[/] ({m.fillers_per_100_words:.1f} per 100 words; "
                         f"aim under {m.thresholds.fillers_per_100:g})" + _filler_kinds(report))
    t.add_row("Hedges", str(len(m.hedges)))
    if m.i_share is not None:
        t.add_row("I vs we", f"{m.i_count} I · {m.we_count} we")
    if report.voice is not None:  # one line per voice measure, with its worst moment
        for name, text, flagged in voice_lines(report.voice):
            t.add_row(name, Text(text, style="yellow" if flagged else "green"))
    return Panel(t, title="Delivery", title_align="left", border_style="blue")


def _filler_kinds(report: Report) -> str:
    counts: dict[str, int] = {}
    for f in report.metrics.fillers:
        counts[f.word] = counts.get(f.word, 0) + 1
    if not counts:
        return ""
    return "  " + ", ".join(f"{w} ×{n}" for w, n in sorted(counts.items(), key=lambda kv: -kv[1]))


def _checklist(report: Report) -> RenderableType:
    t = Table(show_header=False, box=None, padding=(0, 1), expand=True)
    t.add_column(width=2)
    t.add_column(ratio=1)
    for c in report.cues:
        mark = Text("✔", style="bold green") if c.hit else Text("✘", style="bold red")
        body = Text(c.cue.label, style="bold")
        if c.recovered_on_follow_up:
            body.append("  recovered on follow-up", style="italic green")
        for e in c.evidence[:2]:
            at = f"[{clock(e.match_start if e.match_start is not None else e.start)}] " if e.start is not None else ""
            body.append(f"\n  {at}", style="cyan")
            body.append(f"“{_shorten(e.text)}”", style="dim")
        if not c.hit:
            body.append(f"\n  Tip: {c.cue.tip}", style="yellow")
        t.add_row(mark, body)
    if report.outcomes is not None:
        quantified = bool(report.outcomes)
        t.add_row(Text("#", style="bold green" if quantified else "bold yellow"),
                  Text(outcome_line(report.outcomes), style="" if quantified else "yellow"))
    return Panel(t, title=f"Checklist {report.hits}/{len(report.cues)}", title_align="left", border_style="magenta")


def _your_estimate(report: Report) -> RenderableType:
    """An estimation question: how close the spoken figure came, and each step of the reference chain."""
    grade = report.estimate
    assert grade is not None
    style = {"ok": "bold green", "off": "bold red", "missing": "bold yellow"}
    t = Table(show_header=False, box=None, padding=(0, 1), expand=True)
    t.add_column(width=2)
    t.add_column(ratio=1)
    t.add_row(Text(ESTIMATE_MARK.get(grade.verdict, "?"), style=style[grade.verdict]), Text(grade.summary(), style="bold"))
    for step in grade.steps:
        body = Text(f"[{clock(step.start)}] " if step.start is not None else "", style="cyan")
        body.append(step.describe())
        t.add_row(Text(ESTIMATE_MARK.get(step.verdict, "?"), style=style[step.verdict]), body)
    if grade.target.assumptions:
        t.add_row("", Text(f"Assumes {grade.target.assumptions}.", style="dim"))
    wrong = grade.wrong_step
    title = "Your estimate" + (f": went wrong at {wrong.step.label}" if wrong and grade.verdict != "ok" else "")
    return Panel(t, title=title, title_align="left", border_style="green" if grade.verdict == "ok" else "red")


def _points(report: Report) -> RenderableType:
    """"Points 5/7": each point made, quoted at its moment; the missed ones listed; a story told
    with other numbers or roles than its notes, both quotes."""
    t = Table(show_header=False, box=None, padding=(0, 1), expand=True)
    t.add_column(width=2)
    t.add_column(ratio=1)
    for r in (r for r in report.points if r.hit):
        body = Text(r.point.text + (" (your story)" if r.source == "story" else ""), style="bold")
        for e in r.evidence[:1]:
            body.append(f"\n  [{clock(e.start)}] " if e.start is not None else "\n  ", style="cyan")
            body.append(f"“{_shorten(e.text)}”", style="dim")
        t.add_row(Text("✔", style="bold green"), body)
    missed = [r for r in report.points if not r.hit]
    if missed:
        t.add_row(Text("✘", style="bold red"), Text("Missed: " + "; ".join(r.point.text for r in missed), style="yellow"))
    for m in report.mismatches:
        body = Text(f"Told differently from your {m.against} ({m.kind}): ", style="bold yellow")
        body.append(f"noted “{_shorten(m.noted)}”, said “{_shorten(m.said)}”" +
                    (f" [{clock(m.start)}]" if m.start is not None else ""))
        t.add_row(Text("≠", style="bold yellow"), body)
    made = sum(r.hit for r in report.points)
    return Panel(t, title=f"Points {made}/{len(report.points)}", title_align="left",
                 border_style="green" if made == len(report.points) else "yellow")


def _estimates(report: Report) -> RenderableType:
    """Each estimate step that could be followed: right, off (with what it should be), or a rate
    or a storage figure missing its unit of time."""
    style = {"ok": "bold green", "off": "bold red", "missing_unit": "bold yellow"}
    t = Table(show_header=False, box=None, padding=(0, 1), expand=True)
    t.add_column(width=2)
    t.add_column(ratio=1)
    for c in report.numbers.checks:
        body = Text(f"[{clock(c.start)}] " if c.start is not None else "", style="cyan")
        body.append(c.explanation)
        t.add_row(Text(ESTIMATE_MARK[c.verdict], style=style[c.verdict]), body)
    wrong = sum(c.verdict != "ok" for c in report.numbers.checks)
    return Panel(t, title=f"Estimates: {len(report.numbers.checks) - wrong} right, {wrong} to check", title_align="left",
                 border_style="red" if wrong else "green")


def _shorten(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _transcript(report: Report) -> RenderableType:
    """The transcript with fillers highlighted exactly where the metrics found them."""
    toks = tokens(report.transcript)
    flagged = [toks[f.pos + k] for f in report.metrics.fillers for k in range(f.length) if f.pos + k < len(toks)]
    if report.transcript.words:
        marked = {t.word_index for t in flagged}
        text = Text()
        for i, w in enumerate(report.transcript.words):
            word = w.word.lstrip() if i == 0 else w.word  # Whisper's words carry their own spacing
            lead = len(word) - len(word.lstrip())
            text.append(word[:lead])
            text.append(word[lead:], style=_FILLER_STYLE if i in marked else "")
    else:
        text = Text(report.transcript.text)
        for t in flagged:
            text.stylize(_FILLER_STYLE, t.offset, t.offset + len(t.text))
    corrected = summary(report.transcript)  # "Corrected 2 terms: posters -> Postgres, ..." ("" if none)
    return Panel(text, title="Transcript (fillers highlighted)", title_align="left", border_style="dim",
                 subtitle=corrected or None, subtitle_align="left")
