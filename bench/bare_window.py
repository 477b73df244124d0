"""Baseline for start-up: a bare PySide6 QMainWindow, started and timed the same way as the desk."""

import sys
import time

from PySide6.QtWidgets import QApplication, QMainWindow


def peak_memory_kib() -> int:
    """As commsdesk.app reports it (not imported: the baseline loads nothing of the desk)."""
    with open("/proc/self/status") as status:
        return int(next(ln for ln in status if ln.startswith("VmHWM:")).split()[1])


class Window(QMainWindow):
    def paintEvent(self, event):  # noqa: N802 - Qt API
        super().paintEvent(event)
        print(f"painted {time.monotonic():.6f} {peak_memory_kib()}", flush=True)
        QApplication.instance().quit()


app = QApplication(sys.argv[:1])
window = Window()
window.resize(1440, 900)
window.show()
app.exec()
