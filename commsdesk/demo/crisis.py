"""A believable desk to explore: an exchange's ETH cold-wallet breach, three hours in.

Everything goes through the Desk, with its clock moved along the incident's hours, so the
statements, versions, approvals and the timeline are exactly what real use would leave behind
and the timeline's hash chain verifies. Two older, closed incidents sit behind it.

The founder's live Q&A has been streaming for nearly two hours (assets/demo_audience.csv: 40,000
viewers at the start, 4,000 after 1 h 45 min): what was streamed so far is stored as samples, and
the rest of the curve replays live at x1 (three replay sources), so the advice to end the stream
comes about half a minute after the demo opens.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from commsdesk.clock import as_utc
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity

BEN = "Ben Zhou (founder)"
ANA = "Ana Ruiz (comms)"
SAM = "Sam Okafor (legal)"

ELAPSED = timedelta(hours=3, minutes=12)  # how long the breach has been running
# Seconds of the audience curve streamed when the demo opens: about half a minute before the
# advisor (default settings) suggests ending, at 1 h 58 min 20 s.
STREAMED = 7070.0
AUDIENCE_CSV = Path(__file__).resolve().parents[2] / "assets" / "demo_audience.csv"
NEXT_UPDATE_IN = timedelta(minutes=45)

HOLDING_V1 = """\
We are investigating unusual activity in one of our {{ incident.asset }} wallets. \
Withdrawals are paused while we check. More soon."""

HOLDING_V2 = """\
At {{ incident.started_at | time }} we detected unauthorised withdrawals of \
{{ incident.asset }} from {{ incident.wallet }}. We have paused all withdrawals while we contain \
it. {{ incident.unaffected | capitalize }} are not affected. Next update within the hour."""

THREAD_V1 = """\
Update on the {{ incident.asset }} incident, {{ incident.started_at | elapsed }} after we \
detected it.

What happened: {{ incident.cause }}

What was taken: {{ incident.amount }}, from {{ incident.wallet }}.

We lost it. You did not. Every client balance is backed 1:1 and we will cover the loss from \
{{ incident.covered_by }}.

What we are doing: we are working with {{ incident.partners }} to trace the funds. So far: \
{{ incident.recovered }}.

Withdrawals are {{ incident.withdrawals }}. Deposits keep crediting.

You can check our reserves yourself at any time: {{ incident.proof_url }}

Next update by {{ next_update | time }}."""

THREAD_V2 = THREAD_V1.replace(
    "We lost it. You did not. Every client balance is backed 1:1 and we will cover the loss from",
    "Client funds are safe: every client balance is backed 1:1, and the loss will be covered "
    "in full from",
)

THREAD_V3 = THREAD_V2.replace(
    "Next update by {{ next_update | time }}.",
    "We will not guess beyond what we have confirmed. Next update by "
    '{{ next_update | time }} ({{ next_update | time("Asia/Singapore") }} Singapore).',
)

RECOVERED_CLAIM = """\
Good news: the stolen {{ incident.asset }} has been recovered and the attacker identified. \
Withdrawals reopen tonight."""

WITHDRAWALS_GUIDE = """\
Withdrawals are paused on every asset while we re-key our wallets. Your balance is safe and \
shown correctly in the app. You do not need to do anything.

Please ignore anyone offering to "speed up" a withdrawal: we will never DM you first or ask for \
your password or 2FA codes."""

PARTNER_NOTICE = """\
To our market makers and OTC partners: trading continues on every market. {{ incident.asset }} \
deposits credit as usual; withdrawals of all assets are paused until each wallet is re-keyed. \
Settlement for OTC trades happens on-exchange until further notice. Your account manager has \
the details."""

UPDATE_2_V1 = """\
Update on the {{ incident.asset }} incident, {{ incident.started_at | elapsd }} in.

So far: {{ incident.recovered }}. Withdrawals are {{ incident.withdrawals }}.

Next update by {{ next_update | time }}."""

UPDATE_2_V2 = UPDATE_2_V1.replace("elapsd", "elapsed")

UPDATE_2_V3 = UPDATE_2_V2.replace(
    "So far: {{ incident.recovered }}.",
    "So far: {{ incident.recovered }}, and we are tracing the rest.",
)

FOUNDER_V1 = """\
I want to speak to you directly. Today an attacker took {{ incident.amount }} from us. It is the \
worst day in our company's history, and it is on me.

Your funds are safe. We will cover every coin from {{ incident.covered_by }}. No client will \
lose anything.

I will be live at {{ incident.live_url }} to answer every question, including the hard ones."""

FOUNDER_V2 = FOUNDER_V1.replace(
    "It is the worst day in our company's history, and it is on me.",
    "We are devastated, and we are furious, and we will hunt these people down.",
)

PRESS_QA_V1 = """\
Q: How much was taken?
A: {{ incident.amount }}.

Q: Are client funds safe?
A: Yes. Every client balance is backed 1:1; we cover the loss from {{ incident.covered_by }}.

Q: Was this an inside job?
A: We have no evidence of that. We will not speculate while the investigation runs."""

PRESS_QA_V2 = (
    PRESS_QA_V1
    + """

Q: When do withdrawals reopen?
A: When every wallet is re-keyed and checked. We will say so here first."""
)


def seed_demo(desk: Desk) -> None:
    """Fill an empty desk with the demo; a desk that already has incidents is left as it is."""
    if desk.list_incidents():
        return
    real_clock = desk.clock
    now = as_utc(real_clock())
    try:
        _seed(desk, now)
    finally:
        desk.clock = real_clock


def _seed(desk: Desk, now: datetime) -> None:
    def at(moment: datetime) -> None:
        desk.clock = lambda: moment

    _seed_past_incidents(desk, now, at)

    start = now - ELAPSED
    next_update = _rounded_up(now + NEXT_UPDATE_IN)

    def t(minutes: float) -> None:
        at(start + timedelta(minutes=minutes))

    t(4)
    incident = desk.start_incident(
        BEN,
        "Cold-wallet breach: ETH hot/cold wallets drained",
        Severity.P1,
        summary="Unauthorised transfers out of our Ethereum cold wallet and the hot wallet it "
        "refills. Withdrawals paused on every asset.",
        facts={
            "asset": "ETH",
            "wallet": "one of our Ethereum cold wallets and the hot wallet it refills",
            "amount": "about 400,000 ETH (first estimate)",
            "unaffected": "Bitcoin cold storage, all other assets and client fiat balances",
            "withdrawals": "paused on every asset",
            "next_update": f"{start + timedelta(minutes=65):%H:%M}",
        },
        started_at=start,
    )
    iid = incident.id
    t(5)
    desk.set_required_approvals(BEN, 2)

    # Holding statement: drafted by Ana, sharpened by Ben, approved by Sam and Ana, posted.
    t(7)
    holding = desk.create_statement(ANA, iid, "Holding statement: we are investigating", HOLDING_V1)
    t(9)
    desk.autosave(ANA, holding.id, HOLDING_V1.replace("More soon.", "More within the hour."))
    t(10)
    desk.save_version(ANA, holding.id, HOLDING_V1.replace("More soon.", "More within the hour."))
    t(13)
    desk.save_version(BEN, holding.id, HOLDING_V2)
    t(14)
    desk.submit(ANA, holding.id)
    t(16)
    desk.approve(SAM, holding.id)
    t(17)
    desk.approve(ANA, holding.id)
    t(19)
    desk.mark_posted(ANA, holding.id, ["1861104471938420737"])

    t(31)
    desk.update_incident(
        SAM,
        iid,
        facts={
            **incident.facts,
            "amount": "401,347 ETH (about $1.5 billion)",
            "cause": "the signers of our cold-wallet multisig were shown a disguised "
            "transaction. It looked like a routine transfer to our hot wallet; it handed control "
            "of the cold wallet to the attacker.",
            "covered_by": "our company treasury and a credit line from our investors",
            "partners": "two blockchain analytics firms, other exchanges and the police",
            "recovered": "nothing yet",
            "proof_url": "https://status.example.com/proof-of-reserves",
            "next_update": f"{start + timedelta(minutes=125):%H:%M}",
        },
    )

    # The long update: a thread, three versions by three people, posted.
    t(36)
    thread = desk.create_statement(ANA, iid, "Update 1: what happened (thread)", THREAD_V1)
    t(44)
    desk.save_version(ANA, thread.id, THREAD_V1)
    t(51)
    desk.save_version(SAM, thread.id, THREAD_V2)
    t(58)
    desk.save_version(ANA, thread.id, THREAD_V3)
    t(60)
    desk.submit(ANA, thread.id)
    t(63)
    desk.approve(BEN, thread.id)
    t(66)
    desk.approve(SAM, thread.id)
    t(70)
    desk.mark_posted(
        ANA,
        thread.id,
        ["1861118930385723901", "1861118933611143432", "1861118936714915962"],
    )

    # The founder goes live on YouTube, Twitch and Kick at once.
    stream_start = now - timedelta(seconds=STREAMED)
    at(stream_start - timedelta(minutes=2))
    audience = _add_audience_sources(desk, now)
    at(stream_start)
    desk.record(
        BEN, "broadcast.back_live",
        "Live: the founder's Q&A stream started on YouTube, Twitch and Kick",
        incident_id=iid,
    )

    # A premature claim, stopped in review.
    t(80)
    claim = desk.create_statement(BEN, iid, "Funds recovered", RECOVERED_CLAIM)
    t(82)
    desk.submit(BEN, claim.id)
    t(88)
    desk.withdraw(
        SAM,
        claim.id,
        "Recovery is not confirmed by the analytics firms; saying so would mislead clients.",
    )

    # Customer guidance: approved and scheduled, but X refused the post.
    t(90)
    guide = desk.create_statement(ANA, iid, "Withdrawals paused: what clients should do")
    t(94)
    desk.save_version(ANA, guide.id, WITHDRAWALS_GUIDE)
    t(96)
    desk.submit(ANA, guide.id)
    t(99)
    desk.approve(BEN, guide.id)
    t(100)
    desk.approve(SAM, guide.id)
    t(101)
    desk.mark_scheduled(ANA, guide.id, start + timedelta(minutes=105), "after the thread")
    t(105)
    desk.mark_failed(
        ANA, guide.id, "X API answered 503 Service Unavailable twice; nothing was posted"
    )
    _on_the_schedule(desk, guide.id, start + timedelta(minutes=105), "failed")

    # Forty minutes into the stream the thread goes up on screen: people come back for a while.
    at(stream_start + timedelta(minutes=40))
    desk.record(
        ANA, "broadcast.slide",
        "Slide on air: statement card “Update 1: what happened”",
        incident_id=iid,
    )

    # Partner notice: Sam's text, approved, waiting for the account managers.
    t(118)
    notice = desk.create_statement(SAM, iid, "Notice to market makers and OTC partners")
    t(122)
    desk.save_version(SAM, notice.id, PARTNER_NOTICE)
    t(124)
    desk.submit(SAM, notice.id)
    t(133)
    desk.approve(ANA, notice.id)
    t(140)
    desk.approve(BEN, notice.id)

    t(146)
    desk.update_incident(
        ANA,
        iid,
        facts={
            **desk.incident(iid).facts,
            "recovered": "about 2,800 ETH, frozen at two exchanges",
            "withdrawals": "paused on every asset until each wallet is re-keyed",
            "live_url": "https://live.example.com/ben-zhou",
            "next_update": next_update.strftime("%Y-%m-%dT%H:%MZ"),
        },
    )

    # Update 2: a template typo caught, fixed, approved, edited again (voiding), scheduled.
    t(148)
    update_2 = desk.create_statement(ANA, iid, "Update 2: funds frozen", UPDATE_2_V1)
    t(149)
    desk.save_version(ANA, update_2.id, UPDATE_2_V2)  # "elapsd" would not have rendered
    t(150)
    desk.submit(ANA, update_2.id)
    t(153)
    desk.approve(SAM, update_2.id)
    t(154)
    desk.approve(BEN, update_2.id)
    t(156)
    desk.save_version(ANA, update_2.id, UPDATE_2_V3)
    t(157)
    desk.submit(ANA, update_2.id)
    t(160)
    desk.approve(SAM, update_2.id)
    t(162)
    desk.approve(BEN, update_2.id)
    t(164)
    desk.mark_scheduled(ANA, update_2.id, next_update, "with the next update")
    _on_the_schedule(desk, update_2.id, next_update, "waiting")

    # The founder's message: Ana's rewrite went too far; Ben restored his own words.
    t(165)
    founder = desk.create_statement(BEN, iid, "Founder's personal message", FOUNDER_V1)
    t(167)
    desk.save_version(BEN, founder.id, FOUNDER_V1)
    t(171)
    desk.save_version(ANA, founder.id, FOUNDER_V2)
    t(174)
    desk.restore_version(BEN, founder.id, desk.versions(founder.id)[0].id)
    t(176)
    desk.submit(BEN, founder.id)
    t(181)
    desk.approve(SAM, founder.id)  # one of two; waiting for Ana

    # Press Q&A: still being written.
    t(182)
    press = desk.create_statement(SAM, iid, "Press Q&A (not for posting)", PRESS_QA_V1)
    t(185)
    desk.save_version(SAM, press.id, PRESS_QA_V1)
    t(189)
    desk.autosave(ANA, press.id, PRESS_QA_V2)

    _store_streamed_audience(desk, audience, iid, stream_start)


def _audience_rows(desk: Desk) -> tuple[str, list]:
    """The demo curve's file (the asset, or written beside the database when the asset is not
    installed) and its rows."""
    from commsdesk.audience.demo_curve import demo_audience_csv
    from commsdesk.audience.series import parse_audience_csv

    path = AUDIENCE_CSV
    if not path.is_file():
        import tempfile

        folder = Path(desk.path).parent if desk.path else Path(tempfile.gettempdir())
        path = folder / "commsdesk-demo-audience.csv"
        path.write_text(demo_audience_csv(), encoding="utf-8")
    return str(path), parse_audience_csv(path.read_text(encoding="utf-8")).rows


def _add_audience_sources(desk: Desk, now: datetime) -> dict:
    """One replay source per platform, carrying on from STREAMED seconds into the curve at x1
    from `now` (see commsdesk.audience.ui.bridge for the replay config)."""
    from commsdesk.audience.store import AudienceStore

    path, rows = _audience_rows(desk)
    store = AudienceStore(desk)
    names = {"youtube": "YouTube", "twitch": "Twitch", "kick": "Kick"}
    for platform, label in names.items():
        config = {
            "file": path, "platform": platform, "speed": 1.0, "offset": STREAMED,
            "started_at": now.timestamp(),
        }
        store.add_source(ANA, "replay", label, config, interval=5.0)
    return {"store": store, "rows": rows, "labels": names}


def _store_streamed_audience(desk: Desk, audience: dict, incident_id: int, start: datetime):
    """The samples of what was streamed before the demo opened, as the desk would have kept."""
    from commsdesk.audience.series import Sample

    origin = start.timestamp()
    labels = audience["labels"]
    samples = [
        Sample(origin + row.at, labels[row.platform], row.viewers)
        for row in audience["rows"]
        if row.at < STREAMED and row.platform in labels
    ]
    audience["store"].append_samples(samples, incident_id=incident_id)


def _seed_past_incidents(desk: Desk, now: datetime, at: Callable[[datetime], None]) -> None:
    """Two closed incidents from earlier weeks, each with a posted statement."""
    start = now - timedelta(days=41, hours=5)
    at(start + timedelta(minutes=6))
    login = desk.start_incident(
        ANA,
        "Login codes delayed for some users",
        Severity.P3,
        summary="SMS 2FA codes arriving late in Southeast Asia; a carrier issue.",
        facts={"affected": "SMS codes in Southeast Asia", "workaround": "authenticator app"},
        started_at=start,
    )
    at(start + timedelta(minutes=12))
    notice = desk.create_statement(
        ANA,
        login.id,
        "Delayed SMS codes",
        "Some of you in Southeast Asia are getting SMS login codes late. It is a carrier "
        "issue and your account is safe. An authenticator app works meanwhile: Settings → "
        "Security.",
    )
    at(start + timedelta(minutes=14))
    desk.submit(ANA, notice.id)
    at(start + timedelta(minutes=21))
    desk.approve(SAM, notice.id)
    at(start + timedelta(minutes=23))
    desk.mark_posted(ANA, notice.id, ["1846102938475610240"])
    at(start + timedelta(hours=1, minutes=35))
    desk.close_incident(ANA, login.id, "Carrier fixed its routing")

    start = now - timedelta(days=12, hours=2)
    at(start + timedelta(minutes=3))
    halt = desk.start_incident(
        BEN,
        "Trading halted: matching engine fault",
        Severity.P2,
        summary="The matching engine stopped after a failed upgrade; trading halted for 2h50m.",
        facts={"markets": "all spot markets"},
        started_at=start,
    )
    at(start + timedelta(minutes=8))
    halted = desk.create_statement(
        BEN,
        halt.id,
        "Trading halted",
        "Trading is halted on {{ incident.markets }} while we fix a fault in our matching "
        "engine. Your funds and open orders are safe. Next update within 30 minutes.",
    )
    at(start + timedelta(minutes=9))
    desk.submit(BEN, halted.id)
    at(start + timedelta(minutes=12))
    desk.approve(ANA, halted.id)
    at(start + timedelta(minutes=13))
    desk.mark_posted(BEN, halted.id, ["1857001122334455667"])
    at(start + timedelta(hours=2, minutes=48))
    resumed = desk.create_statement(
        ANA,
        halt.id,
        "Trading resumed",
        "Trading has resumed on {{ incident.markets }}. Open orders were kept as they were. "
        "Thank you for your patience; a short report follows this week.",
    )
    at(start + timedelta(hours=2, minutes=50))
    desk.submit(ANA, resumed.id)
    desk.approve(BEN, resumed.id)
    at(start + timedelta(hours=2, minutes=52))
    desk.mark_posted(ANA, resumed.id, ["1857045566778899001"])
    at(start + timedelta(hours=3, minutes=30))
    desk.close_incident(BEN, halt.id, "Engine rolled back; trading normal")


def _rounded_up(moment: datetime, minutes: int = 5) -> datetime:
    moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return moment + timedelta(minutes=-moment.minute % minutes)


def _on_the_schedule(desk: Desk, statement_id: int, due: datetime, state: str) -> None:
    """The demo's scheduled posts, as the scheduler keeps them (posting to the SANDBOX)."""
    from commsdesk.store.models import ScheduledPostRow

    with desk.transaction() as session:
        now = desk.now()
        session.add(
            ScheduledPostRow(
                statement_id=statement_id,
                account="sandbox",
                sandbox=True,
                due_at=due.astimezone(UTC).replace(tzinfo=None),
                zone="UTC",
                state=state,
                created_by=ANA,
                created_at=now,
                updated_at=now,
                note="",
            )
        )
