"""The NumPy all-MiniLM-L6-v2 encoder gives sentence-transformers' vectors (computed there, once,
with torch: the figures below), from the weights the registry package installs."""

from __future__ import annotations

import numpy as np
import pytest

from voiceprep.analysis.embedding import SentenceEncoder, read_safetensors

pytestmark = pytest.mark.slow  # the real model (90 MB of weights)

PARA_A = "I led a team of four engineers on the payments project."
PARA_B = "I was in charge of four developers working on payments."
UNRELATED = "The weather in Lisbon is usually sunny in July."
LONG = "word " * 400  # truncated to 256 word pieces, as sentence-transformers does
FIRST5 = {  # sentence-transformers 6.2.0, all-MiniLM-L6-v2, normalize_embeddings=True
    PARA_A: [-0.026149535551667213, 0.09237930923700333, 0.027142712846398354, -0.06175081059336662,
             -0.041505150496959686],
    PARA_B: [0.007827851921319962, 0.007623046636581421, 0.0087570920586586, -0.04727938026189804,
             -0.02967711165547371],
    UNRELATED: [0.032819196581840515, 0.02765633910894394, 0.07370176166296005, 0.057703740894794464,
                0.04385785758495331],
    LONG: [-0.008123684674501419, -0.09558597207069397, -0.038673121482133865, 0.04966193810105324,
           -0.04379378259181976],
}


@pytest.fixture(scope="module")
def encoder() -> SentenceEncoder:
    return SentenceEncoder.load()


def test_vectors_match_sentence_transformers(encoder):
    got = encoder.encode(list(FIRST5))
    assert got.shape == (4, 384) and got.dtype == np.float32
    assert np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    for row, want in zip(got, FIRST5.values()):
        assert np.allclose(row[:5], want, atol=2e-6)


def test_paraphrases_are_closer_than_unrelated_text_and_order_does_not_matter(encoder):
    a, b, c = encoder.encode([PARA_A, PARA_B, UNRELATED])
    assert abs(a @ b - 0.7557437419891357) < 1e-5 and abs(a @ c + 0.07795196771621704) < 1e-5
    again = encoder.encode([UNRELATED, PARA_A])
    assert np.allclose(again[1], a, atol=1e-6) and encoder.encode([]).shape == (0, 384)


def test_safetensors_are_read_without_the_safetensors_package(tmp_path):
    import json
    import struct

    arr = np.arange(6, dtype=np.float32).reshape(2, 3)
    header = json.dumps({"x": {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}}).encode()
    (tmp_path / "m.safetensors").write_bytes(struct.pack("<Q", len(header)) + header + arr.tobytes())
    assert np.array_equal(read_safetensors(tmp_path / "m.safetensors")["x"], arr)
