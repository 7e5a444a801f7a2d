"""Every command's options, in one place that imports no command module.

`build_parser` is all `--help` and argument errors need, so they cost no device, model or
review import; cli.main imports a command's module only when that command runs.
"""

from __future__ import annotations

import argparse

from voiceprep import __version__
from voiceprep.analysis.metrics import Thresholds
from voiceprep.cli.common import ENV_PROMPTS, Parser
from voiceprep.hearing.models import BASE_INSTALL, BASE_MODEL, DEFAULT_MODEL

# command module -> the commands it holds
GROUPS: dict[str, tuple[str, ...]] = {
    "analyse": ("check", "review", "questions", "stories"),
    "practice": ("practice", "demo", "recover", "devices", "loop", "doctor"),
    "review": ("report", "replay", "history", "export"),
}


def build_parser() -> argparse.ArgumentParser:
    common = Parser(add_help=False)
    common.add_argument("--prompts", action="append", default=[], metavar="DIR",
                        help=f"extra folder of question banks and rubrics (repeatable; also ${ENV_PROMPTS})")
    limits = threshold_options()
    p = Parser(prog="voiceprep", description="Local, private, voice-driven mock interviewer.")
    p.add_argument("--version", action="version", version=f"voiceprep {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND", parser_class=Parser)
    add_analyse_parsers(sub, common, limits)
    add_practice_parsers(sub, common, limits)
    add_review_parsers(sub, common)
    return p


def threshold_options() -> argparse.ArgumentParser:
    """--pause, --wpm and --filler-limit, shared by every command that analyses an answer."""
    p = Parser(add_help=False)
    p.add_argument("--pause", type=float, default=Thresholds.pause_s, metavar="S",
                   help="flag silences at least this long (default %(default)s s)")
    p.add_argument("--wpm", default=f"{Thresholds.wpm_low:.0f}-{Thresholds.wpm_high:.0f}", metavar="LOW-HIGH",
                   help="comfortable pace range (default %(default)s)")
    p.add_argument("--filler-limit", type=float, default=Thresholds.fillers_per_100, metavar="N",
                   help="fillers per 100 words above which the answer is flagged (default %(default)s)")
    return p


def add_analyse_parsers(sub, common: argparse.ArgumentParser, limits: argparse.ArgumentParser) -> None:
    output = Parser(add_help=False)
    output.add_argument("--json", action="store_true", help="print the JSON report (scripting interface) and nothing else")
    output.add_argument("--markdown", action="store_true", help="print the report as Markdown")

    c = sub.add_parser("check", parents=[common, limits, output],
                       help="rubric check of a plain-text transcript (- reads stdin)")
    c.add_argument("file", metavar="FILE")
    _question_args(c)

    r = sub.add_parser("review", parents=[common, limits, output],
                       help="transcribe an existing recording and analyse it")
    r.add_argument("audio", metavar="AUDIO")
    _question_args(r)
    r.add_argument("--model", default=None,
                   help=f"Whisper model: {DEFAULT_MODEL} (bundled, default), {BASE_MODEL} (after `{BASE_INSTALL}`) or a folder")
    r.add_argument("--recordings", metavar="DIR", help="where attempts are stored (also $VOICEPREP_RECORDINGS)")
    r.add_argument("--no-store", action="store_true", help="analyse only; store no attempt")
    r.add_argument("--max-minutes", type=float, default=90, metavar="M",
                   help="refuse recordings longer than this (default %(default)s)")

    q = sub.add_parser("questions", parents=[common], help="list the question bank")
    q.add_argument("--category", "-c", help="only this category")
    q.add_argument("--json", action="store_true", help="print the questions as JSON")

    st = sub.add_parser("stories", parents=[common], help="list your stories (stories/*.md of the prompts folders)")
    st.add_argument("--json", action="store_true", help="print the stories as JSON")


def _question_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--question", "-q", metavar="ID", help="the question answered (sets the category)")
    p.add_argument("--category", "-c", metavar="C", help="system_design, behavioral, deep_dive, concurrency, ...")
    p.add_argument("--story", metavar="ID", help="check the answer against your story's bullets (see `voiceprep stories`)")


