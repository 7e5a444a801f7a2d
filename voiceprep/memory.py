"""Keep the process's memory flat over long answers (a glibc malloc setting).

Two decoding threads (the front and careful lanes) allocate buffers whose sizes vary with
each window. glibc gives every thread its own malloc arena, and memory freed in an arena
mostly stays with the process, so resident memory crept up with the answer's length
(60-min answer: 250 MB above a 1-min one). Fewer arenas keep it flatter.

The mmap threshold stays glibc's own. Fixing it at 128 KB (as once done here) returned every
bigger buffer to the system at once, but Whisper's decoding allocates and frees such buffers
at every step: a greedy 10 s window then took 0.57 s instead of 0.40 s (1 MB: 0.58 s), and the
whole answer's passes 10.6-11.1 s instead of 7.9 s. Elsewhere than glibc this is a no-op."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

# mallopt parameter numbers, from glibc's malloc.h
M_ARENA_MAX = -8


@functools.cache
def _libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt  # noqa: B018 - glibc only
        return libc
    except (OSError, AttributeError):
        return None


def keep_heap_flat(arenas: int = 2) -> bool:
    """Cap malloc arenas, for threads started from now on. True when it took effect."""
    libc = _libc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas))
