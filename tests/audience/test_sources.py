"""Viewer sources over real httpx against the local stand-in (tests/support/viewer_apis.py),
with the faults each platform really gives; and the poller keeping sources apart."""

from __future__ import annotations

import socket
import threading
from datetime import UTC, datetime

import pytest

from commsdesk.audience.series import next_youtube_reset, parse_audience_csv
from commsdesk.audience.sources.json_url import JsonUrlSource, PointerError, resolve_pointer
from commsdesk.audience.sources.kick import KickSource
from commsdesk.audience.sources.manual import ManualSource
from commsdesk.audience.sources.poller import ViewerPoller
from commsdesk.audience.sources.reading import Reading, SourceState
from commsdesk.audience.sources.replay import ReplaySource, replay_sources
from commsdesk.audience.sources.twitch import TwitchSource
from commsdesk.audience.sources.youtube import YouTubeSource
from tests.support.viewer_apis import (
    KICK_CLIENT_ID,
    KICK_SECRET,
    TWITCH_CLIENT_ID,
    TWITCH_SECRET,
    YOUTUBE_KEY,
)

WAIT = 20.0  # seconds a test waits for a thread before failing (never reached when it works)


def youtube(apis, video="live1", key=YOUTUBE_KEY, **kwargs) -> YouTubeSource:
    return YouTubeSource("YouTube", video, key, base_url=apis.url, **kwargs)


def twitch(apis, secret=TWITCH_SECRET, **kwargs) -> TwitchSource:
    return TwitchSource(
        "Twitch", "meridian", TWITCH_CLIENT_ID, secret, base_url=apis.url, id_url=apis.url,
        **kwargs,
    )


def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens here any more


# --- YouTube ------------------------------------------------------------------------------------


def test_youtube_reads_the_concurrent_viewers_string(viewer_apis):
    viewer_apis.videos["live1"] = {
        "actualStartTime": "2026-11-26T13:00:00Z",
        "concurrentViewers": "40150",
        "activeLiveChatId": "Cg0KC2xpdmUx",
    }
    source = youtube(viewer_apis)
    reading = source.fetch()
    assert (reading.viewers, reading.state, reading.source) == (40150, SourceState.OK, "YouTube")
    assert source.units_used == 1
    source.close()


@pytest.mark.parametrize(
    ("details", "state", "words"),
    [
        ({}, SourceState.HIDDEN, "does not show its viewer count"),
        ({"actualStartTime": "2026-11-26T13:00:00Z"}, SourceState.HIDDEN, "does not show"),
        (
            {"actualStartTime": "2026-11-26T13:00:00Z", "actualEndTime": "2026-11-26T15:00:00Z"},
            SourceState.OFFLINE, "has ended",
        ),
        ({"scheduledStartTime": "2026-11-26T18:00:00Z"}, SourceState.OFFLINE, "not started"),
        (None, SourceState.OFFLINE, "not a live broadcast"),
        ({"concurrentViewers": "many"}, SourceState.MALFORMED, "not a number"),
    ],
)
def test_youtube_without_a_count_is_a_gap_with_its_reason(viewer_apis, details, state, words):
    viewer_apis.videos["live1"] = details
    reading = youtube(viewer_apis).fetch()
    assert reading.viewers is None and reading.state is state
    assert words in reading.detail


def test_youtube_unknown_video_answers_no_items(viewer_apis):
    reading = youtube(viewer_apis, video="nope").fetch()
    assert reading.state is SourceState.NOT_FOUND and "'nope'" in reading.detail


def test_youtube_quota_exceeded_holds_the_source_until_pacific_midnight(viewer_apis):
    viewer_apis.videos["live1"] = {"concurrentViewers": "10"}
    viewer_apis.quota_exceeded = True
    reading = youtube(viewer_apis).fetch()
    assert reading.state is SourceState.QUOTA_EXCEEDED and reading.viewers is None
    reset = next_youtube_reset(datetime.now(UTC)).timestamp()
    assert reading.retry_at == pytest.approx(reset, abs=5)
    assert "quota" in reading.detail and "midnight Pacific" in reading.detail


def test_youtube_wrong_key_is_refused_clearly_and_the_key_never_shows(viewer_apis):
    reading = youtube(viewer_apis, key="AIza-wrong").fetch()
    assert reading.state is SourceState.CREDENTIALS_REFUSED
    assert "API_KEY_INVALID" in reading.detail and "AIza-wrong" not in reading.detail


# --- Twitch -------------------------------------------------------------------------------------


def test_twitch_live_and_offline_with_one_app_token(viewer_apis):
    viewer_apis.streams["meridian"] = 12_400
    source = twitch(viewer_apis)
    assert source.fetch().viewers == 12_400
    del viewer_apis.streams["meridian"]
    offline = source.fetch()
    assert offline.state is SourceState.OFFLINE and offline.viewers is None
    assert viewer_apis.token_grants["twitch"] == 1  # the token is kept between calls


