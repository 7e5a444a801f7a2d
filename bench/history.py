"""How fast `voiceprep history` answers with thousands of attempts.

Generates N attempt folders (default 5,000) in a temporary recordings folder: each a
report.json of the real schema (a real analysis of an answer, with cue verdicts,
timing and self-reviews varied at random), attempt.json and transcript.json. Then runs the
real command line, as a user would, and prints one JSON document of wall times:

    cold       no index yet: built from the folders
    warm       index present, nothing changed
    one_new    one attempt added since
    question   --question ID (with the word diff of its last two attempts)
    json       --json

Run: `make bench-history` or `.venv/bin/python bench/history.py [--attempts N]`.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

from voiceprep.analysis.report import analyse_answer
from voiceprep.core.bank import load_bank
from voiceprep.testing import timed_transcript

EXE = str(Path(sys.executable).parent / "voiceprep")
START = datetime(2024, 1, 1, 8, 0, 0)
ANSWER = Path(__file__).resolve().parent.parent / "voiceprep" / "data" / "answer_url_shortener.txt"


def generate(root: Path, n: int, seed: int = 5000) -> None:
    rng = random.Random(seed)
    bank = load_bank()
    questions = bank.list_questions()
    text = ANSWER.read_text(encoding="utf-8")
    templates = {}
    for q in questions:  # one real analysis per question; attempts vary from it
        report = analyse_answer(timed_transcript(text, wpm=150), bank, q.category, q)
        templates[q.id] = (report.to_json(), report.transcript.to_dict())
    root.mkdir(parents=True)
    for i in range(n):
        q = rng.choice(questions)
        doc, transcript = templates[q.id]
        doc = json.loads(json.dumps(doc))
        attempt = f"{START + timedelta(hours=3 * i):%Y%m%d-%H%M%S}-{q.id}"  # about 20 months of practice
        for cue in doc["cues"]:
            cue["hit"] = rng.random() < 0.6
        doc["summary"]["cues_hit"] = sum(c["hit"] for c in doc["cues"])
        doc["timing"]["wpm"] = round(rng.uniform(110, 190), 1)
        doc["timing"]["duration_s"] = round(rng.uniform(60, 900), 2)
        doc["attempt"] = attempt
        if rng.random() < 0.3:
            doc["self_review"] = {"rating": rng.randint(1, 5), "note": "",
                                  "verdicts": [{"cue": c["id"], "auto_hit": c["hit"], "agree": rng.random() < 0.8}
                                               for c in doc["cues"]]}
        folder = root / attempt
        folder.mkdir()
        (folder / "report.json").write_text(json.dumps(doc))
        (folder / "transcript.json").write_text(json.dumps(transcript))
        (folder / "attempt.json").write_text(json.dumps({"id": attempt, "question": q.id, "status": "done"}))


def timed(*argv: str, env: dict) -> float:
    t = time.perf_counter()
    subprocess.run([EXE, *argv], env=env, check=True, stdout=subprocess.DEVNULL)
    return round(time.perf_counter() - t, 3)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--attempts", type=int, default=5000)
    p.add_argument("--repeat", type=int, default=3, help="warm runs to take the median of")
    args = p.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="voiceprep-bench-history-"))
    try:
        root = tmp / "recordings"
        t = time.perf_counter()
        generate(root, args.attempts)
        gen_s = time.perf_counter() - t
        env = {**os.environ, "VOICEPREP_RECORDINGS": str(root), "COLUMNS": "120"}
        cold = timed("history", env=env)
        warm = sorted(timed("history", env=env) for _ in range(args.repeat))[args.repeat // 2]
        newest = sorted(root.iterdir())[-1]
        shutil.copytree(newest, root / ("29991231-235959" + newest.name[15:]))
        one_new = timed("history", env=env)
        question = newest.name[16:]
        q_time = timed("history", "--question", question, env=env)
        json_time = timed("history", "--json", env=env)
        start = timed("--version", env=env)
        print(json.dumps({
            "attempts": args.attempts + 1, "generated_s": round(gen_s, 1),
            "history_s": {"cold": cold, "warm": warm, "one_new": one_new, "question": q_time, "json": json_time},
            "interpreter_start_s": start, "goal_s": 1.0, "meets_goal": max(warm, one_new, q_time, json_time) < 1.0,
            "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        }, indent=2))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
