"""SIGKILL in the middle of a 5-part thread: after X stored part 3, before the desk recorded it.
The restarted command finds part 3 on the account and finishes with parts 4 and 5: exactly five
posts, in order, as one reply chain."""

import os
import signal
import subprocess
import sys
import time

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.publication import PartState
from commsdesk.store.models import OutboxPartRow
from tests.support.x_api_standin import ACCESS_TOKEN, CONSUMER_KEY

THREAD = "\n\n".join(
    f"Update {n}. Withdrawals stay paused while every wallet is re-keyed and checked by two "
    f"independent firms; client balances remain backed one to one." for n in range(1, 6)
)


def post_command(data_dir, statement_id, url):
    env = dict(
        os.environ,
        COMMSDESK_X_API_URL=url,
        COMMSDESK_X_CONSUMER_KEY=CONSUMER_KEY,
        COMMSDESK_X_CONSUMER_SECRET="consumer-secret",
        COMMSDESK_X_ACCESS_TOKEN=ACCESS_TOKEN,
        COMMSDESK_X_ACCESS_SECRET="access-secret",
        COMMSDESK_OPERATOR="Ana Ruiz (comms)",
    )
    argv = [sys.executable, "-m", "commsdesk", "--data-dir", str(data_dir), "post",
            "--account", "env", "--statement", str(statement_id)]
    return subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def test_sigkill_after_part_three_was_stored_still_gives_five_posts_in_order(tmp_path, x_api):
    data_dir = tmp_path / "desk"
    desk = Desk.open(data_dir)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    statement = desk.create_statement("Ana", incident.id, "Update", THREAD)
    desk.submit("Ana", statement.id)
    desk.approve("Sam", statement.id)
    desk.close()

    # Part 3 is stored by X, and its answer is held back: the desk is waiting when it dies.
    x_api.delay_next(60, on="POST /2/tweets", skip=2)
    proc = post_command(data_dir, statement.id, x_api.url)
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
    proc = post_command(data_dir, statement.id, x_api.url)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err

    posts = x_api.live_posts
    assert len(posts) == 5
    assert [p.text.split(".")[0] for p in posts] == [f"Update {n}" for n in range(1, 6)]
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]
    assert [line.split()[0] for line in out.splitlines()] == [p.id for p in posts]
    assert out.splitlines()[0].split()[1].startswith("https://x.com/")
