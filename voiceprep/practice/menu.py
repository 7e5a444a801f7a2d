"""After the report: replay, follow-up question, retry, self-review, next, quit.

The follow-up asks what matters most (analysis.followup: a wrong estimate, a missing number,
then the first missed cue). Its answer is recorded and transcribed like the main one, and when
it hits the cue the report marks that cue "recovered on follow-up".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rich.table import Table

from voiceprep.analysis.followup import choose_follow_up
from voiceprep.analysis.numbers import find_numbers
from voiceprep.analysis.points import Embed, PointResult, judge_points
from voiceprep.analysis.report import Report
from voiceprep.analysis.verdicts import judge
from voiceprep.core.bank import Question
from voiceprep.core.errors import NoSpeechError
from voiceprep.core.transcript import Transcript
from voiceprep.hearing.lexicon import correct_terms
from voiceprep.practice.session import Options, Session

CHOICES = "[r] replay  [f] follow-up  [a] again  [s] self-review  [n] next  [q] quit"


@dataclass
class Menu:
    session: Session
    ask: Callable[[str], str]           # prints a prompt, returns the typed line
    play: Callable[[Path], object]      # replays an audio file

    def run(self, question: Question, report: Report, options: Options) -> str:
        """Loop until the user picks next, again or quit; returns that choice."""
        folder = self.session.store.root / (report.attempt_id or "")
        while True:
            choice = self.ask(f"\n{CHOICES} > ").strip().lower()[:1]
            if choice == "r":
                self.play(folder / "answer.wav")
            elif choice == "f":
                self.follow_up(question, report, options, folder)
            elif choice == "s":
                self.self_review(report, folder)
            elif choice in ("a", "n", "q"):
                return {"a": "again", "n": "next", "q": "quit"}[choice]
            elif choice:
                self.session.console.print(f"[yellow]Unknown choice {choice!r}.[/]")

    def follow_up(self, question: Question, report: Report, options: Options, folder: Path) -> None:
        ask_follow_up(self.session, question, report, options, folder)

    def self_review(self, report: Report, folder: Path) -> None:
        """Agree or disagree with each verdict, rate 1-5, add a note; stored with the attempt."""
        verdicts = []
        for c in report.cues:
            mark = "✔" if c.hit else "✘"
            answer = self.ask(f"{mark} {c.cue.label}: agree? [Y/n] ").strip().lower()
            verdicts.append({"cue": c.cue.id, "auto_hit": c.hit, "agree": not answer.startswith("n")})
        rating = None
        while rating is None:
            raw = self.ask("Rate your answer 1-5: ").strip()
            rating = int(raw) if raw in {"1", "2", "3", "4", "5"} else None
        note = self.ask("Note (optional): ").strip()
        review = {"verdicts": verdicts, "rating": rating, "note": note}
        report.extra["self_review"] = review
        self.session.store.write_results(folder, report)
        agreed = sum(v["agree"] for v in verdicts)
        self.session.console.print(f"Saved: rating {rating}/5, agreed with {agreed}/{len(verdicts)} verdicts.")


def _rejudge_point(missed: PointResult, question: Question, report: Report, transcript: Transcript,
                   embed: Embed) -> PointResult:
    """The missed point judged on the follow-up's answer as in the report: against the other points
    of its list (a passage counts for the point closest to it) and with the question's offsets."""
    if missed.source == "story":
        points, key = (report.story.points if report.story else (missed.point,)), ""
    else:
        points, key = question.points, question.id
    results = judge_points(transcript.sentences(), points, missed.source, embed, category=question.category,
                           question=key)
    return next(r for r in results if r.point.id == missed.point.id)


