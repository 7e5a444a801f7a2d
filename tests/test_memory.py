"""glibc malloc settings that keep RSS flat over long answers (the figures are in bench/)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from voiceprep import memory


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
def test_settings_take_effect_on_glibc():
    assert memory.keep_heap_flat() is True


def test_without_glibc_it_is_a_no_op(monkeypatch):
    monkeypatch.setattr(memory, "_libc", lambda: None)
    assert memory.keep_heap_flat() is False


FRAGMENT = """
import sys
if sys.argv[1] == "flat":
    from voiceprep.memory import keep_heap_flat
    keep_heap_flat()
import numpy as np
def rss_mb():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 // 2**20
np.ones(8 * 2**20, np.uint8)  # freeing an 8 MB buffer raises glibc's own mmap threshold to 8 MB
base = rss_mb()
big, small = [], []
for _ in range(300):  # 1 MB buffers, each followed by a small one that stays alive
    big.append(np.ones(2**20 - 4096, np.uint8))
    small.append(np.ones(5000, np.uint8))
del big
print(rss_mb() - base)
"""


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="mallopt is glibc's")
@pytest.mark.parametrize("mode, most_kept_mb", [("flat", 50), ("default", None)])
def test_freed_big_buffers_go_back_to_the_system(mode, most_kept_mb):
    """The pattern of the decoding threads: big buffers freed between small ones that live on.
    glibc's default keeps the 300 MB (measured: 300); with the fixed threshold it is returned."""
    out = subprocess.run([sys.executable, "-c", FRAGMENT, mode], capture_output=True, text=True, check=True)
    kept = int(out.stdout)
    if most_kept_mb is None:
        assert kept > 200, "glibc returned it anyway: this test no longer shows anything"
    else:
        assert kept < most_kept_mb
