"""Export: attempts packed into one zip to share with a mentor.

Each attempt goes in a folder of its own inside the zip: the answer (and follow-up)
audio, transcript.json, report.json, report.md and a report.html that plays the audio
beside it. The zip is written to a temporary name and renamed, and an existing file is
never replaced.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from voiceprep.core.errors import StorageError

FILES = ("answer.wav", "transcript.json", "report.json", "report.md")


@dataclass(frozen=True)
class ExportItem:
    folder: Path   # the attempt's folder
    html: bytes    # its report page, audio referenced as answer.wav beside it


def write_zip(out: Path, items: list[ExportItem]) -> list[str]:
    """Write the zip; returns the names inside it. Refuses to overwrite `out`."""
    if out.exists():
        raise StorageError(f"{out}: already exists; choose another name with --out")
    if not items:
        raise StorageError("nothing to export: no attempts yet")
    names: list[str] = []
    parent = out.parent if str(out.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", dir=parent)
    except OSError as exc:
        raise StorageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as f, zipfile.ZipFile(f, "w") as z:
            for item in items:
                base = item.folder.name
                files = [item.folder / n for n in FILES] + sorted(item.folder.glob("followup-*.wav"))
                for path in files:
                    if path.is_file():
                        # audio barely compresses; text does
                        kind = zipfile.ZIP_STORED if path.suffix == ".wav" else zipfile.ZIP_DEFLATED
                        z.write(path, f"{base}/{path.name}", compress_type=kind)
                        names.append(f"{base}/{path.name}")
                z.writestr(f"{base}/report.html", item.html, compress_type=zipfile.ZIP_DEFLATED)
                names.append(f"{base}/report.html")
        _publish(tmp, out)
    except FileExistsError:
        raise StorageError(f"{out}: already exists; choose another name with --out") from None
    except OSError as exc:
        raise StorageError(f"{out}: cannot write: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return names


def _publish(tmp: str, out: Path) -> None:
    """Give the finished zip its name without ever replacing a file that appeared meanwhile."""
    try:
        os.link(tmp, out)  # atomic and refuses an existing name
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links
        if out.exists():
            raise FileExistsError(out) from None
        os.replace(tmp, out)


__all__ = ["ExportItem", "write_zip", "FILES"]
