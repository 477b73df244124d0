"""The timeline panel's Verify button on a record cut behind the desk's back."""

from __future__ import annotations

import sqlite3
from contextlib import closing

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity


def test_verify_shows_a_cut_end(harness, monkeypatch):
    h = harness
    h.bridge.act(Desk.start_incident, title="Cold-wallet breach", severity=Severity.P1)
    h.idle()
    with closing(sqlite3.connect(h.data_dir / "commsdesk.sqlite3")) as db:
        db.execute("DELETE FROM timeline_events")
        db.commit()
    warnings = []
    monkeypatch.setattr(
        "commsdesk.timeline.ui.timeline_panel.QMessageBox.warning",
        lambda parent, title, text: warnings.append((title, text)),
    )
    h.window.resize(1280, 720)
    h.window.show()
    h.qtbot.waitExposed(h.window)
    h.window.timeline.verify()
    h.idle()
    h.qtbot.wait(50)  # let the layout settle
    assert "Timeline cut: all" in h.window.timeline.count.text()
    assert h.window.width() <= 1280  # a long finding never widens the window past a laptop
    assert h.window.timeline.count.toolTip().startswith("Timeline cut: all")
    [(title, text)] = warnings
    assert title == "Record altered" and text.startswith("Timeline cut: all")
