"""Commands that use audio devices: practice, demo, recover, devices.

Kept apart from cli.py so the text-only commands never import device code.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import signal
import tempfile
import threading
from contextlib import contextmanager
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Callable, Iterator

from rich.console import Console
from rich.table import Table

from voiceprep.analysis.metrics import Thresholds
from voiceprep.analysis.report import Report
from voiceprep.audio.capture import FileRecorder, Recorder, SoundDeviceRecorder, check_input_device, import_sounddevice
from voiceprep.audio.piper import load_voice
from voiceprep.audio.speech import SilentSpeaker, Speaker, SpeakerRequest, choose_voice, open_speaker, synthesize
from voiceprep.audio.spoken import SpokenRecorder
from voiceprep.cli import common
from voiceprep.cli.picking import focus_result, pick_questions, story_question
from voiceprep.core.bank import Question
from voiceprep.core.errors import QuestionNotFound, UsageError
from voiceprep.core.keys import NoKeys
from voiceprep.core.stories import Story, find_story
from voiceprep.practice.keys import LineKeys
from voiceprep.practice.menu import Menu, ask_follow_up, scorecard
from voiceprep.practice.recover import recover
from voiceprep.practice.session import Options, Session
from voiceprep.review.render import render_report
from voiceprep.review.replay import play

DEMO_QUESTION = "sd-url-shortener"
# Shipped inside the package (voiceprep/data), so an installed copy has it too.
DEMO_ANSWER = resources.files("voiceprep") / "data" / "answer_url_shortener.txt"


def _session(args, env, bank, thresholds, console, recorder_factory, keys_allowed: bool = True,
             opening: str | None = None) -> Session:
    """`opening`: the first question's text, which the neural voice starts making at once."""
    speak = not getattr(args, "no_speak", False)
    speaker = _speaker(args, env, console, opening) if speak else SilentSpeaker()
    transcriber = env.make_transcriber(args.model)
    interactive = keys_allowed and console.is_terminal and not args.json and env.stdin.isatty()
    session = Session(bank=bank, speaker=speaker, make_recorder=recorder_factory,
                   transcriber=transcriber, store=common.store(args, env), console=console,
                   keys=LineKeys(env.stdin) if interactive else NoKeys(), get_time=env.get_time,
                   thresholds=thresholds, model_name=args.model or "tiny.en", launched_at=env.started,
                   load_detector=env.make_detector)
    return session


def _speaker(args, env, console, opening: str | None) -> Speaker:
    """The interviewer's voice of --voice; one line when the neural voice is asked for but missing."""
    choice = choose_voice(args.voice)
    if choice.why:
        console.print(f"[yellow]{choice.why}[/]")
    return env.make_speaker(SpeakerRequest(common.device(args.output_device), choice.voice, opening,
                                           notice=lambda line: console.print(f"[yellow]{line}[/]")))


@contextmanager
def stop_signals_end_the_answer() -> Iterator[None]:
    """While practice runs, Ctrl-C and SIGTERM end the answer and keep it (see Session.record);
    the handlers that were there before come back when it ends.

    Installed explicitly: a process started in the background inherits SIGINT ignored.
    Signals can only be handled on the main thread; elsewhere this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise KeyboardInterrupt

    before = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)

def _run_rounds(session: Session, questions: list[Question], options: Options, args, env, console,
                pool: list[Question] | None = None) -> list[Report]:
    """Ask each question; in a terminal, offer the menu after each report."""
    interactive = isinstance(session.keys, LineKeys)
    pending = session.store.unfinished()
    if pending:
        console.print(f"[yellow]{len(pending)} unfinished recording(s) from an earlier run "
                      "(`voiceprep recover` repairs them).[/]")
        if interactive and not session.keys.wait(console, "Recover them now? [Y/n] ").lower().startswith("n"):
            for folder, msg in recover(session.store, session.bank, session.transcriber,
                                       model_name=session.model_name, detector=session.detector):
                console.print(f"{folder.name}: {msg}")
    menu = Menu(session, ask=lambda prompt: session.keys.wait(console, prompt),
                play=lambda path: play(path, common.device(getattr(args, "output_device", None))))
    reports: list[Report] = []
    queue = list(questions)
    while queue:
        q = queue[0]
        report = session.ask(q, options)
        reports.append(report)
        if not args.json:
            console.print(render_report(report))
            console.print(f"[dim]feedback ready {report.feedback_s:.1f} s after the answer ended · "
                          f"stored in {session.store.root / report.attempt_id}[/]")
        done = focus_result(report, args, console)
        if not interactive:
            queue.pop(0)
            if done:  # --focus on a voice measure: it is gone, no need for the remaining rounds
                break
            continue
        choice = menu.run(q, report, options)
        if choice == "quit":
            break
        if choice == "next":
            queue.pop(0)
            if not queue and pool:
                queue.append(random.choice([p for p in pool if p.id != q.id] or pool))
    return reports


def _emit_reports(reports: list[Report], args, env) -> None:
    if args.json:
        docs = [r.to_json() for r in reports]
        env.stdout.write(json.dumps(docs[0] if len(docs) == 1 else {"schema": 1, "attempts": docs},
                                    ensure_ascii=False) + "\n")


def _recorder_factory(args: argparse.Namespace, env) -> Callable[[], Recorder]:
    """The answer's source: --answer-file streamed in real time, or the microphone."""
    if args.answer_file:
        FileRecorder(args.answer_file).stop()  # open now: a bad file fails before anything is spoken
        return lambda: FileRecorder(args.answer_file, speed=args.speed, get_time=env.get_time)
    device = common.device(args.input_device)
    env.check_input(device)
    return lambda: env.make_recorder(device)


