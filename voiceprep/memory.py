"""Keep the process's memory flat over long answers (glibc malloc settings).

Two decoding threads (the front and careful lanes) allocate buffers whose sizes vary with
each window. glibc gives every thread its own malloc arena, and memory freed in an arena
mostly stays with the process, so resident memory crept up with the answer's length
(60-min answer: 250 MB above a 1-min one). Fewer arenas and a fixed mmap threshold keep
it flat. Elsewhere than glibc these are no-ops."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

# mallopt parameter numbers, from glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt  # noqa: B018 - glibc only
        return libc
    except (OSError, AttributeError):
        return None


def keep_heap_flat(arenas: int = 2, mmap_threshold: int = 128 * 1024) -> bool:
    """Cap malloc arenas and fix the mmap threshold, for allocations from now on.

    A fixed threshold stops glibc from raising it each time a big buffer is freed: buffers
    over it (audio windows, model activations) then always come from mmap and go straight
    back to the system when freed, instead of fragmenting the heap. True when it took effect."""
    libc = _libc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas) and libc.mallopt(M_MMAP_THRESHOLD, mmap_threshold))

