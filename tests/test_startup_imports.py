"""Start-up threads racing through lazily filled standard-library state.

On Python 3.11, sysconfig fills its configuration on first use without a lock. At start-up the
database lane's SQLAlchemy import reads it while the UI thread's first zoneinfo import reads the
zone search path from it; seen half filled, the path is empty and ZoneInfo("America/Los_Angeles")
fails for the rest of the run (about one start in twenty). The desk fills it before starting any
thread (app.py).

Each case runs in a fresh process: sysconfig fills its configuration once per process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The database lane is held inside sysconfig's first fill, before the build's variables go in,
# until the zone lookup has run: the interleaving of the failed starts, made every time.
RACE = """
import sys, sysconfig, threading
from commsdesk.app import settle_before_threads

filling = threading.Event()
zones_tried = threading.Event()
errors = []
add_build_vars = sysconfig._init_posix

def held(config):
    if threading.current_thread().name == "lane-database":
        filling.set()
        zones_tried.wait(60)  # a guard against hanging, not a measure
    add_build_vars(config)

sysconfig._init_posix = held
settle_before_threads()

def database_lane():
    sysconfig.get_config_var("Py_GIL_DISABLED")  # what importing SQLAlchemy does
    filling.set()  # already filled: nothing was held

def audience_panel():
    filling.wait(60)
    try:
        from zoneinfo import ZoneInfo
        ZoneInfo("America/Los_Angeles")  # what importing commsdesk.audience.series does
    except Exception as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        zones_tried.set()

threads = [
    threading.Thread(target=database_lane, name="lane-database"),
    threading.Thread(target=audience_panel, name="audience"),
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(errors[0] if errors else "ok", flush=True)
"""

BUILD = """
import os, sys, sysconfig, threading
os.environ["QT_QPA_PLATFORM"] = "offscreen"
filled = False
early, started = [], []
fill = sysconfig.get_config_vars
start = threading.Thread.start

def get_config_vars(*args):
    global filled
    result = fill(*args)
    filled = True
    return result

def start_noting(thread):
    started.append(thread.name)
    if not filled:
        early.append(thread.name)
    start(thread)

sysconfig.get_config_vars = get_config_vars
threading.Thread.start = start_noting
from commsdesk.app import build, parse_args
build(parse_args(["--data-dir", sys.argv[1]]))
print(len(started), " ".join(early) or "-", flush=True)
os._exit(0)
"""


def _run(code: str, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    done = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True, text=True, env=env, timeout=120, check=True,
    )  # fmt: skip
    return done.stdout.strip()


def test_zones_load_while_another_thread_first_reads_sysconfig():
    assert _run(RACE) == "ok"


def test_the_desk_settles_sysconfig_before_starting_any_thread(tmp_path):
    started, early = _run(BUILD, str(tmp_path / "desk")).split(maxsplit=1)
    assert int(started) > 0  # the lanes
    assert early == "-", f"threads started before sysconfig was filled: {early}"
