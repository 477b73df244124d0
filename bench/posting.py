"""Posting: the desk's cost per post against bare tweepy, and the UI thread while X is slow.

Both sides post to the same stand-in X API on 127.0.0.1 in the same run, alternating. The desk
posts through its outbox (intent and outcome committed around every call, timeline events, the
statement's state); bare tweepy only calls create_tweet. Measured with the stand-in answering at
once, and with a fixed 50 ms of latency added, nearer what a real X API answers in.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

import tweepy

from commsdesk.desk import Desk
from commsdesk.publisher import Publisher
from commsdesk.services.x.api import XCredentials
from commsdesk.services.x.tweepy_client import X_API_URL, TweepyXClient, _BaseUrlAdapter
from tests.support.x_api_standin import ACCESS_TOKEN, CONSUMER_KEY, XApiStandIn

CREDENTIALS = XCredentials(CONSUMER_KEY, "consumer-secret", ACCESS_TOKEN, "access-secret")
POSTS = int(os.environ.get("BENCH_POSTS", "40"))


def bare_client(url: str) -> tweepy.Client:
    client = tweepy.Client(
        consumer_key=CREDENTIALS.consumer_key, consumer_secret=CREDENTIALS.consumer_secret,
        access_token=CREDENTIALS.access_token, access_token_secret=CREDENTIALS.access_secret,
    )
    client.session.mount(X_API_URL + "/", _BaseUrlAdapter(url, 10.0))  # same server, same route
    return client


def post_times(latency: float) -> tuple[float, float]:
    server = XApiStandIn().start()
    if latency:
        server.delay_next(latency, on="POST /2/tweets", times=None)
    try:
        with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
            desk = Desk.open(Path(tmp))
            publisher = Publisher(
                desk, lambda account, sandbox: TweepyXClient(CREDENTIALS, base_url=server.url)
            )
            bare = bare_client(server.url)
            desk_times, bare_times = [], []
            for n in range(POSTS):
                start = time.perf_counter()
                bare.create_tweet(text=f"Bare update {n}: withdrawals stay open.")
                bare_times.append(time.perf_counter() - start)
                start = time.perf_counter()
                publication = publisher.prepare_text(
                    "Bench", f"Desk update {n}: withdrawals stay open.", "founder", sandbox=False
                )
                publisher.run("Bench", publication)
                desk_times.append(time.perf_counter() - start)
            desk.close()
    finally:
        server.stop()
    return statistics.median(desk_times), statistics.median(bare_times)


def main() -> None:
    for latency in (0.0, 0.05, 0.2):
        desk_s, bare_s = post_times(latency)
        print(
            f"one post, stand-in latency {latency * 1000:.0f} ms: desk {desk_s * 1000:.1f} ms, "
            f"bare tweepy create_tweet {bare_s * 1000:.1f} ms, ratio {desk_s / bare_s:.2f}x "
            "(goal <= 1.2x)"
        )


if __name__ == "__main__":
    main()
