"""Emoji are drawn in colour, on the slides and in the statement editor, from the shipped Noto
Color Emoji (never an empty box in the text colour)."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QFont, QFontMetrics, QImage

from commsdesk.slides.render import EMOJI_FAMILY, FONTS_DIR, register_emoji_font, render_slide
from commsdesk.slides.slide_kinds import StatementSlide

SIREN = "\N{POLICE CARS REVOLVING LIGHT}"  # a red dome on a grey base


def pixels(image: QImage) -> np.ndarray:
    converted = image.convertToFormat(QImage.Format.Format_RGBA8888)
    data = np.frombuffer(converted.constBits(), dtype=np.uint8)
    rows = data.reshape(converted.height(), converted.bytesPerLine())
    return rows[:, : converted.width() * 4].reshape(converted.height(), converted.width(), 4)[
        ..., :3
    ].astype(int).copy()


def emoji_box(rgb: np.ndarray, least_red: int) -> np.ndarray:
    """The pixels inside the box around the siren's red (none of the desk's text is red)."""
    red = (rgb[..., 0] > 150) & (rgb[..., 1] < 90) & (rgb[..., 2] < 90)
    assert red.sum() >= least_red, "no red drawn: the emoji is missing or a box in the text colour"
    ys, xs = np.nonzero(red)
    return rgb[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]


def assert_colour_emoji(box: np.ndarray, least: int, shades: int) -> None:
    height, width, _ = box.shape
    assert height >= least and width >= least, (height, width)
    colours = {tuple(p) for p in box.reshape(-1, 3)}
    assert len(colours) >= shades, "one flat colour: a box, not a drawing"
    red = (box[..., 0] > 150) & (box[..., 1] < 90)
    light = box.min(axis=2) > 170  # the dome's highlights
    assert red.mean() > 0.15 and light.any()


def test_shipped_with_its_licence():
    assert (FONTS_DIR / "NotoColorEmoji.ttf").stat().st_size > 1_000_000
    licence = (FONTS_DIR / "LICENSE-OFL-1.1-NotoColorEmoji.txt").read_text(encoding="utf-8")
    assert "SIL Open Font License" in licence and "Noto Color Emoji" in licence


def test_a_slide_draws_an_emoji_in_colour(qapp):
    rendered = render_slide(StatementSlide(text=f"Withdrawals are open again {SIREN}"))
    assert rendered.warnings == []
    assert_colour_emoji(emoji_box(pixels(rendered.image), 300), least=30, shades=100)


def test_the_statement_editor_draws_an_emoji_in_colour(harness):
    assert register_emoji_font()
    editor = harness.window.statements.editor
    assert EMOJI_FAMILY in editor.body.font().families()
    harness.window.resize(1280, 720)
    harness.window.show()
    harness.qtbot.waitExposed(harness.window)
    body_font = editor.body.font()
    latin = QFont(body_font)
    latin.setFamilies(body_font.families()[:1])
    words = "We are 1:1 - 24/7"  # spaces and digits from the text's own font, not the emoji's
    width = QFontMetrics(body_font).horizontalAdvance(words)
    assert width == QFontMetrics(latin).horizontalAdvance(words)
    editor.body.setEnabled(True)
    editor.body.setPlainText(f"{SIREN} Withdrawals")
    harness.qtbot.wait(50)
    box = emoji_box(pixels(editor.body.viewport().grab().toImage()), 20)
    assert_colour_emoji(box, least=6, shades=20)
