"""What every command group shares: the environment a command runs in and the options
that turn into a bank, thresholds, a store, a model or a device.

Public so that each command module imports them from here, never from each other.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, TextIO

from rich.console import Console

from voiceprep.analysis.metrics import Thresholds
from voiceprep.analysis.report import Report
from voiceprep.analysis.semantic import Detector
from voiceprep.core.bank import Bank, Question, load_bank
from voiceprep.core.errors import QuestionNotFound, UsageError
from voiceprep.core.stories import Story, find_story, load_stories
from voiceprep.hearing.models import resolve_model
from voiceprep.hearing.protocols import Transcriber
from voiceprep.hearing.whisper import WhisperTranscriber
from voiceprep.review.render import render_report
from voiceprep.storage.store import Store, default_recordings_dir

ENV_PROMPTS = "VOICEPREP_PROMPTS"


class Parser(argparse.ArgumentParser):
    """argparse that reports a usage mistake in one line, exit 2, like every other user error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{self.prog}: {message} (see --help)")


def _device_factory(name: str) -> Callable[[Any], Any]:
    """A device factory from cli.practice, imported only when a device command runs."""
    def call(arg: Any) -> Any:
        from voiceprep.cli import practice

        return getattr(practice, name)(arg)
    return call


@dataclass
class Env:
    """What a command runs against; tests replace any part of it."""

    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    stdin: TextIO = field(default_factory=lambda: sys.stdin)
    environ: dict = field(default_factory=lambda: dict(os.environ))
    make_transcriber: Callable[[str | None], Transcriber] = lambda model: WhisperTranscriber(model)
    # audio.speech.SpeakerRequest (device, voice, opening, notice) -> Speaker
    make_speaker: Callable[[Any], Any] = field(default_factory=lambda: _device_factory("real_speaker"))
    make_recorder: Callable[[Any], Any] = field(default_factory=lambda: _device_factory("real_recorder"))
    check_input: Callable[[Any], None] = field(default_factory=lambda: _device_factory("check_input_device"))
    make_detector: Callable[[], Detector | None] = field(default_factory=lambda: load_detector)
    get_time: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    started: float = field(default_factory=time.monotonic)


@functools.cache
def load_detector() -> Detector:
    """The semantic cue detector shipped with voiceprep, loaded once per process (a missing
    model is a one-line error)."""
    from voiceprep.analysis.semantic import Detector

    return Detector.load()


def prompt_folders(args: argparse.Namespace, env: Env) -> list[str]:
    """$VOICEPREP_PROMPTS folders, then --prompts folders, in order."""
    return [d for d in env.environ.get(ENV_PROMPTS, "").split(":") if d] + list(getattr(args, "prompts", []))


def stories(args: argparse.Namespace, env: Env) -> dict[str, Story]:
    """The user's stories: stories/*.md of the prompts folders."""
    return load_stories(prompt_folders(args, env))


def story_target(args: argparse.Namespace, env: Env, bank: Bank) -> tuple[str, Question | None, Story | None]:
    """--question / --category / --story: a story alone answers the question its themes name,
    else it is a behavioral answer."""
    story = find_story(stories(args, env), args.story) if getattr(args, "story", None) else None
    if story is not None and not args.question and not args.category:
        linked = next((t for t in story.themes if t in bank.questions), None)
        return (bank.question(linked).category, bank.question(linked), story) if linked else ("behavioral", None, story)
    category, question = target(args, bank)
    return category, question, story


def bank(args: argparse.Namespace, env: Env) -> Bank:
    """The bundled bank plus $VOICEPREP_PROMPTS and --prompts folders."""
    extra = [d for d in env.environ.get(ENV_PROMPTS, "").split(":") if d]
    return load_bank(extra + list(getattr(args, "prompts", [])))


def thresholds(args: argparse.Namespace) -> Thresholds:
    """Delivery thresholds from --pause, --wpm and --filler-limit, checked."""
    try:
        low, high = (float(x) for x in args.wpm.split("-"))
    except ValueError:
        raise UsageError(f"--wpm expects LOW-HIGH such as 130-160, not {args.wpm!r}") from None
    if not 0 < low < high:
        raise UsageError(f"--wpm range {args.wpm!r} must have 0 < LOW < HIGH")
    if args.pause <= 0 or args.filler_limit < 0:
        raise UsageError("--pause must be positive and --filler-limit not negative")
    return Thresholds(pause_s=args.pause, wpm_low=low, wpm_high=high, fillers_per_100=args.filler_limit)


def target(args: argparse.Namespace, bank: Bank) -> tuple[str, Question | None]:
    """Resolve --question / --category before any slow work, so mistakes fail fast."""
    question = bank.question(args.question) if args.question else None
    if question and args.category and args.category != question.category:
        raise QuestionNotFound(f"question '{question.id}' is in category '{question.category}', "
                               f"not '{args.category}'")
    category = question.category if question else args.category
    if not category:
        raise UsageError("give --question ID or --category C")
    bank.category(category)
    return category, question


def store(args: argparse.Namespace, env: Env) -> Store:
    """The attempts folder: --recordings, else $VOICEPREP_RECORDINGS, else the default."""
    recordings = getattr(args, "recordings", None)
    root = Path(recordings).expanduser() if recordings else default_recordings_dir(env.environ)
    return Store(root)


def check_model(args: argparse.Namespace) -> None:
    """A wrong --model fails here, before any slow work."""
    resolve_model(args.model)


def device(value: str | None) -> int | str | None:
    """A --input-device / --output-device value: an index, a name, or None (the default)."""
    if value is None:
        return None
    return int(value) if value.isdigit() else value


def emit(report: Report, args: argparse.Namespace, env: Env) -> None:
    """One report as JSON (--json), Markdown (--markdown) or the terminal view."""
    if args.json:
        env.stdout.write(json.dumps(report.to_json(), ensure_ascii=False) + "\n")
    elif getattr(args, "markdown", False):
        env.stdout.write(report.to_markdown())
    else:
        Console(file=env.stdout, highlight=False).print(render_report(report))
