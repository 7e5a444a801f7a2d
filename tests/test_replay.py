from __future__ import annotations

import io
import os
import pty

import numpy as np
import pytest
from rich.console import Console

from voiceprep.core.errors import StorageError
from voiceprep.review.replay import Moment, Player, TerminalKeys, moments, next_moment, replay, start_of_cue
from voiceprep.storage.attempt import TimedWord, parse_attempt
from voiceprep.testing import FakeOutputStream as FakeStream
from voiceprep.testing import ScriptedKeys

DOC = parse_attempt({
    "question": {"id": "sd-x", "category": "system_design"}, "transcript": {"text": "", "words": []},
    "cues": [{"id": "numbers", "label": "Knows the numbers", "hit": True,
              "evidence": [{"text": "ten million users", "start": 12.0, "end": 14.0},
                           {"text": "5000 QPS", "start": 3.0, "end": 4.0}]},
             {"id": "observability", "label": "Observability", "hit": False, "evidence": []}],
    "timing": {"pauses": {"items": [{"start": 20.0, "end": 24.5, "length_s": 4.5}]}},
    "fillers": {"items": [{"word": "um", "start": t} for t in (30.0, 31.0, 33.0, 38.0, 60.0, 61.0)]},
})
EMPTY = parse_attempt({"question": {"category": "behavioral"}, "transcript": {"text": ""}})


def test_moments_cover_evidence_pauses_and_filler_clusters():
    got = [(m.start, m.kind) for m in moments(DOC)]
    assert got == [(3.0, "cue"), (12.0, "cue"), (20.0, "pause"), (30.0, "fillers")]
    assert moments(DOC)[3].label == "4 fillers in 8 s"
    assert moments(EMPTY) == []


@pytest.mark.parametrize("cue, expected", [
    ("numbers", 3.0),
    ("observability", "was missed in this attempt"),
    ("nope", "has no cue 'nope'"),
])
def test_start_of_cue(cue, expected):
    if isinstance(expected, float):
        assert start_of_cue(DOC, cue) == expected
    else:
        with pytest.raises(StorageError, match=expected):
            start_of_cue(DOC, cue)


def ramp(seconds: float) -> np.ndarray:
    return (np.arange(int(16000 * seconds)) % 1000 / 1000).astype(np.float32)


def test_player_fill_seek_pause_and_end():
    p = Player(ramp(2.0), start_s=0.5)
    out = np.ones((800, 1), np.float32)
    p.fill(out, 800)
    assert p.position == pytest.approx(0.55) and out[0, 0] == pytest.approx(8000 % 1000 / 1000)
    p.toggle()
    p.fill(out, 800)
    assert p.position == pytest.approx(0.55) and not out.any()  # paused: silence, position held
    p.toggle()
    p.skip(-5)
    assert p.position == 0
    p.seek(99)
    assert p.done and p.position == 2.0
    out[:] = 1
    p.fill(out, 800)
    assert not out.any()


@pytest.mark.parametrize("now, forward, expected", [
    (0.0, True, 3.0), (3.0, True, 12.0), (12.1, True, 20.0), (40.0, True, None),
    (13.5, False, 12.0), (12.5, False, 3.0), (2.0, False, None),
])
def test_next_moment(now, forward, expected):
    m = next_moment(moments(DOC), now, forward)
    assert (m.start if m else None) == expected


def run_replay(audio_s: float, script: dict[int, str], start: float = 0.0):
    player = Player(ramp(audio_s), start)
    streams = []
    words = [TimedWord(f" w{i}", i * 0.5, i * 0.5 + 0.4) for i in range(int(audio_s * 2))]
    positions = []

    def sleep(_):
        positions.append(player.position)
        streams[0].pull()

    out = io.StringIO()
    result = replay(player, words, moments(DOC), ScriptedKeys(script), Console(file=out, width=80),
                    lambda fill: streams.append(FakeStream(fill)) or streams[0], sleep=sleep, title="sd-x")
    return result, positions, out.getvalue()


def test_replay_plays_to_the_end_and_shows_the_transcript():
    result, positions, screen = run_replay(1.0, {})
    assert result == {"keys": [], "ended_at": 1.0, "finished": True}
    assert positions == sorted(positions) and len(positions) == 20
    assert "w1" in screen and "■ end" in screen


def test_replay_keys_pause_skip_jump_and_quit():
    script = {2: "space", 5: "space", 7: "right", 9: "n", 11: "p", 13: "left", 15: "q"}
    result, positions, _ = run_replay(60.0, script)
    assert result["keys"] == ["space", "space", "right", "n", "p", "left", "q"] and not result["finished"]
    assert positions[1] == positions[2] == positions[3]  # paused for three ticks
    assert positions[6] == pytest.approx(positions[5] + 5.0, abs=0.06)      # right: +5 s
    assert positions[8] == pytest.approx(12.0, abs=0.06)                    # n: next flag after ~5.2 s
    assert positions[10] == pytest.approx(3.0, abs=0.06)                    # p: the flag before it
    assert positions[12] == pytest.approx(0.0, abs=0.06)                    # left: clamped at 0


def test_terminal_keys_read_single_presses_and_arrows_from_a_tty():
    leader, follower = pty.openpty()
    tty_in = os.fdopen(follower, "r")
    with TerminalKeys(tty_in) as keys:
        assert keys.poll() is None
        for raw, name in ((b" ", "space"), (b"\x1b[C", "right"), (b"\x1b[D", "left"), (b"N", "n"), (b"q", "q")):
            os.write(leader, raw)
            import time
            time.sleep(0.05)
            assert keys.poll() == name
        os.write(leader, b"\x1b[D \x1b[Aq")  # typed faster than polled; the up arrow means nothing
        time.sleep(0.05)
        assert [keys.poll() for _ in range(5)] == ["left", "space", None, "q", None]
    os.close(leader)
    tty_in.close()


def test_moment_to_dict():
    assert Moment(1.234, "cue", "x").to_dict() == {"start": 1.23, "kind": "cue", "label": "x"}
