"""The publisher against the stand-in X API, through real tweepy over real HTTP: every outcome
X can give, and exactly one post for each part whatever happens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commsdesk.publishing.publication import PublicationState
from commsdesk.publishing.publisher import Publisher
from commsdesk.publishing.x.api import XCredentials
from commsdesk.publishing.x.tweepy_client import TweepyXClient
from commsdesk.statements.statement import StatementState
from tests.support.desks import ANA, THREAD, approved
from tests.support.x_api_standin import ACCESS_TOKEN, CONSUMER_KEY, DUPLICATE, REPLY_RESTRICTED

CREDENTIALS = XCredentials(CONSUMER_KEY, "consumer-secret", ACCESS_TOKEN, "access-secret")
class Sleeps(list):
    """Stands in for time.sleep: records how long the publisher would have waited."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def publisher(desk, x_api, sleeps, *, timeout=5.0):
    def client_for(account, sandbox):
        return TweepyXClient(CREDENTIALS, base_url=x_api.url, timeout=timeout)

    return Publisher(desk, client_for, sleep=sleeps)


def publish(desk, x_api, sleeps, body=THREAD, **kwargs):
    sid = approved(desk, body)
    pub = publisher(desk, x_api, sleeps, **kwargs)
    publication = pub.prepare_statement(ANA, sid, "founder", sandbox=False)
    return sid, pub, pub.run(ANA, publication.id)


def posts_sent(x_api) -> int:
    return sum(1 for r in x_api.requests if (r.method, r.path) == ("POST", "/2/tweets"))


def assert_thread(x_api, publication):
    posts = x_api.live_posts
    assert [p.text for p in posts] == [p.text for p in publication.parts]
    assert [p.id for p in posts] == publication.post_ids
    assert [p.reply_to for p in posts] == [None] + [p.id for p in posts[:-1]]


def kinds(desk):
    return [e.kind for e in desk.timeline(limit=100)]


def test_a_thread_is_a_reply_chain_on_x(desk, x_api):
    sid, _, publication = publish(desk, x_api, Sleeps())
    assert publication.state is PublicationState.POSTED and len(publication.parts) == 5
    assert_thread(x_api, publication)
    assert desk.statement(sid).state is StatementState.POSTED


def test_refused_credentials_stop_at_once_and_mark_the_account(desk, x_api):
    x_api.fail_next(401, on="POST /2/tweets")
    sid, _, publication = publish(desk, x_api, Sleeps())
    assert publication.state is PublicationState.FAILED
    assert "did not accept the credentials of founder" in publication.error
    assert posts_sent(x_api) == 1  # nothing retried
    assert desk.statement(sid).state is StatementState.FAILED
    assert "account.needs_credentials" in kinds(desk)


def test_a_duplicate_is_marked_and_not_retried(desk, x_api):
    x_api.add_post("Withdrawals are open.")  # posted earlier, by hand on X
    sid, _, publication = publish(desk, x_api, Sleeps(), body="Withdrawals are open.")
    assert publication.state is PublicationState.FAILED
    assert "duplicate" in publication.error
    assert DUPLICATE in publication.parts[0].last_error
    assert posts_sent(x_api) == 1 and len(x_api.live_posts) == 1
    assert desk.statement(sid).state is StatementState.FAILED


def test_refused_replies_wait_for_a_person_then_go_out_separately(desk, x_api):
    x_api.fail_next(403, REPLY_RESTRICTED, on="POST /2/tweets", skip=1)
    sid, pub, publication = publish(desk, x_api, Sleeps())
    assert publication.state is PublicationState.REPLIES_REFUSED
    assert REPLY_RESTRICTED in publication.error
    assert len(x_api.live_posts) == 1
    finished = pub.post_rest_separately(ANA, publication.id)
    assert finished.state is PublicationState.POSTED
    posts = x_api.live_posts
    assert len(posts) == 5 and all(p.reply_to is None for p in posts[1:])
    assert [p.text.rsplit(" ", 1)[1] for p in posts] == ["1/5", "2/5", "3/5", "4/5", "5/5"]
    assert desk.statement(sid).state is StatementState.POSTED


def test_a_rate_limit_waits_for_the_reset_then_continues_in_order(desk, x_api):
    reset = datetime.now(UTC) + timedelta(seconds=90)
    x_api.rate_limit_next(reset, on="POST /2/tweets", skip=2)
    sleeps = Sleeps()
    _, _, publication = publish(desk, x_api, sleeps)
    assert publication.state is PublicationState.POSTED
    assert_thread(x_api, publication)
    assert len(sleeps) == 1 and 80 <= sleeps[0] <= 91
    assert "post.rate_limited" in kinds(desk)


