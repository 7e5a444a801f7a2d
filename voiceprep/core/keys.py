"""Where a user's key presses come from: the practice loop and replay both poll one."""

from __future__ import annotations

from typing import Protocol


class Keys(Protocol):
    """A source of key presses (Enter finishes an answer; replay has its own keys)."""

    def poll(self) -> str | None:
        """The next key or line typed, or None when there is none (never blocks)."""
        ...


class NoKeys:
    """No keyboard: nothing is ever pressed (non-interactive runs, --json, tests)."""

    def poll(self) -> str | None:
        return None
