from __future__ import annotations

import pytest

from voiceprep.review.point_history import most_missed, point_trends
from voiceprep.storage.attempt import StoredAttempt, StoredPoint


def _attempt(n: int, points: list[tuple[str, str, bool]], question: str | None = "q1",
             story: str | None = None) -> StoredAttempt:
    return StoredAttempt(f"a{n}", "behavioral", question, None, "", (), None, (), None, (),
                         points=tuple(StoredPoint(pid, pid.upper(), hit, source) for pid, source, hit in points),
                         story_id=story)


@pytest.mark.parametrize("outcomes, status", [
    ([True, True], "always made"),
    ([False, False], "always missed"),
    ([True, False], "dropped last time"),
    ([False, True, False, True], "comes and goes"),
])
def test_a_point_s_status_across_attempts(outcomes, status):
    attempts = [_attempt(i, [("cache", "question", o)]) for i, o in enumerate(outcomes)]
    attempts.append(_attempt(99, [("other", "question", True)]))  # an attempt that did not check it
    [trend] = [t for t in point_trends(attempts) if t.id == "cache"]
    assert trend.outcomes == (*outcomes, None) and trend.status == status
    assert trend.to_dict()["made"] == sum(outcomes) and trend.to_dict()["checked"] == len(outcomes)


def test_question_points_and_story_bullets_with_the_same_id_stay_apart():
    trends = point_trends([_attempt(1, [("lesson", "question", True), ("lesson", "story", False)])])
    assert [(t.source, t.outcomes) for t in trends] == [("question", (True,)), ("story", (False,))]


def test_most_missed_ranks_questions_and_stories_by_their_recent_missed_share():
    attempts = [_attempt(1, [("a", "question", False), ("b", "question", True)], "q1"),
                _attempt(2, [("a", "question", True), ("b", "question", True)], "q2"),
                _attempt(3, [("a", "question", True), ("s", "story", False), ("r", "story", False)], "q1", "bus"),
                _attempt(4, [], "q3")]  # stored before points: not ranked
    ranked = most_missed(attempts)
    assert [(m.kind, m.id, m.rate) for m in ranked] == [("story", "bus", 1.0), ("question", "q1", 0.5),
                                                        ("question", "q2", 0.0)]
