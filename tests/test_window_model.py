"""The faster-whisper seam: the internal call sites window_model.WindowWhisperModel relies on.

If one of these fails after an upgrade of faster-whisper, the subclass in
voiceprep/hearing/window_model.py no longer sees every encoding or decoding: read the new
`WhisperModel.generate_segments`, adapt the overrides, then widen the pin in pyproject.toml.
"""

from __future__ import annotations

import inspect
from importlib.metadata import version

import numpy as np
import pytest

from voiceprep.hearing.window_model import FASTER_WHISPER_TESTED, PassCancelled, WindowDone, window_model_class

faster_whisper = pytest.importorskip("faster_whisper")
SEAM = "voiceprep/hearing/window_model.py overrides WhisperModel.{name}"


def test_the_installed_faster_whisper_is_a_tested_release():
    installed = version("faster-whisper")
    assert installed.startswith(FASTER_WHISPER_TESTED), (
        f"faster-whisper {installed} is not a release the window model was checked on "
        f"({', '.join(FASTER_WHISPER_TESTED)}.x): check the call sites below, then widen the pin")


@pytest.mark.parametrize("name, params", [
    ("encode", ["self", "features"]),
    ("generate_with_fallback", ["self", "encoder_output", "prompt", "tokenizer", "options"]),
])
def test_overridden_methods_keep_their_signature(name, params):
    method = getattr(faster_whisper.WhisperModel, name, None)
    assert method is not None, SEAM.format(name=name) + ", which faster-whisper no longer has"
    assert list(inspect.signature(method).parameters) == params, (
        SEAM.format(name=name) + f" with parameters {params}; faster-whisper now has "
        f"{list(inspect.signature(method).parameters)}")


@pytest.mark.parametrize("call", ["self.encode(", "self.generate_with_fallback("])
def test_every_segment_goes_through_the_overridden_methods(call):
    source = inspect.getsource(faster_whisper.WhisperModel.generate_segments)
    assert call in source, (f"WhisperModel.generate_segments no longer calls {call}...): "
                            "the window model's early stop and cancellation would be skipped")


def test_the_subclass_overrides_exactly_those_methods():
    cls = window_model_class()
    assert issubclass(cls, faster_whisper.WhisperModel)
    own = {n for n, v in vars(cls).items() if callable(v) and not n.startswith("__")}
    assert own == {"encode", "generate_with_fallback"}


def test_a_cancelled_window_stops_before_encoding_and_a_heard_one_before_a_second_encoding():
    cls = window_model_class()
    model = cls.__new__(cls)  # no weights needed: only the checks before super() run
    from voiceprep.hearing.window_model import _Window  # noqa: PLC2701 - this module's own seam

    model.window = _Window()
    model.window.begin(None, cancelled=lambda: True)
    with pytest.raises(PassCancelled):
        model.encode(None)
    with pytest.raises(PassCancelled):
        model.generate_with_fallback(None, [], None, None)
    model.window.begin(speech_end_s=10.0)
    model.window.heard_to, model.window.encodes = 9.5, 1  # first pass heard nearly all of it
    with pytest.raises(WindowDone):
        model.encode(None)


@pytest.mark.parametrize("audio_frames, tail, kept", [
    (1300, 300, 1600),   # a 13 s window: its audio and 3 s of the padding
    (1301, 300, 1700),   # rounded up to whole seconds
    (2900, 300, 3000),   # never more than faster-whisper gave
    (3000, 300, 3000),
    (0, 300, 300),       # nothing but padding
    (1300, 0, 1300),
])
def test_the_encoder_gets_the_audio_and_a_few_seconds_of_padding(audio_frames, tail, kept):
    from voiceprep.hearing.window_model import encoder_input

    features = np.zeros((80, 3000), np.float32)
    features[:, :audio_frames] = np.random.default_rng(1).normal(size=(80, audio_frames))
    for shaped in (features, features[None]):  # faster-whisper passes one segment, 2-D; batches are 3-D
        out = encoder_input(shaped, tail)
        assert out.shape[-1] == kept and out.shape[:-1] == shaped.shape[:-1]
        assert np.array_equal(out[..., :min(audio_frames, kept)], shaped[..., :min(audio_frames, kept)])
