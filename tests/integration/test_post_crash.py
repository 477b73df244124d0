"""SIGKILL in the middle of a 5-part thread: after X stored part 3, before the desk recorded it.
The restarted command finds part 3 on the account and finishes with parts 4 and 5: exactly five
posts, in order, as one reply chain."""

import os
import signal
import time

from commsdesk.desk import Desk
from commsdesk.publishing.publication import PartState
from commsdesk.store.models import OutboxPartRow
from tests.support.cli import start_commsdesk
from tests.support.desks import ANA, approved
from tests.support.x_api_standin import x_env


def post_command(data_dir, statement_id, url):
    """`commsdesk post` of the statement to the stand-in, as Ana, not waited for."""
    return start_commsdesk("post", "--account", "env", "--statement", str(statement_id),
                           data_dir=data_dir, operator=ANA, env=x_env(url))


def test_sigkill_after_part_three_was_stored_still_gives_five_posts_in_order(tmp_path, x_api):
    data_dir = tmp_path / "desk"
    desk = Desk.open(data_dir)
    statement_id = approved(desk, author="Ana", approver="Sam")
    desk.close()

    # Part 3 is stored by X, and its answer is held back: the desk is waiting when it dies.
    x_api.delay_next(60, on="POST /2/tweets", skip=2)
    proc = post_command(data_dir, statement_id, x_api.url)
    deadline = time.monotonic() + 60
    while len(x_api.posts) < 3:
        assert proc.poll() is None, proc.stderr.read()
        assert time.monotonic() < deadline, "part 3 never reached the stand-in"
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL

    desk = Desk.open(data_dir)
    with desk.reading() as session:
        states = [row.state for row in session.query(OutboxPartRow).order_by("position")]
    desk.close()
    assert states == [PartState.POSTED, PartState.POSTED, PartState.SENDING,
                      PartState.PENDING, PartState.PENDING]

    x_api.clear_switches()
    proc = post_command(data_dir, statement_id, x_api.url)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err

    posts = x_api.live_posts
    assert len(posts) == 5
    assert [p.text.split(".")[0] for p in posts] == [f"Update {n}" for n in range(1, 6)]
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]
    assert [line.split()[0] for line in out.splitlines()] == [p.id for p in posts]
    assert out.splitlines()[0].split()[1].startswith("https://x.com/")
