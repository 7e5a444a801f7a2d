"""Checks a JSON report against docs/scripting.md: every required field, with its type."""

from __future__ import annotations

NUM = (int, float)


def _is(value, types, nullable=False):
    if value is None:
        return nullable
    if isinstance(value, bool) and bool not in (types if isinstance(types, tuple) else (types,)):
        return False
    return isinstance(value, types)


def assert_contract(doc: dict, timed: bool) -> None:
    assert doc["schema"] == 1
    q = doc["question"]
    assert _is(q["id"], str, True) and _is(q["category"], str) and _is(q["text"], str, True)
    t = doc["transcript"]
    assert _is(t["text"], str) and isinstance(t["words"], list)
    for w in t["words"]:
        assert _is(w["word"], str) and _is(w["start"], NUM) and _is(w["end"], NUM)
    if timed:
        tm = doc["timing"]
        for k in ("duration_s", "speaking_s", "wpm", "longest_pause_s"):
            assert _is(tm[k], NUM), k
        assert t["words"], "timed reports carry words"
    else:
        assert doc["timing"] is None and t["words"] == []
    f = doc["fillers"]
    assert _is(f["count"], int) and _is(f["per_minute"], NUM, nullable=not timed)
    for item in f["items"]:
        assert _is(item["word"], str) and _is(item["start"], NUM, True)
    assert f["count"] == len(f["items"])
    assert isinstance(doc["cues"], list) and doc["cues"]
    for c in doc["cues"]:
        assert _is(c["id"], str) and _is(c["hit"], bool) and _is(c["label"], str) and _is(c["tip"], str)
        for e in c["evidence"]:
            assert _is(e["text"], str) and _is(e["start"], NUM, True) and _is(e["end"], NUM, True)
    assert "feedback_s" in doc["latency"] and _is(doc["latency"]["feedback_s"], NUM, True)
    n = doc["numbers"]
    for qty in n["quantities"]:
        assert _is(qty["value"], NUM) and _is(qty["unit"], str, True) and _is(qty["per"], str, True)
        assert _is(qty["text"], str) and _is(qty["start"], NUM, True) and _is(qty["end"], NUM, True)
    for chk in n["checks"]:
        assert _is(chk["kind"], str) and chk["verdict"] in ("ok", "off", "missing_unit")
        assert _is(chk["stated"], NUM, True) and _is(chk["expected"], NUM, True)
        assert _is(chk["explanation"], str) and _is(chk["sentence"], str) and _is(chk["start"], NUM, True)
    for p in doc["points"]:
        assert _is(p["id"], str) and _is(p["text"], str) and _is(p["hit"], bool) and p["source"] in ("question", "story")
        for e in p["evidence"]:
            assert _is(e["text"], str) and _is(e["start"], NUM, True) and _is(e["end"], NUM, True)


def assert_voice_contract(v: dict | None, audio: bool) -> None:
    """The `voice` field: null without audio (`check`), else pitch, loudness, stretches, repetition, reliable."""
    if not audio:
        assert v is None
        return
    assert _is(v["pitch"]["median_hz"], NUM, True) and _is(v["pitch"]["spread_st"], NUM, True)
    assert _is(v["loudness"]["median_db"], NUM, True)
    for key in ("monotone", "quiet", "trailing_off"):
        for s in v[key]:
            assert _is(s["start"], NUM) and _is(s["end"], NUM)
    assert all(_is(s["text"], str) for s in v["trailing_off"])
    for r in v["repetition"]:
        assert _is(r["phrase"], str) and _is(r["count"], int)
    assert _is(v["reliable"], bool)
