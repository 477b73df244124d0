"""Slides drawn by Qt onto 1920×1080 images, looked at pixel by pixel."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from commsdesk.slides.render import (
    FONT_FILES,
    FONTS_DIR,
    new_document,
    register_fonts,
    render_slide,
)
from commsdesk.slides.slide_kinds import (
    LAYOUTS,
    BackAt,
    LowerThird,
    SlideKind,
    Standby,
    StatementSlide,
)
from commsdesk.slides.templates import BUILTIN_DIR, parse_color, render_html
from commsdesk.statements.templates import TemplateProblem

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 24, 18, 17, 56, tzinfo=UTC)
TEAM = ("UTC", "Asia/Singapore", "America/New_York")
BACKGROUND = parse_color("#0b1320")
PARAGRAPH = (
    "We have confirmed that one of our Ethereum hot wallets was accessed without authorisation "
    "at 14:02 UTC. Client funds in cold storage are safe and were never at risk. We are covering "
    "the full loss from our company treasury, and withdrawals stay paused until every hot "
    "wallet has been re-keyed and checked by an outside firm."
)


def rgba(image) -> np.ndarray:
    """The image as a height × width × 4 array of straight (not premultiplied) RGBA."""
    from PySide6.QtGui import QImage

    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = np.frombuffer(converted.constBits(), dtype=np.uint8)
    rows = data.reshape(converted.height(), converted.bytesPerLine())
    # A copy while `converted` still holds the memory the buffer points into.
    return rows[:, : converted.width() * 4].reshape(converted.height(), converted.width(), 4).copy()


def not_background(pixels: np.ndarray, background=BACKGROUND) -> np.ndarray:
    """Where a pixel differs from the background by more than rounding."""
    return np.abs(pixels.astype(int) - np.array(background)).max(axis=-1) > 2


def families_drawing(document) -> dict[str, set[str]]:
    """For each laid-out run of glyphs: its text -> the font families Qt drew it with."""
    drawn: dict[str, set[str]] = {}
    document.size()  # lays the document out
    block = document.begin()
    while block.isValid():
        layout = block.layout()
        for index in range(layout.lineCount()):
            for run in layout.lineAt(index).glyphRuns():
                drawn.setdefault(block.text().strip(), set()).add(run.rawFont().familyName())
        block = block.next()
    return drawn


def test_every_kind_is_a_1920_by_1080_png(qapp, tmp_path):
    from PySide6.QtGui import QImage

    slides = [
        BackAt(at=NOW + timedelta(minutes=12), zones=TEAM, brand="Northwind"),
        Standby(),
        StatementSlide(text=PARAGRAPH, author="Jane Doe, CEO", posted_at=NOW, zones=TEAM),
        LowerThird(name="Jane Doe", title="Chief Executive Officer"),
    ]
    for slide in slides:
        rendered = render_slide(slide, now=NOW)
        data = rendered.png()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        decoded = QImage.fromData(data, "PNG")
        assert (decoded.width(), decoded.height()) == (1920, 1080), slide.kind
        assert rendered.warnings == []
        inside = not_background(rgba(decoded), parse_color("#00000000")
                                if slide.kind is SlideKind.LOWER_THIRD else BACKGROUND)
        assert inside.sum() > 2000, f"{slide.kind} drew no text"
        path = rendered.save(tmp_path / f"{slide.kind.value}.png")
        assert path.read_bytes() == data


def test_a_long_statement_shrinks_to_fit_inside_its_margins(qapp):
    thread = "\n---\n".join([PARAGRAPH, PARAGRAPH, PARAGRAPH, PARAGRAPH])  # four long parts
    assert len(thread) > 4 * 280
    slide = StatementSlide(text=thread, author="Jane Doe, CEO", posted_at=NOW, zones=TEAM,
                           brand="Northwind Exchange")
    rendered = render_slide(slide, now=NOW)
    assert 0.25 < rendered.scale < 1.0  # it had to shrink, and could
    assert rendered.warnings == []
    ink = not_background(rgba(rendered.image))
    x, y, w, h = LAYOUTS[SlideKind.STATEMENT].content
    assert ink[y : y + h, x : x + w].sum() > 20_000  # the text is there...
    outside = ink.copy()
    outside[y : y + h, x : x + w] = False
    assert not outside.any()  # ...and nothing touches the margins
    # The last paragraph and the signature are drawn: ink in the box's lower part.
    assert ink[y + h // 2 : y + h, x : x + w].any()


def test_a_statement_of_280_characters_fits_at_a_readable_size(qapp):
    text = (PARAGRAPH * 2)[:300]
    rendered = render_slide(StatementSlide(text=text, author="Jane Doe"), now=NOW)
    assert rendered.scale > 0.6
    ink = not_background(rgba(rendered.image))
    x, y, w, h = LAYOUTS[SlideKind.STATEMENT].content
    ink[y : y + h, x : x + w] = False
    assert not ink.any()


def test_an_unbreakable_word_never_overflows_the_width(qapp):
    rendered = render_slide(StatementSlide(text="0x" + "ab12" * 120), now=NOW)
    ink = not_background(rgba(rendered.image))
    x, y, w, h = LAYOUTS[SlideKind.STATEMENT].content
    ink[y : y + h, x : x + w] = False
    assert not ink.any()


def test_back_at_leaves_its_countdown_box_clear_and_can_preview_it(qapp):
    slide = BackAt(at=NOW + timedelta(minutes=12, seconds=4), zones=TEAM, brand="Northwind",
                   message="Our CEO will take your questions live.")
    rendered = render_slide(slide, now=NOW)
    x, y, w, h = rendered.countdown_box
    assert (rendered.countdown_px, rendered.countdown_color) == (72, "#f2b544")
    ink = not_background(rgba(rendered.image))
    assert not ink[y : y + h, x : x + w].any()
    assert ink[:y].sum() > 10_000  # the time and the zones above it
    preview = render_slide(slide, now=NOW, countdown="back in 12:04")
    assert not_background(rgba(preview.image))[y : y + h, x : x + w].sum() > 1000


def test_the_lower_third_is_transparent_except_its_band_in_the_bottom_third(qapp):
    slide = LowerThird(name="Jane Doe", title="Chief Executive Officer", brand="Northwind")
    rendered = render_slide(slide, now=NOW)
    assert rendered.scale == 1.0
    alpha = rgba(rendered.image)[..., 3]
    assert not alpha[: 1080 * 2 // 3].any()  # the camera shows through the top two thirds
    band = alpha[1080 * 2 // 3 :] > 200
    assert band.sum() > 50_000
    rows = np.nonzero(band.any(axis=1))[0] + 1080 * 2 // 3
    assert rows.max() < 1080 - 40  # clear of the frame's bottom edge


def test_chinese_and_arabic_are_drawn_with_the_shipped_fonts(qapp):
    assert register_fonts() == []
    html = render_html(
        SlideKind.STATEMENT.template,
        StatementSlide(text="冷钱包资金安全\n\nأموال العملاء آمنة").variables(NOW),
    )
    document = new_document(html.html, 1600)
    drawn = families_drawing(document)
    assert drawn["冷钱包资金安全"] == {"Droid Sans Fallback"}
    assert drawn["أموال العملاء آمنة"] >= {"Noto Sans Arabic"}
    assert "Droid Sans Fallback" not in drawn["أموال العملاء آمنة"]


SCRIPT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from commsdesk.slides.slide_kinds import LowerThird
    from commsdesk.slides.render import ensure_gui_application, render_slide, slide_families

    ensure_gui_application()
    rendered = render_slide(LowerThird(name=sys.argv[2]), fonts_dir=Path(sys.argv[3]))
    rendered.save(sys.argv[1])
    print(json.dumps({"warnings": rendered.warnings, "families": slide_families()}))
    """
)


