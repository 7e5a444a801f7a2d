"""Commands that look back at stored attempts: report, replay, history, export."""

from __future__ import annotations

import argparse
import base64
import json
import os
from dataclasses import asdict
from datetime import datetime
from pathlib import Path

from rich.console import Console

from voiceprep.cli import common
from voiceprep.core.errors import StorageError, VoicePrepError
from voiceprep.storage.attempt import read_attempt
from voiceprep.storage.tellings import stored_attempts
from voiceprep.storage.store import atomic_write


def _page(folder: Path, bank, audio_src: str) -> bytes:
    """The HTML report of a stored attempt, its audio referenced as `audio_src`."""
    from voiceprep.analysis.phases import phases
    from voiceprep.review.html import render_html

    stored = read_attempt(folder, with_transcript=True)
    category = stored.category
    spans = phases(stored.transcript, bank, category) if stored.transcript and category in bank.categories else []
    return render_html(stored, spans, audio_src).encode()


def cmd_report(args: argparse.Namespace, env) -> int:

    folder = common.store(args, env).find(args.attempt)
    if args.markdown:
        env.stdout.write((folder / "report.md").read_text(encoding="utf-8"))
        return 0
    out = Path(args.out).expanduser() if args.out else folder / "report.html"
    audio = folder / "answer.wav"
    if args.embed_audio and audio.is_file():
        src = "data:audio/wav;base64," + base64.b64encode(audio.read_bytes()).decode()
    else:
        src = os.path.relpath(audio, out.parent)
    page = _page(folder, common.bank(args, env), src)
    try:
        atomic_write(out, page)
    except OSError as exc:
        raise StorageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    env.stdout.write(f"{out}\n")
    return 0


def cmd_replay(args: argparse.Namespace, env) -> int:
    from voiceprep.audio.wav import decode
    from voiceprep.core.keys import NoKeys
    from voiceprep.review.replay import Player, TerminalKeys, moments, output_stream, replay, start_of_cue

    folder = common.store(args, env).find(args.attempt)
    stored = read_attempt(folder)
    if args.at is not None and args.cue:
        raise StorageError("give --at or --cue, not both")
    start = start_of_cue(stored, args.cue) if args.cue else (args.at or 0.0)
    if start < 0:
        raise StorageError("--at must not be negative")
    audio = decode(folder / "answer.wav")
    if start >= len(audio) / 16000:
        raise StorageError(f"--at {start:g}: the recording is only {len(audio) / 16000:.1f} s long")
    player = Player(audio, start)
    marks = moments(stored)
    words = stored.words
    interactive = not args.json and env.stdin.isatty() and env.stdout.isatty()
    console = Console(file=env.stderr if args.json else env.stdout, highlight=False,
                      quiet=args.json)
    title = stored.question_id or stored.category
    open_stream = output_stream(common.device(args.output_device))
    if interactive:
        with TerminalKeys(env.stdin) as keys:
            result = replay(player, words, marks, keys, console, open_stream, title=title)
    else:
        result = replay(player, words, marks, NoKeys(), console, open_stream, title=title)
    if args.json:
        env.stdout.write(json.dumps({"attempt": folder.name, "started_at": round(start, 2), **result,
                                     "moments": [m.to_dict() for m in marks]}) + "\n")
    return 0


