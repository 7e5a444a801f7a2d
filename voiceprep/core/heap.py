"""The C heap under Python: glibc's malloc, reached through ctypes (a no-op elsewhere).

Models that run through ONNX Runtime or CTranslate2 allocate outside Python's own allocator,
and glibc keeps what they free for reuse instead of returning it, so dropping a model lowers
resident memory only after `give_back_memory`. hearing/runtime.py sets the allocator up.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools


@functools.cache
def libc() -> ctypes.CDLL | None:
    """glibc, or None on a C library without mallopt/malloc_trim."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        lib.mallopt  # noqa: B018 - glibc only
        lib.malloc_trim  # noqa: B018
        return lib
    except (OSError, AttributeError):
        return None


def give_back_memory() -> bool:
    """Return the heap's free memory to the system (glibc's malloc_trim); True if any was."""
    lib = libc()
    return bool(lib and lib.malloc_trim(0))
