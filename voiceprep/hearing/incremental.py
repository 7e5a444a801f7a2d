"""Incremental transcription: transcribe the answer while it is being spoken.

The recording loop hands every block to `feed` (a queue put, nothing more). Workers cut the
audio at pauses found by Silero VAD (chunking.py: in silence, so no word straddles a border;
at the quietest moment with no pause in sight) and transcribe each window with the text before
it as context. When the answer ends, `finish` transcribes only the tail after the last cut, so
the wait after the answer does not grow with its length, and memory holds only the audio not
yet transcribed.
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np

from voiceprep.core.errors import NoSpeechError, TranscriptError
from voiceprep.core.samples import SAMPLE_RATE
from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.chunking import ChunkPolicy, Window, find_cut, look_ahead, next_window, quietest
from voiceprep.hearing.nets import hear, on_speech
from voiceprep.hearing.passes import LaneProgress, Pass, StreamFacts
from voiceprep.hearing.protocols import ChunkTranscriber
from voiceprep.hearing.runtime import lower_priority
from voiceprep.hearing.window_model import PassCancelled

MAX_WINDOW_S = 28.0  # a pass's window stays within one Whisper window (30 s)


@dataclass
class IncrementalStream:
    """Feed blocks while recording; `finish()` returns the whole answer's transcript.

    Two lanes share the audio. The front lane follows the speaker: at each pause it
    transcribes the new audio quickly (greedy decoding), so at the end only the last few
    seconds are left. Each of its passes transcribes a window that starts at the earlier cut
    nearest to `overlap_s` back (so Whisper hears what came before) and keeps only the words
    whose middle lies past the lane's last cut. Cuts sit in silences, so no word is lost or
    doubled. The front lane alone decides how long the user waits.

    The careful lane follows behind with beam search over the very windows a whole-file
    transcription of the answer uses (chunking.windows: speech grouped up to 25 s, cut in
    pauses of 0.3 s, found one VAD look at a time), each as soon as the audio shows where it ends, and its words
    replace the front lane's where it has caught up. So what it heard during the answer is
    what whole-file transcription would hear after it.

    With `threaded=False` no thread is started: the caller owns the work and calls `step()`
    after feeding (as whisper_streaming's insert_audio_chunk / process_iter), so tests run the
    lanes deterministically, without waiting for threads."""

    model: ChunkTranscriber
    vocabulary: Sequence[str] = ()
    policy: ChunkPolicy = field(default_factory=ChunkPolicy)
    on_words: Callable[[list[Word]], None] | None = None  # live captions
    get_time: Callable[[], float] = time.monotonic
    careful: bool = True
    threaded: bool = True

    def __post_init__(self) -> None:
        self._q: queue.Queue[np.ndarray | None] = queue.Queue()
        self._lock = threading.Condition()
        self._audio = np.zeros(0, np.float32)
        self._blocks: list[np.ndarray] = []
        self._audio_start = 0       # absolute sample of the first kept sample
        self._total = 0             # samples received
        self._since_check = 0
        self.front, self.behind = LaneProgress(), LaneProgress()
        self.pauses: list[int] = []  # middles of every pause the front lane saw: where windows may start
        self._careful_after = 0      # where the speech before the careful lane's next window ends
        self.passes: list[Pass] = []
        self._error: BaseException | None = None
        self._stop = False
        self._ending = threading.Event()  # the answer has ended: a front pass under way gives up
        self._careful_wants = 0     # how much audio the careful lane's next look needs
        self._careful_next: Window | None = None  # its next window, known but waiting for the front lane
        self._threads: list[threading.Thread] = []
        if self.threaded:
            self._threads.append(threading.Thread(target=self._run_front, name="voiceprep-front", daemon=True))
            if self.careful:
                self._threads.append(threading.Thread(target=self._run_careful, name="voiceprep-careful", daemon=True))
        for t in self._threads:
            t.start()

    # --- recording side ---------------------------------------------------------------------

    def feed(self, samples: np.ndarray) -> None:
        self._q.put(samples)

    def finish(self) -> Transcript:
        """Transcribe the tail and return every word; raises NoSpeechError when nothing was said.

        A front pass under way when the answer ends gives up before its next encoding or
        decoding, and the last pass covers its audio too: the user waits for one pass, not for
        the rest of one and then another."""
        self._ending.set()
        self._q.put(None)
        if self._threads:
            self._threads[0].join()
        else:
            self._drain_front()  # a careful pass is not waited for, with threads or without
        with self._lock:
            self._stop = True  # a careful pass still running is not waited for
            self._lock.notify_all()
            if self._error is not None:
                raise self._error
            words = self.words()
        if not words:
            raise NoSpeechError("no speech detected in the recording")
        return Transcript.from_words(words, duration=self._total / SAMPLE_RATE)

    def cancel(self) -> None:
        with self._lock:
            self._stop = True
            self._lock.notify_all()
        self._q.put(None)

    def close(self) -> None:
        """Stop and wait for the lanes. A pass cannot be interrupted, and the process must not
        exit while one runs (CTranslate2 aborts), so whoever ends the session calls this."""
        self.cancel()
        for t in self._threads:
            t.join()

    def words(self) -> list[Word]:
        """Careful words where that lane has been, front-lane words after."""
        border = self.behind.done_to / SAMPLE_RATE
        return self.behind.words + [w for w in self.front.words if w.mid >= border]

    def heard(self) -> list[Word]:
        """The words so far, while the answer goes on (a snapshot)."""
        with self._lock:
            return self.words()

    @property
    def busy_s(self) -> float:
        return sum(p.seconds or 0.0 for p in self.passes)  # skips and errors took none

    def facts(self) -> StreamFacts:
        return StreamFacts.of(self.passes, self.behind.done_to / SAMPLE_RATE)

    def step(self) -> None:
        """Without threads: run the front lane over every block fed so far, then the careful lane
        as far as the audio and the front lane allow."""
        self._drain_front()
        try:
            while self.careful and self._careful_step():
                pass
        except BaseException as exc:  # noqa: BLE001 - as with threads: the front lane's words stand
            self.passes.append(Pass("careful", error=f"{type(exc).__name__}: {exc}"))

    def _drain_front(self) -> None:
        """Without threads: every block fed so far through the front lane."""
        try:
            while not self._q.empty() and self._front_step(self._q.get(), caught_up=True):
                pass
        except BaseException as exc:  # surfaced by finish(), as with threads
            self._fail(exc)

    # --- the front lane: consumes blocks -------------------------------------------------------

    def _run_front(self) -> None:
        try:
            while self._front_step(self._q.get(), caught_up=self._q.empty()):
                pass
        except BaseException as exc:  # surfaced by finish(): the session turns it into a message
            self._fail(exc)

    def _front_step(self, block: np.ndarray | None, caught_up: bool) -> bool:
        """One block (None: the answer ended) through the front lane; False when the lane is done.

        A cut is looked for every check_every_s of audio, once the lane has caught up with what
        was fed (`caught_up`), so a lane that fell behind does not look at every block."""
        if self._stop:
            return False
        if block is None:
            # Behind (a slow machine, audio fed faster than real time): catch up chunk by
            # chunk, as one window cannot hold it all.
            while not self._stop and self._total - self.front.done_to > self.policy.max_chunk_s * SAMPLE_RATE:
                self._maybe_cut()
            if self._total > self.front.done_to:
                self._front_pass(self._total, final=True)
            return False
        self._add(block)
        if self._since_check >= self.policy.check_every_s * SAMPLE_RATE and caught_up:
            self._since_check = 0
            self._maybe_cut()
        return True

    def _fail(self, exc: BaseException) -> None:
        with self._lock:
            self._error = exc if isinstance(exc, (NoSpeechError, TranscriptError)) else TranscriptError(
                f"incremental transcription failed: {type(exc).__name__}: {exc}")

    def _add(self, block: np.ndarray) -> None:
        audio = block.astype(np.float32) / 32768.0 if block.dtype == np.int16 else block.astype(np.float32)
        with self._lock:
            self._blocks.append(audio.reshape(-1))
            self._total += len(audio)
        self._since_check += len(audio)

    def _slice(self, start: int, end: int) -> np.ndarray:
        """Audio between two absolute samples (both within what is kept); a copy."""
        with self._lock:
            if self._blocks:
                self._audio = np.concatenate([self._audio, *self._blocks])
                self._blocks = []
            return self._audio[start - self._audio_start:end - self._audio_start].copy()

    def _maybe_cut(self) -> None:
        """Cut the new audio at its latest pause within max_chunk_s and transcribe up to there.

        Only that much (and a second more) goes to the VAD. The VAD over all the audio not yet
        transcribed costs 2 ms and 0.4 MB per second of it, so a lane that fell behind got slower
        still, and memory grew with it: a 60-minute answer fed at 6x peaked at 765 MB, and the
        front lane was 16 minutes behind when it ended."""
        lane = self.front
        new = self._slice(lane.done_to, min(self._total, lane.done_to + int((self.policy.max_chunk_s + 1) * SAMPLE_RATE)))
        spans = self.model.speech_spans(new, self.policy.min_gap_s)
        cut = find_cut(spans, len(new), self.policy, energy=lambda lo, hi: quietest(new, lo, hi))
        if cut is None or cut <= 0:
            return
        with self._lock:
            self.pauses += [lane.done_to + (a_end + b_start) // 2 for (_, a_end), (b_start, _) in zip(spans, spans[1:])
                            if (a_end + b_start) // 2 < cut]
        if not spans or spans[0][0] >= cut:  # nothing said before the cut: skip the silence
            self._advance(lane, lane.done_to + cut, [])
        else:
            self._front_pass(lane.done_to + cut, final=False)

    def _front_pass(self, end: int, final: bool) -> None:
        """Transcribe up to `end` with overlap (less for the final pass, which the user waits for;
        the text before still goes in the prompt). A pass begun before the answer ended gives up when it ends."""
        lane = self.front
        overlap = int((self.policy.final_overlap_s if final else self.policy.overlap_s) * SAMPLE_RATE)
        cancelled = None if final or self._ending.is_set() else self._ending.is_set
        with self._lock:
            start, done = lane.window_start(overlap, (*self.front.cuts, *self.pauses)), lane.done_to
            if end - start > MAX_WINDOW_S * SAMPLE_RATE:  # no pause near enough: start on time, not on a pause
                start = max(done - overlap, end - int(MAX_WINDOW_S * SAMPLE_RATE))
        audio = self._slice(start, end)
        t0 = self.get_time()
        try:
            self._pass(lane, start, end, audio, self.model.speech_spans(audio, self.policy.min_gap_s), final, t0,
                       cancelled=cancelled)
        except PassCancelled:
            self._gave_up("front", start, end, t0)

    # --- the careful lane: the whole-file windows, one by one ----------------------------------------

    def _run_careful(self) -> None:
        lower_priority()  # its VAD and features too: the front lane must never wait for it
        try:
            while not self._stop:
                if not self._careful_step():
                    with self._lock:
                        if not self._stop:
                            self._lock.wait(timeout=0.5)
        except BaseException as exc:  # noqa: BLE001 - the front lane's words stand in for it
            self.passes.append(Pass("careful", error=f"{type(exc).__name__}: {exc}"))

    def _careful_step(self) -> bool:
        """One window of the careful lane (or a skip); False when it must wait for more audio,
        or for the front lane to pass the window's end (the user may be waiting for that one)."""
        with self._lock:
            if self._stop or self._ending.is_set():
                return False  # its words would come after finish() took its snapshot
            if self._careful_next is None:
                if self._total < self._careful_wants:
                    return False
                if self._skip_ahead():
                    self._careful_wants = 0
                    return True
                total = self._total
        window = self._careful_next or self._careful_window(total)
        if isinstance(window, int):
            self._careful_wants = window
            return False
        self._careful_next = window
        with self._lock:
            if self._stop or self.front.done_to < window.end:
                return False
        self._careful_next = None
        t0, start = self.get_time(), window.start
        try:
            self._pass(self.behind, start, window.end, self._slice(start, window.end),
                       [(a - start, b - start) for a, b in window.spans], final=False, t0=t0, careful=True,
                       cancelled=self._ending.is_set)
        except PassCancelled:  # the answer ended: the cores go to the last front pass and the feedback
            self._gave_up("careful", start, window.end, t0)
            return False
        self._careful_after, self._careful_wants = window.spans[-1][1], 0
        return True

    def _careful_window(self, total: int) -> Window | int:
        """The careful lane's next window, or how much audio must be there before it is known.

        chunking.next_window on the same VAD looks as whole-file transcription: each look
        starts where the lane is and spans look_ahead(careful_window_s), so it waits until
        that much audio is there; silence before speech is passed over."""
        policy = self.policy
        look = look_ahead(policy.careful_window_s)
        while not self._stop:
            done = self.behind.done_to
            if total < done + look:
                return done + look
            spans = [(done + a, done + b) for a, b in
                     self.model.speech_spans(self._slice(done, done + look), policy.careful_min_silence_s)]
            window = next_window(spans, done, done + look, False, self._careful_after,
                                 policy.careful_window_s, policy.careful_min_silence_s)
            if not isinstance(window, int):
                return window
            self._advance(self.behind, window, [])  # silence: nothing to transcribe
        return total + 1  # stopped: the loop sees it

    def _skip_ahead(self) -> bool:
        """When the careful lane falls too far behind (a slow machine, audio fed faster than real
        time), it takes the front lane's words for the gap, so the audio it would need is not kept."""
        rate, done = SAMPLE_RATE, self.behind.done_to
        if self.front.done_to - done <= self.policy.careful_max_lag_s * rate:
            return False
        before = self.front.done_to - int(self.policy.careful_window_s * rate)
        target = max((c for c in self.front.cuts if c <= before), default=0)
        if target <= done:
            return False
        self.behind.words += [w for w in self.front.words if done <= w.mid * rate < target]
        self.passes.append(Pass("careful", skipped=(round(done / rate, 2), round(target / rate, 2))))
        self._careful_after = target
        self._advance(self.behind, target, [])
        return True

    # --- shared ---------------------------------------------------------------------------------

    def _gave_up(self, kind: str, start: int, end: int, t0: float) -> None:
        """Record a pass given up when the answer ended; its lane does not advance."""
        self.passes.append(Pass(kind, window=(round(start / SAMPLE_RATE, 2), round(end / SAMPLE_RATE, 2)),
                                cancelled=True, seconds=round(self.get_time() - t0, 3)))

    def _pass(self, lane: LaneProgress, start: int, end: int, audio: np.ndarray, spans: Sequence[tuple[int, int]],
              final: bool, t0: float, careful: bool = False, cancelled: Callable[[], bool] | None = None) -> None:
        """Transcribe the window from `start` to `end` (spans: its speech); keep the words that are new to the lane."""
        with self._lock:
            done = lane.done_to
            before = [w for w in lane.words if w.end <= start / SAMPLE_RATE + 0.05]
        fresh = done - start  # where the new audio begins in the window
        offset = start / SAMPLE_RATE
        new_spans = [(offset + max(a, fresh) / SAMPLE_RATE, offset + b / SAMPLE_RATE) for a, b in spans if b > fresh]
        kept: list[Word] = []
        note = ""
        if new_spans:
            context = "".join(w.word for w in before[-self.policy.context_words:]).strip()

            def decode(text_before: str, plain: bool) -> list[Word]:
                return self._new_words(audio, spans, start, done, text_before, careful, plain, cancelled)

            kept, note = hear(decode, context, new_spans)
        self.passes.append(Pass("careful" if careful else "front",
                                window=(round(start / SAMPLE_RATE, 2), round(end / SAMPLE_RATE, 2)),
                                new_s=round((end - done) / SAMPLE_RATE, 2), words=len(kept),
                                seconds=round(self.get_time() - t0, 3), final=final, note=note))
        self._advance(lane, end, kept)

    def _new_words(self, audio: np.ndarray, spans: Sequence[tuple[int, int]], start: int, done: int,
                   context: str, careful: bool, plain: bool = False,
                   cancelled: Callable[[], bool] | None = None) -> list[Word]:
        """The window's words that are new to the lane and lie on speech (nets.on_speech), in the recording's time."""
        offset = start / SAMPLE_RATE
        words = self.model.chunk_words(audio, self.vocabulary, context, fast=not careful, plain=plain,
                                       speech_end_s=spans[-1][1] / SAMPLE_RATE, cancelled=cancelled)
        heard = on_speech(words, [(a / SAMPLE_RATE, b / SAMPLE_RATE) for a, b in spans])
        return [Word(w.word, w.start + offset, w.end + offset, w.probability) for w in heard
                if w.mid * SAMPLE_RATE + start >= done]

    def _advance(self, lane: LaneProgress, end: int, words: list[Word]) -> None:
        with self._lock:
            if self._stop and lane is self.behind:
                return  # finish() has taken its snapshot
            lane.words += words
            lane.done_to = end
            lane.cuts.append(end)
            starts = (*self.front.cuts, *self.pauses)
            front_overlap = int(self.policy.overlap_s * SAMPLE_RATE)
            keep_from = min(self.front.window_start(front_overlap, starts), self.front.done_to - front_overlap)
            if self.careful:  # no future window of either lane starts earlier
                keep_from = min(keep_from, self.behind.done_to)
            if keep_from > self._audio_start:
                self._audio = self._audio[keep_from - self._audio_start:].copy()
                self._audio_start = keep_from
            self._lock.notify_all()
        if words and self.on_words is not None and lane is self.front:
            self.on_words(words)


__all__ = ["IncrementalStream"]
