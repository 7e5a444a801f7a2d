"""Command line: argument parsing, wiring of the stages, and error -> exit code.

The only module that prints. Every VoicePrepError becomes one line on stderr
and exit code 2; with --json, stdout holds exactly one JSON document.
"""

from __future__ import annotations

import argparse
from contextlib import nullcontext
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence, TextIO

from rich.console import Console
from rich.table import Table

from . import __version__
from .bank import Bank, Question, load_bank
from .errors import QuestionNotFound, TranscriptError, VoicePrepError
from .metrics import Thresholds
from .render import render_report
from .report import Report, analyse_answer
from .store import Store, default_recordings_dir
from .transcribe import DEFAULT_MODEL, Transcriber, WhisperTranscriber, resolve_model
from .transcript import Transcript

ENV_PROMPTS = "VOICEPREP_PROMPTS"


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, exit 2, like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise _UsageError(f"{self.prog}: {message} (see --help)")


class _UsageError(Exception):
    pass


@dataclass
class Env:
    """What a command runs against; tests replace any part of it."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    environ: dict = field(default_factory=lambda: dict(os.environ))
    make_transcriber: Callable[[str | None], Transcriber] = lambda model: WhisperTranscriber(model)
    make_speaker: Callable[[Any], Any] = field(default_factory=lambda: _lazy("real_speaker"))
    make_recorder: Callable[[Any], Any] = field(default_factory=lambda: _lazy("real_recorder"))
    check_input: Callable[[Any], None] = field(default_factory=lambda: _lazy("check_input_device"))
    get_time: Callable[[], float] = time.monotonic
    started: float = field(default_factory=time.monotonic)


def _lazy(name: str) -> Callable[[Any], Any]:
    """A device factory from cli_practice, imported only when a device command runs."""
    def call(arg: Any) -> Any:
        from . import cli_practice

        return getattr(cli_practice, name)(arg)
    return call


def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    common.add_argument("--prompts", action="append", default=[], metavar="DIR",
                        help=f"extra folder of question banks and rubrics (repeatable; also ${ENV_PROMPTS})")
    thresholds = _Parser(add_help=False)
    thresholds.add_argument("--pause", type=float, default=Thresholds.pause_s, metavar="S",
                            help="flag silences at least this long (default %(default)s s)")
    thresholds.add_argument("--wpm", default=f"{Thresholds.wpm_low:.0f}-{Thresholds.wpm_high:.0f}", metavar="LOW-HIGH",
                            help="comfortable pace range (default %(default)s)")
    thresholds.add_argument("--filler-limit", type=float, default=Thresholds.fillers_per_100, metavar="N",
                            help="fillers per 100 words above which the answer is flagged (default %(default)s)")
    output = _Parser(add_help=False)
    output.add_argument("--json", action="store_true", help="print the JSON report (CONTRACT.md) and nothing else")
    output.add_argument("--markdown", action="store_true", help="print the report as Markdown")

    p = _Parser(prog="voiceprep", description="Local, private, voice-driven mock interviewer.")
    p.add_argument("--version", action="version", version=f"voiceprep {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=_Parser)

    c = sub.add_parser("check", parents=[common, thresholds, output],
                       help="rubric check of a plain-text transcript (- reads stdin)")
    c.add_argument("file", metavar="FILE")
    _question_args(c)

    r = sub.add_parser("review", parents=[common, thresholds, output],
                       help="transcribe an existing recording and analyse it")
    r.add_argument("audio", metavar="AUDIO")
    _question_args(r)
    r.add_argument("--model", default=None,
                   help=f"Whisper model: {DEFAULT_MODEL} (bundled, default), base.en, small.en, ... or a folder")
    r.add_argument("--recordings", metavar="DIR", help="where attempts are stored (also $VOICEPREP_RECORDINGS)")
    r.add_argument("--no-store", action="store_true", help="analyse only; store no attempt")
    r.add_argument("--max-minutes", type=float, default=90, metavar="M",
                   help="refuse recordings longer than this (default %(default)s)")

    from .cli_practice import add_parsers

    add_parsers(sub, common, thresholds)

    from .cli_review import add_parsers as add_review_parsers

    add_review_parsers(sub, common)

    q = sub.add_parser("questions", parents=[common], help="list the question bank")
    q.add_argument("--category", "-c", help="only this category")
    q.add_argument("--json", action="store_true", help="print the questions as JSON")
    return p


def _question_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--question", "-q", metavar="ID", help="the question answered (sets the category)")
    p.add_argument("--category", "-c", metavar="C", help="system_design, behavioral, deep_dive, concurrency, ...")


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    env = env or Env()
    err = Console(file=env.stderr, highlight=False, soft_wrap=True)
    try:
        args = build_parser().parse_args(argv)
        return _COMMANDS[args.command](args, env)
    except _UsageError as exc:
        err.print(f"error: {exc}", markup=False)
        return 2
    except VoicePrepError as exc:
        err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return 130


def _bank(args: argparse.Namespace, env: Env) -> Bank:
    extra = [d for d in env.environ.get(ENV_PROMPTS, "").split(":") if d]
    return load_bank(extra + list(args.prompts))


def _thresholds(args: argparse.Namespace) -> Thresholds:
    try:
        low, high = (float(x) for x in args.wpm.split("-"))
    except ValueError:
        raise _UsageError(f"--wpm expects LOW-HIGH such as 130-160, not {args.wpm!r}") from None
    if not 0 < low < high:
        raise _UsageError(f"--wpm range {args.wpm!r} must have 0 < LOW < HIGH")
    if args.pause <= 0 or args.filler_limit < 0:
        raise _UsageError("--pause must be positive and --filler-limit not negative")
    return Thresholds(pause_s=args.pause, wpm_low=low, wpm_high=high, fillers_per_100=args.filler_limit)


def _target(args: argparse.Namespace, bank: Bank) -> tuple[str, Question | None]:
    """Resolve --question / --category before any slow work, so mistakes fail fast."""
    question = bank.question(args.question) if args.question else None
    if question and args.category and args.category != question.category:
        raise QuestionNotFound(f"question '{question.id}' is in category '{question.category}', "
                               f"not '{args.category}'")
    category = question.category if question else args.category
    if not category:
        raise _UsageError("give --question ID or --category C")
    bank.category(category)
    return category, question


def _store(args: argparse.Namespace, env: Env) -> Store:
    root = Path(args.recordings).expanduser() if args.recordings else default_recordings_dir(env.environ)
    return Store(root)


def _resolve_model(args: argparse.Namespace) -> None:
    resolve_model(args.model)  # a wrong --model fails here, before any slow work


def _emit(report: Report, args: argparse.Namespace, env: Env) -> None:
    if args.json:
        env.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    elif args.markdown:
        env.stdout.write(report.to_markdown())
    else:
        Console(file=env.stdout, highlight=False).print(render_report(report))


def cmd_check(args: argparse.Namespace, env: Env) -> int:
    bank = _bank(args, env)
    category, question = _target(args, bank)
    thresholds = _thresholds(args)
    text = _read_text(args.file, env)
    report = analyse_answer(Transcript(text=text), bank, category, question, thresholds)
    _emit(report, args, env)
    return 0


def _read_text(name: str, env: Env) -> str:
    if name == "-":
        text = env.stdin.read()
        where = "standard input"
    else:
        p = Path(name)
        if not p.is_file():
            raise TranscriptError(f"{p}: no such file")
        try:
            text = p.read_bytes().decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TranscriptError(f"{p}: not UTF-8 text (byte {exc.start})") from None
        except OSError as exc:
            raise TranscriptError(f"{p}: cannot read: {exc.strerror or exc}") from None
        where = str(p)
    if not text.strip():
        raise TranscriptError(f"{where}: transcript is empty")
    return text.strip()


def cmd_review(args: argparse.Namespace, env: Env) -> int:
    from .audio import check_length, clipped_fraction, decode  # PyAV: only commands with audio pay for it

    bank = _bank(args, env)
    category, question = _target(args, bank)
    thresholds = _thresholds(args)
    store = None if args.no_store else _store(args, env)
    _resolve_model(args)
    if Path(args.audio).is_file() and Path(args.audio).stat().st_size > 0:
        check_length(args.audio, args.max_minutes * 60)
    audio = decode(args.audio)
    transcriber = env.make_transcriber(args.model)
    err = Console(file=env.stderr, highlight=False)
    quiet = args.json or not env.stderr.isatty()
    with err.status("Transcribing…", spinner="dots") if not quiet else nullcontext():
        transcript = transcriber.transcribe(audio, bank.vocabulary_for(category, question))
    report = analyse_answer(transcript, bank, category, question, thresholds)
    report.model = args.model or DEFAULT_MODEL
    clipped = clipped_fraction(audio)
    report.extra["audio"] = {"seconds": round(len(audio) / 16000, 2), "clipped_fraction": round(clipped, 5)}
    if clipped > 0.001 and not args.json:
        err.print(f"warning: {clipped:.1%} of the audio is clipped (input too loud); transcription may suffer",
                  markup=False)
    if store is not None:
        store.save(report, audio, source=str(Path(args.audio).resolve()))
    _emit(report, args, env)
    return 0


def cmd_questions(args: argparse.Namespace, env: Env) -> int:
    bank = _bank(args, env)
    qs = bank.list_questions(args.category)
    if args.json:
        env.stdout.write(json.dumps([
            {"id": q.id, "category": q.category, "text": q.text, "target_s": q.target_s, "prep_s": q.prep_s,
             "cues": [c.id for c in bank.cues_for(q.category, q)], "follow_ups": list(q.follow_ups),
             "vocabulary": bank.vocabulary_for(q.category, q)} for q in qs], ensure_ascii=False) + "\n")
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


def _lazy_command(module: str, name: str) -> Callable[[argparse.Namespace, Env], int]:
    """A command from a module imported only when it runs (device and review code stay unloaded)."""
    def run(args: argparse.Namespace, env: Env) -> int:
        import importlib

        return importlib.import_module(f".{module}", __package__).COMMANDS[name](args, env)
    return run


_COMMANDS: dict[str, Callable[[argparse.Namespace, Env], int]] = {
    "check": cmd_check,
    "review": cmd_review,
    "questions": cmd_questions,
    **{name: _lazy_command("cli_practice", name)
       for name in ("practice", "demo", "recover", "devices", "loop", "doctor")},
    **{name: _lazy_command("cli_review", name) for name in ("report", "replay", "history", "export")},
}


def run() -> None:
    """Console-script entry point."""
    from .memory import keep_heap_flat

    keep_heap_flat()  # before any thread starts: see memory.py
    sys.exit(main())
