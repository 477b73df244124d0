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
