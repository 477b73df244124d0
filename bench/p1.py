"""P-1: from pressing the button to the first call accepted by the provider, against a bare
twilio SDK `calls.create` to the same local stand-in of Twilio's REST API, in the same run.

The desk's path is what every press takes: the press recorded (the P1 incident started, the
chain frozen, on the timeline), the provider made from the account, the first call's row
written, the call placed through the SDK over HTTP, and its id recorded. Each press is
cancelled before the next. Runs alternate; medians are compared.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

RUNS = 25
PHONE = "+15550100001"


class Accepted:
    """The provider, noting the moment it accepted the first call."""

    def __init__(self, provider) -> None:
        self.provider = provider
        self.name = provider.name
        self.accepted_at = None

    def place_call(self, to, say, ring_seconds):
        sid = self.provider.place_call(to, say, ring_seconds)
        self.accepted_at = self.accepted_at or time.perf_counter()
        return sid

    def __getattr__(self, name):
        return getattr(self.provider, name)


def main() -> None:
    for answer_after in (0.0, 0.15):
        desk, bare = measure(answer_after)
        where = ("answering at once" if not answer_after
                 else f"answering in {answer_after * 1000:.0f} ms, as across the internet")
        print(
            f"P-1 press to the first call accepted, stand-in {where} (median of {RUNS}): desk "
            f"{desk * 1000:.1f} ms, bare twilio calls.create {bare * 1000:.1f} ms; ratio "
            f"{desk / bare:.2f}x (goal <= 1.2x and <= 1 s)"
        )


def measure(answer_after: float) -> tuple[float, float]:
    from twilio.rest import Client

    from commsdesk.desk import Desk
    from commsdesk.p1.runner import ChainRunner
    from commsdesk.p1.service import CallChain
    from commsdesk.p1.twilio_provider import RoutedHttpClient, TwilioProvider
    from tests.support.twilio_standin import ACCOUNT_SID, AUTH_TOKEN, TwilioStandIn

    standin = TwilioStandIn().start()
    standin.no_answer(PHONE, after=600)  # rings on while the next press is measured
    standin.answer_after = answer_after
    desk_times, bare_times = [], []
    try:
        with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
            desk = Desk.open(Path(tmp))
            chain = CallChain(desk)
            chain.add("Bench", "Mira Chen", PHONE, 30)
            for _ in range(RUNS):
                started = time.perf_counter()
                client = Client(ACCOUNT_SID, AUTH_TOKEN,
                                http_client=RoutedHttpClient(standin.url))  # fmt: skip
                client.calls.create(to=PHONE, from_=standin.phone_number,
                                    twiml="<Response><Say>Bench</Say></Response>", timeout=30,
                                    machine_detection="Enable")  # fmt: skip
                bare_times.append(time.perf_counter() - started)

                started = time.perf_counter()
                run, _ = chain.press("Bench", "Hot wallet drained", provider="twilio")
                provider = Accepted(TwilioProvider(ACCOUNT_SID, AUTH_TOKEN, standin.phone_number,
                                                   api_url=standin.url))  # fmt: skip
                run = ChainRunner(chain, provider).start(run)
                desk_times.append(provider.accepted_at - started)
                assert run.calls and run.calls[0].sid, "the first call was not placed"
                chain.cancel("Bench")
                ChainRunner(chain, provider).step()  # hangs the ringing call up
                desk.close_incident("Bench", desk.active_incident().id)
            desk.close()
    finally:
        standin.stop()
    return statistics.median(desk_times), statistics.median(bare_times)


if __name__ == "__main__":
    main()