def test_twitch_renews_an_expired_token_once_and_goes_on(viewer_apis):
    viewer_apis.streams["meridian"] = 900
    source = twitch(viewer_apis)
    assert source.fetch().viewers == 900
    viewer_apis.expire_tokens()
    assert source.fetch().viewers == 900
    assert viewer_apis.token_grants["twitch"] == 2
    assert viewer_apis.count("/helix/streams") == 3  # the refused call and its one retry


def test_twitch_token_refused_even_when_fresh_is_token_expired(viewer_apis):
    viewer_apis.streams["meridian"] = 900
    unauthorized = {"error": "Unauthorized", "status": 401, "message": "Invalid OAuth token"}
    viewer_apis.fail_next("/helix/streams", 401, unauthorized, times=2)
    reading = twitch(viewer_apis).fetch()
    assert reading.state is SourceState.TOKEN_EXPIRED
    assert viewer_apis.token_grants["twitch"] == 2  # renewed once, not in a loop


def test_twitch_renews_the_token_before_it_expires(viewer_apis):
    viewer_apis.streams["meridian"] = 5
    viewer_apis.token_lifetime = 3600
    now = [1_790_000_000.0]
    source = twitch(viewer_apis, clock=lambda: now[0])
    source.fetch()
    now[0] += 3600 - 400  # inside the last 5 minutes' margin
    source.fetch()
    assert source.credentials.grants == viewer_apis.token_grants["twitch"] == 1
    now[0] += 200
    source.fetch()
    assert viewer_apis.token_grants["twitch"] == 2
    assert viewer_apis.count("/helix/streams") == 3  # no 401 was needed


def test_twitch_wrong_secret_is_a_clear_state_and_never_echoed(viewer_apis):
    reading = twitch(viewer_apis, secret="not-it").fetch()
    assert reading.state is SourceState.CREDENTIALS_REFUSED
    assert "not-it" not in reading.detail and "client id and secret" in reading.detail


def test_twitch_429_and_an_exhausted_bucket_hold_the_next_call(viewer_apis):
    viewer_apis.streams["meridian"] = 77
    reset = 1_790_000_123
    viewer_apis.fail_next(
        "/helix/streams", 429, {"error": "Too Many Requests", "status": 429, "message": ""},
        headers={"Ratelimit-Limit": "800", "Ratelimit-Remaining": "0",
                 "Ratelimit-Reset": str(reset)},
    )
    source = twitch(viewer_apis)
    limited = source.fetch()
    assert limited.state is SourceState.RATE_LIMITED and limited.retry_at == reset
    viewer_apis.ratelimit_remaining = 0
    viewer_apis.ratelimit_reset = reset + 60
    last_in_bucket = source.fetch()
    assert last_in_bucket.viewers == 77 and last_in_bucket.retry_at == reset + 60


def test_malformed_json_is_a_gap_not_a_crash(viewer_apis):
    viewer_apis.streams["meridian"] = 1
    viewer_apis.garble_next("/helix/streams")
    reading = twitch(viewer_apis).fetch()
    assert reading.state is SourceState.MALFORMED and reading.viewers is None


# --- Kick and any JSON --------------------------------------------------------------------------


def test_kick_with_and_without_an_app_token(viewer_apis):
    viewer_apis.kick["4242"] = 1_300
    plain = KickSource("Kick", 4242, base_url=viewer_apis.url)
    assert plain.fetch().viewers == 1_300
    tokened = KickSource(
        "Kick", "4242", client_id=KICK_CLIENT_ID, client_secret=KICK_SECRET,
        base_url=viewer_apis.url, id_url=viewer_apis.url,
    )
    assert tokened.fetch().viewers == 1_300 and viewer_apis.token_grants["kick"] == 1
    assert KickSource("Kick", 1, base_url=viewer_apis.url).fetch().state is SourceState.OFFLINE


def test_json_url_follows_an_rfc6901_pointer(viewer_apis):
    viewer_apis.documents["x"] = {"metrics": {"live/viewers": [{"n": "2,048"}]}, "off": None}
    source = JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/metrics/live~1viewers/0/n")
    assert source.fetch().viewers == 2048
    missing = JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/metrics/live~1viewers/3").fetch()
    assert missing.state is SourceState.MALFORMED and "nothing at" in missing.detail
    hidden = JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/off").fetch()
    assert hidden.state is SourceState.HIDDEN


