"""The package's architecture, checked: layers (import-linter) and private names kept private."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "voiceprep"


def test_imports_follow_the_pipeline_layers():
    exe = Path(sys.executable).parent / "lint-imports"
    done = subprocess.run([str(exe)], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "1 kept, 0 broken" in done.stdout


def _private_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("voiceprep"):
            found += [f"{path.relative_to(PACKAGE.parent)}:{node.lineno} {node.module}.{a.name}"
                      for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    return found


def test_no_module_imports_a_private_name_of_another():
    found = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _private_imports(path)]
    assert not found, "\n".join(found)


def test_importing_the_package_changes_no_process_state():
    """No environment variable, signal handler or malloc setting changes at import; only
    hearing.runtime.configure_process (called by the entry point) makes them."""
    code = ("import os, signal, pkgutil, importlib, voiceprep\n"
            "env, sig = dict(os.environ), signal.getsignal(signal.SIGINT)\n"
            "for m in pkgutil.walk_packages(voiceprep.__path__, 'voiceprep.'):\n"
            "    if not m.name.endswith('__main__'): importlib.import_module(m.name)\n"
            "assert dict(os.environ) == env, set(os.environ.items()) ^ set(env.items())\n"
            "assert signal.getsignal(signal.SIGINT) is sig\n"
            "print('ok')")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin"})
    assert done.stdout.strip() == "ok", done.stderr[-2000:]


def test_the_check_command_loads_no_device_stream_or_review_code():
    code = ("import sys\nfrom voiceprep.cli.main import main\n"
            "main(['check', '-', '-c', 'behavioral', '--json'])\n"
            "heavy = [m for m in sys.modules if m.startswith(('voiceprep.practice', 'voiceprep.review.replay',"
            " 'voiceprep.hearing.incremental', 'voiceprep.audio.capture', 'sounddevice', 'faster_whisper'))]\n"
            "print(heavy, file=sys.stderr)\nassert not heavy, heavy")
    done = subprocess.run([sys.executable, "-c", code], input="I led the migration.", capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
