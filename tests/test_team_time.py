from datetime import UTC, datetime

from commsdesk.team_time import in_zones

MOMENT = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)


def test_one_moment_in_each_zone_of_the_team():
    assert in_zones(MOMENT, ["UTC", "Asia/Singapore", "America/New_York"]) == (
        "24 Nov 18:30 UTC · 02:30 +08 · 13:30 EST"
    )


def test_unknown_zones_are_skipped_and_utc_is_the_fallback():
    assert in_zones(MOMENT, ["Mars/Olympus", "Asia/Tokyo"]) == "24 Nov 03:30 JST"
    assert in_zones(MOMENT, ["Not/AZone"]) == "24 Nov 18:30 UTC"
