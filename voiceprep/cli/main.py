"""Entry point: the parser of every command, and error -> one line and exit code 2.

Command modules are imported only when their command runs, so `voiceprep check` never
loads device, transcription-stream or review code. Their parsers are declared in
cli.parsers, which imports no command module.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Callable, Sequence

from rich.console import Console

from voiceprep.cli.common import Env
from voiceprep.cli.parsers import GROUPS, build_parser
from voiceprep.core.errors import VoicePrepError

__all__ = ["Env", "build_parser", "main", "run"]


def main(argv: Sequence[str] | None = None, env: Env | None = None) -> int:
    """Run one command; returns the exit code (0, 2 for any user mistake, 130 on Ctrl-C)."""
    env = env or Env()
    err = Console(file=env.stderr, highlight=False, soft_wrap=True)
    try:
        args = build_parser().parse_args(argv)
        return _command(args.command)(args, env)
    except VoicePrepError as exc:
        err.print(f"error: {exc}", markup=False)
        return exc.exit_code
    except KeyboardInterrupt:
        err.print("interrupted", markup=False)
        return 130


def _command(name: str) -> Callable[[argparse.Namespace, Env], int]:
    module = next(m for m, names in GROUPS.items() if name in names)
    return importlib.import_module(f"voiceprep.cli.{module}").COMMANDS[name]


def run() -> None:
    """Console-script entry point: the process's runtime settings first, then the command."""
    from voiceprep.hearing.runtime import configure_process

    configure_process()
    sys.exit(main())
