"""Slide rendering: each kind drawn to 1920×1080 PNG bytes, against a bare PNG in the same run.

The baseline is the least any slide costs: a 1920×1080 QImage filled with one colour and saved as
PNG, no text. Each slide is render_slide(...).png(): the template rendered, laid out by
QTextDocument (again at smaller scales until it fits, for the long statement), painted and
encoded. Runs alternate baseline and slide so machine noise hits both alike; medians compared.
"""

from __future__ import annotations

import os
import statistics
import time
from datetime import UTC, datetime, timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPEATS = int(os.environ.get("BENCH_SLIDE_REPEATS", "15"))
PARAGRAPH = (
    "We have confirmed that one of our Ethereum hot wallets was accessed without authorisation "
    "at 14:02 UTC. Client funds in cold storage are safe and were never at risk. We are covering "
    "the full loss from our company treasury."
)


def baseline_png() -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(1920, 1080, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#0b1320"))
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def slides(now: datetime) -> dict[str, object]:
    from commsdesk.slides.slide_kinds import BackAt, LowerThird, Standby, StatementSlide

    zones = ("UTC", "Asia/Singapore", "America/New_York")
    return {
        "back at": BackAt(at=now + timedelta(minutes=12), zones=zones, brand="Northwind",
                          message="Our CEO will take your questions live."),
        "standby": Standby(brand="Northwind"),
        "statement, 280 characters": StatementSlide(
            text=PARAGRAPH[:280], author="Jane Doe, CEO", posted_at=now, zones=zones
        ),
        "statement, 4-part thread (shrunk to fit)": StatementSlide(
            text="\n---\n".join([PARAGRAPH * 2] * 4), author="Jane Doe, CEO", posted_at=now,
            zones=zones,
        ),
        "lower third": LowerThird(name="Jane Doe", title="Chief Executive Officer"),
    }


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    from commsdesk.slides.render import ensure_gui_application, register_fonts, render_slide

    ensure_gui_application()
    register_fonts()  # once per process, as the desk does at its first slide
    now = datetime.now(UTC)
    cases = slides(now)
    for slide in cases.values():  # warm: templates compiled, glyph caches filled
        render_slide(slide, now=now).png()
    baseline_png()

    base: list[float] = []
    runs: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(REPEATS):
        for name, slide in cases.items():
            base.append(timed(baseline_png))
            runs[name].append(timed(lambda s=slide: render_slide(s, now=now).png()))
    base_median = statistics.median(base)
    print(f"baseline: fill + PNG of a 1920×1080 image, no text: {base_median * 1000:6.1f} ms")
    for name, samples in runs.items():
        median = statistics.median(samples)
        print(f"{name:<42} {median * 1000:6.1f} ms  ×{median / base_median:4.2f} of baseline")


if __name__ == "__main__":
    main()
