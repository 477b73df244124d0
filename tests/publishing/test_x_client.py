"""The X client for real: tweepy over HTTP to the local stand-in API, every failure mapped."""

from __future__ import annotations

import gzip
import json
import logging
import socket
from datetime import UTC, datetime, timedelta

import pytest
import requests
import yaml
from requests_oauthlib import OAuth1

from commsdesk.publishing.x.api import XCredentials, XError
from commsdesk.publishing.x.fake_client import DUPLICATE_MESSAGE, FakeXClient
from commsdesk.publishing.x.tweepy_client import X_API_URL, TweepyXClient, _BaseUrlAdapter
from tests.support.x_api_standin import (
    ACCESS_SECRET,
    ACCESS_TOKEN,
    ACCOUNT,
    CONSUMER_KEY,
    CONSUMER_SECRET,
    DUPLICATE,
    REPLY_RESTRICTED,
    XApiStandIn,
)

CREDENTIALS = XCredentials(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET)
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\x00" * 64


@pytest.fixture
def client(x_api: XApiStandIn) -> TweepyXClient:
    return TweepyXClient(CREDENTIALS, base_url=x_api.url, timeout=2.0)


def failure(call) -> XError:
    with pytest.raises(XError) as caught:
        call()
    return caught.value


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the account and its posts -----------------------------------------------------------------


def test_me_names_the_account(client, x_api):
    me = client.me()
    assert (me.id, me.username, me.name) == (ACCOUNT["id"], ACCOUNT["username"], ACCOUNT["name"])
    seen = x_api.requests[-1]
    assert (seen.method, seen.path) == ("GET", "/2/users/me")
    assert (seen.consumer_key, seen.token, seen.signed) == (CONSUMER_KEY, ACCESS_TOKEN, True)


def test_create_post_stores_it_on_x(client, x_api):
    post = client.create_post("Withdrawals are paused while we investigate.")
    assert len(post.id) == 19 and post.id.isdigit()
    assert post.text == "Withdrawals are paused while we investigate."
    [stored] = x_api.posts
    assert (stored.id, stored.text, stored.reply_to, stored.media_ids) == (
        post.id,
        post.text,
        None,
        (),
    )


def test_a_thread_is_a_chain_of_replies(client, x_api):
    first = client.create_post("1/3 What happened.")
    second = client.create_post("2/3 What we are doing.", reply_to=first.id)
    third = client.create_post("3/3 When we will update.", reply_to=second.id)
    assert (second.in_reply_to, third.in_reply_to) == (first.id, second.id)
    assert [(p.id, p.reply_to) for p in x_api.posts] == [
        (first.id, None),
        (second.id, first.id),
        (third.id, second.id),
    ]
    assert int(first.id) < int(second.id) < int(third.id)


def test_delete_post_removes_it(client, x_api):
    post = client.create_post("Posted by mistake.")
    client.delete_post(post.id)
    assert [p.deleted for p in x_api.posts] == [True]
    client.delete_post(post.id)  # already gone: X says deleted=false, the end state holds


def test_recent_posts_newest_first_with_time_and_reply(client, x_api):
    earlier = x_api.add_post("Posted from the phone this morning.")
    first = client.create_post("1/2 Update.")
    second = client.create_post("2/2 More.", reply_to=first.id)
    posts = client.recent_posts(ACCOUNT["id"])
    assert [p.id for p in posts] == [second.id, first.id, earlier.id]
    assert posts[0].in_reply_to == first.id and posts[1].in_reply_to is None
    assert all(p.created_at and p.created_at.tzinfo == UTC for p in posts)
    assert abs(posts[0].created_at - datetime.now(UTC)) < timedelta(minutes=1)
    query = x_api.requests[-1].query
    assert query["tweet.fields"] == ["created_at,in_reply_to_user_id,referenced_tweets"]
    assert client.recent_posts(ACCOUNT["id"], max_results=2) == posts[:2]
    assert x_api.requests[-1].query["max_results"] == ["5"]  # X's minimum


def test_upload_image_with_alt_text_then_post_with_it(client, x_api):
    media_id = client.upload_image(PNG, "image/png", alt_text="Status page showing withdrawals")
    media = x_api.media[media_id]
    assert (media.data, media.media_type, media.finalized) == (PNG, "image/png", True)
    assert media.alt_text == "Status page showing withdrawals"
    assert [(r.method, r.path) for r in x_api.requests] == [
        ("POST", "/2/media/upload/initialize"),
        ("POST", f"/2/media/upload/{media_id}/append"),
        ("POST", f"/2/media/upload/{media_id}/finalize"),
        ("POST", "/2/media/metadata"),
    ]
    assert all(r.signed and r.consumer_key == CONSUMER_KEY for r in x_api.requests)
    post = client.create_post("Where things stand.", media_ids=[media_id])
    assert x_api.posts[-1].id == post.id and x_api.posts[-1].media_ids == (media_id,)


