"""Giving the C heap's free memory back to the system (core/heap.py)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from voiceprep.core import heap


def test_without_glibc_nothing_is_given_back(monkeypatch):
    monkeypatch.setattr(heap, "libc", lambda: None)
    assert heap.give_back_memory() is False


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_memory_freed_under_the_mmap_threshold_goes_back():
    code = (
        "import numpy as np\n"
        "from voiceprep.core.heap import give_back_memory\n"
        "def rss(): return int(open('/proc/self/statm').read().split()[1]) * 4096 // 2**20\n"
        "base = rss()\n"
        "keep, blocks = [], [np.ones(60_000, np.uint8) for _ in range(3000)]\n"  # 180 MB of 60 KB blocks
        "keep.append(np.ones(10, np.uint8)); del blocks\n"
        "held = rss(); give_back_memory(); print(base, held, rss())\n")
    base, held, after = map(int, subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                                check=True).stdout.split())
    assert after - base < (held - base) / 2, (base, held, after)