def cmd_history(args: argparse.Namespace, env) -> int:
    from voiceprep.review.history import agreement, compare, cue_trends, render_comparison, render_history
    from voiceprep.review.voice_history import voice_trends
    from voiceprep.storage.index import Index

    if args.limit < 0:
        raise StorageError("--limit must be 0 (all) or more")
    store = common.store(args, env)
    if args.story:
        return _story_history(args, env, store.root)
    with Index.open(store.root) as index:
        every = index.attempts(args.question)
        ids = {a.id for a in every} if args.question else None
        outcomes = [o for o in index.cue_outcomes() if ids is None or o[1] in ids]
        voice = voice_trends([r for r in index.voice_rows() if ids is None or r.attempt in ids])
    if args.question and not every:
        raise StorageError(f"no attempts at question '{args.question}' in {store.root}")
    shown = every[-args.limit:] if args.limit else every
    trends = cue_trends(outcomes)
    agree = agreement(every)
    comparison = None
    if args.question and len(every) >= 2:
        comparison = compare(read_attempt(store.root / every[-2].id), read_attempt(store.root / every[-1].id))
    count = len(every)
    if args.json:
        env.stdout.write(json.dumps({
            "schema": 1, "total": count, "attempts": [asdict(a) for a in shown],
            "cues": [t.to_dict() for t in trends], "self_review": agree,
            "comparison": comparison.to_dict() if comparison else None,
            "voice": [t.to_dict() for t in voice],
            "points": [t.to_dict() for t in _question_points(store.root, args.question)]}, ensure_ascii=False) + "\n")
        return 0
    console = Console(file=env.stdout, highlight=False)
    if not count:
        console.print(f"No attempts yet in {store.root}. Start with `voiceprep practice`.")
        return 0
    try:
        labels = {c.id: c.label for c in common.bank(args, env).cues.values()}
    except VoicePrepError:  # a broken user bank must not hide the history
        labels = {}
    console.print(render_history(shown, count, trends, agree, labels, voice))
    if comparison:
        console.print(render_comparison(comparison, labels))
    if args.question and (points := _question_points(store.root, args.question)):
        from voiceprep.review.point_history import render_point_trends

        console.print(render_point_trends(points, stored_attempts(store.root, question_id=args.question), args.question))
    return 0


def _question_points(root: Path, question: str | None) -> list:
    """How each key point of the question fared over its stored attempts ([] without --question)."""
    from voiceprep.review.point_history import point_trends

    return point_trends(stored_attempts(root, question_id=question)) if question else []


def _story_history(args: argparse.Namespace, env, root: Path) -> int:
    """history --story ID: the story's bullets over its tellings, and where the last telling's
    numbers or roles differed from the notes or the telling before."""
    from voiceprep.review.point_history import point_trends, render_point_trends

    told = stored_attempts(root, story_id=args.story)
    if not told:
        raise StorageError(f"no attempts at story '{args.story}' in {root}")
    trends = point_trends(told)
    last = told[-1].mismatches
    if args.json:
        env.stdout.write(json.dumps({"schema": 1, "story": args.story, "attempts": [a.id for a in told],
                                     "points": [t.to_dict() for t in trends],
                                     "mismatches": [asdict(m) for m in last]}, ensure_ascii=False) + "\n")
        return 0
    console = Console(file=env.stdout, highlight=False)
    console.print(render_point_trends(trends, told, args.story))
    for m in last:
        console.print(f"≠ last attempt, {m.kind}, against the {m.against}: noted “{m.noted}”, said “{m.said}”",
                      style="yellow", markup=False)
    return 0


def cmd_export(args: argparse.Namespace, env) -> int:
    from voiceprep.review.export import ExportItem, write_zip

    if bool(args.all) == bool(args.attempt):
        raise StorageError("give one ATTEMPT (id, prefix or `last`) or --all")
    store = common.store(args, env)
    if args.all:
        folders = sorted(d for d in store.root.iterdir() if (d / "report.json").is_file()) \
            if store.root.is_dir() else []
        default = f"voiceprep-all-{datetime.now():%Y%m%d-%H%M%S}.zip"
    else:
        folders = [store.find(args.attempt)]
        default = f"voiceprep-{folders[0].name}.zip"
    out = Path(args.out or default).expanduser()
    bank = common.bank(args, env)
    items = [ExportItem(f, _page(f, bank, "answer.wav")) for f in folders]
    names = write_zip(out, items)
    env.stdout.write(f"{out}  ({len(folders)} attempt(s), {len(names)} files)\n")
    return 0


COMMANDS = {"report": cmd_report, "replay": cmd_replay, "history": cmd_history, "export": cmd_export}
__all__ = ["COMMANDS"]
