"""The one audio format every stage agrees on: 16 kHz mono (float32 in [-1, 1] or int16)."""

from __future__ import annotations

SAMPLE_RATE = 16000