def test_an_absurd_count_from_any_platform_is_refused_never_a_number(viewer_apis):
    """Each platform's answer is held to its own plausible bound; the chip gets the refusal."""
    viewer_apis.videos["live1"] = {"concurrentViewers": "99999999999999999999"}
    viewer_apis.streams["meridian"] = 10_000_001
    viewer_apis.kick["4242"] = 5_000_001
    viewer_apis.documents["x"] = {"n": 1e20, "typed": "12.5", "neg": -3, "list": [1]}
    readings = [
        youtube(viewer_apis).fetch(),
        twitch(viewer_apis).fetch(),
        KickSource("Kick", 4242, base_url=viewer_apis.url).fetch(),
        JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/n", bound_platform="x").fetch(),
        JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/typed").fetch(),
        JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/neg").fetch(),
    ]
    assert [r.state for r in readings] == [SourceState.REJECTED] * 6
    assert all(r.viewers is None for r in readings)
    assert readings[0].detail == (
        "YouTube answered a 20-digit number of viewers is more than YouTube plausibly has "
        "(at most 20,000,000); check the number"
    )
    assert "more than Twitch plausibly has (at most 10,000,000)" in readings[1].detail
    assert "more than Kick plausibly has (at most 5,000,000)" in readings[2].detail
    assert "more than X plausibly has" in readings[3].detail
    assert "not a whole number" in readings[4].detail and "below zero" in readings[5].detail
    listed = JsonUrlSource("X", f"{viewer_apis.url}/json/x", "/list").fetch()
    assert listed.state is SourceState.MALFORMED
    viewer_apis.kick["4242"] = 5_000_000  # the bound itself is a count
    assert KickSource("Kick", 4242, base_url=viewer_apis.url).fetch().viewers == 5_000_000


def test_a_typed_number_is_one_reading_held_to_its_platforms_bound():
    now = [1000.0]
    manual = ManualSource("Kick (typed)", clock=lambda: now[0])
    with pytest.raises(ValueError, match="more than Kick plausibly has"):
        manual.enter("6,000,000")
    assert manual.enter("2,410") == 2_410
    first = manual.fetch()
    now[0] += 5
    assert manual.fetch() == first  # asked again: the same reading, stamped when typed
    assert first.at == 1000.0


def test_json_pointer_rules():
    doc = {"a/b": {"m~n": [10, 20]}, "": 1}
    assert resolve_pointer(doc, "") is doc
    assert resolve_pointer(doc, "/a~1b/m~0n/1") == 20
    assert resolve_pointer(doc, "/") == 1
    for bad in ("a", "/a~1b/m~0n/01", "/a~1b/m~0n/-", "/a~1b/m~0n/0/x"):
        with pytest.raises(PointerError):
            resolve_pointer(doc, bad)


# --- slow, dead, broken -------------------------------------------------------------------------


def test_a_slow_answer_is_slow_and_a_dead_endpoint_unreachable(viewer_apis):
    viewer_apis.videos["live1"] = {"concurrentViewers": "1"}
    viewer_apis.delay_next("/youtube", 1.5)
    slow = youtube(viewer_apis, timeout=0.3).fetch()
    assert slow.state is SourceState.SLOW and slow.viewers is None
    dead = YouTubeSource("YouTube", "live1", YOUTUBE_KEY, base_url=dead_url()).fetch()
    assert dead.state is SourceState.UNREACHABLE
    viewer_apis.fail_next("/youtube", 503, {"error": {"code": 503, "message": "backend"}})
    assert youtube(viewer_apis).fetch().state is SourceState.UNREACHABLE


# --- manual and replay --------------------------------------------------------------------------


def test_manual_entry_holds_until_stale():
    now = [1000.0]
    manual = ManualSource("Typed", hold_for=600, clock=lambda: now[0])
    assert manual.fetch().state is SourceState.OFFLINE
    manual.enter(3_100)
    assert manual.fetch().viewers == 3_100
    now[0] += 601
    stale = manual.fetch()
    assert stale.viewers is None and "stale" in stale.detail
    with pytest.raises(ValueError):
        manual.enter(-1)


def test_replay_runs_the_curve_faster_keeps_its_spacing_and_never_lands_in_the_future():
    rows = parse_audience_csv("time,viewers,platform\n0,100,a\n0,10,b\n60,90,a\n60,,b\n120,80,a\n")
    clock = [5000.0]
    a, b = replay_sources(rows.rows, speed=60, started_at=5000.0, clock=lambda: clock[0])
    assert a.interval == pytest.approx(1.0)  # 60 s between rows at x60
    # The two minutes of curve replay in two seconds, laid to end when the replay ends (5002).
    first = a.fetch()
    assert (first.at, first.viewers) == (4882.0, 100) and b.fetch().viewers == 10
    assert a.earliest == 4882.0
    clock[0] = 5001.5  # 90 s into the curve
    reading = a.fetch()
    assert (reading.at, reading.viewers) == (4942.0, 90)  # its own minute, 60 s after the first
    gap_row = b.fetch()
    assert gap_row.viewers is None and gap_row.at == 4942.0
    clock[0] = 5002.0
    last = a.fetch()
    assert (last.at, last.viewers) == (5002.0, 80)
    clock[0] = 5003.0
    finished = a.fetch()
    assert finished.state is SourceState.OFFLINE and a.finished and finished.at == 5003.0
    clock[0] = 5010.0
    assert a.fetch() == finished  # the same reading: passed on once
    with pytest.raises(ValueError):
        ReplaySource("a", rows.rows, speed=601, started_at=0.0)