def render_without_system_fonts(tmp_path: Path, text: str, fonts_dir: Path):
    """Render in a process whose fontconfig knows no font at all: only what the desk registers
    itself can draw."""
    from PySide6.QtGui import QImage

    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    out = tmp_path / "slide.png"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "FONTCONFIG_FILE": str(config),
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(out), text, str(fonts_dir)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1]), QImage(str(out))


def band_ink(image) -> int:
    """Text pixels on the lower third's band: bright pixels (the band itself is dark)."""
    pixels = rgba(image)[1080 * 2 // 3 :]
    return int((pixels[..., :3].min(axis=-1) > 150).sum())


def test_with_no_system_fonts_the_shipped_ones_still_draw_chinese(qapp, tmp_path):
    report, image = render_without_system_fonts(tmp_path, "冷钱包资金安全", FONTS_DIR)
    assert report == {
        "warnings": [],
        "families": ["Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback", "Noto Color Emoji"],
    }
    assert band_ink(image) > 1500  # seven glyphs at 68 px, not empty boxes


def test_a_missing_font_is_a_warning_and_the_slide_still_renders(qapp, tmp_path):
    fonts = tmp_path / "fonts"
    fonts.mkdir()
    for name in FONT_FILES:
        if name != "DroidSansFallbackFull.ttf":
            shutil.copy(FONTS_DIR / name, fonts / name)
    report, image = render_without_system_fonts(tmp_path, "Jane Doe", fonts)
    assert len(report["warnings"]) == 1
    assert "DroidSansFallbackFull.ttf" in report["warnings"][0]
    assert "Droid Sans Fallback" not in report["families"]
    assert (image.width(), image.height()) == (1920, 1080)
    assert band_ink(image) > 1500

    # In this process too: a folder without fonts warns, and the system font draws.
    rendered = render_slide(Standby(), now=NOW, fonts_dir=tmp_path / "empty")
    assert len(rendered.warnings) == 1 and "missing" in rendered.warnings[0]
    assert not_background(rgba(rendered.image)).sum() > 2000


def test_a_typo_in_a_team_template_names_the_line_and_the_name(qapp, tmp_path):
    source = (BUILTIN_DIR / "back_at.html.j2").read_text(encoding="utf-8")
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "{{ time }}" in text)
    (tmp_path / "back_at.html.j2").write_text(source.replace("{{ time }}", "{{ tme }}"))
    slide = BackAt(at=NOW + timedelta(minutes=5))
    with pytest.raises(TemplateProblem) as problem:
        render_slide(slide, now=NOW, slides_dir=tmp_path)
    assert (problem.value.line, problem.value.name) == (line, "tme")
    assert str(problem.value).startswith(f"Line {line}: 'tme' is not defined in back_at.html.j2")
    assert "time" in str(problem.value)  # lists what the slide gives

    (tmp_path / "back_at.html.j2").write_text("<p>\n{% if message %}\n{{ message }}\n")
    with pytest.raises(TemplateProblem, match=r"^Line 3: syntax error in back_at.html.j2"):
        render_slide(slide, now=NOW, slides_dir=tmp_path)


def test_the_team_folder_comes_first_and_sets_the_colours(qapp, tmp_path):
    (tmp_path / "standby.html.j2").write_text(
        '{% set background = "#ff0000" %}<p align="center" style="font-size:{{ px(80) }}px; '
        'color:#ffffff">{{ headline }}</p>',
        encoding="utf-8",
    )
    rendered = render_slide(Standby(headline="Hold on"), now=NOW, slides_dir=tmp_path)
    assert tuple(rgba(rendered.image)[5, 5]) == (255, 0, 0, 255)
    builtin = render_slide(Standby(), now=NOW, slides_dir=tmp_path / "not-there")
    assert tuple(rgba(builtin.image)[5, 5]) == BACKGROUND


def test_rendering_in_a_worker_thread_gives_the_same_image(qapp):
    slide = StatementSlide(text=PARAGRAPH + "\n\n冷钱包资金安全", author="Jane Doe")
    here = render_slide(slide, now=NOW)
    there = {}
    worker = threading.Thread(target=lambda: there.update(image=render_slide(slide, now=NOW)))
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert np.array_equal(rgba(there["image"].image), rgba(here.image))