def test_server_errors_back_off_then_succeed_without_a_second_post(desk, x_api):
    x_api.fail_next(503, on="POST /2/tweets", times=2)
    sleeps = Sleeps()
    _, _, publication = publish(desk, x_api, sleeps)
    assert publication.state is PublicationState.POSTED
    assert sleeps == [1.0, 2.0]
    assert_thread(x_api, publication)
    assert kinds(desk).count("post.retry") == 2


def test_server_errors_that_persist_end_in_failed_with_the_reason(desk, x_api):
    x_api.fail_next(500, on="POST /2/tweets", times=None)
    sleeps = Sleeps()
    sid, _, publication = publish(desk, x_api, sleeps, body="Withdrawals are open.")
    assert publication.state is PublicationState.FAILED
    assert "could not be reached after 5 tries" in publication.error
    assert sleeps == [1.0, 2.0, 4.0, 8.0]
    assert x_api.live_posts == []
    assert desk.statement(sid).note.startswith("X could not be reached")


def test_a_connection_dropped_after_x_stored_the_post_is_not_posted_twice(desk, x_api):
    x_api.drop_next(on="POST /2/tweets", skip=1)  # part 2 is stored, the answer never comes
    _, _, publication = publish(desk, x_api, Sleeps())
    assert publication.state is PublicationState.POSTED
    assert_thread(x_api, publication)
    assert "post.reconciled" in kinds(desk)


def test_a_slow_answer_is_an_unknown_outcome_resolved_by_reconciling(desk, x_api):
    x_api.delay_next(2.0, on="POST /2/tweets")
    _, _, publication = publish(desk, x_api, Sleeps(), body="Funds are safe.", timeout=0.5)
    assert publication.state is PublicationState.POSTED
    assert [p.text for p in x_api.live_posts] == ["Funds are safe."]


def test_x_unreachable_retries_then_fails_and_nothing_was_posted(desk, x_api):
    url = x_api.url
    x_api.stop()
    sleeps = Sleeps()
    sid = approved(desk, "Funds are safe.")

    def client_for(account, sandbox):
        return TweepyXClient(CREDENTIALS, base_url=url, timeout=2)

    pub = Publisher(desk, client_for, sleep=sleeps)
    publication = pub.run(ANA, pub.prepare_statement(ANA, sid, "founder", sandbox=False).id)
    assert publication.state is PublicationState.FAILED
    assert len(sleeps) == 4
    assert desk.statement(sid).state is StatementState.FAILED


def test_a_failed_thread_retried_resumes_at_the_failed_part(desk, x_api):
    x_api.fail_next(500, on="POST /2/tweets", times=5, skip=2)  # part 3 fails five times
    sleeps = Sleeps()
    sid, pub, publication = publish(desk, x_api, sleeps)
    assert publication.state is PublicationState.FAILED
    assert len(x_api.live_posts) == 2
    assert desk.statement(sid).state is StatementState.FAILED
    again = pub.prepare_statement(ANA, sid, "founder", sandbox=False)  # a person retries
    assert again.id == publication.id
    finished = pub.run(ANA, again)
    assert finished.state is PublicationState.POSTED
    assert_thread(x_api, finished)  # parts 1 and 2 were not posted again
    assert desk.statement(sid).state is StatementState.POSTED


def test_refused_credentials_are_recognisable_on_the_publication(desk, x_api):
    x_api.fail_next(401, on="POST /2/tweets")
    _, _, publication = publish(desk, x_api, Sleeps(), body="Funds are safe.")
    assert publication.credentials_refused
    x_api.fail_next(500, on="POST /2/tweets", times=None)
    desk2_sid = approved(desk, "Withdrawals are open.")
    pub = publisher(desk, x_api, Sleeps())
    other = pub.run(ANA, pub.prepare_statement(ANA, desk2_sid, "founder", sandbox=False).id)
    assert other.state is PublicationState.FAILED and not other.credentials_refused


def test_the_wait_for_a_rate_limit_is_reported_before_sleeping(desk, x_api):
    reset = datetime.now(UTC) + timedelta(seconds=60)
    x_api.rate_limit_next(reset, on="POST /2/tweets")
    seen = []
    sid = approved(desk, "Funds are safe.")
    pub = publisher(desk, x_api, Sleeps())
    pub.run(
        ANA, pub.prepare_statement(ANA, sid, "founder", sandbox=False).id, on_progress=seen.append
    )
    waiting = [p for p in seen if p.state is PublicationState.WAITING]
    assert len(waiting) == 1 and abs((waiting[0].wait_until - reset).total_seconds()) < 1
