"""Repair attempts left unfinished by a crash: fix the WAV header, transcribe, analyse, store."""

from __future__ import annotations

from pathlib import Path

from voiceprep.analysis.metrics import Thresholds
from voiceprep.analysis.report import analyse_answer
from voiceprep.analysis.semantic import Detector
from voiceprep.analysis.voice import analyse_audio
from voiceprep.audio.capture import repair_wav
from voiceprep.audio.wav import clipped_fraction, decode
from voiceprep.core.bank import Bank
from voiceprep.core.errors import NoSpeechError
from voiceprep.hearing.lexicon import correct_terms
from voiceprep.hearing.protocols import Transcriber
from voiceprep.storage.store import Store


def recover(store: Store, bank: Bank, transcriber: Transcriber, thresholds: Thresholds | None = None,
            model_name: str | None = None, detector: Detector | None = None) -> list[tuple[Path, str]]:
    """Repair every unfinished attempt into a valid one; returns (folder, outcome) pairs."""
    out: list[tuple[Path, str]] = []
    for folder in store.unfinished():
        meta = store.read_meta(folder)
        wav = folder / "answer.wav"
        if not wav.exists():
            store.write_meta(folder, {"status": "empty"})
            out.append((folder, "no audio was written"))
            continue
        seconds = repair_wav(wav)
        question = bank.questions.get(meta.get("question") or "")
        category = question.category if question else meta.get("category") or "system_design"
        try:
            vocabulary = bank.vocabulary_for(category, question)
            audio = decode(wav)
            transcript = correct_terms(transcriber.transcribe(audio, vocabulary), bank.lexicon, vocabulary)
        except NoSpeechError:
            store.write_meta(folder, {"status": "recovered", "seconds": round(seconds, 2), "speech": False})
            out.append((folder, f"recovered {seconds:.1f} s of audio, no speech in it"))
            continue
        report = analyse_answer(transcript, bank, category, question, thresholds, detector)
        report.voice = analyse_audio(audio, transcript, clipped_fraction(audio))
        report.model = model_name
        report.extra["recording"] = {"ended_by": "recovered", "seconds": round(seconds, 2)}
        store.write_results(folder, report, {"status": "recovered", "seconds": round(seconds, 2)})
        out.append((folder, f"recovered {seconds:.1f} s of audio, {report.hits}/{len(report.cues)} cues"))
    return out