def _loop_recorders(args: argparse.Namespace, env) -> Callable[[], Recorder]:
    """A loop's recordings: the microphone, or --answer-file then --follow-up-file in turn."""
    if not (args.answer_file and args.follow_up_file):
        return _recorder_factory(args, env)
    FileRecorder(args.follow_up_file).stop()  # a bad file fails before anything is spoken
    files = itertools.cycle((args.answer_file, args.follow_up_file))
    return lambda: FileRecorder(next(files), speed=args.speed, get_time=env.get_time)


def cmd_practice(args: argparse.Namespace, env) -> int:

    bank = common.bank(args, env)
    thresholds = common.thresholds(args)
    questions, why = pick_questions(bank, args, env)
    common.check_model(args)
    console = Console(file=env.stderr if args.json else env.stdout, highlight=False)
    if why:
        console.print(f"[magenta]{why}[/]")
    options = Options(time_limit_s=args.limit, stop_on_silence_s=args.stop_on_silence,
                      speak=not args.no_speak, live=console.is_terminal, captions=args.captions,
                      incremental=not args.whole_file)
    options.prep_s = -1.0 if args.prep else 0.0  # -1: each question's own prep time
    options.story = find_story(common.stories(args, env), args.story) if args.story else None
    pool = bank.list_questions(args.category or (questions[0].category if args.question else None))
    with _session(args, env, bank, thresholds, console, _recorder_factory(args, env),
                  opening=questions[0].text) as session:
        with stop_signals_end_the_answer():
            reports = _run_rounds(session, questions, options, args, env, console, pool)
        _emit_reports(reports, args, env)
    return 0


def cmd_demo(args: argparse.Namespace, env) -> int:

    bank = common.bank(args, env)
    common.check_model(args)
    question = bank.question(DEMO_QUESTION)
    console = Console(file=env.stderr if args.json else env.stdout, highlight=False)
    with tempfile.TemporaryDirectory(prefix="voiceprep-demo-") as tmp:
        candidate = _candidate(args, env, Path(tmp) / "candidate.wav")
        console.print("[dim]Demo: a synthesized candidate answers in real time.[/]")
        args.no_speak = False
        # the candidate is synthetic: no keys, no menu
        options = Options(speak=True, live=console.is_terminal, captions=args.captions,
                          incremental=not args.whole_file)
        with _session(args, env, bank, Thresholds(), console, candidate, keys_allowed=False,
                      opening=question.text) as session:
            with stop_signals_end_the_answer():
                reports = _run_rounds(session, [question], options, args, env, console)
            _emit_reports(reports, args, env)
        return 0


def _candidate(args: argparse.Namespace, env, path: Path) -> Callable[[], Recorder]:
    """The demo's candidate, speaking with the interviewer's voice (--voice): the neural one is
    made while it talks (audio.spoken); the system one (pyttsx3) is written to `path` first."""
    text = DEMO_ANSWER.read_text(encoding="utf-8")
    if choose_voice(args.voice).voice == "neural":
        return lambda: SpokenRecorder(text, load_voice(), speed=args.speed, get_time=env.get_time)
    from voiceprep.audio.wav import write_wav

    samples, rate = synthesize(text, rate_wpm=150)
    write_wav(path, samples.astype("float32") / 32768.0, sample_rate=rate)
    return lambda: FileRecorder(path, speed=args.speed, get_time=env.get_time)


