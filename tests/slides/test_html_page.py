"""The browser-source page, loaded from its file by a real headless Chromium."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from commsdesk.slides.html_page import page_html, write_page
from commsdesk.slides.slide_kinds import BackAt, LowerThird, StatementSlide

COUNTDOWN = re.compile(r'<div id="countdown" data-target="(?P<target>[^"]+)"[^>]*>(?P<text>[^<]*)<')
TEAM = ("UTC", "Asia/Singapore", "America/New_York")


@pytest.fixture
def chromium() -> str:
    found = shutil.which("chromium")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed (scripts/system-packages.sh installs it)")
        pytest.skip("chromium is not installed")
    return found


def dump_dom(chromium: str, page: Path, profile: Path, virtual_ms: int) -> str:
    """The page's DOM after `virtual_ms` of the page's own (virtual) time has run."""
    done = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", f"--virtual-time-budget={virtual_ms}",
            "--dump-dom", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def seconds_left(text: str) -> int:
    match = re.fullmatch(r"back in (?:(\d+):)?(\d+):(\d\d)", text)
    assert match, text
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


def test_the_countdown_runs_on_the_page_clock(chromium, tmp_path):
    target = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=1, minutes=30)
    slide = BackAt(at=target, zones=TEAM, message="Questions live", brand="Northwind")
    page = write_page(slide, tmp_path / "pages")
    assert page == tmp_path / "pages" / "back_at.html"

    early = COUNTDOWN.search(dump_dom(chromium, page, tmp_path / "profile-1", 1_000))
    later = COUNTDOWN.search(dump_dom(chromium, page, tmp_path / "profile-2", 65_000))
    assert early and later
    assert early["target"] == target.strftime("%Y-%m-%dT%H:%M:%SZ")
    first, second = seconds_left(early["text"]), seconds_left(later["text"])
    assert early["text"].count(":") == 2  # h:mm:ss while more than an hour is left
    assert 3600 < first <= 5400
    assert first - second >= 60  # a minute of the page's clock passed between the two


def test_after_the_moment_the_page_says_back_any_moment(chromium, tmp_path):
    slide = BackAt(at=datetime.now(UTC) + timedelta(seconds=2), zones=TEAM)
    page = write_page(slide, tmp_path)
    shown = COUNTDOWN.search(dump_dom(chromium, page, tmp_path / "profile", 5_000))
    assert shown and shown["text"] == "back any moment"


def test_a_long_statement_is_shrunk_by_the_page_to_its_box(chromium, tmp_path):
    paragraph = "Client funds in cold storage are safe and were never at risk. " * 6
    slide = StatementSlide(text="\n\n".join([paragraph] * 5), author="Jane Doe")
    page = write_page(slide, tmp_path)
    dom = dump_dom(chromium, page, tmp_path / "profile", 500)
    zoom = re.search(r'id="content-inner" style="zoom: (?P<zoom>[0-9.]+);?"', dom)
    assert zoom and 0.1 < float(zoom["zoom"]) < 1.0
    assert "countdown" not in dom.split("<script>")[0].split("</style>")[1]  # only Back at has one


def test_the_page_loads_the_shipped_fonts_and_keeps_the_lower_third_transparent(tmp_path):
    html = page_html(LowerThird(name="Jane <Doe>", title="CEO"))
    assert "Jane &lt;Doe&gt;" in html  # values are escaped
    assert "background: transparent;" in html
    urls = re.findall(r'url\("(file://[^"]+)"\)', html)
    assert len(urls) == 6  # Noto Sans, its bold, Arabic and bold, CJK, colour emoji
    for url in urls:
        assert Path(url.removeprefix("file://")).is_file(), url


def saturated_pixels(chromium: str, page: Path, profile: Path) -> int:
    """Pixels of strong colour in Chromium's picture of the page (text and background are not)."""
    from PySide6.QtGui import QImage

    shot = profile.with_suffix(".png")
    done = subprocess.run(
        [
            chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1920,1080",
            "--virtual-time-budget=1000", f"--screenshot={shot}", page.as_uri(),
        ],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    image = QImage(str(shot)).scaled(480, 270)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            colour = image.pixelColor(x, y)
            count += colour.hsvSaturation() > 150 and colour.value() > 120
    return count


def test_emoji_on_the_page_are_drawn_in_colour(chromium, tmp_path, qapp):
    """This machine has no emoji font of its own: colour comes from the shipped one."""
    words = "Funds are safe {0} withdrawals reopen at 18:30 {0}"
    with_emoji = write_page(StatementSlide(text=words.format("🔒🔒🔒 ✅✅✅")), tmp_path / "a")
    plain = write_page(StatementSlide(text=words.format("ABC DEF")), tmp_path / "b")
    coloured = saturated_pixels(chromium, with_emoji, tmp_path / "profile-a")
    baseline = saturated_pixels(chromium, plain, tmp_path / "profile-b")
    assert coloured > baseline + 200, (coloured, baseline)
