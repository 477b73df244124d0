"""What a person sees of the Broadcast panel's scene buttons: each one shown, whole, inside the
panel, tall enough to read, reading its scene's name (after its key number; ON AIR, PROGRAM or
PREVIEW may follow)."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect

READABLE_HEIGHT = 24


def scene_name_shown(button) -> str:
    """The name a scene button reads, without its key number and mark."""
    text = button.text().split("   ")[0]
    number, _, name = text.partition("  ")
    return name if number.isdigit() else text


def assert_scene_buttons_seen(panel, names: list[str]) -> None:
    buttons = panel.scene_buttons
    assert [scene_name_shown(b) for b in buttons] == names
    for index, button in enumerate(buttons):
        assert button.isVisible(), f"{names[index]}: not shown"
        assert button.height() >= READABLE_HEIGHT, f"{names[index]}: {button.height()} px tall"
        # The whole text, number and mark included, fits: nothing of the name is cut.
        assert button.width() >= button.sizeHint().width(), (
            f"{names[index]}: {button.width()} px wide for text needing "
            f"{button.sizeHint().width()} px"
        )
        assert button.text().startswith(f"{index + 1}  {names[index]}")
        where = QRect(button.mapTo(panel, QPoint(0, 0)), button.size())
        assert panel.rect().contains(where), f"{names[index]}: {where} outside {panel.rect()}"
        # Nothing clips or covers it: all of it is on screen.
        assert button.visibleRegion().boundingRect() == button.rect(), names[index]
