"""`commsdesk policy`: the team's rules shown and changed, each change on the timeline, and the
thread limit obeyed at once by posting."""

from __future__ import annotations

import json

from commsdesk.desk import Desk
from tests.support.cli import commsdesk

SAM = "Sam Okafor (legal)"


def test_policy_is_shown_and_changed_on_the_record(tmp_path):
    desk_dir = tmp_path / "desk"
    shown = commsdesk("policy", "show", "--json", data_dir=desk_dir, operator=SAM)
    assert json.loads(shown.stdout) == {
        "required_approvals": 1, "max_thread_posts": 25, "drill": False, "paused": None,
    }
    assert commsdesk("policy", "thread-limit", "3", data_dir=desk_dir, operator=SAM,
                     check=True).stdout.strip() == "Thread limit: 3 posts."
    assert commsdesk("policy", "approvals", "2", data_dir=desk_dir, operator=SAM,
                     check=True).stdout.strip() == "Required approvals: 2."
    refused = commsdesk("policy", "thread-limit", "0", data_dir=desk_dir, operator=SAM)
    assert refused.returncode == 1 and "from 1 to 1000" in refused.stderr
    desk = Desk.open(desk_dir)
    try:
        changes = [e for e in desk.timeline(limit=20) if e.kind == "desk.policy"]
    finally:
        desk.close()
    assert [e.actor for e in changes] == [SAM, SAM]
    assert {e.summary for e in changes} == {
        "Required approvals 1 → 2",
        "Thread limit 25 → 3 posts: longer threads need an explicit go-ahead",
    }


def test_a_lower_thread_limit_holds_for_the_next_post(tmp_path):
    desk_dir = tmp_path / "desk"
    text = tmp_path / "four.txt"
    text.write_text("\n---\n".join(f"Part {n} of the update." for n in range(1, 5)),
                    encoding="utf-8")
    commsdesk("policy", "thread-limit", "3", data_dir=desk_dir, operator=SAM, check=True)
    refused = commsdesk("post", str(text), "--yes", "--sandbox", data_dir=desk_dir, operator=SAM)
    assert refused.returncode == 1 and "thread of 4 posts" in refused.stderr
    assert "limit is 3" in refused.stderr
