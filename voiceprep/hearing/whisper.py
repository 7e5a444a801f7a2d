"""Speech to timed words: Whisper (faster-whisper) behind the Transcriber protocol (hearing.protocols).

`WhisperTranscriber` uses faster-whisper with word timestamps. Two things make
its transcripts fit for coaching rather than for subtitles:
  * verbatim prompting: Whisper drops "um" and "uh" unless the prompt itself is
    disfluent, so filler counts would be dishonest without it;
  * vocabulary: the question's jargon (cache, shard, p99, QPS, Kafka) and the lexicon terms of
    what the question and the answer so far are about (hearing/lexicon.py, chosen anew for each
    window) go into the same prompt, so they are heard as jargon and not as "cash" or "short".
Both share one prompt (the design notes measured that they survive together).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Sequence

import numpy as np

from voiceprep.core.errors import ModelError, NoSpeechError
from voiceprep.core.lexicon import Lexicon, load_lexicon
from voiceprep.core.samples import SAMPLE_RATE
from voiceprep.core.transcript import Transcript, Word
from voiceprep.hearing.chunking import windows
from voiceprep.hearing.lexicon import TermIndex, index_for
from voiceprep.hearing.models import DEFAULT_MODEL, resolve_model
from voiceprep.hearing.nets import hear, on_speech, stuck
from voiceprep.hearing.runtime import lower_priority, seed_sampling
from voiceprep.hearing.window_model import WindowDone, window_model_class

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

# Jargon first, then a disfluent tail that keeps Whisper verbatim. Measured with tiny.en on
# synthesized answers: this keeps 8 of 8 mid-sentence "um"/"uh" (0 of 8 without a prompt),
# while a prompt that *opens* with disfluencies made Whisper skip the first 20 s of an answer
# that itself opened with "So, um".
_VERBATIM_TAIL = "Um, so, uh, I mean, like, you know, hmm."
_FALLBACK_VOCABULARY = ("cache", "shard", "p99", "QPS", "latency", "trade-off")
# Measured on synthesized answers with tiny.en: a long term list dilutes the prompt
# (p99 was lost with 24 terms, heard with 12), so only the first terms are used.
MAX_PROMPT_TERMS = 12
# Terms a window's prompt holds when they are chosen from the lexicon (measured on the term
# set's dev sentences: docs/transcription.md, "How many terms a prompt holds").
PROMPT_TERMS = 48


# Front-lane windows at least this long are encoded short (window_model.encoder_input): their
# decoding is long too, and encoding all 30 s on top of it made the pass after the answer miss
# the 1 s goal. A shorter window decodes quickly, so it keeps the full encoding, which heard a
# 4 s window ("a hundred million new links a month") that the short one misheard.
SHORT_ENCODING_MIN_S = 10.0


def build_prompt(vocabulary: Sequence[str] = (), limit: int = MAX_PROMPT_TERMS) -> str:
    """The initial prompt: the jargon to listen for, then disfluencies to keep."""
    terms = [v.strip() for v in vocabulary if v.strip()] or list(_FALLBACK_VOCABULARY)
    return f"Glossary: {', '.join(terms[:limit])}. {_VERBATIM_TAIL}"


@dataclass
class WhisperTranscriber:
    """faster-whisper on the CPU; the model loads on first use (or with `load()`)."""

    model: str | None = None
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0: one per core
    beam_size: int = 5
    fast_beam_size: int = 1  # incremental front-lane passes: the user may be waiting for them
    # Seeds CTranslate2's sampling (a window whose beam pass fails Whisper's checks is sampled at
    # higher temperatures). Unseeded, two transcriptions of the same 20 min answer differed in 2
    # of 54 windows; seeded, a fresh process gives the same words every time. None: unseeded.
    seed: int | None = 0
    # Each window's prompt terms come from the lexicon, by what the question and the words
    # before the window are about (hearing/lexicon.py); None: the bundled lexicon, read on first
    # use. `prompt_terms` is how many; `hotwords` puts them in faster-whisper's hotwords rather
    # than the prompt; `biased=False` is the fixed glossary of before (the question's first 12).
    lexicon: Lexicon | None = None
    prompt_terms: int = PROMPT_TERMS
    hotwords: bool = False
    biased: bool = True
    _terms: TermIndex | None = None
    _loaded: Any = None
    _careful: Any = None  # a second instance on one core for the incremental careful lane
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def load(self) -> WhisperModel:
        """Load the model now (practice does it while the question is spoken), and the lexicon; returns it."""
        model = self._model()
        self.term_index()
        return model

    def _model(self) -> WhisperModel:
        with self._lock:  # the preload thread and the incremental worker may ask at once
            return self._load()

    def chunker(self) -> WhisperTranscriber:
        """Whisper can transcribe windows: incremental transcription uses this transcriber itself."""
        return self

    def load_careful(self) -> None:
        """Load the careful lane's own model before the answer starts."""
        self.careful_model()

    def _load(self) -> WhisperModel:
        if self._loaded is not None:
            return self._loaded
        target, local = resolve_model(self.model)
        threads = self.cpu_threads or (os.cpu_count() or 2)
        seed_sampling(self.seed)  # process-wide; each model's worker thread seeds itself on first use
        try:
            self._loaded = window_model_class()(target, device="cpu", compute_type=self.compute_type,
                                        cpu_threads=threads, local_files_only=local)
        except Exception as exc:  # faster-whisper/huggingface raise many types here
            what = "load" if local else "fetch or load"
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
            hint = "" if local else " (named models are downloaded on first use and need internet)"
            raise ModelError(f"cannot {what} Whisper model '{self.model or DEFAULT_MODEL}'{hint}: {first}") from None
        return self._loaded

    def transcribe(self, audio: np.ndarray, vocabulary: Sequence[str] = ()) -> Transcript:
        """The whole recording, in windows of at most 25 s cut in pauses, each with the text
        before it as context, each heard through the safety nets of nets.hear.

        faster-whisper's own long-form decoding lost sentences here: half of a 1-minute
        benchmark answer (its first sentence came back with times 25 s late, and what was said
        there was gone) and a sentence now and then in longer ones. Windows that start and end
        in silence, each checked for words on its speech, do not. They are found one VAD look
        at a time (chunking.windows), exactly as the incremental careful lane finds them,
        and the VAD never holds more than one look (it costs 0.4 MB per second of audio)."""
        audio = np.asarray(audio, np.float32)  # Silero's ONNX model refuses float64
        words: list[Word] = []
        for window in windows(audio, self.speech_spans):
            context = "".join(w.word for w in words[-CONTEXT_WORDS:]).strip()
            start = window.start
            spans = [((a - start) / SAMPLE_RATE, (b - start) / SAMPLE_RATE) for a, b in window.spans]
            found, _net = self.window_words(audio[start:window.end], spans, vocabulary, context)
            offset = start / SAMPLE_RATE
            words += [Word(w.word, w.start + offset, w.end + offset, w.probability) for w in found]
        if not words:
            raise NoSpeechError("no speech detected in the recording")
        return Transcript.from_words(words, duration=len(audio) / SAMPLE_RATE)

    def window_words(self, piece: np.ndarray, spans: Sequence[tuple[float, float]], vocabulary: Sequence[str] = (),
                     context: str = "") -> tuple[list[Word], str]:
        """One window's words on its speech `spans` (seconds; times from the window's start), by
        beam search through the safety nets of nets.hear, and which net decided ("" if none)."""

        def decode(text_before: str, plain: bool) -> list[Word]:
            return on_speech(self._decode(piece, vocabulary, text_before, plain, self.beam_size, self._model(),
                                          speech_end_s=spans[-1][1] if spans else None), spans)

        return hear(decode, context, spans)

    def careful_model(self) -> WhisperModel:
        """The model of the careful lane: its own instance on a single core, at the lowest CPU
        priority, so the front lane, which the user may be waiting for, has both cores whenever
        it works and the careful lane gets the time in between."""
        with self._lock:
            self._load()
            if self._careful is None:
                target, local = resolve_model(self.model)
                built: dict[str, Any] = {}

                def build() -> None:  # CTranslate2's worker thread inherits this thread's priority
                    lower_priority()
                    built["model"] = window_model_class()(target, device="cpu", compute_type=self.compute_type,
                                                           cpu_threads=1, local_files_only=local)

                builder = threading.Thread(target=build, name="voiceprep-careful-load")
                builder.start()
                builder.join()
                self._careful = built["model"]
            return self._careful

    def chunk_words(self, audio: np.ndarray, vocabulary: Sequence[str] = (), context: str = "",
                    fast: bool = False, plain: bool = False, speech_end_s: float | None = None,
                    cancelled: Callable[[], bool] | None = None) -> list[Word]:
        """Words of one window of a longer answer (incremental.py), times from the window's start.

        The text before the window follows the glossary in the prompt, so Whisper continues
        the answer rather than starting afresh. `plain` drops the prompt (the stream's safety
        net when a prompted pass heard too little); `fast` decodes greedily; `speech_end_s`
        (where the window's speech ends) lets it skip re-decoding the silence after it.
        `cancelled` is asked before each encoding and decoding: when it says yes, the pass
        stops there with PassCancelled (the answer ended; a pass over its whole tail follows)."""
        beam = self.fast_beam_size if fast else self.beam_size
        model = self._model() if fast else self.careful_model()
        short = fast and len(audio) >= SHORT_ENCODING_MIN_S * SAMPLE_RATE
        return self._decode(audio, vocabulary, context, plain, beam, model, speech_end_s, cancelled, short=short)

    def _decode(self, audio: np.ndarray, vocabulary: Sequence[str], context: str, plain: bool, beam_size: int,
                model: Any, speech_end_s: float | None = None,
                cancelled: Callable[[], bool] | None = None, short: bool = False) -> list[Word]:
        """One window's words by one model (times from the window's start); a decoding stuck
        repeating itself is done again without the prompt, and dropped if that is stuck too.
        `short`: encode the window's audio and a little padding only (window_model.encoder_input),
        for the front lane, which the user may be waiting for."""
        prompt, hotwords = None, None
        if not plain:
            # most important last: Whisper keeps a prompt's last 223 tokens, so with the text before
            # the window a long list loses its first terms, and those must be the least needed
            terms = self.prompt_terms_for(vocabulary, context)[::-1] if self.biased else \
                self.prompt_terms_for(vocabulary, context)
            if self.hotwords:
                prompt, hotwords = _VERBATIM_TAIL, ", ".join(terms) or None
            else:
                prompt = build_prompt(terms, len(terms)) if terms else _VERBATIM_TAIL
            prompt += f" {context}" if context else ""
        words = self._words(audio, prompt, beam_size, model, bounded=True, speech_end_s=speech_end_s,
                            cancelled=cancelled, hotwords=hotwords, short=short)
        if stuck(words, len(audio) / SAMPLE_RATE):
            words = [] if plain else self._decode(audio, vocabulary, "", True, beam_size, model, speech_end_s,
                                                  cancelled, short)
        return words

    def term_index(self) -> TermIndex:
        """The lexicon, indexed once (the bundled one unless given)."""
        if self._terms is None:
            self._terms = index_for(self.lexicon if self.lexicon is not None else load_lexicon())
        return self._terms

    def prompt_terms_for(self, vocabulary: Sequence[str], heard: str) -> list[str]:
        """A window's prompt terms: chosen from the lexicon by what the question's vocabulary and
        the words `heard` before the window are about, or the fixed glossary when not `biased`."""
        if self.prompt_terms <= 0 and self.biased:
            return []
        if not self.biased:
            return ([v.strip() for v in vocabulary if v.strip()] or list(_FALLBACK_VOCABULARY))[:MAX_PROMPT_TERMS]
        return self.term_index().choose(vocabulary, heard, self.prompt_terms) or list(_FALLBACK_VOCABULARY)

    def speech_spans(self, audio: np.ndarray, min_silence_s: float = 0.25) -> list[tuple[int, int]]:
        """Speech as (start, end) sample offsets, by Silero VAD; silences shorter than min_silence_s are bridged."""
        from faster_whisper.vad import VadOptions, get_speech_timestamps

        if audio.size == 0:
            return []
        opts = VadOptions(min_silence_duration_ms=int(min_silence_s * 1000), speech_pad_ms=30)
        return [(s["start"], s["end"]) for s in get_speech_timestamps(audio, opts)]

    def _words(self, audio: np.ndarray, prompt: str | None, beam_size: int | None = None,
               model: Any = None, bounded: bool = False, speech_end_s: float | None = None,
               cancelled: Callable[[], bool] | None = None, hotwords: str | None = None,
               short: bool = False) -> list[Word]:
        """Whisper's words. `bounded` (windows of up to about 30 s): at most 8 tokens per second
        of audio, and for greedy passes one retry at a higher temperature instead of five. A pass
        that got stuck repeating itself took 12.6 s here without these limits. Beam-search passes
        keep all five retries: with two, "cache" came out as "cash" in 7 of 16 cuts of one answer.

        `speech_end_s` (a window of at most 30 s, where its speech ends): decode it once, and
        again only if speech remains after the words heard (see window_model.window_model_class)."""
        limits: dict[str, Any] = {}
        if bounded:
            limits["max_new_tokens"] = min(220, int(8 * len(audio) / SAMPLE_RATE) + 10)
            if (beam_size or self.beam_size) == 1:
                limits["temperature"] = [0.0, 0.4]
        model = model or self._model()
        window = model.window
        if speech_end_s is not None or cancelled is not None or short:
            window.begin(speech_end_s, cancelled, short)
        segments, _info = model.transcribe(
            audio,
            language="en",
            beam_size=beam_size or self.beam_size,
            **limits,
            word_timestamps=True,
            initial_prompt=prompt,
            hotwords=hotwords,
            condition_on_previous_text=True,
            vad_filter=True,  # skips long silences; word times stay in the recording's time
        )
        words: list[Word] = []
        try:
            for seg in segments:
                seg_words = [w for w in seg.words or [] if w.word.strip()]
                if seg_words:
                    window.heard_to = max(window.heard_to, float(seg_words[-1].end))
                if not seg_words or _hallucinated(seg, seg_words):
                    continue
                words += [Word(w.word, float(w.start), float(w.end), float(w.probability)) for w in seg_words]
        except WindowDone:
            pass
        finally:
            window.end()
        return words


CONTEXT_WORDS = 40  # as the incremental lanes (ChunkPolicy.context_words)


def _hallucinated(seg: Any, words: list[Any]) -> bool:
    """Whisper's own signals for text invented over non-speech (seen at the end of answers)."""
    if seg.no_speech_prob > 0.6 and seg.avg_logprob < -1.0:
        return True
    mean_p = sum(w.probability for w in words) / len(words)
    return seg.no_speech_prob > 0.5 and mean_p < 0.5
