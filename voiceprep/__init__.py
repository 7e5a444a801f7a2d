"""voiceprep: a local, private, voice-driven mock interviewer with recorded self-review.

Stages, one module each: bank (questions, rubric) -> transcribe (Whisper) ->
metrics (delivery) + rubric (content) -> report -> render / store; cli wires them.
"""

from __future__ import annotations

__version__ = "0.1.0"
