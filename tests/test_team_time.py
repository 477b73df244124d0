from datetime import UTC, datetime

from commsdesk.team_time import in_zones

MOMENT = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def test_one_moment_in_each_zone_of_the_team():
    assert in_zones(MOMENT, ["UTC", "Asia/Singapore", "America/New_York"]) == (
        "24 Nov 18:30 UTC · 02:30 SGT · 13:30 EST"
    )


def test_unknown_zones_are_skipped_and_utc_is_the_fallback():
    assert in_zones(MOMENT, ["Mars/Olympus", "Asia/Tokyo"]) == "24 Nov 03:30 JST"
    assert in_zones(MOMENT, ["Not/AZone"]) == "24 Nov 18:30 UTC"
    assert in_zones(MOMENT, ["Asia/Tbilisi"]) == "24 Nov 22:30 Tbilisi"  # its abbreviation: "+04"


def test_a_report_s_clock_puts_utc_first_and_says_a_zone_s_other_day():
    from commsdesk.team_time import clock_beside_utc, zones_besides_utc

    team = ["UTC", "America/New_York", "Asia/Singapore", "Etc/UTC", "Not/AZone"]
    assert zones_besides_utc(team) == ["America/New_York", "Asia/Singapore"]
    assert clock_beside_utc(MOMENT, team) == "18:30 UTC · 13:30 ET · 02:30 SGT (25 Nov)"
    assert clock_beside_utc(MOMENT, ["UTC", "GMT"]) == "18:30 UTC"