def test_upload_waits_while_x_processes_the_media(client, x_api):
    x_api.processing_checks = 2  # finalize and the first status check say "in_progress"
    media_id = client.upload_image(PNG, "image/png")
    statuses = [r for r in x_api.requests if (r.method, r.path) == ("GET", "/2/media/upload")]
    assert len(statuses) == 2 and statuses[0].query["media_id"] == [media_id]
    assert not any(r.path == "/2/media/metadata" for r in x_api.requests)  # no alt text given


def test_unknown_media_id_is_a_bad_request(client):
    error = failure(
        lambda: client.create_post("With a picture.", media_ids=["1234567890123456789"])
    )
    assert (error.kind, error.status, str(error)) == (
        "bad_request",
        400,
        "Your media IDs are invalid.",
    )


# -- every failure, mapped ----------------------------------------------------------------------


def test_401_is_auth(client, x_api):
    x_api.fail_next(401)
    error = failure(client.me)
    assert (error.kind, error.status, str(error)) == ("auth", 401, "Unauthorized")


def test_keys_of_another_account_are_refused_as_auth(x_api):
    other = XCredentials("someone-else", CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET)
    error = failure(TweepyXClient(other, base_url=x_api.url).me)
    assert error.kind == "auth"
    assert x_api.requests[-1].consumer_key == "someone-else"


def test_duplicate_text_is_duplicate_with_xs_message(client, x_api):
    client.create_post("We are investigating.")
    error = failure(lambda: client.create_post("We are investigating."))
    assert (error.kind, error.status) == ("duplicate", 403)
    assert (
        str(error) == DUPLICATE == "You are not allowed to create a Tweet with duplicate content."
    )
    assert len(x_api.posts) == 1


def test_other_403_is_forbidden_with_xs_message(client, x_api):
    x_api.fail_next(403, REPLY_RESTRICTED, on="POST /2/tweets")
    error = failure(lambda: client.create_post("Replying.", reply_to="1850000000000000001"))
    assert (error.kind, error.status, str(error)) == ("forbidden", 403, REPLY_RESTRICTED)


def test_429_is_rate_limited_until_xs_reset(client, x_api):
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=7)
    x_api.rate_limit_next(reset)
    error = failure(lambda: client.create_post("Soon."))
    assert (error.kind, error.status, str(error)) == ("rate_limited", 429, "Too Many Requests")
    assert error.reset_at == reset and error.reset_at.tzinfo is not None
    assert x_api.posts == []


@pytest.mark.parametrize("status", [500, 503])
def test_5xx_is_server(client, x_api, status):
    x_api.fail_next(status)
    error = failure(lambda: client.create_post("Anyone there?"))
    assert (error.kind, error.status) == ("server", status)


def test_answer_slower_than_the_timeout_is_unknown_outcome(x_api):
    client = TweepyXClient(CREDENTIALS, base_url=x_api.url, timeout=0.5)
    x_api.delay_next(3.0)
    error = failure(lambda: client.create_post("Slow."))
    assert error.kind == "unknown_outcome" and error.status is None
    assert [p.text for p in x_api.posts] == ["Slow."]  # X took it; only the answer was late


def test_post_stored_then_connection_dropped_is_unknown_outcome(client, x_api):
    x_api.drop_next(on="POST /2/tweets")
    error = failure(lambda: client.create_post("Dropped."))
    assert error.kind == "unknown_outcome"
    assert [p.text for p in x_api.posts] == ["Dropped."]  # the post IS on X
    assert client.recent_posts(ACCOUNT["id"])[0].text == "Dropped."  # how the desk finds out


def test_server_not_listening_is_network():
    client = TweepyXClient(CREDENTIALS, base_url=f"http://127.0.0.1:{closed_port()}")
    error = failure(lambda: client.create_post("Nobody home."))
    assert (error.kind, error.status) == ("network", None)


def test_switches_can_stay_on_until_cleared(client, x_api):
    x_api.fail_next(503, times=None, on="GET /2/users/me")
    assert [failure(client.me).kind for _ in range(3)] == ["server"] * 3
    client.create_post("Posting still works.")  # other routes unaffected
    x_api.clear_switches()
    assert client.me().id == ACCOUNT["id"]


# -- where requests go, and what is never shown ------------------------------------------------


