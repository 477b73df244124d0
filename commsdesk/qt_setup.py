"""Process-wide choices that keep the UI thread responsive, made before the first
Q(Gui)Application and the first paint.

Helper threads for painting. Qt's raster engine hands every translucent fill or drawn picture
taller than about 96 lines (a scroll bar, a group box, a panel's background) to a pool of helper
threads and waits for them. On the small machines a desk runs on, next to OBS encoding video, the
helpers wait for a core like everything else: one repaint of the Broadcast panel made some 90
thread switches and took 2.4 ms on a quiet machine (0.6 ms without the pool), and up to 25 ms
while OBS was starting. Qt reads its switch once, when it first wants the pool; an operator's
own setting of it is kept.

The GIL. The lanes (database, OBS, slides) run Python while the UI thread waits in Qt; each time
Qt calls back into Python the UI thread must get the GIL back. A thread that asks for it waits
up to the switch interval (5 ms by default) before the holder is made to let go, and a lane that
keeps releasing and retaking it around short I/O can win several rounds in a row. At 1 ms the UI
thread's worst wait while OBS reconnects fell from 22 to 15 ms in the same runs.
"""

from __future__ import annotations

import os
import sys

NO_GUI_THREAD_POOL = "QT_NO_GUI_THREADPOOL"
SWITCH_INTERVAL = 0.001  # seconds


def prepare_qt() -> None:
    """Paint on the calling thread only, and hand the GIL round sooner (see above). Call
    before Qt paints anything."""
    os.environ.setdefault(NO_GUI_THREAD_POOL, "1")
    sys.setswitchinterval(SWITCH_INTERVAL)
