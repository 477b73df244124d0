"""Settling start-up objects: full collections no longer walk them, and nothing is lost."""

from __future__ import annotations

import subprocess
import sys

CHECK = """
import gc, weakref
from commsdesk.collector import settle

class Node:
    pass

kept = [Node() for _ in range(5_000)]
dropped = Node()
gone = weakref.ref(dropped)
frozen = settle()
assert frozen >= 5_000, frozen
before = len(gc.get_objects(generation=2))
assert before < frozen, (before, frozen)  # the settled objects are out of the collector's sight
del dropped  # reference counting still frees a settled object
assert gone() is None
a, b = Node(), Node()  # a cycle made afterwards is still collected
a.other, b.other = b, a
cycle = weakref.ref(a)
del a, b
gc.collect()
assert cycle() is None
print("ok", frozen)
"""


def test_settled_objects_leave_the_collector_and_are_still_freed():
    out = subprocess.run(
        [sys.executable, "-c", CHECK], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[0] == "ok" and int(out[1]) >= 5_000


UI_THREAD_ONLY = """
import gc, sys, threading
from PySide6.QtCore import QCoreApplication, QTimer
from commsdesk.collector import take_over_collection

app = QCoreApplication(sys.argv[:1])
timer = QTimer(app, interval=50)  # as the app's, faster
timer.timeout.connect(take_over_collection())
timer.start()
assert not gc.isenabled()
seen = []
gc.callbacks.append(lambda phase, info: phase == "start" and seen.append(
    threading.current_thread() is threading.main_thread()))

class Node:
    pass

def allocate():  # a lane making cycles, as SQLAlchemy and pyqtgraph do
    for _ in range(200_000):
        a, b = Node(), Node()
        a.other, b.other = b, a

worker = threading.Thread(target=allocate)
worker.start()
QTimer.singleShot(1500, app.quit)
app.exec()
worker.join()
assert seen and all(seen), seen  # collections happened, every one on the UI thread
print("ok", len(seen))
"""


def test_cycles_are_collected_on_the_ui_thread_only():
    done = subprocess.run([sys.executable, "-c", UI_THREAD_ONLY], capture_output=True,
                          text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok ")
