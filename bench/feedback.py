"""Feedback latency, quality and memory of `voiceprep practice`, incremental against whole-file.

For each answer length it generates a spoken answer (bench/answers.py, espeak-ng) and runs the
real command line, as a user would, with the question spoken to a PulseAudio null sink:

    voiceprep practice -q ID --answer-file ANSWER.wav --json                (incremental, real time)
    voiceprep practice -q ID --answer-file ANSWER.wav --json --whole-file   (transcribed after the end)

Whole-file feedback does not depend on how fast the answer was fed (nothing happens until it
ends), so that run feeds it fast. Then memory: a 60-minute and a 1-minute answer, both fed 6x
faster than real time, so that only their length differs. One JSON document goes to stdout;
progress to stderr.

    make bench                                   # 1, 3, 10, 20 min at real time, then the memory runs
    .venv/bin/python bench/feedback.py --minutes 0   # the memory runs alone (60 and 1 min at 6x, 11 minutes)
    .venv/bin/python bench/feedback.py --quick   # 1 and 3 min, fed 4x faster (a few minutes)
    .venv/bin/python bench/feedback.py --minutes 1,3 --memory-minutes 0 --ending pause
                                                 # answers that end in a pause before Enter

The answers stop right after their last word (`--ending word`, the default), as when Enter is
pressed the moment the speaker stops: the last sentence is then still to be transcribed, and a
pass may be under way. `--ending pause` keeps the generated pause after it (the front lane has
usually transcribed everything by Enter), `--ending mid` stops 1.5 s before the last word ends,
mid-word, as a time limit would.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from answers import make_answer, write_wav  # noqa: E402

from voiceprep.analysis.wer import word_error_rate  # noqa: E402

EXE = str(Path(sys.executable).parent / "voiceprep")
QUESTION = "sd-read-heavy-scaling"


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def start_pulse(run_dir: Path) -> dict:
    """A private PulseAudio with a null sink, so the question is really spoken somewhere."""
    env = {**os.environ, "XDG_RUNTIME_DIR": str(run_dir), "HOME": str(run_dir)}
    env.pop("PULSE_SERVER", None)
    subprocess.run(["pulseaudio", "--daemonize=yes", "--exit-idle-time=-1", "-n",
                    "--load=module-native-protocol-unix auth-anonymous=1",
                    "--load=module-null-sink sink_name=vspk"], env=env, check=True, capture_output=True)
    for _ in range(50):
        if subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0:
            break
        time.sleep(0.1)
    subprocess.run(["pactl", "set-default-sink", "vspk"], env=env, check=True)
    return env


def run(argv: list[str], env: dict) -> tuple[dict, float]:
    """Run a command; returns its JSON stdout and its peak RSS (MB).

    The peak is the child's own VmHWM, read every 0.1 s until it exits. wait4's ru_maxrss is
    not: after vfork and exec it starts from the parent's high-water mark, so once this process
    had generated the 60-minute answer (741 MB), every later run reported at least that."""
    peak_kb = 0
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(argv, env=env, stdout=out, stderr=err)
        while True:
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            try:
                with open(f"/proc/{proc.pid}/status") as f:
                    peak_kb = max([peak_kb] + [int(line.split()[1]) for line in f if line.startswith("VmHWM:")])
            except (OSError, ValueError):
                pass
            time.sleep(0.1)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(argv[:3])} failed ({proc.returncode}): {err.read().decode()[-800:]}")
        return json.loads(out.read()), round(peak_kb / 1024, 1)


def practice_argv(answer: Path, whole_file: bool, speed: float, model: str | None = None) -> list[str]:
    seconds = Path(answer).stat().st_size / 32000
    argv = [EXE, "practice", "-q", QUESTION, "--answer-file", str(answer), "--json", "--speed", str(speed),
            "--limit", str(int(seconds) + 60)]  # the default limit (1.5 x the 10 min target) would cut long answers
    return argv + (["--whole-file"] if whole_file else []) + (["--model", model] if model else [])


def script_verdicts(script: str, env: dict) -> dict:
    """The rubric on the script itself: what a perfect transcript would score."""
    proc = subprocess.run([EXE, "check", "-", "-q", QUESTION, "--json"], input=script, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(proc.stdout)


def cue_agreement(a: dict, b: dict) -> tuple[int, int]:
    hits_a = {c["id"]: c["hit"] for c in a["cues"]}
    hits_b = {c["id"]: c["hit"] for c in b["cues"]}
    return sum(hits_a[k] == hits_b.get(k) for k in hits_a), len(hits_a)


def end_answer(audio: np.ndarray, script: str, ending: str) -> tuple[np.ndarray, str]:
    """The answer as generated (`pause`), or stopped right after its last word or 1.5 s before.
    WER is still against the whole script: `mid` loses the end of the last sentence in both modes."""
    if ending == "pause":
        return audio, script
    last = int(np.flatnonzero(np.abs(audio) > 0.01)[-1]) + 1
    return audio[:last if ending == "word" else last - int(1.5 * 16000)], script


def measure(minutes: float, folder: Path, env: dict, speed: float, seed: int, ending: str = "pause",
            model: str | None = None) -> dict:
    audio, script = end_answer(*make_answer(minutes * 60, seed=seed), ending)
    answer = folder / f"answer-{minutes:g}min.wav"
    write_wav(answer, audio)
    log(f"{minutes:g} min answer ({len(audio) / 16000:.0f} s): incremental at {speed:g}x")
    inc, inc_rss = run(practice_argv(answer, False, speed, model), env)
    log(f"{minutes:g} min: whole-file")
    whole, whole_rss = run(practice_argv(answer, True, max(speed, 20.0), model), env)
    same, total = cue_agreement(inc, whole)
    truth = script_verdicts(script, env)
    inc_s, whole_s = inc["latency"]["feedback_s"], whole["latency"]["feedback_s"]
    result = {
        "minutes": minutes, "audio_s": round(len(audio) / 16000, 1), "feed_speed": speed, "ending": ending,
        "feedback_s": {"incremental": inc_s, "whole_file": whole_s,
                       "ratio_whole_to_incremental": round(whole_s / max(inc_s, 1e-3), 1)},
        "wer": {"incremental": round(word_error_rate(script, inc["transcript"]["text"]), 4),
                "whole_file": round(word_error_rate(script, whole["transcript"]["text"]), 4)},
        "cues_same": f"{same}/{total}",
        "cues_as_on_script": {"incremental": "{}/{}".format(*cue_agreement(inc, truth)),
                              "whole_file": "{}/{}".format(*cue_agreement(whole, truth))},
        "feedback_timing": inc.get("feedback_timing"),  # feedback_s in parts: transcript, terms, analysis, voice
        "model_load_s": inc.get("startup", {}).get("model_load_s"),
        "question_heard_s": inc.get("startup", {}).get("question_heard_s"),
        "peak_rss_mb": {"incremental": inc_rss, "whole_file": whole_rss},
        "overflows": inc["recording"]["overflows"],
        "passes": inc["transcription"].get("passes"),
        "careful_to_s": inc["transcription"].get("careful_to_s"),
        "careful_nets": inc["transcription"].get("careful_nets"),
        "passes_cancelled": inc["transcription"].get("cancelled"),  # either lane, given up at the end
        "last_front_passes": [p for p in inc["transcription"].get("last_passes", []) if p["lane"] == "front"][-2:],
    }
    log(json.dumps(result))
    return result


def memory(minutes: float, folder: Path, env: dict, speed: float, model: str | None = None) -> dict:
    """Peak RSS of one incremental run, the question spoken, the answer fed `speed` times faster."""
    audio, script = make_answer(minutes * 60, seed=60)
    answer = folder / f"answer-{minutes:g}min.wav"
    write_wav(answer, audio)
    del audio
    log(f"{minutes:g} min answer for memory, fed at {speed:g}x")
    doc, rss = run(practice_argv(answer, False, speed, model), env)
    return {"minutes": minutes, "feed_speed": speed, "peak_rss_mb": rss,
            "feedback_s": doc["latency"]["feedback_s"], "words": doc["word_count"],
            "wer": round(word_error_rate(script, doc["transcript"]["text"]), 4),  # nothing lost when fed fast
            "overflows": doc["recording"]["overflows"]}


def main() -> None:
    p = argparse.ArgumentParser(description="voiceprep feedback benchmark")
    p.add_argument("--quick", action="store_true", help="1 and 3 minutes, fed 4x faster than real time")
    p.add_argument("--minutes", default=None, help="comma-separated answer lengths (default 1,3,10,20; 0: none)")
    p.add_argument("--speed", type=float, default=None, help="feed speed of the incremental runs (default 1)")
    p.add_argument("--memory-minutes", type=float, default=60, help="length of the memory run (0: skip)")
    p.add_argument("--ending", choices=("pause", "word", "mid"), default="word",
                   help="how answers end: right after the last word (default), in a pause, or mid-word")
    p.add_argument("--model", default=None, help="voiceprep's --model (default: the bundled tiny.en)")
    args = p.parse_args()
    minutes = [float(m) for m in (args.minutes or ("1,3" if args.quick else "1,3,10,20")).split(",") if float(m)]
    speed = args.speed or (4.0 if args.quick else 1.0)
    tmp = Path(tempfile.mkdtemp(prefix="voiceprep-bench-"))
    env = start_pulse(tmp / "pulse")
    env["VOICEPREP_RECORDINGS"] = str(tmp / "recordings")
    try:
        runs = [measure(m, tmp, env, speed, seed=int(m * 10), ending=args.ending, model=args.model) for m in minutes]
        mem = None
        if args.memory_minutes and not args.quick:  # both fed the same way, so only the length differs
            mem = {"long": memory(args.memory_minutes, tmp, env, 6.0, args.model),
                   "one_minute": memory(1, tmp, env, 6.0, args.model)}
        same = sum(int(r["cues_same"].split("/")[0]) for r in runs)
        total = sum(int(r["cues_same"].split("/")[1]) for r in runs)
        goals = {
            "feedback_at_most_1s": all(r["feedback_s"]["incremental"] <= 1.0 for r in runs) if speed == 1 else None,
            "wer_within_1_point": all(r["wer"]["incremental"] <= r["wer"]["whole_file"] + 0.01 for r in runs),
            "cue_verdicts_95_percent_same": same >= 0.95 * total,
            "overflows_zero": all(r["overflows"] == 0 for r in runs),
        }
        if mem:
            long_mb, one_mb = mem["long"]["peak_rss_mb"], mem["one_minute"]["peak_rss_mb"]
            mem["difference_mb"] = round(long_mb - one_mb, 1)
            goals["memory_60min_under_1GB"] = long_mb <= 1024
            goals["memory_60min_within_200MB_of_1min"] = long_mb - one_mb <= 200
        print(json.dumps({
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0], "model": args.model or "tiny.en (bundled)"},
            "question": QUESTION, "runs": runs, "memory": mem,
            "cue_verdicts_same": f"{same}/{total}", "goals": goals,
        }, indent=2))
    finally:
        subprocess.run(["pulseaudio", "--kill"], env=env, capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
