"""Python's garbage collector and the UI thread.

A full collection walks every object that could be in a reference cycle. Once the desk has
started it holds about 100,000 of them (Qt wrappers, modules, SQLAlchemy's and pyqtgraph's
machinery), and a full pass over them takes 20–60 ms on this kind of machine. It runs on
whichever thread happens to allocate, with the GIL held, so the UI thread waits through it
wherever it starts: a frozen window at random moments, while OBS reconnects or the audience
chart redraws.

What exists once the desk has started lives as long as the desk does. `settle()` moves it out of
the collector's sight (gc.freeze); later collections walk only what was made since, a few
thousand objects. Reference counting still frees frozen objects when they are dropped; only a
cycle among them would be kept.
"""

from __future__ import annotations

import gc
from collections.abc import Callable


def settle() -> int:
    """Freeze what exists now (call once the desk has started). Returns how many objects."""
    gc.freeze()
    return gc.get_freeze_count()


def take_over_collection() -> Callable[[], None]:
    """Stop automatic collection and return the check to call on the UI thread (a timer,
    every half second), as pyqtgraph's GarbageCollector does. Automatic collection runs on
    whichever thread allocates, and a Qt wrapper in a cycle freed on a lane thread is destroyed
    there, taking Qt's locks while the UI thread, holding the GIL, waits on them (a hang seen
    when the audience chart replaced its markers while the P-1 lane queried)."""
    thresholds = gc.get_threshold()
    gc.disable()

    def collect_due() -> None:
        young, middle, old = gc.get_count()
        if young > thresholds[0]:
            gc.collect(0)
            if middle > thresholds[1]:
                gc.collect(1)
                if old > thresholds[2]:
                    gc.collect(2)

    return collect_due
