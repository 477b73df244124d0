"""The window's five panels in docks, and a window that fits the screen it is on.

The docks are made before the first paint (empty) and laid out after it. The default layout puts
Statements on the left and tabs the other four on the right, sized in proportion to the window,
so it fits any screen from 1280×720 up; a remembered layout is restored over it.
"""

from __future__ import annotations

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QRect
from PySide6.QtWidgets import QDockWidget, QMainWindow, QWidget

PANELS = (
    ("statements", "Statements"),
    ("broadcast", "Broadcast"),
    ("audience", "Audience"),
    ("schedule", "Schedule"),
    ("timeline", "Timeline"),
)
PREFERRED_SIZE = (1440, 900)  # a first run on a screen with room for it
FRAME_ALLOWANCE = (16, 48)  # room for the window manager's frame before the frame is known
RIGHT_SHARE = 0.32  # of the window's width, for the tabbed docks on the right


def largest_size(available: QRect) -> tuple[int, int]:
    """The largest window whose frame still fits a screen's free area `available`."""
    return available.width() - FRAME_ALLOWANCE[0], available.height() - FRAME_ALLOWANCE[1]


def first_size(available: QRect) -> tuple[int, int]:
    """The size a window opens at on a screen whose free area is `available`: the preferred
    size, or less so that the window and its frame fit."""
    width, height = largest_size(available)
    return min(PREFERRED_SIZE[0], width), min(PREFERRED_SIZE[1], height)


def keep_on_screen(window: QWidget) -> None:
    """Shrink and move the window so that it and its frame lie inside the screen's free area."""
    screen = window.screen()
    if screen is None:
        return
    available = screen.availableGeometry()
    frame = window.frameGeometry()
    extra_w = frame.width() - window.width()
    extra_h = frame.height() - window.height()
    width = min(window.width(), available.width() - extra_w)
    height = min(window.height(), available.height() - extra_h)
    if (width, height) != (window.width(), window.height()):
        window.resize(width, height)
    frame = window.frameGeometry()
    x = min(max(frame.x(), available.left()), available.right() + 1 - frame.width())
    y = min(max(frame.y(), available.top()), available.bottom() + 1 - frame.height())
    if (x, y) != (frame.x(), frame.y()):
        window.move(x, y)


def focus_first_in(widget: QWidget) -> None:
    """Give the keyboard to the first widget in `widget` that takes it by Tab (or to `widget`
    itself when none does, so the panel's own keys work)."""
    Qt = QtCore.Qt  # noqa: N806 - resolved after the first paint
    candidate = widget.nextInFocusChain()
    while candidate is not None and candidate is not widget:
        if (
            widget.isAncestorOf(candidate)
            and candidate.isVisibleTo(widget)
            and candidate.isEnabled()
            and candidate.focusPolicy() & Qt.FocusPolicy.TabFocus
        ):
            candidate.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        candidate = candidate.nextInFocusChain()
    widget.setFocus(Qt.FocusReason.ShortcutFocusReason)


class PanelDocks:
    """The docks of one window, in PANELS order."""

    def __init__(self, window: QMainWindow) -> None:
        self.window = window
        self.docks: list[QDockWidget] = []
        self.default_state: QByteArray | None = None  # set once the docks are laid out
        for key, title in PANELS:
            dock = QDockWidget(title)
            dock.setObjectName(f"dock-{key}")
            dock.setFeatures(
                QDockWidget.DockWidgetFeature.DockWidgetMovable
                | QDockWidget.DockWidgetFeature.DockWidgetFloatable
                | QDockWidget.DockWidgetFeature.DockWidgetClosable
            )
            self.docks.append(dock)

    def lay_out(self, remembered: str | None) -> None:
        """The default layout, kept for Reset layout; then the remembered one (base64), if any."""
        for dock in self.docks:
            dock.setParent(self.window)
        self._default_layout()
        self.default_state = self.window.saveState()
        if remembered:
            self.window.restoreState(QByteArray.fromBase64(remembered.encode()))

    def _default_layout(self) -> None:
        Qt = QtCore.Qt  # noqa: N806
        window, docks = self.window, self.docks
        window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, docks[0])
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, docks[4])
        for dock in docks[1:4]:
            window.tabifyDockWidget(docks[4], dock)
        docks[4].raise_()
        self._share_width()

    def _share_width(self) -> None:
        Qt = QtCore.Qt  # noqa: N806
        right = round(self.window.width() * RIGHT_SHARE)
        self.window.resizeDocks(
            [self.docks[0], self.docks[4]], [self.window.width() - right, right],
            Qt.Orientation.Horizontal,
        )

    def reset(self) -> None:
        """Every panel back in its default place, and the window inside the screen it is on."""
        if self.default_state is None:  # the docks are not laid out yet
            return
        from PySide6.QtWidgets import QApplication

        focus = QApplication.focusWidget()
        keep_on_screen(self.window)
        for dock in self.docks:
            dock.setFloating(False)
        self.window.restoreState(self.default_state)
        for dock in self.docks:
            dock.show()
        self.docks[4].raise_()
        self._share_width()
        if focus is not None and focus.isVisible() and self.window.isAncestorOf(focus):
            focus.setFocus()  # docks moved back put the keyboard nowhere
        else:
            focus_first_in(self.docks[0].widget() or self.docks[0])

    def show_panel(self, index: int) -> QDockWidget:
        """Show the panel (undocked or tabbed behind another alike), in front, with the keyboard
        in it. Never hides it: the panel's own close button does that."""
        dock = self.docks[index]
        dock.show()
        dock.raise_()
        if dock.isFloating():
            dock.activateWindow()
        if dock.widget() is not None:
            focus_first_in(dock.widget())
        return dock

    def state(self) -> str | None:
        """The layout to remember (base64), or None before the docks were laid out."""
        if self.default_state is None:
            return None
        return bytes(self.window.saveState().toBase64()).decode()
