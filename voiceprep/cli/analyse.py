"""Commands that analyse one answer given as a file: check (text), review (audio), and questions."""

from __future__ import annotations

import argparse
import json
from contextlib import nullcontext
from pathlib import Path

from rich.console import Console
from rich.table import Table

from voiceprep.analysis.points import telling_mismatches
from voiceprep.analysis.report import analyse_answer
from voiceprep.cli.common import Env, bank, check_model, emit, store, stories, story_target, thresholds
from voiceprep.core.errors import TranscriptError, read_utf8
from voiceprep.core.samples import SAMPLE_RATE
from voiceprep.core.transcript import Transcript
from voiceprep.hearing.lexicon import correct_terms
from voiceprep.hearing.models import DEFAULT_MODEL
from voiceprep.storage.tellings import last_telling


def cmd_check(args: argparse.Namespace, env: Env) -> int:
    b = bank(args, env)
    category, question, story = story_target(args, env, b)
    limits = thresholds(args)
    text = read_text(args.file, env)
    report = analyse_answer(Transcript(text=text), b, category, question, limits, env.make_detector(), story)
    emit(report, args, env)
    return 0


def read_text(name: str, env: Env) -> str:
    """A UTF-8 transcript from a file or standard input ("-"); never empty."""
    if name == "-":
        text = env.stdin.read()
        where = "standard input"
    else:
        p = Path(name)
        if not p.is_file():
            raise TranscriptError(f"{p}: no such file")
        text = read_utf8(p, TranscriptError)
        where = str(p)
    if not text.strip():
        raise TranscriptError(f"{where}: transcript is empty")
    return text.strip()


def cmd_review(args: argparse.Namespace, env: Env) -> int:
    from voiceprep.audio.wav import check_length, clipped_fraction, decode  # PyAV: only audio commands pay for it

    b = bank(args, env)
    category, question, story = story_target(args, env, b)
    limits = thresholds(args)
    attempts = None if args.no_store else store(args, env)
    check_model(args)
    if Path(args.audio).is_file() and Path(args.audio).stat().st_size > 0:
        check_length(args.audio, args.max_minutes * 60)
    audio = decode(args.audio)
    transcriber = env.make_transcriber(args.model)
    err = Console(file=env.stderr, highlight=False)
    quiet = args.json or not env.stderr.isatty()
    with err.status("Transcribing…", spinner="dots") if not quiet else nullcontext():
        transcript = transcriber.transcribe(audio, b.vocabulary_for(category, question))
    transcript = correct_terms(transcript, b.lexicon, b.vocabulary_for(category, question))
    report = analyse_answer(transcript, b, category, question, limits, env.make_detector(), story)
    report.model = args.model or DEFAULT_MODEL
    clipped = clipped_fraction(audio)
    report.extra["audio"] = {"seconds": round(len(audio) / SAMPLE_RATE, 2), "clipped_fraction": round(clipped, 5)}
    from voiceprep.analysis.voice import analyse_audio  # Praat (parselmouth) loads on its first use

    report.voice = analyse_audio(audio, transcript, clipped)
    if clipped > 0.001 and not args.json:
        err.print(f"warning: {clipped:.1%} of the audio is clipped (input too loud); transcription may suffer",
                  markup=False)
    if attempts is not None and story is not None:  # the story told otherwise than last time: both quotes
        report.mismatches += telling_mismatches(report.points, last_telling(attempts.root, story.id))
    if attempts is not None:
        attempts.save(report, audio, source=str(Path(args.audio).resolve()))
    emit(report, args, env)
    return 0


def cmd_questions(args: argparse.Namespace, env: Env) -> int:
    b = bank(args, env)
    qs = b.list_questions(args.category)
    if args.json:
        env.stdout.write(json.dumps([
            {"id": q.id, "category": q.category, "text": q.text, "target_s": q.target_s, "prep_s": q.prep_s,
             "cues": [c.id for c in b.cues_for(q.category, q)], "follow_ups": list(q.follow_ups),
             "vocabulary": b.vocabulary_for(q.category, q),
             "points": [{"id": p.id, "text": p.text} for p in q.points]} for q in qs], ensure_ascii=False) + "\n")
        return 0
    t = Table(title=f"{len(qs)} questions", show_lines=False)
    t.add_column("id", style="cyan", no_wrap=True)
    t.add_column("category")
    t.add_column("target", justify="right")
    t.add_column("question")
    for q in qs:
        t.add_row(q.id, q.category, f"{q.target_s / 60:.0f} min" if q.target_s >= 60 else f"{q.target_s:.0f} s", q.text)
    Console(file=env.stdout, highlight=False).print(t)
    return 0


def cmd_stories(args: argparse.Namespace, env: Env) -> int:
    """The user's stories: id, title, themes and how many bullets each has."""
    found = list(stories(args, env).values())
    if args.json:
        env.stdout.write(json.dumps([
            {"id": s.id, "title": s.title, "themes": list(s.themes), "bullets": len(s.points), "file": s.source,
             "points": [{"id": p.id, "label": p.label or None, "text": p.text} for p in s.points]} for s in found],
            ensure_ascii=False) + "\n")
        return 0
    console = Console(file=env.stdout, highlight=False)
    if not found:
        console.print("No stories yet: write Markdown notes in a stories/ folder of a --prompts folder "
                      "(README, \"Your stories\").", markup=False)
        return 0
    t = Table(title=f"{len(found)} stories", show_lines=False)
    for col in ("id", "title", "themes", "bullets"):
        t.add_column(col, style="cyan" if col == "id" else None, no_wrap=col == "id")
    for s in found:
        t.add_row(s.id, s.title, ", ".join(s.themes), str(len(s.points)))
    console.print(t)
    return 0


COMMANDS = {"check": cmd_check, "review": cmd_review, "questions": cmd_questions, "stories": cmd_stories}