def test_base_url_comes_from_the_environment(x_api, monkeypatch):
    monkeypatch.setenv("COMMSDESK_X_API_URL", x_api.url)
    client = TweepyXClient(CREDENTIALS)
    assert client.base_url == x_api.url
    assert client.me().id == ACCOUNT["id"]
    monkeypatch.setenv("COMMSDESK_X_API_URL", f"http://127.0.0.1:{closed_port()}")
    assert TweepyXClient(CREDENTIALS, base_url=x_api.url).me().id == ACCOUNT["id"]  # argument wins


def test_proxy_meant_for_x_is_not_used_for_a_loopback_base(x_api, monkeypatch):
    dead_proxy = f"http://127.0.0.1:{closed_port()}"
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.setenv(name, dead_proxy)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    assert TweepyXClient(CREDENTIALS, base_url=x_api.url).me().id == ACCOUNT["id"]


def test_default_base_url_is_x(monkeypatch):
    monkeypatch.delenv("COMMSDESK_X_API_URL", raising=False)
    assert TweepyXClient(CREDENTIALS).base_url == "https://api.twitter.com"
    with pytest.raises(ValueError):
        TweepyXClient(CREDENTIALS, base_url="ftp://example")


def test_credentials_from_env():
    env = {
        "COMMSDESK_X_CONSUMER_KEY": "ck",
        "COMMSDESK_X_CONSUMER_SECRET": "cs",
        "COMMSDESK_X_ACCESS_TOKEN": "at",
        "COMMSDESK_X_ACCESS_SECRET": "as",
    }
    assert XCredentials.from_env(env) == XCredentials("ck", "cs", "at", "as")
    assert XCredentials.from_env({**env, "COMMSDESK_X_ACCESS_SECRET": " "}) is None
    assert XCredentials.from_env({k: v for k, v in env.items() if "CONSUMER_KEY" not in k}) is None


def test_credentials_never_shown(x_api, caplog):
    caplog.set_level(logging.DEBUG)
    secrets = [CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET]
    client = TweepyXClient(CREDENTIALS, base_url=x_api.url)
    client.create_post("Once.")
    errors = [failure(lambda: client.create_post("Once."))]
    x_api.fail_next(401)
    errors.append(failure(client.me))
    errors.append(
        failure(TweepyXClient(CREDENTIALS, base_url=f"http://127.0.0.1:{closed_port()}").me)
    )
    x_api.drop_next()
    errors.append(failure(lambda: client.upload_image(PNG, "image/png", alt_text="chart")))
    assert [e.kind for e in errors] == ["duplicate", "auth", "network", "unknown_outcome"]
    assert caplog.records  # debug logging really was on
    shown = [caplog.text, repr(client), str(client), repr(CREDENTIALS), str(CREDENTIALS)]
    shown += [text for e in errors for text in (str(e), repr(e), e.detail)]
    for text in shown:
        for secret in secrets:
            assert secret not in text


# -- the stand-in answers like X --------------------------------------------------------------


def recorded(reference_dir, name: str) -> list[dict]:
    """A cassette's exchanges: method, path, status, JSON body and headers of X's answer."""
    cassette = yaml.safe_load((reference_dir / "x-api-cassettes" / name).read_text())
    exchanges = []
    for interaction in cassette["interactions"]:
        response = interaction["response"]
        body = response["body"]["string"]
        if "gzip" in response["headers"].get("content-encoding", []):
            body = gzip.decompress(body)
        exchanges.append(
            {
                "method": interaction["request"]["method"],
                "path": interaction["request"]["uri"].removeprefix("https://api.twitter.com"),
                "status": response["status"]["code"],
                "json": json.loads(body),
                "headers": {k.lower() for k in response["headers"]},
            }
        )
    return exchanges