@pytest.mark.parametrize("speed", [1, 7, 60, 600])
def test_no_replayed_reading_is_ever_stamped_after_the_clock(speed):
    rows = parse_audience_csv("\n".join(f"{t},{1000 + t}" for t in range(0, 7200, 5))).rows
    clock = [1_790_000_000.0]
    (source,) = replay_sources(rows, speed=speed, offset=600, clock=lambda: clock[0])
    stamps = []
    while not source.finished:
        reading = source.fetch()
        assert reading.at <= clock[0]
        stamps.append(reading.at)
        clock[0] += source.interval * 7.3
    assert stamps == sorted(stamps)
    assert stamps[-1] == source.ends_at <= clock[0]
    # The curve keeps its own seconds: the first replayed row (600 s in) 600 s after the start.
    assert stamps[0] - source.earliest == 600.0


# --- the poller ---------------------------------------------------------------------------------


class Exploding:
    label = "broken"
    interval = 0.01

    def fetch(self) -> Reading:
        raise RuntimeError("boom")

    def close(self) -> None:
        pass


def test_one_hanging_or_failing_source_never_stops_the_others(viewer_apis):
    viewer_apis.streams["meridian"] = 640
    viewer_apis.videos["live1"] = {"concurrentViewers": "40150"}
    viewer_apis.hold_next("/youtube")  # YouTube hangs until released
    readings: list[Reading] = []
    lock = threading.Lock()
    enough = threading.Event()

    def on_reading(reading: Reading) -> None:
        with lock:
            readings.append(reading)
            twitch_count = sum(r.source == "Twitch" for r in readings)
        if twitch_count >= 5:
            enough.set()
        if reading.source == "broken":
            raise ValueError("a callback that fails must not stop polling")

    poller = ViewerPoller(on_reading)
    poller.add(youtube(viewer_apis, interval=0.01, timeout=25))
    poller.add(twitch(viewer_apis, interval=0.01))
    poller.add(YouTubeSource("Dead", "x", YOUTUBE_KEY, base_url=dead_url(), interval=0.01))
    poller.add(Exploding())
    poller.start()
    try:
        assert enough.wait(WAIT)
        with lock:
            seen = list(readings)
        # YouTube is still waiting for its answer, yet Twitch went on, and so did the others.
        assert not any(r.source == "YouTube" for r in seen)
        assert all(r.viewers == 640 for r in seen if r.source == "Twitch")
        assert {r.state for r in seen if r.source == "Dead"} <= {SourceState.UNREACHABLE}
        broken = [r for r in seen if r.source == "broken"]
        assert len(broken) >= 1 and broken[0].state is SourceState.FAILED
        assert "boom" in broken[0].detail
        viewer_apis.release()
        got_youtube = threading.Event()
        poller.on_reading = lambda r: got_youtube.set() if r.source == "YouTube" else None
        assert got_youtube.wait(WAIT)
        assert poller.last("YouTube").viewers == 40150
    finally:
        assert poller.stop(timeout=WAIT)


def test_replay_through_the_poller_delivers_the_curve_in_order():
    csv = "\n".join(f"{i},{1000 - i}" for i in range(0, 120, 2))
    rows = parse_audience_csv(csv).rows
    started = __import__("time").time()
    source = ReplaySource("replay", rows, speed=600, started_at=started)
    finished = threading.Event()
    readings: list[Reading] = []

    def on_reading(reading: Reading) -> None:
        if reading.viewers is None:
            finished.set()
        else:
            readings.append(reading)

    poller = ViewerPoller(on_reading)
    poller.add(source)
    poller.start()
    try:
        assert finished.wait(WAIT)
    finally:
        poller.stop()
    assert readings, "the replay delivered no numbers"
    times = [r.at for r in readings]
    assert times == sorted(set(times))  # in order, each row once
    for r in readings:
        assert r.viewers == 1000 - round(r.at - source.earliest)
    assert readings[-1].viewers == 1000 - 118
    assert readings[-1].at == pytest.approx(source.ends_at)
