"""Steady labels: a new text that fits changes only pixels, never the panel's layout."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from commsdesk.ui.steady import make_steady, set_steady_text


class LayoutRequests(QObject):
    def __init__(self, widget: QWidget) -> None:
        super().__init__()
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, _watched, event) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def panel_with(qtbot, label: QLabel) -> QWidget:
    panel = QWidget()
    outer = QVBoxLayout(panel)
    row = QHBoxLayout()
    row.addWidget(label)
    row.addStretch(1)
    outer.addLayout(row)
    outer.addWidget(QLabel("something else on the panel"))
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_a_number_that_fits_does_not_lay_the_panel_out_again(qtbot):
    label = make_steady(QLabel("Kick: waiting"), "Kick: 888,888 viewers")
    panel = panel_with(qtbot, label)
    qtbot.wait(20)
    requests = LayoutRequests(panel)
    width = label.width()
    for text in ("Kick: 9,800 viewers", "Kick: 10,200 viewers", "Kick: offline", "Kick: 3 viewers"):
        set_steady_text(label, text)
        qtbot.wait(5)
        assert label.text() == text
    assert requests.count == 0 and label.width() == width
    # The same texts in an ordinary label: each new size lays the panel out again.
    plain = QLabel("Kick: waiting")
    other = panel_with(qtbot, plain)
    qtbot.wait(20)
    plain_requests = LayoutRequests(other)
    for text in ("Kick: 9,800 viewers", "Kick: 10,200 viewers", "Kick: offline"):
        plain.setText(text)
        qtbot.wait(5)
    assert plain_requests.count >= 3


def test_a_longer_text_than_ever_widens_the_label_once(qtbot):
    label = make_steady(QLabel("YouTube: waiting"), "YouTube: 888,888 viewers")
    panel = panel_with(qtbot, label)
    width = label.width()
    set_steady_text(label, "YouTube: credentials refused by the platform (403)")
    assert label.width() > width and label.width() >= label.sizeHint().width()
    widened = label.width()
    set_steady_text(label, "YouTube: 2,410 viewers")
    assert label.width() == widened  # it never shrinks back
    assert label.parent() is panel
