from __future__ import annotations

import wave

import numpy as np
import pytest

from voiceprep.audio.wav import SAMPLE_RATE, decode, write_wav
from voiceprep.core.errors import AudioError


def tone(seconds=1.0, freq=440.0, rate=SAMPLE_RATE):
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def test_wav_round_trip(tmp_path):
    p = tmp_path / "a.wav"
    write_wav(p, tone(0.5))
    with wave.open(str(p)) as w:
        assert (w.getnchannels(), w.getsampwidth(), w.getframerate(), w.getnframes()) == (1, 2, 16000, 8000)
    back = decode(p)
    assert back.dtype == np.float32 and len(back) == 8000
    assert np.max(np.abs(back - tone(0.5))) < 1e-3


def test_resamples_stereo_44k_to_16k_mono(tmp_path):
    import av

    p = tmp_path / "stereo.flac"
    with av.open(str(p), "w") as out:
        s = out.add_stream("flac", rate=44100, layout="stereo")
        samples = np.stack([tone(1.0, rate=44100)] * 2)
        frame = av.AudioFrame.from_ndarray((samples * 32767).astype(np.int16).reshape(1, -1), format="s16", layout="stereo")
        frame.sample_rate = 44100
        for packet in s.encode(frame):
            out.mux(packet)
        for packet in s.encode(None):
            out.mux(packet)
    audio = decode(p)
    assert abs(len(audio) - SAMPLE_RATE) < 400


def put(name: str, data: bytes):
    def make(d):
        (d / name).write_bytes(data)
        return d / name
    return make


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.wav", "no such file"),
    (lambda d: d, "not a file"),
    (put("empty.wav", b""), "file is empty"),
    (put("notes.wav", b"just some text, not audio\n" * 20), "cannot decode audio"),
    (put("cut.wav", b"RIFF\x24\x00\x00\x00WAVEfmt "), "cannot decode audio"),
])
def test_bad_files_raise_audio_error_naming_the_file(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(AudioError) as err:
        decode(path)
    assert message in str(err.value) and str(path) in str(err.value)
