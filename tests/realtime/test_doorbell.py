"""One doorbell: only `caregraph.realtime` sends on the channel layer, and publishing after
commit goes through its `publish_on_commit`; only the outbox queues messages after commit."""

from __future__ import annotations

import re
from pathlib import Path

ON_COMMIT = re.compile(r"(?<!\w)on_commit\(")  # not publish_on_commit(
ROOT = Path(__file__).resolve().parents[2]
APPS = "accounts agencies api calendars caregraph concerns frontend notifications config demo"

# The one job (not an event) queued after commit elsewhere: matching a new person.
ON_COMMIT_ALLOWED = {"caregraph/realtime.py", "notifications/outbox.py"}
ON_COMMIT_ALLOWED |= {"caregraph/services/people.py"}


def _sources() -> list[tuple[str, str]]:
    return [
        (str(path.relative_to(ROOT)), path.read_text())
        for app in APPS.split()
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    ]


def test_only_the_doorbell_uses_the_channel_layer_to_send() -> None:
    users = {name for name, text in _sources() if "get_channel_layer" in text}
    assert users == {"caregraph/realtime.py"}


def test_only_the_doorbell_and_the_outbox_schedule_work_after_commit() -> None:
    users = {name for name, text in _sources() if ON_COMMIT.search(text)}
    assert users <= ON_COMMIT_ALLOWED
    assert {"caregraph/realtime.py", "notifications/outbox.py"} <= users
