"""`commsdesk audience replay` and `add-count`, run as a real process on CSV files written to
disk and on a desk's database."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

from commsdesk.audience.demo_curve import demo_audience_csv, demo_total
from commsdesk.audience.series import Sample
from commsdesk.audience.store import AudienceStore
from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity
from tests.support.cli import commsdesk

ASSETS = Path(__file__).resolve().parents[2] / "assets"


replay = partial(commsdesk, "audience", "replay")


def test_the_demo_curve_gives_one_suggestion_to_end_as_json(tmp_path):
    path = tmp_path / "demo.csv"
    path.write_text(demo_audience_csv(), encoding="utf-8")
    out = replay(str(path), "--advise", "--json")
    assert out.returncode == 0, out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [line["kind"] for line in lines] == ["suggest_end"]
    assert set(lines[0]) == {"at", "kind", "message"}
    assert 110 * 60 <= lines[0]["at"] <= 125 * 60
    assert " watching = " in lines[0]["message"] and "peak at 0:00 in" in lines[0]["message"]
    assert out.stderr == ""


def test_the_shipped_demo_file_is_the_generated_curve():
    assert (ASSETS / "demo_audience.csv").read_text(encoding="utf-8") == demo_audience_csv()


def test_iso_times_bad_rows_on_stderr_and_every_kind_of_advice(tmp_path):
    start = datetime(2026, 11, 26, 13, 0, tzinfo=UTC)
    lines = ["time,viewers"]
    minute = 60
    for t in range(0, 175 * minute, 10):
        if t < 125 * minute:
            value = demo_total(t)  # the case: advice at about 2 h
        elif t < 140 * minute:
            value = 12_000.0  # people come back: the advice is withdrawn
        elif t < 150 * minute:
            value = 12_000 - 900 * (t - 140 * minute) / minute  # a slow slide back to 3,000
        elif t < 170 * minute:
            value = 3_000.0  # low and flat: advised again
        else:
            value = 1_000.0  # from 3,000 to 1,000 at once: a sudden drop
        lines.append(f"{(start + timedelta(seconds=t)).isoformat()},{round(value)}")
    lines.insert(5, "2026-11-26T13:00:41Z,lots")
    lines.insert(9, "not a time,5")
    path = tmp_path / "day.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = replay(str(path), "--advise", "--json")
    assert out.returncode == 0, out.stderr
    advice = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["kind"] for a in advice] == [
        "suggest_end", "withdrawn", "suggest_end", "sudden_drop",
    ]
    assert "peak at 13:00" in advice[0]["message"]  # clock time of an ISO file, in UTC
    assert advice[0]["at"] < 125 * minute <= advice[1]["at"] < 128 * minute
    assert 155 * minute < advice[2]["at"] < 170 * minute
    assert advice[3]["at"] == 170 * minute
    assert f"{path} line 6: 'lots' is not a viewer count" in out.stderr
    assert f"{path} line 10: time 'not a time' is neither ISO 8601 nor seconds" in out.stderr

    text = replay(str(path), "--advise")
    assert text.returncode == 0
    assert text.stdout.splitlines()[0].split()[2] == "suggest_end"


def test_summary_without_advise_and_failures(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("0,100,youtube\n5,50,twitch\n10,120,youtube\n", encoding="utf-8")
    out = replay(str(path))
    assert out.returncode == 0
    assert out.stdout.startswith("3 samples from youtube, twitch over 0 min; peak 170")
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("time,viewers\nx,y\n", encoding="utf-8")
    bad = replay(str(nothing), "--advise")
    assert bad.returncode == 1 and "no usable rows" in bad.stderr
    missing = replay(str(tmp_path / "absent.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    latin1 = tmp_path / "latin1.csv"
    latin1.write_bytes("time,viewers\n0,100\n5,120 café\n".encode("latin-1"))
    garbled = replay(str(latin1))
    assert garbled.returncode == 2 and "not UTF-8 text: bad bytes on line 3" in garbled.stderr


def test_a_count_read_off_a_platform_is_stored_like_the_panels_manual_entry(isolated_dirs):
    desk = Desk.open(isolated_dirs)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    store = AudienceStore(desk)
    store.add_source("Ana", "manual", "Kick")
    store.add_source("Ana", "manual", "Rumble", enabled=False)
    desk.close()

    add_count = partial(commsdesk, "audience", "add-count")
    done = add_count("2,410", "--platform", "kick")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Kick: 2,410 viewers at ")
    negative = add_count("-5", "--platform", "Kick")
    assert negative.returncode == 1
    assert negative.stderr == "commsdesk: -5 viewers is below zero: a count is 0 or more.\n"
    absurd = add_count("99999999999999999999", "--platform", "Kick")
    assert absurd.returncode == 1
    assert absurd.stderr == (
        "commsdesk: a 20-digit number of viewers is more than Kick plausibly has (at most "
        "5,000,000); check the number.\n"
    )
    fraction = add_count("2410.5", "--platform", "Kick")
    assert fraction.returncode == 1
    assert fraction.stderr == "commsdesk: 2410.5 is not a whole number of viewers.\n"
    for platform in ("Rumble", "YouTube"):
        unknown = add_count("100", "--platform", platform)
        assert unknown.returncode == 1
        assert "manual sources: Kick" in unknown.stderr

    desk = Desk.open(isolated_dirs)
    try:
        store = AudienceStore(desk)
        assert store.sample_count() == 1
        _, totals = store.load_series(incident_id=incident.id).total()
        assert totals.tolist() == [2410.0]
    finally:
        desk.close()


def test_a_wrong_number_is_struck_from_the_record_with_who_and_why(isolated_dirs):
    """`audience samples` names the ids; `audience strike` runs the store's use case: the
    sample stays stored, leaves the total and the peak, and the timeline says who and why."""
    desk = Desk.open(isolated_dirs)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    store = AudienceStore(desk)
    store.add_source("Ana", "manual", "Kick")
    now = datetime.now(UTC).timestamp()
    store.append_samples(
        [Sample(now - 30, "Kick", 2_400), Sample(now - 20, "Kick", 4_900_000),
         Sample(now - 10, "Kick", 2_450)],
        incident_id=incident.id,
    )  # fmt: skip
    desk.close()

    listed = commsdesk("audience", "samples", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [r["viewers"] for r in rows] == [2_450, 4_900_000, 2_400]  # newest first
    wrong = rows[1]["id"]
    refused = commsdesk("audience", "strike", str(wrong), "--reason", " ")
    assert refused.returncode == 1 and "Say why" in refused.stderr
    done = commsdesk("--as", "Sam Okafor", "audience", "strike", str(wrong), "--reason",
                     "typed 4,900,000 for 4,900", "--json")
    assert done.returncode == 0, done.stderr
    struck = json.loads(done.stdout)
    assert struck["sample_id"] == wrong and struck["viewers"] == 4_900_000
    assert struck["actor"] == "Sam Okafor" and struck["reason"] == "typed 4,900,000 for 4,900"
    again = commsdesk("audience", "strike", str(wrong), "--reason", "twice")
    assert again.returncode == 1 and "already struck by Sam Okafor" in again.stderr
    assert commsdesk("audience", "strike", "999999", "--reason", "x").returncode == 1
    text = commsdesk("audience", "samples", "--numbers").stdout.splitlines()
    assert text[1].startswith(f"#{wrong} ") and text[1].endswith("Kick: 4,900,000  STRUCK")

    desk = Desk.open(isolated_dirs)
    try:
        series = AudienceStore(desk).load_series(incident_id=incident.id)
        assert series.values("Kick").tolist() == [2_400, 2_450]  # out of the line...
        assert series.peak() == (now - 10, 2_450)  # ...and of the peak
        assert series.flags("Kick") == [(now - 20, 4_900_000, "struck")]
        (event,) = desk.timeline(kinds=["audience.sample_struck"])
        assert event.actor == "Sam Okafor" and event.incident_id == incident.id
        assert event.data["sample_id"] == wrong and "typed 4,900,000 for 4,900" in event.summary
        assert AudienceStore(desk).sample_count() == 3  # the sample itself stays on record
        assert desk.verify_timeline().intact
    finally:
        desk.close()
