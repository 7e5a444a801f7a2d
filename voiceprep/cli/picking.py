"""Which questions a practice run asks: given ones, a story's, or those `--focus` picks (weakest
cues, a voice measure, missed key points), and whether a focused problem is gone.

Kept apart from the device commands in practice.py: it reads the history, not the devices.
"""

from __future__ import annotations

import argparse
import random

from voiceprep.analysis.report import Report
from voiceprep.cli import common
from voiceprep.core.bank import Bank, Question
from voiceprep.core.errors import QuestionNotFound
from voiceprep.core.stories import Story, find_story


def pick_questions(bank: Bank, args: argparse.Namespace, env) -> tuple[list[Question], str | None]:
    """The questions to ask, and a line saying why when --focus chose them."""
    if args.rounds < 1:
        raise QuestionNotFound("--rounds must be at least 1")
    if args.story and not args.question:
        return [story_question(bank, find_story(common.stories(args, env), args.story))], None
    if args.question:
        if args.focus:
            raise QuestionNotFound("give --question or --focus, not both")
        return [bank.question(q) for q in args.question], None
    pool = bank.list_questions(args.category)
    if not pool:
        raise QuestionNotFound(f"no questions in category '{args.category}'")
    rng = random.Random(args.seed)
    if args.focus:
        return _focus(bank, args, env, rng)
    picks = rng.sample(pool, min(args.rounds, len(pool)))
    while len(picks) < args.rounds:
        picks.append(rng.choice(pool))
    return picks, None


def _focus(bank: Bank, args: argparse.Namespace, env, rng: random.Random) -> tuple[list[Question], str]:
    from voiceprep.review.history import CueTrend, cue_trends, pick_focus, weakest
    from voiceprep.review.voice_history import FOCUS
    from voiceprep.storage.index import Index

    if args.focus in FOCUS:
        return _voice_focus(bank, args, env, rng)
    if args.focus == "points":
        return _points_focus(bank, args, env, rng)
    if args.focus != "weakest" and args.focus not in bank.cues:
        raise QuestionNotFound(f"--focus takes 'weakest' or a cue id, not '{args.focus}' "
                               f"(cues: {', '.join(sorted(bank.cues))}; voice: {', '.join(FOCUS)})")
    with Index.open(common.store(args, env).root) as index:
        recent = [a.question or "" for a in index.attempts(limit=20)]
        trends = cue_trends(index.cue_outcomes())
    if args.focus != "weakest":  # one named cue: treat it as the only weak one
        trends = [CueTrend(args.focus, outcomes=[False, False])]
    picks = pick_focus(bank, trends, recent, args.category, args.rounds, rng)
    weak = weakest(trends)
    if not weak:
        why = "Focus: no history yet (or no cue missed), so questions are picked at random."
    else:
        names = ", ".join(f"{bank.cues[t.cue].label if t.cue in bank.cues else t.cue}"
                          + (f" ({t.recent_rate:.0%} of the last {min(len(t.outcomes), 10)})"
                             if args.focus == "weakest" else "") for t in weak)
        why = f"Focus: {names}"
    return picks, why


def _voice_focus(bank: Bank, args: argparse.Namespace, env, rng: random.Random) -> tuple[list[Question], str]:
    """--focus on a voice measure: long questions first; the rounds stop once it is gone (_run_rounds)."""
    from voiceprep.review.voice_history import FOCUS, focus_status, pick_voice_focus, voice_trends
    from voiceprep.storage.index import Index

    with Index.open(common.store(args, env).root) as index:
        recent = [a.question or "" for a in index.attempts(limit=20)]
        trend = next((t for t in voice_trends(index.voice_rows()) if t.measure.key == FOCUS[args.focus]), None)
    return pick_voice_focus(bank, recent, args.category, args.rounds, rng), focus_status(trend, args.focus)


def _points_focus(bank: Bank, args: argparse.Namespace, env, rng: random.Random) -> tuple[list[Question], str]:
    """--focus points: the questions, or the story, whose key points were missed most lately."""
    from voiceprep.review.point_history import most_missed
    from voiceprep.storage.tellings import stored_attempts

    stories = common.stories(args, env)
    ranked = [m for m in most_missed(stored_attempts(common.store(args, env).root)) if m.rate > 0
              and (m.id in stories if m.kind == "story" else m.id in bank.questions
                   and (not args.category or bank.question(m.id).category == args.category))]
    if not ranked:
        pool = bank.list_questions(args.category)
        return rng.sample(pool, min(args.rounds, len(pool))), "Focus: no missed points yet, so questions are picked at random."
    if ranked[0].kind == "story":  # one story per run: its bullets are what the answer is checked against
        args.story = ranked[0].id
        return [story_question(bank, stories[args.story])], \
            f"Focus: your story '{args.story}' ({ranked[0].rate:.0%} of its bullets missed lately)"
    picks = [m for m in ranked if m.kind == "question"][:args.rounds]
    names = ", ".join(f"{m.id} ({m.rate:.0%} missed)" for m in picks)
    return [bank.question(m.id) for m in picks], f"Focus: points missed most in {names}"


def focus_result(report: Report, args, console) -> bool:
    """With --focus on a voice measure, say whether it showed in this answer; True once it is gone."""
    from voiceprep.review.voice_history import FOCUS, gone

    if getattr(args, "focus", None) not in FOCUS:
        return False
    result = gone(report.to_json()["voice"], args.focus)
    if not args.json:
        console.print({None: f"[yellow]Focus {args.focus}: not judged this time (see Voice above).[/]",
                       True: f"[green]Focus {args.focus}: gone in this answer.[/]",
                       False: f"[magenta]Focus {args.focus}: still there; keep at it.[/]"}[result])
    return bool(result)


def story_question(bank: Bank, story: Story) -> Question:
    """The question a story is told for: the one its themes name, else "Tell me about: <title>"."""
    linked = next((t for t in story.themes if t in bank.questions), None)
    if linked:
        return bank.question(linked)
    return Question(f"story-{story.id}"[:64], "behavioral", f"Tell me about this: {story.title}.", 180.0,
                    follow_ups=("What would you do differently next time?",), source=story.source)
