"""The practice loop, wired from injected parts: ask, record, transcribe, report.

Everything with a side effect comes in from outside (speaker, recorder factory,
transcriber, store, console, clock, key source), so the loop runs the same on real
devices, on an answer file, and in tests with the fakes.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from rich.console import Console
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

from voiceprep.analysis.metrics import Thresholds
from voiceprep.analysis.points import reference_texts, telling_mismatches
from voiceprep.analysis.report import Report, analyse_answer
from voiceprep.analysis.semantic import Detector
from voiceprep.analysis.voice import measure_voice
from voiceprep.analysis.voice_frames import VoiceTracker
from voiceprep.audio.capture import Recorder, WavWriter
from voiceprep.audio.speech import Speaker
from voiceprep.audio.wav import clipped_fraction
from voiceprep.core.bank import Bank, Question
from voiceprep.core.errors import DeviceError, VoicePrepError
from voiceprep.core.keys import Keys, NoKeys
from voiceprep.core.samples import SAMPLE_RATE
from voiceprep.core.stories import Story
from voiceprep.hearing.lexicon import correct_terms, index_for
from voiceprep.hearing.protocols import Transcriber
from voiceprep.hearing.stream import Stream, open_stream
from voiceprep.practice.panel import SILENCE_DB, recording_panel
from voiceprep.practice.warm import Warmer
from voiceprep.storage.store import Store
from voiceprep.storage.tellings import last_telling


@dataclass
class Options:
    time_limit_s: float | None = None       # None: 1.5 x the question's target
    stop_on_silence_s: float | None = None  # off by default
    prep_s: float = 0.0  # -1: the question's own prep time
    speak: bool = True
    live: bool = True
    captions: bool = False  # the live panel shows the words heard so far (incremental only)
    incremental: bool = True  # transcribe while recording; False: the whole file after the end
    story: Story | None = None  # practice --story: the answer is also checked against its bullets


GAP_S = 0.5  # audio this far behind the clock was dropped before it reached us


@dataclass
class GapMeter:
    """Finds input the device dropped without saying so: audio received falls behind the clock.

    PortAudio's overflow flag is not always raised (seen with PulseAudio: a 1.5 s stall lost
    about a second of audio with no flag). Each gap is counted once, then the meter resyncs.
    The clock is read when the device delivered a block (`at`), not when the session got to it:
    a session loop held up by its own work (the disk, the screen, the transcriber) only makes
    blocks wait in the queue, and that loses nothing.
    """

    get_time: Callable[[], float]
    gaps: int = 0
    lost_s: float = 0.0
    _t0: float | None = None
    _received: float = 0.0

    def add(self, seconds: float, at: float | None = None) -> None:
        """`seconds` more audio, delivered at `at` (now, when not known)."""
        now = self.get_time() if at is None else at
        if self._t0 is None:
            self._t0 = now - seconds
        self._received += seconds
        behind = (now - self._t0) - self._received
        if behind > GAP_S:
            self.gaps += 1
            self.lost_s += behind
            self._t0 += behind


@dataclass
class Recording:
    audio: np.ndarray | None  # None when the blocks went to a stream instead of memory
    seconds: float
    overflows: int  # PortAudio's overflow flags plus gaps found by GapMeter
    ended_by: str  # enter | limit | silence | interrupt | end-of-file | device-lost | storage-error
    lost_s: float = 0.0  # input dropped in gaps (microphone only)
    clipped: float = 0.0  # share of samples at full scale (audio.wav.clipped_fraction over every block)


@dataclass
class Session:
    bank: Bank
    speaker: Speaker
    make_recorder: Callable[[], Recorder]
    transcriber: Transcriber
    store: Store
    console: Console
    keys: Keys = field(default_factory=NoKeys)
    get_time: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    thresholds: Thresholds | None = None
    model_name: str | None = None
    launched_at: float | None = None  # when the command started, to measure time to the question
    load_detector: Callable[[], Detector | None] = lambda: None  # the semantic cue detector, loaded in preload
    detector: Detector | None = None
    detector_error: str | None = None  # why the detector could not load (shown once)
    _streams: list[Stream] = field(default_factory=list, repr=False)
    _loads: list[threading.Thread] = field(default_factory=list, repr=False)
    _told_detector_error: bool = field(default=False, repr=False)

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Wait for what still runs in the background: transcription (see IncrementalStream.close)
        and model loading. A process that exits while a loader thread is inside a model's C++
        code aborts ("terminate called without an active exception"), for example when the disk
        fills during an answer and the error ends the session before the model has loaded."""
        while self._streams:
            self._streams.pop().close()
        while self._loads:
            self._loads.pop().join()

    def preload(self, incremental: bool = True) -> tuple[threading.Thread, dict]:
        """Load the model in the background while the question is spoken; the dict gets its load time."""
        timing: dict = {}

        def run() -> None:
            t0 = self.get_time()
            self.transcriber.load()
            timing["model_load_s"] = round(self.get_time() - t0, 3)
            if self.detector is None and self.detector_error is None:
                t1 = self.get_time()
                try:
                    self.detector = self.load_detector()
                except VoicePrepError as exc:  # told once in ask(); the rules still judge the answer
                    self.detector_error = str(exc)
                timing["detector_load_s"] = round(self.get_time() - t1, 3)
            chunker = self.transcriber.chunker() if incremental else None
            if chunker is not None:
                chunker.load_careful()  # the careful lane's instance, before the answer starts
            index_for(self.bank.lexicon)  # the corrections' lexicon, read and indexed once
        t = threading.Thread(target=run, daemon=True)
        t.start()
        self._loads.append(t)
        return t, timing

    def ask(self, question: Question, options: Options, label: str | None = None) -> Report:
        """One round: speak the question, record the answer to disk, analyse and store it."""
        self.close()
        loading, load_timing = self.preload(options.incremental)
        self.console.print(Panel(Text(question.text, style="bold"), title=f"{question.category} · {question.id}",
                                 title_align="left", border_style="cyan"))
        question_at = self.get_time()
        if options.speak:
            try:
                self.speaker.say(question.text)
            except DeviceError as exc:  # the question is on screen; a mute speaker must not stop practice
                self.console.print(f"[yellow]Could not speak the question: {exc}[/]")
        prep = question.prep_s if options.prep_s < 0 else options.prep_s
        if prep > 0:
            self._prep(prep)
        folder = self.store.new_attempt_dir(label or question.id)
        self.store.write_meta(folder, {"question": question.id, "category": question.category,
                                       "status": "recording", "model": self.model_name})
        limit = options.time_limit_s or question.target_s * 1.5
        vocab = self.bank.vocabulary_for(question.category, question)
        captions: list[str] = []
        stream = open_stream(self.transcriber, vocab, options.incremental,
                             on_words=(lambda ws: captions.extend(w.word for w in ws)) if options.captions else None)
        self._streams.append(stream)
        warmer = Warmer(stream, lambda: self.detector, reference_texts(question, options.story),
                        correct=lambda heard: correct_terms(heard, self.bank.lexicon, vocab))
        voice = VoiceTracker()  # pitch and loudness while recording: only the last seconds remain after
        try:
            rec = self.record(folder / "answer.wav", question.target_s, limit, options, stream=stream,
                              captions=captions if options.captions else None, voice=voice)
            ended = self.get_time()  # the wait starts here: the warmer's last pass counts
        except BaseException:
            stream.cancel()
            voice.cancel()
            raise
        finally:
            warmer.stop()
        self.store.write_meta(folder, {"status": "recorded", "seconds": round(rec.seconds, 2),
                                       "overflows": rec.overflows, "ended_by": rec.ended_by})
        loading.join()
        if self.detector_error and not self._told_detector_error:
            self.console.print(f"[yellow]{self.detector_error}; cue verdicts come from the rules alone.[/]")
            self._told_detector_error = True
        marks = [self.get_time()]  # where the wait after the answer goes (report.json: feedback_timing)
        with ThreadPoolExecutor(1, thread_name_prefix="voiceprep-voice") as pool:
            frames = pool.submit(voice.finish)  # the voice's last seconds while the last pass runs
            heard = stream.finish()
        marks.append(self.get_time())
        transcript = correct_terms(heard, self.bank.lexicon, vocab)
        marks.append(self.get_time())
        report = analyse_answer(transcript, self.bank, question.category, question, self.thresholds, self.detector,
                                options.story)
        if options.story is not None:  # the story told otherwise than last time: both quotes
            report.mismatches += telling_mismatches(report.points, last_telling(self.store.root, options.story.id))
        marks.append(self.get_time())
        report.voice = measure_voice(frames.result(), transcript, rec.clipped)
        report.model = self.model_name
        marks.append(self.get_time())
        report.feedback_s = marks[-1] - ended
        report.extra["feedback_timing"] = {
            name: round(b - a, 3) for name, a, b in zip(("before_s", "transcript_s", "terms_s", "analysis_s", "voice_s"),
                                                        (ended, *marks), marks)}
        report.extra.update({"recording": {"ended_by": rec.ended_by, "overflows": rec.overflows,
                                           "lost_s": rec.lost_s, "seconds": round(rec.seconds, 2)},
                             "transcription": stream.facts().to_dict()})
        if self.launched_at is not None:
            startup = {"question_shown_s": round(question_at - self.launched_at, 3), **load_timing}
            heard = self.speaker.started_at  # None from speakers that do not really play
            if options.speak and heard is not None:
                startup["question_heard_s"] = round(heard - self.launched_at, 3)
            report.extra["startup"] = startup
        self.store.write_results(folder, report, {"status": "done"})
        return report

    def _prep(self, seconds: float) -> None:
        end = self.get_time() + seconds
        with Live(console=self.console, transient=True, auto_refresh=False) as live:
            while (left := end - self.get_time()) > 0:
                live.update(Text(f"Prepare: {left:4.0f} s left (Enter to start now)"), refresh=True)
                if self.keys.poll() is not None:
                    break
                self.sleep(0.1)

    def record(self, path: Path, target_s: float, limit_s: float, options: Options, stream: Stream | None = None,
               captions: list[str] | None = None, voice: VoiceTracker | None = None) -> Recording:
        """Record until Enter, the time limit, a long silence, Ctrl-C or the end of the input.

        Each block goes to disk as it arrives; Ctrl-C ends the answer and keeps it. With a
        `stream`, blocks go to it rather than to memory (the transcriber keeps what it needs);
        with `voice`, they also go to the voice tracker (here, on the consumer side of the queue).
        """
        recorder = self.make_recorder()
        writer = WavWriter(path, get_time=self.get_time)
        blocks: list[np.ndarray] = []
        level, silent_for, overflows, ended_by = -100.0, 0.0, 0, "limit"
        clipped_samples = 0.0
        # only a live device runs on the wall clock (a file may be fed faster than real time)
        gaps = GapMeter(self.get_time) if recorder.live else None
        recorder.start()
        live = Live(console=self.console, transient=False, auto_refresh=False) if options.live else None
        try:
            if live:
                live.start()
            while True:
                key = self.keys.poll()
                if key is not None:
                    ended_by = "enter"
                    break
                block = recorder.read(timeout=0.2)
                if block is None:
                    if recorder.exhausted:
                        ended_by = "end-of-file"
                        break
                    continue
                writer.write(block.samples)
                if voice is not None:
                    voice.feed(block.samples)
                clipped_samples += clipped_fraction(block.samples / 32768.0) * len(block.samples)
                if stream is not None:
                    stream.feed(block.samples)
                else:
                    blocks.append(block.samples)
                overflows += block.overflow
                if gaps is not None:
                    gaps.add(len(block.samples) / SAMPLE_RATE, block.at)
                level = block.level_db
                silent_for = silent_for + len(block.samples) / SAMPLE_RATE if level < SILENCE_DB else 0.0
                if live:
                    shown = overflows + (gaps.gaps if gaps else 0)
                    live.update(recording_panel(writer.seconds, target_s, limit_s, level, silent_for, shown, captions),
                                refresh=True)
                if writer.seconds >= limit_s:
                    ended_by = "limit"
                    break
                if options.stop_on_silence_s and silent_for >= options.stop_on_silence_s:
                    ended_by = "silence"
                    break
        except KeyboardInterrupt:
            ended_by = "interrupt"  # Ctrl-C ends the answer; what was said is kept
        except DeviceError as exc:
            ended_by = "device-lost"  # the microphone went away: keep and report what came before
            self.console.print(f"[red]{exc}; keeping the {writer.seconds:.1f} s recorded so far.[/]")
        except OSError as exc:  # disk full or gone: what is on disk stays, `recover` can finish it
            ended_by = "storage-error"
            self.console.print(f"[red]cannot write the recording ({exc.strerror or exc}); "
                               f"stopped after {writer.seconds:.1f} s.[/]")
        finally:
            recorder.stop()
            try:
                writer.close()
            except OSError:
                pass  # the header stays unfinished; repair_wav fixes it
            if live:
                live.stop()
        overflows = max(overflows, recorder.overflows) + (gaps.gaps if gaps else 0)
        audio = None
        if stream is None:
            pcm = np.concatenate(blocks) if blocks else np.zeros(0, np.int16)
            audio = pcm.astype(np.float32) / 32768.0
        clipped = clipped_samples / (writer.seconds * SAMPLE_RATE) if writer.seconds else 0.0
        return Recording(audio, writer.seconds, overflows, ended_by, round(gaps.lost_s, 2) if gaps else 0.0, clipped)
