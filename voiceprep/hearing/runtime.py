"""The process's runtime settings for transcription, made once by the entry point.

Nothing here runs at import: `configure_process` is called by `voiceprep`'s entry point
(cli.main.run) before any thread starts or CTranslate2 loads; tests and benchmarks that
want the same settings call it themselves. Why each setting: docs/transcription.md.

- OpenMP waiting (CTranslate2's libgomp threads): a short spin instead of glibc's long default
  (two processes on two cores spun against each other) or a fully passive wait (which cost
  the second thread its use). The user's own OMP_WAIT_POLICY / GOMP_SPINCOUNT win.
- malloc arenas: two decoding threads each got an arena whose freed memory stayed with the
  process, so resident memory crept up with the answer's length; two arenas keep it flat.
  glibc's own mmap threshold is kept (a fixed one made every decoding pass slower).
"""

from __future__ import annotations

import os
import threading
from typing import MutableMapping

from voiceprep.core.heap import libc

# mallopt parameter numbers, from glibc's malloc.h
M_ARENA_MAX = -8


def keep_heap_flat(arenas: int = 2) -> bool:
    """Cap malloc arenas, for threads started from now on. True when it took effect."""
    lib = libc()
    return bool(lib and lib.mallopt(M_ARENA_MAX, arenas))


# libgomp reads these when CTranslate2 is first loaded
OPENMP_SETTINGS = {"OMP_WAIT_POLICY": "ACTIVE", "GOMP_SPINCOUNT": "10000"}


def openmp_settings(environ: MutableMapping[str, str]) -> dict[str, str]:
    """Put the OpenMP wait settings into `environ` unless the user chose either; returns what was set."""
    if any(k in environ for k in OPENMP_SETTINGS):
        return {}
    environ.update(OPENMP_SETTINGS)
    return dict(OPENMP_SETTINGS)


def configure_process(environ: MutableMapping[str, str] | None = None) -> None:
    """Every runtime setting of the process, before any thread starts or a model loads."""
    openmp_settings(os.environ if environ is None else environ)
    keep_heap_flat()


def seed_sampling(seed: int | None) -> None:
    """Seed CTranslate2's sampling (temperature fallbacks), process-wide; None leaves it unseeded.

    Called when a Whisper model is loaded (CTranslate2 is imported only by commands that hear)."""
    if seed is None:
        return
    import ctranslate2

    ctranslate2.set_random_seed(seed)


def lower_priority() -> None:
    """Run the calling thread, and the threads it starts from now on, at nice 19 (Linux: per thread).

    The user waits for the front lane. Six front passes took 4.4 s alone, 5.6 s beside a careful
    pass at normal priority and 5.0 s beside one at nice 19 (the two virtual cores still share
    the host's caches). Elsewhere than Linux it does nothing."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass
