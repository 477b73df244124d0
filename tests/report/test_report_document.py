"""The report's HTML, written from a seeded incident (see conftest): every section with the right
figures, read back as a person reads it."""

from __future__ import annotations

import re
import shlex
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from commsdesk.desk import DeskError
from commsdesk.incidents.incident import Severity
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from commsdesk.report import chart as chart_module
from commsdesk.report.facts import gather, team_database, verify_command
from commsdesk.report.writing import REPORT_WRITTEN, ReportProblem, default_name, write_report
from commsdesk.statements.statement import approved_digest
from commsdesk.timeline.anchor import TimelineHead
from tests.report.conftest import (
    ARABIC,
    BEN,
    ENGLISH,
    JAPANESE,
    LEE,
    MIRA,
    PEAK,
    TITLE,
    seed,
)
from tests.report.reading import sections
from tests.support.desks import ANA, SAM


@pytest.fixture
def report(seeded, tmp_path):
    """The seeded incident's report as HTML: (its text by section, the raw HTML)."""
    written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "report.html",
                           audience=seeded.services.audience)  # fmt: skip
    assert written.path == tmp_path / "report.html" and written.format == "HTML"
    html = written.path.read_text(encoding="utf-8")
    return sections(html), html


def test_the_cover_names_the_incident_its_times_and_the_people(seeded, report):
    text, _ = report
    cover = text["cover"]
    assert TITLE in cover and "P1" in cover
    assert f"Started {seeded.t(0):%Y-%m-%d %H:%M:%S} UTC" in cover
    assert f"Ended {seeded.t(120):%Y-%m-%d %H:%M:%S} UTC" in cover
    assert "Duration 2 h 00 min" in cover
    assert "asset ETH" in cover
    people = re.findall(r"^(?:People involved )?(.+?) · (\d+) actions?, first at (\d\d:\d\d)$",
                        cover, re.MULTILINE)  # fmt: skip
    assert [(name, first) for name, _, first in people] == [
        (MIRA, f"{seeded.t(0):%H:%M}"), (BEN, f"{seeded.t(1):%H:%M}"),
        (ANA, f"{seeded.t(6):%H:%M}"), (SAM, f"{seeded.t(9):%H:%M}"),
        (LEE, f"{seeded.t(12):%H:%M}"),
    ]  # fmt: skip
    assert "Scheduler" not in cover and "CommsDesk advisor" not in cover


def test_key_times_and_each_update_against_the_promised_cadence(seeded, report):
    text, _ = report
    key = text["key-times"]
    for minute, what in [
        (1, f"T+1m P-1 pressed by {BEN}"),
        (2, f"T+2m P-1 answered by {MIRA}"),
        (10, "T+10m First statement posted: Holding statement"),
        (12, "T+12m First live (stream)"),
        (30, f"T+30m Audience peak: {PEAK:,} viewers"),
        (100, "T+1h40m Advice to end the stream"),
        (110, "T+1h50m Stream ended"),
        (120, "T+2h00m Incident closed"),
    ]:
        assert f"{seeded.t(minute):%Y-%m-%d %H:%M:%S} UTC {what}" in key, what
    rows = re.findall(r"^(\d) (.+?) (\S+) (every 30 min) (\d\d:\d\d) (.+)$", key, re.MULTILINE)
    assert [(n, update, posted, due, result) for n, update, posted, _, due, result in rows] == [
        ("1", "Holding statement", f"{seeded.t(10):%H:%M}", f"{seeded.t(33):%H:%M}",
         "kept (23 min to spare)"),
        ("2", "Update for Japan", f"{seeded.t(50):%H:%M}", f"{seeded.t(40):%H:%M}",
         "late by 10 min"),
        ("3", "Update for the Gulf", f"{seeded.t(75):%H:%M}", f"{seeded.t(80):%H:%M}",
         "kept (5 min to spare)"),
        ("4", "after the last update", "—", f"{seeded.t(105):%H:%M}",
         "no update before the incident closed: late by 15 min"),
    ]  # fmt: skip


def test_every_statement_as_posted_with_its_links_people_versions_and_digest(seeded, report):
    text, html = report
    part = text["statements"]
    feed = {post.text: post.id for post in SandboxXClient(seeded.desk).recent_posts("0")}
    blocks = re.split(r"^\d\. ", part, flags=re.MULTILINE)[1:]
    assert [b.splitlines()[0] for b in blocks] == [
        "Holding statement", "Update for Japan", "Update for the Gulf"]
    for block, body, key in [(blocks[0], ENGLISH, "holding"), (blocks[1], JAPANESE, "japan"),
                             (blocks[2], ARABIC, "gulf")]:  # fmt: skip
        statement = seeded.desk.statement(seeded.statements[key])
        assert body in block and statement.approved_text == body
        assert f"SHA-256 {approved_digest(body)}" in block
        assert f"sandbox://sandbox/{feed[body]}" in block
        assert f'href="sandbox://sandbox/{feed[body]}"' in html
        assert "to the SANDBOX" in block
    assert f"Author: {ANA} · Approved by: {SAM} · Versions: 1" in blocks[0]
    assert f"Author: {ANA}, {SAM} · Approved by: {BEN} · Versions: 2" in blocks[1]
    assert f"Posted {seeded.t(50):%Y-%m-%d %H:%M:%S} UTC (T+50m) to the SANDBOX" in blocks[1]
    assert 'dir="auto"' in html  # Arabic lays out right to left


def test_the_audience_chart_is_vector_with_our_events_marked(seeded, report):
    text, html = report
    audience = text["audience"]
    svg = re.search(r"<svg class=\"chart\".*?</svg>", html, re.DOTALL).group(0)
    assert svg.count("<path d=\"M") == 3  # the total, YouTube and Kick
    assert "Peak 41,800" in svg and "<image" not in svg
    assert "Viewers" in svg and "Time (UTC), and since the incident started" in svg
    clock = re.findall(r'class="tick">(\d\d):(\d\d)<', svg)
    since = re.findall(r'class="tick muted">T\+(?:(\d+)h)?(\d+)m<', svg)
    assert len(clock) == len(since) >= 4  # each time tick says the clock and the time since
    started = seeded.t(0).hour * 60 + seeded.t(0).minute
    for (hour, minute), (hours, minutes) in zip(clock, since, strict=True):
        assert (int(hour) * 60 + int(minute) - started) % (24 * 60) == (
            int(hours or 0) * 60 + int(minutes))
    assert f"Peak {PEAK:,} viewers at {seeded.t(30):%Y-%m-%d %H:%M:%S} UTC (T+30m)" in audience
    assert f"Advice\n{seeded.t(100):%Y-%m-%d %H:%M:%S} UTC (T+1h40m): The audience" in audience
    assert f"Stream ended {seeded.t(110):%Y-%m-%d %H:%M:%S} UTC (T+1h50m)" in audience
    marks = re.findall(r"^(\d+) (\d\d:\d\d) (T\+\S+) (.+)$", audience, re.MULTILINE)
    assert [(n, tplus, what.split(":")[0]) for n, _, tplus, what in marks] == [
        ("1", "T+12m", "Live stream started to YouTube"),
        ("2", "T+15m", "Slide on air"),
        ("3", "T+25m", "Back to live"),
        ("4", "T+50m", "Statement posted"),
        ("5", "T+1h05m", "Slide on air"),
        ("6", "T+1h12m", "Back to live"),
        ("7", "T+1h15m", "Statement posted"),
        ("8", "T+1h40m", "The audience has stayed below 10% of its peak for 10 minutes"),
        ("9", "T+1h50m", "Live stream ended after 1 h 38 min"),
    ]
    assert svg.count('stroke-dasharray="5 3"') == 9  # one vertical marker for each


def test_too_many_markers_to_number_leave_the_key_ones_numbered_and_count_the_rest(
    seeded, tmp_path, monkeypatch
):
    monkeypatch.setattr(chart_module, "MAX_NUMBERED", 4)  # the seeded incident has 9
    written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "report.html",
                           audience=seeded.services.audience)  # fmt: skip
    html = written.path.read_text(encoding="utf-8")
    audience = sections(html)["audience"]
    marks = re.findall(r"^(\d+) (\d\d:\d\d) (T\+\S+) (.+)$", audience, re.MULTILINE)
    assert [(n, what.split(" after")[0]) for n, _, _, what in marks] == [
        ("1", "Live stream started to YouTube"),
        ("2", "The audience has stayed below 10% of its peak for 10 minutes: consider ending "
              "the stream."),
        ("3", "Live stream ended"),
    ]  # fmt: skip
    said = " ".join(audience.split())
    assert ("these are the short ticks along its top, a row each: 2 statements posted (listed "
            "under Statements as posted); 2 slides put on air (listed under Broadcast); "
            "2 returns to live (listed under Broadcast).") in said


def test_the_broadcast_live_slides_and_trouble(seeded, report):
    text, _ = report
    broadcast = text["broadcast"]
    assert (f"{seeded.t(12):%Y-%m-%d %H:%M:%S} UTC {seeded.t(110):%H:%M} 1 h 38 min stream"
            in broadcast)  # fmt: skip
    assert (f"{seeded.t(15):%H:%M:%S} T+15m Back at 18:30 UTC (from Camera) 10 min "
            "back to live (Camera)") in broadcast
    assert (f"{seeded.t(65):%H:%M:%S} T+1h05m Standby: Investigation update 7 min "
            "back to live (Camera)") in broadcast
    assert "T+1h10m Slide push failed: Statement: funds: timeout" in broadcast


def test_the_timeline_lists_every_event_of_the_incident_up_to_the_head(seeded, report):
    text, _ = report
    rows = re.findall(r"^(\d+) (\d\d:\d\d:\d\d) (T[+-]\S+) (.+?) ([a-z0-9_]+\.[a-z_]+) (.+)$",
                      text["timeline"], re.MULTILINE)  # fmt: skip
    ids = [int(row[0]) for row in rows]
    everything = seeded.desk.timeline(limit=None)
    head = max(e.id for e in everything if e.kind != REPORT_WRITTEN)
    chain_added = next(e.id for e in everything if e.kind == "p1.chain_changed")
    assert ids == sorted(ids) and ids[-1] == head
    assert chain_added not in ids  # before the incident and of no incident: not its event
    assert set(ids) == {e.id for e in everything if e.id <= head and e.id != chain_added}
    assert f"All {len(ids)} events of this incident" in text["timeline"]
    kinds = [row[4] for row in rows]
    for kind in ("incident.started", "p1.pressed", "p1.answered", "statement.approved",
                 "post.part_posted", "broadcast.slide", "audience.advice", "incident.closed"):
        assert kind in kinds, kind


def test_the_head_and_its_verify_command_are_the_record_before_the_report(seeded, report):
    text, html = report
    record = text["record"]
    head = [e for e in seeded.desk.timeline(limit=2)]
    written, before = head[0], head[1]
    assert written.kind == REPORT_WRITTEN and written.incident_id == seeded.incident_id
    assert written.data["head_event_id"] == before.id and written.data["head_sha256"] == before.hash
    assert f"event #{before.id}, {before.id} events" in record
    command = re.search(r'<p class="command" id="verify-command">(.*?)</p>', html).group(1)
    assert command == ('commsdesk timeline verify --head &#34;CommsDesk timeline head: event '
                       f'#{before.id}, {before.id} events, {before.at:%Y-%m-%dT%H:%M:%S}Z, '
                       f'sha256 {before.hash}&#34;')  # fmt: skip
    assert "next event (report.written), after this head" in record


def test_an_open_incident_is_reported_as_still_open(isolated_dirs, tmp_path):
    seeded = seed(isolated_dirs, close=False)
    try:
        written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "open.html",
                               now=seeded.t(121))  # fmt: skip
        text = sections(written.path.read_text(encoding="utf-8"))
    finally:
        seeded.desk.close()
    assert "Still open when this report was written" in text["cover"]
    assert "Duration 2 h 01 min so far" in text["cover"]
    assert "no update by the time of this report: late by 16 min" in text["key-times"]
    assert "Incident closed" not in text["key-times"]


def test_text_from_the_record_is_escaped(desk, tmp_path):
    incident = desk.start_incident(ANA, "<script>alert(1)</script> & co", Severity.P2,
                                   facts={"note": "<b>bold</b>"})  # fmt: skip
    written = write_report(desk, ANA, incident.id, tmp_path / "escaped.html")
    html = written.path.read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    text = sections(html)
    assert "No statement of this incident was posted." in text["statements"]
    assert "No audience was counted during this incident." in text["audience"]
    assert "No slide was put on air." in text["broadcast"]


def test_no_such_incident_and_a_wrong_name_are_refused(desk, tmp_path):
    with pytest.raises(DeskError, match="no incident #7"):
        write_report(desk, ANA, 7, tmp_path / "report.html")
    with pytest.raises(ReportProblem, match=r"report\.docx: a report is written as \.pdf or"):
        write_report(desk, ANA, 7, tmp_path / "report.docx")
    with pytest.raises(ReportProblem, match="does not exist"):
        write_report(desk, ANA, 7, tmp_path / "missing" / "report.html")
    assert not (tmp_path / "missing").exists()


def test_a_full_disk_leaves_nothing_half_written_and_nothing_on_the_record(
    seeded, tmp_path, monkeypatch
):
    import errno

    import commsdesk.atomic_file as atomic_file

    def full(_fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(atomic_file.os, "fsync", full)
    folder = tmp_path / "reports"
    folder.mkdir()
    newest = seeded.desk.last_event_id()
    with pytest.raises(ReportProblem, match="No space left on device"):
        write_report(seeded.desk, MIRA, seeded.incident_id, folder / "report.html")
    assert list(folder.iterdir()) == []
    assert seeded.desk.last_event_id() == newest


def test_the_default_name_comes_from_the_title():
    assert default_name("Hot wallet drained") == "Hot wallet drained - report.pdf"
    assert default_name("P-1: funds/ETH?  gone", ".html") == "P-1 funds ETH gone - report.html"
    assert default_name("出金停止") == "出金停止 - report.pdf"
    assert default_name("///") == "incident - report.pdf"


def test_the_seeded_clock_is_what_the_record_says(seeded):
    """The figures above rest on the seeded times; the record holds them."""
    started = seeded.desk.timeline(kinds=["incident.started"], limit=1)[0]
    assert started.at.replace(tzinfo=seeded.t(0).tzinfo) == seeded.t(0)
    assert seeded.desk.incident(seeded.incident_id).closed_at - seeded.t(0) == timedelta(
        minutes=120
    )


# --- starred events, the team's zones, and the verify command on a team database -------------

TIMELINE_ROW = re.compile(
    r"^(\d+) (\d\d:\d\d:\d\d) (T[+-]\S+) (.+?) ([a-z0-9_]+\.[a-z_]+) (.+)$", re.MULTILINE
)


def first(desk, kind: str):
    return next(e for e in reversed(desk.timeline(limit=None)) if e.kind == kind)


def timeline_of(written) -> str:
    return sections(written.path.read_text(encoding="utf-8"))["timeline"]


def test_starred_only_lists_the_starred_events_and_says_which(seeded, tmp_path):
    desk = seeded.desk
    pressed, slide = first(desk, "p1.pressed"), first(desk, "broadcast.slide")
    part, started = first(desk, "post.part_posted"), first(desk, "incident.started")
    assert slide.incident_id is None and part.incident_id is None  # desk-wide, a post's
    for event in (pressed, slide, part, started):
        desk.star_event(BEN, event.id)
    desk.unstar_event(BEN, started.id)  # the newest word on it: not starred
    every = gather(desk, seeded.incident_id).events

    written = write_report(desk, MIRA, seeded.incident_id, tmp_path / "starred.html",
                           starred_only=True)  # fmt: skip
    text = timeline_of(written)
    rows = TIMELINE_ROW.findall(text)
    assert [int(row[0]) for row in rows] == [pressed.id, part.id, slide.id]
    assert [row[4] for row in rows] == ["p1.pressed", "post.part_posted", "broadcast.slide"]
    assert text.splitlines()[0] == (
        f"Timeline · The 3 events starred on the timeline, of {len(every)}"
    )
    assert started.summary not in text and "incident.started" not in text
    recorded = desk.timeline(limit=1)[0]
    assert recorded.kind == REPORT_WRITTEN and recorded.data["starred_only"] is True

    everything = timeline_of(write_report(desk, MIRA, seeded.incident_id, tmp_path / "all.html"))
    assert everything.splitlines()[0] == f"Timeline · All {len(every) + 1} events of this incident"
    assert started.id in {int(row[0]) for row in TIMELINE_ROW.findall(everything)}


def test_starred_only_with_none_starred_lists_every_event_and_says_so(seeded, tmp_path):
    desk = seeded.desk
    other = desk.start_incident(MIRA, "Another matter", Severity.P4)
    desk.star_event(MIRA, desk.timeline(incident_id=other.id, limit=1)[0].id)  # not ours
    every = gather(desk, seeded.incident_id).events
    written = write_report(desk, MIRA, seeded.incident_id, tmp_path / "none.html",
                           starred_only=True)  # fmt: skip
    text = timeline_of(written)
    assert text.splitlines()[0] == (
        "Timeline · No events were starred, so every event is listed: "
        f"all {len(every)} of them"
    )
    assert [int(row[0]) for row in TIMELINE_ROW.findall(text)] == [e.id for e in every]


def clocks(moment: datetime) -> str:
    """The team's clocks as a person would work them out: UTC, New York, Singapore, with the
    day where it is not UTC's."""
    shown = [f"{moment:%H:%M} UTC"]
    for name, label in (("America/New_York", "ET"), ("Asia/Singapore", "SGT")):
        local = moment.astimezone(ZoneInfo(name))
        day = "" if local.date() == moment.date() else f" ({local:%d %b})"
        shown.append(f"{local:%H:%M} {label}{day}")
    return " · ".join(shown)


def test_the_start_end_and_key_times_are_also_in_the_team_s_zones(seeded, tmp_path):
    zones = ["UTC", "America/New_York", "Asia/Singapore"]
    written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "zones.html",
                           audience=seeded.services.audience, zones=zones)  # fmt: skip
    text = sections(written.path.read_text(encoding="utf-8"))
    cover, key = text["cover"], text["key-times"]
    assert f"Started {seeded.t(0):%Y-%m-%d %H:%M:%S} UTC\n{clocks(seeded.t(0))}\n" in cover
    assert f"Ended {seeded.t(120):%Y-%m-%d %H:%M:%S} UTC\n{clocks(seeded.t(120))}\n" in cover
    assert ("also given in the team's zones: ET (America/New_York), SGT (Asia/Singapore)"
            in " ".join(cover.split()))  # fmt: skip
    assert "Time (UTC) In the team's zones T+ What" in key
    for minute, what in [(1, f"T+1m P-1 pressed by {BEN}"), (110, "T+1h50m Stream ended"),
                         (120, "T+2h00m Incident closed")]:  # fmt: skip
        moment = seeded.t(minute)
        assert f"{moment:%Y-%m-%d %H:%M:%S} UTC {clocks(moment)} {what}" in key, what


