"""Key presses in the practice loop: lines typed on a terminal, read without blocking."""

from __future__ import annotations

import queue
import sys
import threading

from rich.console import Console


class LineKeys:
    """Lines typed on stdin, read by a daemon thread so the recording loop never blocks."""

    def __init__(self, stream=None) -> None:
        self._q: queue.Queue[str] = queue.Queue()
        self._stream = stream or sys.stdin
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        for line in self._stream:
            self._q.put(line.strip())

    def poll(self) -> str | None:
        try:
            return self._q.get_nowait()
        except queue.Empty:
            return None

    def wait(self, prompt_console: Console, prompt: str) -> str:
        prompt_console.print(prompt, end="", markup=False, highlight=False)
        return self._q.get()
