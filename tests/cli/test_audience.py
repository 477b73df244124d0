"""`commsdesk audience replay`, run as a real process on CSV files written to disk."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from commsdesk.audience.demo_curve import demo_audience_csv, demo_total

ASSETS = Path(__file__).resolve().parents[2] / "assets"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "commsdesk", "audience", "replay", *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_demo_curve_gives_one_suggestion_to_end_as_json(tmp_path):
    path = tmp_path / "demo.csv"
    path.write_text(demo_audience_csv(), encoding="utf-8")
    out = run(str(path), "--advise", "--json")
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
    out = run(str(path), "--advise", "--json")
    assert out.returncode == 0, out.stderr
    advice = [json.loads(line) for line in out.stdout.splitlines()]
    assert [a["kind"] for a in advice] == [
        "suggest_end", "withdrawn", "suggest_end", "sudden_drop",
    ]
    assert "peak at 13:00" in advice[0]["message"]  # clock time of an ISO file, in UTC
    assert advice[0]["at"] < 125 * minute <= advice[1]["at"] < 128 * minute
    assert 155 * minute < advice[2]["at"] < 170 * minute
    assert advice[3]["at"] == 170 * minute
    assert f"{path} line 6: viewers 'lots' is not a number" in out.stderr
    assert f"{path} line 10: time 'not a time' is neither ISO 8601 nor seconds" in out.stderr

    text = run(str(path), "--advise")
    assert text.returncode == 0
    assert text.stdout.splitlines()[0].split()[2] == "suggest_end"


def test_summary_without_advise_and_failures(tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("0,100,youtube\n5,50,twitch\n10,120,youtube\n", encoding="utf-8")
    out = run(str(path))
    assert out.returncode == 0
    assert out.stdout.startswith("3 samples from youtube, twitch over 0 min; peak 170")
    nothing = tmp_path / "nothing.csv"
    nothing.write_text("time,viewers\nx,y\n", encoding="utf-8")
    bad = run(str(nothing), "--advise")
    assert bad.returncode == 1 and "no usable rows" in bad.stderr
    missing = run(str(tmp_path / "absent.csv"))
    assert missing.returncode == 2 and "cannot read" in missing.stderr
