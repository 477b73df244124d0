"""Exactly once, under fire: a 5-part thread killed with SIGKILL at random points, and two runs
of one publication started at the same moment, against an X that takes duplicate text (so any
second copy would show). Each run is a real process (forked) on a real SQLite file, posting
through tweepy over HTTP to the stand-in."""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from commsdesk.desk import Desk
from commsdesk.publishing.publication import PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.api import XCredentials
from commsdesk.publishing.x.tweepy_client import TweepyXClient
from commsdesk.statements.statement import StatementState
from tests.support.desks import ANA, approved
from tests.support.x_api_standin import ACCESS_TOKEN, CONSUMER_KEY

CREDENTIALS = XCredentials(CONSUMER_KEY, "consumer-secret", ACCESS_TOKEN, "access-secret")
KILLS = 50
RACES = 20


def thread_text(tag: str) -> str:
    return "\n\n".join(
        f"Update {tag}.{n}. Withdrawals stay paused while every wallet is re-keyed and checked "
        "by two independent firms; client balances remain backed one to one."
        for n in range(1, 6)
    )


def post_in_child(data_dir, statement_id: int, url: str) -> int:
    """Fork a process that posts the statement as the command line would; its pid."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        desk = Desk.open(data_dir)
        publisher = Publisher(desk, lambda *_: TweepyXClient(CREDENTIALS, base_url=url))
        publication = publisher.prepare_statement(ANA, statement_id, "founder", sandbox=False)
        done = publisher.run(ANA, publication.id)
        code = 0 if done.state is PublicationState.POSTED else 3
    except BaseException:  # the refused twin of a race, or anything else: its exit code says
        code = 2
    finally:
        os._exit(code)


def wait_for_parts(x_api, tag: str, parts: int, pid: int) -> None:
    """Until X holds `parts` posts of the thread (or the child has ended)."""
    deadline = time.monotonic() + 60
    while len(posts_of(x_api, tag)) < parts and time.monotonic() < deadline:
        if os.waitpid(pid, os.WNOHANG) != (0, 0):
            raise AssertionError(f"the run of {tag} ended before it was killed")
        time.sleep(0.002)


def reap(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def posts_of(x_api, tag: str) -> list:
    return [p for p in x_api.live_posts if p.text.startswith(f"Update {tag}.")]


def assert_one_thread(x_api, desk: Desk, statement_id: int, tag: str) -> None:
    posts = posts_of(x_api, tag)
    assert [p.text.split(".")[1] for p in posts] == ["1", "2", "3", "4", "5"], tag
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]], tag
    assert desk.statement(statement_id).state is StatementState.POSTED, tag


@pytest.fixture
def desk_dir(tmp_path, x_api):
    x_api.refuse_duplicates = False
    return tmp_path / "desk"


def test_sigkill_at_random_points_still_gives_five_posts_in_order(desk_dir, x_api):
    chance = random.Random(20261206)
    # X takes 40 ms per post, as a real one does at best: a run is still going when the kill
    # comes, however fast the desk's own writes are.
    x_api.delay_next(0.04, on="POST /2/tweets", times=None)
    desk = Desk.open(desk_dir)
    killed = 0
    try:
        for run in range(KILLS):
            tag = f"k{run}"
            statement_id = approved(desk, thread_text(tag), title=f"Update {tag}")
            pid = post_in_child(desk_dir, statement_id, x_api.url)
            # A random point: after 0-4 parts reached X, a little later still (inside the
            # desk's own writes, or the next call to X).
            wait_for_parts(x_api, tag, chance.randint(0, 4), pid)
            time.sleep(chance.uniform(0.0, 0.03))
            os.kill(pid, signal.SIGKILL)
            killed += reap(pid) == -signal.SIGKILL
            for _attempt in range(3):  # the restarted command finishes what is left
                if reap(post_in_child(desk_dir, statement_id, x_api.url)) == 0:
                    break
            assert_one_thread(x_api, desk, statement_id, tag)
    finally:
        desk.close()
    assert killed >= KILLS * 0.8  # the runs really were cut short


def test_two_runs_of_one_publication_at_once_post_it_once(desk_dir, x_api):
    desk = Desk.open(desk_dir)
    outcomes = []
    try:
        for race in range(RACES):
            tag = f"r{race}"
            statement_id = approved(desk, thread_text(tag), title=f"Update {tag}")
            pids = [post_in_child(desk_dir, statement_id, x_api.url) for _ in range(2)]
            outcomes.append(sorted(reap(pid) for pid in pids))
            assert_one_thread(x_api, desk, statement_id, tag)
    finally:
        desk.close()
    # Each race ends with one run that posted and a twin that was refused or found it done.
    assert all(0 in pair for pair in outcomes), outcomes