def add_practice_parsers(sub, common, thresholds) -> None:
    devices = Parser(add_help=False)
    devices.add_argument("--input-device", metavar="DEV", help="microphone: index or name (see `voiceprep devices`)")
    devices.add_argument("--output-device", metavar="DEV", help="speaker: index or name")
    store = Parser(add_help=False)
    store.add_argument("--recordings", metavar="DIR", help="where attempts are stored (also $VOICEPREP_RECORDINGS)")
    store.add_argument("--model", default=None,
                       help=f"Whisper model: {DEFAULT_MODEL} (bundled, default) or {BASE_MODEL} (after `{BASE_INSTALL}`)")
    listen = Parser(add_help=False)
    listen.add_argument("--whole-file", action="store_true",
                        help="transcribe after the answer ends instead of while it is spoken")
    listen.add_argument("--captions", action="store_true", help="show the words heard so far while recording")
    voice = Parser(add_help=False)
    voice.add_argument("--voice", choices=("neural", "system"), default="neural",
                       help="the interviewer's voice: neural (Piper, the default when installed) or system (espeak-ng)")

    p = sub.add_parser("practice", parents=[common, thresholds, devices, store, listen, voice],
                       help="the live loop: speak a question, record, transcribe, report")
    p.add_argument("--question", "-q", action="append", metavar="ID", help="ask this question (repeatable)")
    p.add_argument("--category", "-c", metavar="C", help="pick from this category")
    p.add_argument("--rounds", type=int, default=1, metavar="N", help="questions in a row (default 1)")
    p.add_argument("--seed", type=int, help="seed for the random choice of questions")
    p.add_argument("--story", metavar="ID", help="tell this story of yours; the answer is checked against its bullets")
    p.add_argument("--focus", metavar="weakest|CUE|VOICE|points",
                   help="pick questions that exercise the cues you miss most (weakest) or one cue; the questions "
                        "or story whose key points you miss most (points); or work on "
                        "a voice measure (monotone, quiet, trailing_off, pace, repetition) until it is gone")
    p.add_argument("--no-speak", action="store_true", help="show the question without speaking it")
    p.add_argument("--prep", action="store_true", help="count down the question's preparation time first")
    p.add_argument("--limit", type=float, metavar="S", help="end the answer after S seconds (default 1.5 x target)")
    p.add_argument("--stop-on-silence", type=float, metavar="S", help="end the answer after S seconds of silence")
    p.add_argument("--answer-file", metavar="FILE", help="stream this audio file in real time instead of the microphone")
    p.add_argument("--speed", type=float, default=1.0, help="with --answer-file: feed this many times faster than real time")
    p.add_argument("--json", action="store_true", help="non-interactive; print the JSON report (latency filled)")

    d = sub.add_parser("demo", parents=[common, devices, store, listen, voice],
                       help="the whole loop without a microphone: a synthesized candidate answers")
    d.add_argument("--speed", type=float, default=1.0, help="feed the answer faster than real time")
    d.add_argument("--json", action="store_true", help="print the JSON report")

    r = sub.add_parser("recover", parents=[common, store], help="repair attempts left unfinished by a crash")
    r.add_argument("--json", action="store_true")

    sub.add_parser("devices", help="list audio input and output devices")

    lp = sub.add_parser("loop", parents=[common, thresholds, devices, store, listen, voice],
                        help="a mock interview of several rounds, with a scorecard")
    lp.add_argument("--rounds", default="deep_dive,system_design,behavioral", metavar="C,C,...",
                    help="one category per round (default %(default)s)")
    lp.add_argument("--seed", type=int)
    lp.add_argument("--story", metavar="ID",
                    help="tell this story of yours in the behavioral round; it is checked against its bullets")
    lp.add_argument("--no-speak", action="store_true")
    lp.add_argument("--limit", type=float, metavar="S")
    lp.add_argument("--answer-file", metavar="FILE", help="every round's answer from this recording")
    lp.add_argument("--follow-up-file", metavar="FILE",
                    help="with --answer-file: each follow-up's answer from this recording (without it, "
                         "a scripted loop asks no follow-ups)")
    lp.add_argument("--no-follow-up", action="store_true",
                    help="do not ask the one follow-up per round (on your numbers, or a missed cue)")
    lp.add_argument("--speed", type=float, default=1.0)
    lp.add_argument("--json", action="store_true")

    dr = sub.add_parser("doctor", parents=[devices, store, voice], help="check devices, voice, model and disk")
    dr.add_argument("--listen", type=float, default=3.0, metavar="S", help="seconds to listen to the microphone")


def add_review_parsers(sub, common) -> None:
    store = Parser(add_help=False)
    store.add_argument("--recordings", metavar="DIR", help="where attempts are stored (also $VOICEPREP_RECORDINGS)")
    attempt = Parser(add_help=False)
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
    h.add_argument("--story", metavar="ID", help="your story's bullets across its tellings: which come and go")
    h.add_argument("--limit", type=int, default=20, metavar="N", help="attempts in the table (default 20, 0 all)")
    h.add_argument("--json", action="store_true", help="print everything as one JSON document")

    e = sub.add_parser("export", parents=[common, store], help="zip attempts (audio, transcript, reports) to share")
    e.add_argument("attempt", metavar="ATTEMPT", nargs="?", help="attempt id, a unique prefix of it, or `last`")
    e.add_argument("--all", action="store_true", help="every attempt")
    e.add_argument("--out", metavar="FILE", help="zip to write (default: voiceprep-<attempt>.zip here)")
