"""How the header cuts a text that does not fit: as much as fits with "…", never a lone "…"."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetrics

from commsdesk.ui.header_bar import elided


def test_a_cut_text_keeps_what_fits_or_shows_nothing(qapp):
    metrics = QFontMetrics(QFont())
    text = "since 06 Dec 10:55 UTC · 18:55 +08 · 05:55 EST"
    assert elided(metrics, text, 10_000) == text
    cut = elided(metrics, text, metrics.horizontalAdvance("since 06 Dec…"))
    assert cut.endswith("…") and text.startswith(cut[:-1]) and len(cut) > 3
    assert elided(metrics, text, metrics.horizontalAdvance("…") + 1) == ""
    assert elided(metrics, text, 0) == ""
