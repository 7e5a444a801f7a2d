"""The one error hierarchy of voiceprep.

Library code raises these; only the CLI turns them into a one-line message and
exit code 2. Anything else escaping is a bug and keeps its traceback.
"""

from __future__ import annotations

from pathlib import Path


class VoicePrepError(Exception):
    """Base of every error a user can cause or fix (exit code 2)."""

    exit_code = 2


class BankError(VoicePrepError):
    """A question bank or rubric file is malformed; the message names file, entry and field."""


class QuestionNotFound(VoicePrepError):
    """An unknown question id or category was asked for."""


class AudioError(VoicePrepError):
    """An audio file is missing, empty, corrupt or not audio at all."""


class NoSpeechError(AudioError):
    """The audio holds no detectable speech (silence or noise)."""


class TranscriptError(VoicePrepError):
    """A text transcript is missing, unreadable or empty."""


class ModelError(VoicePrepError):
    """A Whisper model cannot be found, fetched or loaded."""


class StorageError(VoicePrepError):
    """An attempt cannot be stored or read back."""


class DeviceError(VoicePrepError):
    """No usable audio device, or the device failed."""


class UsageError(VoicePrepError):
    """A mistake in a command's words: an option's value, a missing or clashing option."""


def read_utf8(path: Path, error: type[VoicePrepError] = BankError) -> str:
    """A user's text file (bank, lexicon, story, transcript), or `error` naming the file and why not."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise error(f"{path}: not UTF-8 text (byte {exc.start})") from None
