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

from .errors import StorageError, VoicePrepError
from .store import Store, atomic_write
from .transcript import Transcript


def add_parsers(sub, common) -> None:
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument("--recordings", metavar="DIR", help="where attempts are stored (also $VOICEPREP_RECORDINGS)")
    attempt = argparse.ArgumentParser(add_help=False)
    attempt.add_argument("attempt", metavar="ATTEMPT", help="attempt id, a unique prefix of it, or `last`")

    rp = sub.add_parser("report", parents=[common, store, attempt],
                        help="write an attempt's report as a page (HTML) or Markdown")
    rp.add_argument("--html", action="store_true", help="write a self-contained HTML page (the default)")
    rp.add_argument("--markdown", action="store_true", help="print the Markdown report instead")
    rp.add_argument("--out", metavar="FILE", help="where to write the page (default: report.html in the attempt)")
    rp.add_argument("--embed-audio", action="store_true", help="put the audio inside the page (one file to share)")

    pl = sub.add_parser("replay", parents=[store, attempt],
                        help="play an attempt with its transcript in sync; jump between flagged moments")
    pl.add_argument("--at", type=float, metavar="S", help="start this many seconds in")
    pl.add_argument("--cue", metavar="ID", help="start at this cue's evidence (e.g. tradeoffs)")
    pl.add_argument("--output-device", metavar="DEV", help="speaker: index or name")
    pl.add_argument("--json", action="store_true", help="no transcript view; print what was played as JSON")

    h = sub.add_parser("history", parents=[common, store], help="attempts over time, cue hit rates, self-review")
    h.add_argument("--question", "-q", metavar="ID", help="only this question, and compare its last two attempts")
    h.add_argument("--limit", type=int, default=20, metavar="N", help="attempts in the table (default 20, 0 all)")
    h.add_argument("--json", action="store_true", help="print everything as one JSON document")

    e = sub.add_parser("export", parents=[common, store], help="zip attempts (audio, transcript, reports) to share")
    e.add_argument("attempt", metavar="ATTEMPT", nargs="?", help="attempt id, a unique prefix of it, or `last`")
    e.add_argument("--all", action="store_true", help="every attempt")
    e.add_argument("--out", metavar="FILE", help="zip to write (default: voiceprep-<attempt>.zip here)")


def _store(args, env) -> Store:
    from .cli import _store as store

    return store(args, env)


def _page(folder: Path, bank, audio_src: str) -> bytes:
    """The HTML report of a stored attempt, its audio referenced as `audio_src`."""
    from .html import render_html
    from .phases import phases

    doc = _load(folder)
    transcript = Transcript.from_dict(_load(folder, "transcript.json"))
    category = doc["question"]["category"]
    spans = phases(transcript, bank, category) if category in bank.categories else []
    return render_html(doc, spans, audio_src).encode()


def _load(folder: Path, name: str = "report.json") -> dict:
    path = folder / name
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StorageError(f"{path}: cannot read attempt: {exc}") from None


def cmd_report(args: argparse.Namespace, env) -> int:
    from .cli import _bank

    folder = _store(args, env).find(args.attempt)
    if args.markdown:
        env.stdout.write((folder / "report.md").read_text(encoding="utf-8"))
        return 0
    out = Path(args.out).expanduser() if args.out else folder / "report.html"
    audio = folder / "answer.wav"
    if args.embed_audio and audio.is_file():
        src = "data:audio/wav;base64," + base64.b64encode(audio.read_bytes()).decode()
    else:
        src = os.path.relpath(audio, out.parent)
    page = _page(folder, _bank(args, env), src)
    try:
        atomic_write(out, page)
    except OSError as exc:
        raise StorageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    env.stdout.write(f"{out}\n")
    return 0


def cmd_replay(args: argparse.Namespace, env) -> int:
    from .audio import decode
    from .cli_practice import _device
    from .replay import NoKeys, Player, TerminalKeys, moments, output_stream, replay, start_of_cue

    folder = _store(args, env).find(args.attempt)
    doc = _load(folder)
    if args.at is not None and args.cue:
        raise StorageError("give --at or --cue, not both")
    start = start_of_cue(doc, args.cue) if args.cue else (args.at or 0.0)
    if start < 0:
        raise StorageError("--at must not be negative")
    audio = decode(folder / "answer.wav")
    if start >= len(audio) / 16000:
        raise StorageError(f"--at {start:g}: the recording is only {len(audio) / 16000:.1f} s long")
    player = Player(audio, start)
    marks = moments(doc)
    words = doc["transcript"]["words"]
    interactive = not args.json and env.stdin.isatty() and env.stdout.isatty()
    console = Console(file=env.stderr if args.json else env.stdout, highlight=False,
                      quiet=args.json)
    title = doc["question"]["id"] or doc["question"]["category"]
    open_stream = output_stream(_device(args.output_device))
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
    from .cli import _bank
    from .history import agreement, compare, cue_trends, render_comparison, render_history
    from .index import Index

    if args.limit < 0:
        raise StorageError("--limit must be 0 (all) or more")
    store = _store(args, env)
    with Index.open(store.root) as index:
        every = index.attempts(args.question)
        ids = {a.id for a in every} if args.question else None
        outcomes = [o for o in index.cue_outcomes() if ids is None or o[1] in ids]
    if args.question and not every:
        raise StorageError(f"no attempts at question '{args.question}' in {store.root}")
    shown = every[-args.limit:] if args.limit else every
    trends = cue_trends(outcomes)
    agree = agreement(every)
    comparison = None
    if args.question and len(every) >= 2:
        comparison = compare(_load(store.root / every[-2].id), _load(store.root / every[-1].id))
    count = len(every)
    if args.json:
        env.stdout.write(json.dumps({
            "schema": 1, "total": count, "attempts": [asdict(a) for a in shown],
            "cues": [t.to_dict() for t in trends], "self_review": agree,
            "comparison": comparison.to_dict() if comparison else None}, ensure_ascii=False) + "\n")
        return 0
    console = Console(file=env.stdout, highlight=False)
    if not count:
        console.print(f"No attempts yet in {store.root}. Start with `voiceprep practice`.")
        return 0
    try:
        labels = {c.id: c.label for c in _bank(args, env).cues.values()}
    except VoicePrepError:  # a broken user bank must not hide the history
        labels = {}
    console.print(render_history(shown, count, trends, agree, labels))
    if comparison:
        console.print(render_comparison(comparison, labels))
    return 0


def cmd_export(args: argparse.Namespace, env) -> int:
    from .cli import _bank
    from .export import ExportItem, write_zip

    if bool(args.all) == bool(args.attempt):
        raise StorageError("give one ATTEMPT (id, prefix or `last`) or --all")
    store = _store(args, env)
    if args.all:
        folders = sorted(d for d in store.root.iterdir() if (d / "report.json").is_file()) \
            if store.root.is_dir() else []
        default = f"voiceprep-all-{datetime.now():%Y%m%d-%H%M%S}.zip"
    else:
        folders = [store.find(args.attempt)]
        default = f"voiceprep-{folders[0].name}.zip"
    out = Path(args.out or default).expanduser()
    bank = _bank(args, env)
    items = [ExportItem(f, _page(f, bank, "answer.wav")) for f in folders]
    names = write_zip(out, items)
    env.stdout.write(f"{out}  ({len(folders)} attempt(s), {len(names)} files)\n")
    return 0


COMMANDS = {"report": cmd_report, "replay": cmd_replay, "history": cmd_history, "export": cmd_export}
__all__ = ["COMMANDS", "add_parsers"]