def shape(value):
    """Keys and value types, recursively; a list by the set of its items' shapes."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in sorted(value.items())}
    if isinstance(value, list):
        return sorted({json.dumps(shape(item), sort_keys=True) for item in value})
    return type(value).__name__


def test_standin_answers_match_recorded_exchanges(reference_dir, x_api):
    for n in range(12):  # more than a page, so the timeline has a next_token as recorded
        x_api.add_post(f"Earlier post {n}")
    auth = OAuth1(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET)
    session = requests.Session()  # signed for api.twitter.com, delivered to the stand-in
    session.mount(X_API_URL + "/", _BaseUrlAdapter(x_api.url, 5.0))
    exchanges = [
        *recorded(reference_dir, "test_client_create_and_delete_tweet.yaml"),
        *recorded(reference_dir, "test_client_get_me.yaml"),
        *recorded(reference_dir, "test_client_get_users_tweets.yaml"),
    ]
    assert len(exchanges) == 4
    created_id = None
    recorded_user = exchanges[3]["path"].split("/")[3]
    for exchange in exchanges:
        path = exchange["path"].replace(f"/users/{recorded_user}/", f"/users/{ACCOUNT['id']}/")
        if created_id and exchange["method"] == "DELETE":
            path = f"/2/tweets/{created_id}"
        body = {"text": "Test Tweet"} if exchange["method"] == "POST" else None
        answer = session.request(exchange["method"], X_API_URL + path, json=body, auth=auth)
        if exchange["method"] == "POST":
            created_id = answer.json()["data"]["id"]
            assert answer.headers["location"].endswith(f"/2/tweets/{created_id}")
        assert answer.status_code == exchange["status"], path
        assert shape(answer.json()) == shape(exchange["json"]), path
        rate_headers = {h for h in exchange["headers"] if h.startswith("x-rate-limit-")}
        assert len(rate_headers) == 3
        assert {h.lower() for h in answer.headers if h.lower().startswith("x-rate-limit-")} == (
            rate_headers
        )
        assert answer.headers["content-type"] == "application/json; charset=utf-8"
        assert answer.headers["content-encoding"] == "gzip"


# -- the in-memory client for the desk's own tests ---------------------------------------------


def test_fake_client_posts_and_scripted_failures():
    fake = FakeXClient()
    first = fake.create_post("1/2")
    reply = fake.create_post("2/2", reply_to=first.id)
    assert fake.recent_posts(fake.user.id) == [reply, first]
    assert int(reply.id) > int(first.id)
    assert failure(lambda: fake.create_post("1/2")).message == DUPLICATE_MESSAGE

    fake.fail_next("rate_limited", times=2)
    assert [failure(fake.me).kind for _ in range(2)] == ["rate_limited", "rate_limited"]
    assert fake.me() == fake.user

    fake.drop_next_post()
    error = failure(lambda: fake.create_post("Stored, then the line broke."))
    assert error.kind == "unknown_outcome"
    assert fake.posts[-1].text == "Stored, then the line broke."

    media_id = fake.upload_image(PNG, "image/png", alt_text="chart")
    fake.delete_post(first.id)
    assert fake.media[media_id].alt_text == "chart" and fake.post(first.id) is None


@pytest.mark.parametrize(
    ("keys", "says"),
    [
        (
            XCredentials(CONSUMER_KEY, "not-the-consumer-secret", ACCESS_TOKEN, ACCESS_SECRET),
            "X does not accept the consumer key and secret",
        ),
        (
            XCredentials(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, "not-the-access-secret"),
            "X accepts the consumer key and secret, so the access token or its secret is wrong",
        ),
        (
            XCredentials(CONSUMER_KEY, CONSUMER_SECRET, "17000001-revoked", ACCESS_SECRET),
            "X accepts the consumer key and secret, so the access token or its secret is wrong",
        ),
    ],
)
def test_a_refusal_says_which_pair_of_keys_is_wrong(x_api, keys, says):
    client = TweepyXClient(keys, base_url=x_api.url, timeout=2.0)
    with pytest.raises(XError) as refused:
        client.me()
    assert refused.value.kind == "auth"
    assert client.explain_refusal().startswith(says)
    asked = [r for r in x_api.requests if r.path == "/oauth/request_token"]
    assert len(asked) == 1 and asked[0].token is None  # the consumer pair alone


def test_keys_that_are_visibly_wrong_are_named_without_asking_x(x_api):
    swapped = XCredentials(CONSUMER_KEY, CONSUMER_SECRET, CONSUMER_KEY, ACCESS_SECRET)
    client = TweepyXClient(swapped, base_url=x_api.url, timeout=2.0)
    explained = client.explain_refusal()
    assert "access token should begin with the account's numeric id" in explained
    assert "consumer key and the access token are the same value" in explained
    assert CONSUMER_KEY not in explained  # never quotes a key
    quoted = XCredentials(CONSUMER_KEY, f'"{CONSUMER_SECRET}"', ACCESS_TOKEN, ACCESS_SECRET)
    assert quoted.shape_problems() == [
        "The consumer secret has spaces or quotes around it: paste only the key itself."
    ]
    assert XCredentials(CONSUMER_KEY, CONSUMER_SECRET, ACCESS_TOKEN, ACCESS_SECRET) \
        .shape_problems() == []
    assert not any(r.path == "/oauth/request_token" for r in x_api.requests)
