"""Score `quantities` and `estimates` against the labeled passages in estimates.toml.

Prints, per split: quantity precision/recall/F1 (a found quantity matches a labeled one when
the value is within 1 % and the unit is the same), "off" verdict precision and recall, and
"ok" precision (a check matches a labeled check by stated value within 1 %).

Usage: python3 evaluate_numbers.py [--split dev|test|all] [--show]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from voiceprep.analysis.numbers.estimates import Check, check_estimates
from voiceprep.analysis.numbers.quantities import Quantity, Sentence, find_quantities
from voiceprep.core.bank import tomllib

DATA = Path(__file__).resolve().parent.parent.parent.parent / "tests" / "data" / "estimates.toml"


def split_sentences(text: str) -> list[Sentence]:
    """Split plain text into sentences at . ! ? ; (no times), close to `Transcript.sentences()`."""
    parts = re.split(r"(?<=[.!?;])\s+", text.strip())
    return [Sentence(p.strip(), None, None) for p in parts if p.strip()]


def load(path: Path = DATA) -> list[dict]:
    """The labeled passages."""
    with open(path, "rb") as f:
        return tomllib.load(f)["passage"]


def _close(a: float, b: float, tol: float = 0.01) -> bool:
    """Equal within `tol` (relative)."""
    return abs(a - b) <= tol * max(abs(a), abs(b), 1e-12)


def match_quantities(found: list[Quantity], labels: list[list]) -> tuple[int, int, int]:
    """(true positives, found, labeled): greedy one-to-one match on value and unit."""
    free = [(float(v), u or None) for v, u, _ in labels]
    tp = 0
    for q in found:
        for k, (v, u) in enumerate(free):
            if _close(q.value, v) and q.unit == u:
                tp += 1
                del free[k]
                break
    return tp, len(found), len(labels)


@dataclass
class Score:
    q_tp: int = 0
    q_found: int = 0
    q_gold: int = 0
    off_tp: int = 0
    off_pred: int = 0
    off_gold: int = 0
    ok_tp: int = 0
    ok_pred: int = 0
    ok_unlabeled: int = 0
    ok_gold: int = 0
    missing_tp: int = 0
    missing_pred: int = 0
    missing_gold: int = 0
    errors: list[str] = field(default_factory=list)


def _label_for(check: Check, labels: list[list]) -> list | None:
    """The labeled check with the same stated value, if any."""
    for lab in labels:
        if _close(check.stated or 0.0, float(lab[1])):
            return lab
    return None


def score_checks(pid: str, checks: list[Check], labels: list[list], s: Score) -> None:
    """Count verdict agreement for one passage; keep a line per disagreement."""
    s.off_gold += sum(lab[3] == "off" for lab in labels)
    s.missing_gold += sum(lab[3] == "missing_unit" for lab in labels)
    s.ok_gold += sum(lab[3] == "ok" for lab in labels)
    found_off = set()
    for c in checks:
        lab = _label_for(c, labels)
        gold = lab[3] if lab else None
        if c.verdict == "off":
            s.off_pred += 1
            if gold == "off":
                s.off_tp += 1
                found_off.add(id(lab))
        elif c.verdict == "ok":
            s.ok_pred += 1
            s.ok_tp += gold == "ok"
            s.ok_unlabeled += gold is None
        else:
            s.missing_pred += 1
            s.missing_tp += gold == "missing_unit"
        if gold != c.verdict:
            s.errors.append(f"{pid}: said {c.verdict} ({c.kind} {c.stated:g}), label {gold}: {c.explanation}")
    for lab in labels:
        if lab[3] == "off" and id(lab) not in found_off:
            s.errors.append(f"{pid}: missed off {lab}")


def evaluate(passages: list[dict], split: str) -> Score:
    """Run the module on every passage of `split` ("all" for both)."""
    s = Score()
    for p in passages:
        if split != "all" and p["split"] != split:
            continue
        sents = split_sentences(p["text"])
        found = find_quantities(sents)
        tp, nf, ng = match_quantities(found, p["q"])
        s.q_tp, s.q_found, s.q_gold = s.q_tp + tp, s.q_found + nf, s.q_gold + ng
        if tp < max(nf, ng):
            s.errors.append(f"{p['id']}: quantities found {[(q.value, q.unit, q.per) for q in found]} "
                            f"labeled {p['q']}")
        score_checks(p["id"], check_estimates(sents, found), p["checks"], s)
    return s


def _ratio(a: int, b: int) -> float:
    """a / b, nan when b is 0."""
    return a / b if b else float("nan")


def report(split: str, s: Score) -> str:
    """One block of figures for a split."""
    qp, qr = _ratio(s.q_tp, s.q_found), _ratio(s.q_tp, s.q_gold)
    f1 = 2 * qp * qr / (qp + qr) if qp + qr else float("nan")
    return "\n".join([
        f"[{split}]",
        f"  quantities: precision {qp:.3f} recall {qr:.3f} F1 {f1:.3f}  ({s.q_tp} / found {s.q_found} / labeled {s.q_gold})",
        f"  off: precision {_ratio(s.off_tp, s.off_pred):.3f} ({s.off_tp}/{s.off_pred}) "
        f"recall {_ratio(s.off_tp, s.off_gold):.3f} ({s.off_tp}/{s.off_gold})",
        f"  ok: precision {_ratio(s.ok_tp, s.ok_pred - s.ok_unlabeled):.3f} over labeled steps "
        f"({s.ok_tp}/{s.ok_pred - s.ok_unlabeled}); {s.ok_unlabeled} ok checks on unlabeled steps; "
        f"strict {_ratio(s.ok_tp, s.ok_pred):.3f}; recall {_ratio(s.ok_tp, s.ok_gold):.3f} ({s.ok_tp}/{s.ok_gold})",
        f"  missing_unit: {s.missing_tp}/{s.missing_pred} predicted correct, {s.missing_tp}/{s.missing_gold} found",
    ])


def main(argv: list[str] | None = None) -> int:
    """Print the figures for the chosen splits."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="both", choices=["dev", "test", "all", "both"])
    ap.add_argument("--show", action="store_true", help="print every disagreement")
    args = ap.parse_args(argv)
    passages = load()
    for split in (["dev", "test"] if args.split == "both" else [args.split]):
        s = evaluate(passages, split)
        print(report(split, s))
        if args.show:
            print("\n".join("    " + e for e in s.errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
