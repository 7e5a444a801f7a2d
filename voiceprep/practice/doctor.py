"""`voiceprep doctor`: is everything in place for a practice session? Each check says how to fix it."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from voiceprep.core.errors import VoicePrepError


@dataclass
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(input_device, output_device, model: str | None, listen_s: float, recordings: Path,
               voice: str = "neural") -> Iterator[Check]:
    from voiceprep.audio.capture import SoundDeviceRecorder, check_input_device, import_sounddevice

    try:
        sd = import_sounddevice()
        yield Check("PortAudio", True, sd.get_portaudio_version()[1])
    except VoicePrepError as exc:
        yield Check("PortAudio", False, str(exc), "sudo apt-get install libportaudio2")
        sd = None
    if sd is not None:
        try:
            check_input_device(input_device)
            info = sd.query_devices(input_device, "input")
            yield Check("microphone", True, info["name"])
        except VoicePrepError as exc:
            yield Check("microphone", False, str(exc), "plug in a microphone, check `voiceprep devices`, "
                        "or pick one with --input-device")
        try:
            info = sd.query_devices(output_device, "output")
            yield Check("speaker", True, info["name"])
        except (ValueError, sd.PortAudioError) as exc:
            yield Check("speaker", False, str(exc), "pick an output with --output-device (see `voiceprep devices`)")
    yield voice_check(voice)
    if sd is not None and listen_s > 0:
        rec = SoundDeviceRecorder(input_device)
        try:
            rec.start()
            blocks = []
            end = time.monotonic() + listen_s
            while time.monotonic() < end:
                b = rec.read(0.5)
                if b is not None:
                    blocks.append(b.samples)
            rec.stop()
            pcm = np.concatenate(blocks) if blocks else np.zeros(1, np.int16)
            peak = 20 * np.log10(max(int(np.abs(pcm.astype(np.int32)).max()), 1) / 32768)
            ok = peak > -40
            yield Check("input level", ok, f"peak {peak:.0f} dBFS over {listen_s:g} s (speak during the check)",
                        "speak louder, move closer, or raise the input volume (pavucontrol / alsamixer)")
        except VoicePrepError as exc:
            yield Check("input level", False, str(exc), "fix the microphone first")
    try:
        from voiceprep.hearing.whisper import WhisperTranscriber

        t0 = time.monotonic()
        WhisperTranscriber(model).load()
        yield Check("model", True, f"{model or 'tiny.en (bundled)'} loaded in {time.monotonic() - t0:.1f} s")
    except VoicePrepError as exc:
        yield Check("model", False, str(exc), "use the bundled model (omit --model); for base, run `make model-base`")
    probe = recordings if recordings.exists() else next((p for p in recordings.parents if p.exists()), Path("/"))
    free_gb = shutil.disk_usage(probe).free / 1e9
    yield Check("disk", free_gb > 0.5, f"{free_gb:.1f} GB free for {recordings}",
                "free some space: an hour of answers takes about 115 MB")


def voice_check(voice: str) -> Check:
    """Which voice speaks the questions (--voice, and whether Piper is installed), tried once."""
    from voiceprep.audio.piper import VOICE_NAME, load_voice
    from voiceprep.audio.speech import choose_voice, synthesize

    choice = choose_voice(voice)
    text = "Testing the interviewer's voice."
    if choice.voice == "neural":
        try:
            t0 = time.monotonic()
            neural = load_voice()
            seconds = len(neural.speak(text)) / neural.sample_rate
            return Check("voice", True, f"Piper {VOICE_NAME} (neural) spoke {seconds:.1f} s of audio, "
                                        f"loaded and made in {time.monotonic() - t0:.1f} s")
        except VoicePrepError as exc:
            return Check("voice", False, f"Piper {VOICE_NAME}: {exc}",
                         "reinstall with `make run`, or speak with espeak-ng: --voice system")
    try:
        samples, rate = synthesize(text)
    except VoicePrepError as exc:
        return Check("voice", False, f"espeak-ng (pyttsx3): {exc}", "sudo apt-get install espeak-ng")
    why = f" ({choice.why.rstrip('.')})" if choice.why else ""
    return Check("voice", True, f"espeak-ng (pyttsx3) spoke {samples.size / rate:.1f} s of audio{why}")
