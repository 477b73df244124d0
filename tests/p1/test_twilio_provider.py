"""TwilioProvider through the real Twilio SDK, over real HTTP, against the local stand-in."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone

import pytest

from commsdesk.p1.provider import CallOutcome, CallStatus, ProviderError
from commsdesk.p1.twilio_provider import (
    TwilioProvider,
    call_outcome,
    from_environment,
    utc_time,
)
from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn

MANAGER = "+15551230001"
DEPUTY = "+15551230002"


@pytest.fixture
def standin() -> Iterator[TwilioStandIn]:
    server = TwilioStandIn().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def provider(standin: TwilioStandIn) -> TwilioProvider:
    return TwilioProvider(
        ACCOUNT_SID, AUTH_TOKEN, standin.phone_number, api_url=standin.url, timeout=5.0
    )


def watch(provider: TwilioProvider, sid: str, until: float = 5.0) -> list[CallStatus]:
    """Every status read until the outcome is no longer pending."""
    seen = [provider.call_status(sid)]
    deadline = time.monotonic() + until
    while seen[-1].outcome is CallOutcome.PENDING:
        assert time.monotonic() < deadline, f"still pending: {seen[-1].detail}"
        time.sleep(0.02)
        seen.append(provider.call_status(sid))
    return seen


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- call outcomes --------------------------------------------------------------------------------


def test_a_person_answering_is_human_while_the_call_is_still_in_progress(standin, provider):
    standin.answer(MANAGER, "human", after=0.1)
    sid = provider.place_call(MANAGER, "P-1: call the desk", 30)

    seen = watch(provider, sid)

    assert sid.startswith("CA") and len(sid) == 34
    assert seen[0].outcome is CallOutcome.PENDING
    assert seen[0].detail in ("queued, answered_by=none", "ringing, answered_by=none")
    final = seen[-1]
    assert final.outcome is CallOutcome.HUMAN
    assert final.detail == "in-progress, answered_by=human"
    assert final.started_at is not None and final.started_at.tzinfo is not None
    assert final.started_at.utcoffset() == timedelta(0)
    assert abs(final.started_at - datetime.now(UTC)) < timedelta(seconds=5)
    assert final.ended_at is None


def test_an_answered_call_stays_pending_until_machine_detection_decides(standin, provider):
    standin.answer(MANAGER, "human", after=0.05, detect=0.3)
    sid = provider.place_call(MANAGER, "P-1", 30)

    seen = watch(provider, sid)

    details = [status.detail for status in seen]
    assert "in-progress, answered_by=none" in details
    listening = details.index("in-progress, answered_by=none")
    assert seen[listening].outcome is CallOutcome.PENDING
    assert seen[-1].outcome is CallOutcome.HUMAN


@pytest.mark.parametrize("answered_by", ["machine_start", "machine_end_beep", "fax"])
def test_an_answering_machine_is_a_machine(standin, provider, answered_by):
    standin.answer(MANAGER, answered_by, after=0.05, talk=0.05)
    sid = provider.place_call(MANAGER, "P-1", 30)

    final = watch(provider, sid)[-1]

    assert final.outcome is CallOutcome.MACHINE
    assert final.detail.endswith(f"answered_by={answered_by}")


def test_a_completed_call_detection_could_not_judge_counts_as_a_person(standin, provider):
    standin.script(MANAGER, [(0.02, "ringing", None), (0.05, "in-progress", None),
                             (0.1, "in-progress", "unknown"), (0.15, "completed", "unknown")])
    sid = provider.place_call(MANAGER, "P-1", 30)

    seen = watch(provider, sid)

    assert seen[-1].outcome is CallOutcome.HUMAN
    assert seen[-1].detail == "completed, answered_by=unknown"
    assert seen[-1].ended_at is not None
    assert all(s.outcome is CallOutcome.PENDING for s in seen if s.detail.startswith("in-"))


def test_a_call_hung_up_during_detection_reached_nobody(standin, provider):
    standin.script(MANAGER, [(0.02, "ringing", None), (0.05, "in-progress", None),
                             (0.1, "completed", None)])
    sid = provider.place_call(MANAGER, "P-1", 30)

    final = watch(provider, sid)[-1]

    assert final.outcome is CallOutcome.NO_ANSWER
    assert final.detail == "completed, answered_by=none"


def test_no_answer(standin, provider):
    standin.no_answer(MANAGER, after=0.1)
    sid = provider.place_call(MANAGER, "P-1", 30)

    final = watch(provider, sid)[-1]

    assert final.outcome is CallOutcome.NO_ANSWER
    assert final.detail == "no-answer, answered_by=none"
    assert final.started_at is not None and final.ended_at is not None
    assert final.ended_at >= final.started_at


def test_busy(standin, provider):
    standin.busy(MANAGER, after=0.05)
    sid = provider.place_call(MANAGER, "P-1", 30)

    final = watch(provider, sid)[-1]

    assert final.outcome is CallOutcome.BUSY
    assert final.detail == "busy, answered_by=none"


def test_failed(standin, provider):
    standin.fail(MANAGER)
    sid = provider.place_call(MANAGER, "P-1", 30)

    assert provider.call_status(sid).outcome is CallOutcome.FAILED


def test_the_call_speaks_the_escaped_message_with_machine_detection(standin, provider):
    message = 'P-1 "Halt trading" <now> & call the desk'
    sid = provider.place_call(MANAGER, message, 25)

    placed = standin.calls_placed
    assert [call.sid for call in placed] == [sid]
    form = placed[0].form
    assert form["To"] == MANAGER and form["From"] == standin.phone_number
    assert form["MachineDetection"] == "Enable"
    assert form["Timeout"] == "25"
    assert "&lt;now&gt; &amp; call the desk" in form["Twiml"]
    assert form["Twiml"].startswith("<Response><Say>")
    assert placed[0].say == message


# -- hanging up -----------------------------------------------------------------------------------


def test_hang_up_cancels_a_ringing_call(standin, provider):
    standin.script(MANAGER, [(0.02, "ringing", None)])
    sid = provider.place_call(MANAGER, "P-1", 30)
    watch_until = time.monotonic() + 5
    while provider.call_status(sid).detail.startswith("queued"):
        assert time.monotonic() < watch_until
        time.sleep(0.02)

    provider.hang_up(sid)

    status = provider.call_status(sid)
    assert status.outcome is CallOutcome.CANCELED
    assert status.ended_at is not None
    updates = [r.form for r in standin.requests if r.method == "POST" and sid in r.path]
    assert updates == [{"Status": "canceled"}]


def test_hang_up_ends_a_call_already_answered(standin, provider):
    standin.answer(MANAGER, "human", after=0.03)
    sid = provider.place_call(MANAGER, "P-1", 30)
    watch(provider, sid)

    provider.hang_up(sid)

    assert standin.call_json(sid)["status"] == "completed"
    updates = [r.form for r in standin.requests if r.method == "POST" and sid in r.path]
    assert updates == [{"Status": "completed"}]


def test_hang_up_leaves_an_ended_call_alone(standin, provider):
    standin.busy(MANAGER, after=0.0)
    sid = provider.place_call(MANAGER, "P-1", 30)

    provider.hang_up(sid)

    assert provider.call_status(sid).outcome is CallOutcome.BUSY
    assert not [r for r in standin.requests if r.method == "POST" and sid in r.path]


# -- texts ----------------------------------------------------------------------------------------


def test_a_text_is_sent_from_the_desk_number(standin, provider):
    sid = provider.send_sms(MANAGER, "P-1 declared: join the bridge")

    assert sid.startswith("SM") and len(sid) == 34
    [sent] = standin.messages_sent
    assert sent.sid == sid
    assert sent.form == {
        "To": MANAGER, "From": standin.phone_number, "Body": "P-1 declared: join the bridge"
    }


def test_replies_since_a_time_are_inbound_only_and_oldest_first(standin, provider):
    now = datetime.now(UTC).replace(microsecond=0)
    standin.receive_sms(MANAGER, "old news", at=now - timedelta(hours=2))
    provider.send_sms(MANAGER, "P-1 declared")
    late = standin.receive_sms(DEPUTY, "on my way", at=now - timedelta(seconds=30))
    early = standin.receive_sms(MANAGER, "ack", at=now - timedelta(seconds=90))

    replies = provider.replies(now - timedelta(minutes=10))

    assert [(r.sid, r.from_number, r.body) for r in replies] == [
        (early, MANAGER, "ack"), (late, DEPUTY, "on my way")
    ]
    assert replies[0].at == now - timedelta(seconds=90)
    assert replies[0].at.utcoffset() == timedelta(0)
    [listing] = [r for r in standin.requests if r.method == "GET"]
    assert listing.query["To"] == standin.phone_number
    since = now - timedelta(minutes=10)
    assert listing.query["DateSent>"] == since.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_replies_are_read_across_pages(standin, provider):
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    for i in range(60):
        standin.receive_sms(MANAGER, f"reply {i}", at=start + timedelta(seconds=i))

    replies = provider.replies(start)

    assert [r.body for r in replies] == [f"reply {i}" for i in range(60)]
    pages = [r for r in standin.requests if r.path.endswith("Messages.json")]
    assert [r.query.get("Page") for r in pages] == [None, "1"]


def test_replies_ignore_an_outbound_text_to_the_desk_number(standin, provider):
    now = datetime.now(UTC).replace(microsecond=0)
    standin.receive_sms(MANAGER, "ack", at=now)
    standin.messages[0].direction = "outbound-api"  # e.g. the account texting its own number

    assert provider.replies(now - timedelta(minutes=1)) == []


# -- errors ---------------------------------------------------------------------------------------


def test_refused_credentials_are_an_auth_error_without_the_token(standin, caplog):
    wrong = "0123456789abcdef0123456789abcdef"
    provider = TwilioProvider(ACCOUNT_SID, wrong, standin.phone_number, api_url=standin.url)
    caplog.set_level(logging.DEBUG)

    with pytest.raises(ProviderError) as caught:
        provider.place_call(MANAGER, "P-1", 30)

    assert caught.value.kind == "auth"
    assert "20003" in caught.value.message
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    for text in (str(caught.value), caught.value.message, caplog.text, repr(provider)):
        assert wrong not in text and AUTH_TOKEN not in text
    assert standin.calls_placed == []


def test_rate_limited_with_retry_after(standin, provider):
    standin.fail_next(429, retry_after=7)

    with pytest.raises(ProviderError) as caught:
        provider.send_sms(MANAGER, "P-1")

    assert caught.value.kind == "rate_limited"
    assert caught.value.retry_after == 7.0
    assert provider.send_sms(MANAGER, "P-1").startswith("SM")  # the next one goes through


def test_rate_limited_while_listing_replies_without_retry_after(standin, provider):
    standin.fail_next(429)

    with pytest.raises(ProviderError) as caught:
        provider.replies(datetime.now(UTC))

    assert caught.value.kind == "rate_limited"
    assert caught.value.retry_after is None


def test_a_server_error_is_a_server_error(standin, provider):
    standin.fail_next(500)

    with pytest.raises(ProviderError) as caught:
        provider.place_call(MANAGER, "P-1", 30)

    assert caught.value.kind == "server"
    assert "20500" in caught.value.message


def test_a_bad_number_is_refused_with_twilios_words(provider):
    with pytest.raises(ProviderError) as caught:
        provider.place_call("555-0100", "P-1", 30)

    assert caught.value.kind == "refused"
    assert "Invalid 'To' Phone Number" in caught.value.message
    assert "21211" in caught.value.message


def test_an_unknown_call_is_refused(provider):
    with pytest.raises(ProviderError) as caught:
        provider.call_status("CA" + "0" * 32)

    assert caught.value.kind == "refused"
    assert "20404" in caught.value.message


def test_nothing_listening_is_unreachable():
    provider = TwilioProvider(
        ACCOUNT_SID, AUTH_TOKEN, "+15005550006", api_url=f"http://127.0.0.1:{free_port()}"
    )

    with pytest.raises(ProviderError) as caught:
        provider.send_sms(MANAGER, "P-1")

    assert caught.value.kind == "unreachable"
    assert AUTH_TOKEN not in caught.value.message


def test_a_server_that_never_answers_is_unreachable():
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        provider = TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, "+15005550006", api_url=url, timeout=0.3)
        started = time.monotonic()

        with pytest.raises(ProviderError) as caught:
            provider.call_status("CA" + "0" * 32)

    assert caught.value.kind == "unreachable"
    assert "did not answer in time" in caught.value.message
    assert time.monotonic() - started < 3


# -- the environment ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "missing",
    ["COMMSDESK_TWILIO_ACCOUNT_SID", "COMMSDESK_TWILIO_AUTH_TOKEN", "COMMSDESK_TWILIO_FROM"],
)
def test_from_environment_needs_the_account_the_token_and_the_number(standin, missing):
    env = {
        "COMMSDESK_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "COMMSDESK_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "COMMSDESK_TWILIO_FROM": standin.phone_number,
        "COMMSDESK_TWILIO_API_URL": standin.url,
    }
    assert from_environment(env) is not None

    assert from_environment({k: v for k, v in env.items() if k != missing}) is None
    assert from_environment({**env, missing: ""}) is None


def test_from_environment_reaches_the_configured_api(standin):
    provider = from_environment({
        "COMMSDESK_TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "COMMSDESK_TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "COMMSDESK_TWILIO_FROM": standin.phone_number,
        "COMMSDESK_TWILIO_API_URL": standin.url + "/",
    })
    assert provider is not None and provider.name == "twilio"

    sid = provider.send_sms(MANAGER, "P-1")

    assert [m.sid for m in standin.messages_sent] == [sid]


# -- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "answered_by", "outcome"),
    [
        ("queued", None, CallOutcome.PENDING),
        ("ringing", None, CallOutcome.PENDING),
        ("in-progress", None, CallOutcome.PENDING),
        ("in-progress", "unknown", CallOutcome.PENDING),
        ("in-progress", "human", CallOutcome.HUMAN),
        ("in-progress", "machine_start", CallOutcome.MACHINE),
        ("completed", "human", CallOutcome.HUMAN),
        ("completed", "unknown", CallOutcome.HUMAN),
        ("completed", None, CallOutcome.NO_ANSWER),
        ("completed", "machine_end_silence", CallOutcome.MACHINE),
        ("completed", "machine_end_other", CallOutcome.MACHINE),
        ("completed", "fax", CallOutcome.MACHINE),
        ("busy", None, CallOutcome.BUSY),
        ("no-answer", None, CallOutcome.NO_ANSWER),
        ("failed", None, CallOutcome.FAILED),
        ("canceled", None, CallOutcome.CANCELED),
    ],
)
def test_call_outcome(status, answered_by, outcome):
    assert call_outcome(status, answered_by) is outcome


def test_twilio_times_become_aware_utc():
    expected = datetime(2025, 3, 1, 7, 30, tzinfo=UTC)
    assert utc_time("Sat, 01 Mar 2025 09:30:00 +0200") == expected
    assert utc_time("Sat, 01 Mar 2025 07:30:00 +0000") == expected
    assert utc_time(datetime(2025, 3, 1, 7, 30)) == expected
    assert utc_time(datetime(2025, 3, 1, 2, 30, tzinfo=timezone(timedelta(hours=-5)))) == expected
    assert utc_time(None) is None and utc_time("") is None and utc_time("not a date") is None