def ask_follow_up(session: Session, question: Question, report: Report, options: Options,
                  folder: Path) -> dict | None:
    """Ask the follow-up that matters most, record and check its answer, store it with the attempt.

    Used by the menu's [f] and by `loop`, which asks one per round. Returns the stored entry
    (None when no speech was heard)."""
    console = session.console
    chosen = choose_follow_up(report, question.follow_ups[0] if question.follow_ups else "Anything you would add?")
    target, prompt = chosen.cue, chosen.prompt
    n = len(report.extra.get("follow_ups", [])) + 1
    console.print(f"[bold cyan]Follow-up:[/] {prompt}")
    if options.speak:
        session.speaker.say(prompt)
    rec = session.record(folder / f"followup-{n}.wav", question.target_s / 3, question.target_s, options)
    try:
        vocabulary = session.bank.vocabulary_for(question.category, question)
        transcript = correct_terms(session.transcriber.transcribe(rec.audio, vocabulary), session.bank.lexicon, vocabulary)
    except NoSpeechError:
        console.print("[yellow]No speech heard in the follow-up answer.[/]")
        return None
    entry = {"question": prompt, "reason": chosen.reason, "cue": target.cue.id if target else None,
             "text": transcript.text, "audio": f"followup-{n}.wav", "hit": False}
    if chosen.reason in ("estimate", "servers"):
        _recheck_estimate(session, transcript, entry)
    if chosen.point is not None and session.detector is not None:
        again = _rejudge_point(chosen.point, question, report, transcript, session.detector.embed)
        entry.update(point=again.point.id, hit=again.hit)
        console.print(f"[green]✔ {again.point.text}: made on follow-up[/]" if again.hit
                      else f"[red]✘ {again.point.text}: still missing.[/]")
    if target is not None and not target.hit:
        [again] = judge(transcript, [target.cue], session.detector)
        if again.hit:
            target.recovered_on_follow_up = True
            target.evidence = again.evidence
            entry["hit"] = True
            console.print(f"[green]✔ {target.cue.label}: recovered on follow-up[/]")
        else:
            console.print(f"[red]✘ {target.cue.label}: still missing.[/] Tip: {target.cue.tip}")
    report.extra.setdefault("follow_ups", []).append(entry)
    session.store.write_results(folder, report)
    return entry


def _recheck_estimate(session: Session, transcript: Transcript, entry: dict) -> None:
    """The follow-up on a wrong or missing estimate: do the new answer's steps add up?"""
    checks = find_numbers(transcript).checks
    verdict = "off" if any(c.verdict == "off" for c in checks) else "ok" if checks else "unclear"
    entry["estimate"] = verdict
    message = {"ok": "[green]✔ the estimate adds up:[/] " + "; ".join(c.explanation for c in checks),
               "off": "[red]✘ still off:[/] " + next((c.explanation for c in checks if c.verdict == "off"), ""),
               "unclear": "[yellow]No estimate step could be followed in that answer.[/]"}[verdict]
    session.console.print(message)


def scorecard(reports: list[Report]) -> Table:
    """The end-of-loop summary: one row per round and a total."""
    t = Table(title="Scorecard")
    for col in ("round", "question", "duration", "wpm", "fillers/100w", "cues", "follow-up"):
        t.add_column(col)
    hits = total = 0
    for i, r in enumerate(reports, 1):
        m = r.metrics
        hits += r.hits
        total += len(r.cues)
        t.add_row(str(i), r.question.id if r.question else r.category,
                  f"{(m.duration_s or 0):.0f} s", f"{m.wpm or 0:.0f}", f"{m.fillers_per_100_words:.1f}",
                  f"{r.hits}/{len(r.cues)}", _follow_up_outcome(r))
    t.add_row("", "[bold]total[/]", "", "", "", f"[bold]{hits}/{total}[/]", "")
    return t


def _follow_up_outcome(report: Report) -> str:
    """How the round's follow-up went: the cue recovered, the estimate re-checked, or not asked."""
    entries = report.extra.get("follow_ups", [])
    if not entries:
        return "-"
    last = entries[-1]
    if "estimate" in last:
        return {"ok": "estimate ✔", "off": "estimate ✘"}.get(last["estimate"], "estimate ?")
    if last.get("cue"):
        return f"{last['cue']} " + ("✔" if last["hit"] else "✘")
    return "answered"

