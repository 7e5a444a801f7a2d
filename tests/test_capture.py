from __future__ import annotations

import wave

import numpy as np
import pytest

from voiceprep.audio.capture import Block, FileRecorder, WavWriter, repair_wav
from voiceprep.audio.wav import decode, write_wav
from voiceprep.core.errors import AudioError
from voiceprep.testing import FakeClock as Clock


def test_writer_streams_blocks_and_finishes_a_valid_wav(tmp_path):
    clock = Clock()
    w = WavWriter(tmp_path / "a.wav", get_time=clock)
    for i in range(5):
        w.write(np.full(1600, i * 100, np.int16))
        clock.t += 0.1
    w.close()
    with wave.open(str(tmp_path / "a.wav")) as f:
        assert (f.getframerate(), f.getnchannels(), f.getnframes()) == (16000, 1, 8000)
    assert w.seconds == 0.5


def test_writer_never_overwrites(tmp_path):
    (tmp_path / "a.wav").write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        WavWriter(tmp_path / "a.wav")
    assert (tmp_path / "a.wav").read_bytes() == b"precious"


def test_unfinished_file_is_on_disk_and_repairs(tmp_path):
    """A writer that is never closed (the process was killed) leaves every written block on disk."""
    w = WavWriter(tmp_path / "a.wav")
    for _ in range(30):
        w.write((np.random.default_rng(0).standard_normal(1600) * 3000).astype(np.int16))
    # no close(): the header still says 0 bytes of data
    assert (tmp_path / "a.wav").stat().st_size == 44 + 30 * 1600 * 2
    assert repair_wav(tmp_path / "a.wav") == pytest.approx(3.0)
    assert len(decode(tmp_path / "a.wav")) == 48000


def test_repair_trims_half_samples_and_rejects_non_wav(tmp_path):
    w = WavWriter(tmp_path / "a.wav")
    w.write(np.ones(100, np.int16))
    with open(tmp_path / "a.wav", "ab") as f:
        f.write(b"\x01")  # half a sample, as a kill mid-write can leave
    assert repair_wav(tmp_path / "a.wav") == pytest.approx(100 / 16000)
    (tmp_path / "b.wav").write_bytes(b"x" * 100)
    with pytest.raises(AudioError, match="not a voiceprep WAV"):
        repair_wav(tmp_path / "b.wav")


def test_file_recorder_paces_in_real_time(tmp_path):
    write_wav(tmp_path / "a.wav", np.zeros(16000, np.float32))
    clock = Clock()
    r = FileRecorder(tmp_path / "a.wav", get_time=clock, sleep=clock.sleep)
    r.start()
    n = 0
    while not r.exhausted:
        if r.read(timeout=1.0) is not None:
            n += 1
    assert n == 10 and clock.t == pytest.approx(1.0)
    fast = FileRecorder(tmp_path / "a.wav", speed=4, get_time=Clock(), sleep=lambda s: None)
    fast.start()
    assert fast.read(timeout=1.0) is not None


@pytest.mark.parametrize("kind", ["plain-wav", "stereo-44k-wav", "truncated-wav"])
def test_file_recorder_gives_the_same_samples_streamed_or_decoded(tmp_path, kind):
    rng = np.random.default_rng(1)
    audio = (rng.standard_normal(16000 * 2) * 0.1).astype(np.float32)
    path = tmp_path / "a.wav"
    if kind == "stereo-44k-wav":
        import wave
        with wave.open(str(path), "wb") as w:
            w.setnchannels(2)
            w.setsampwidth(2)
            w.setframerate(44100)
            w.writeframes(np.repeat((audio[: 44100] * 32767).astype(np.int16), 2).tobytes())
    else:
        write_wav(path, audio)
        if kind == "truncated-wav":
            with open(path, "r+b") as f:
                f.truncate(44 + 16000 * 2)  # the header still promises 2 s
    r = FileRecorder(path, speed=1000, sleep=lambda s: None)
    streamed = r._wav is not None
    r.start()
    got = []
    while not r.exhausted:
        block = r.read(timeout=1.0)
        if block is not None:
            got.append(block.samples)
    pcm = np.concatenate(got)
    if kind == "plain-wav":
        assert streamed and np.array_equal(pcm, (np.clip(audio, -1, 1) * 32767).astype(np.int16))
    elif kind == "truncated-wav":
        assert streamed and len(pcm) == 16000
    else:
        assert not streamed and abs(len(pcm) - 32000 * 16000 / 44100) < 200  # decoded, resampled to 16 kHz mono


@pytest.mark.parametrize("amp, expected", [(0, -100.0), (32767, 0.0), (3277, -20.0)])
def test_block_level(amp, expected):
    assert Block(np.full(1600, amp, np.int16)).level_db == pytest.approx(expected, abs=0.1)


def test_microphone_that_stops_delivering_is_a_device_error():
    from voiceprep.audio.capture import SoundDeviceRecorder
    from voiceprep.core.errors import DeviceError

    class Stream:
        active = True

    clock = Clock()
    r = SoundDeviceRecorder(get_time=clock)
    r._stream = Stream()
    clock.t += 0.5
    r._callback(np.zeros((1600, 1), np.int16), 1600, None, type("S", (), {"input_overflow": True})())
    clock.t += 0.3  # read later than it came: the block keeps the time it came
    block = r.read(0.01)
    assert block.overflow and r.overflows == 1 and block.at == pytest.approx(clock.t - 0.3)
    clock.t += 1.0
    assert r.read(0.01) is None  # a short gap is fine
    clock.t += 3.0
    with pytest.raises(DeviceError, match="stopped delivering audio"):
        r.read(0.01)