def test_a_team_of_utc_only_gets_utc_only(seeded, tmp_path):
    written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "utc.html",
                           zones=["UTC", "Etc/UTC", "Not/AZone"])  # fmt: skip
    text = sections(written.path.read_text(encoding="utf-8"))
    assert "team's zones" not in text["cover"] and "team's zones" not in text["key-times"]
    assert f"{seeded.t(1):%Y-%m-%d %H:%M:%S} UTC T+1m P-1 pressed by {BEN}" in text["key-times"]


def test_the_verify_command_names_a_team_database_never_its_password():
    head = TimelineHead("ab" * 32, 41, 41, datetime(2026, 11, 24, 14, 5, tzinfo=UTC))
    url = team_database("postgresql+psycopg://mira:s3cret@db.example:5433/crisis"
                        "?sslmode=verify-full&password=s3cret")  # fmt: skip
    assert url == "postgresql://mira@db.example:5433/crisis?sslmode=verify-full"
    command = verify_command(head, url)
    assert "s3cret" not in command
    assert shlex.split(command) == [
        "commsdesk", "--database", url, "timeline", "verify", "--head", head.line()]
    assert verify_command(head, team_database("postgresql://mira@db/crisis")) == (
        f'commsdesk --database postgresql://mira@db/crisis timeline verify --head "{head.line()}"'
    )
    assert team_database("sqlite:////var/desk/commsdesk.sqlite3") is None
    assert verify_command(head) == f'commsdesk timeline verify --head "{head.line()}"'