def cmd_loop(args: argparse.Namespace, env) -> int:
    """A mock interview: one question per round category, then a scorecard."""

    bank = common.bank(args, env)
    thresholds = common.thresholds(args)
    rng = random.Random(args.seed)
    cats = [c.strip() for c in args.rounds.split(",") if c.strip()]
    if not cats:
        raise QuestionNotFound("--rounds needs at least one category")
    questions = [rng.choice(bank.list_questions(c)) for c in cats]
    story = find_story(common.stories(args, env), args.story) if args.story else None
    story_round = _story_round(cats, story)
    if story is not None:
        questions[story_round] = story_question(bank, story)
    common.check_model(args)
    console = Console(file=env.stderr if args.json else env.stdout, highlight=False)
    options = Options(time_limit_s=args.limit, speak=not args.no_speak, live=console.is_terminal,
                      captions=args.captions, incremental=not args.whole_file)
    reports = []
    follow_ups = not args.no_follow_up and (not args.answer_file or args.follow_up_file)
    with stop_signals_end_the_answer(), \
            _session(args, env, bank, thresholds, console, _loop_recorders(args, env),
                     opening=questions[0].text) as session:
        for i, q in enumerate(questions, 1):
            console.rule(f"Round {i} of {len(questions)}: {bank.category(q.category).label}")
            mine = replace(options, story=story) if i - 1 == story_round else options
            report = session.ask(q, mine)
            reports.append(report)
            if not args.json:
                console.print(render_report(report))
            if follow_ups:
                ask_follow_up(session, q, report, mine, session.store.root / (report.attempt_id or ""))
    if args.json:
        env.stdout.write(json.dumps({"schema": 1, "rounds": [r.to_json() for r in reports],
                                     "scorecard": {"cues_hit": sum(r.hits for r in reports),
                                                   "cues_total": sum(len(r.cues) for r in reports)}},
                                    ensure_ascii=False) + "\n")
    else:
        console.print(scorecard(reports))
    return 0


def _story_round(categories: list[str], story: Story | None) -> int:
    """The round in which the loop's --story is told: its first behavioral round (-1: no story)."""
    if story is None:
        return -1
    if "behavioral" not in categories:
        raise UsageError(f"--story {story.id}: --rounds has no behavioral round to tell it in "
                         f"(rounds: {', '.join(categories)})")
    return categories.index("behavioral")


def cmd_doctor(args: argparse.Namespace, env) -> int:
    """Check each part voiceprep needs and print a fix for every failure."""
    from voiceprep.practice.doctor import run_checks

    console = Console(file=env.stdout, highlight=False)
    failures = 0
    for check in run_checks(common.device(args.input_device), common.device(args.output_device), args.model,
                            listen_s=args.listen, recordings=common.store(args, env).root, voice=args.voice):
        mark = "[green]✔[/]" if check.ok else "[red]✘[/]"
        console.print(f"{mark} {check.name}: {check.detail}")
        if not check.ok:
            failures += 1
            console.print(f"   [yellow]fix:[/] {check.fix}")
    console.print("All checks passed." if not failures else f"{failures} check(s) failed.")
    return 0 if not failures else 2


def cmd_recover(args: argparse.Namespace, env) -> int:

    bank = common.bank(args, env)
    common.check_model(args)
    store = common.store(args, env)
    results = recover(store, bank, env.make_transcriber(args.model), model_name=args.model or "tiny.en",
                      detector=env.make_detector())
    if args.json:
        env.stdout.write(json.dumps([{"attempt": f.name, "result": msg} for f, msg in results]) + "\n")
        return 0
    console = Console(file=env.stdout, highlight=False)
    if not results:
        console.print("Nothing to recover.")
    for folder, msg in results:
        console.print(f"{folder.name}: {msg}")
    return 0


def cmd_devices(args: argparse.Namespace, env) -> int:
    sd = import_sounddevice()
    t = Table(title="Audio devices")
    for col in ("#", "name", "inputs", "outputs", "default rate"):
        t.add_column(col)
    default_in, default_out = sd.default.device
    for i, dev in enumerate(sd.query_devices()):
        mark = " (default in)" if i == default_in else ""
        mark += " (default out)" if i == default_out else ""
        t.add_row(str(i), dev["name"] + mark, str(dev["max_input_channels"]), str(dev["max_output_channels"]),
                  f"{dev['default_samplerate']:.0f}")
    Console(file=env.stdout, highlight=False).print(t)
    return 0


def real_speaker(request: SpeakerRequest) -> Speaker:
    return open_speaker(request)


def real_recorder(device):
    return SoundDeviceRecorder(device)


COMMANDS = {"practice": cmd_practice, "demo": cmd_demo, "recover": cmd_recover, "devices": cmd_devices,
            "loop": cmd_loop, "doctor": cmd_doctor}
__all__ = ["COMMANDS", "real_speaker", "real_recorder", "check_input_device"]
