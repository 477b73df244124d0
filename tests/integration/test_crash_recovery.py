"""SIGKILL while typing: at most the last second is lost, and the desk reopens that statement."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from commsdesk.desk import Desk
from commsdesk.incidents.incident import Severity

DRIVER = Path(__file__).with_name("typing_desk.py")
TEXT = "Withdrawals reopen at 18:30 UTC after every wallet is re-keyed. " * 20


def start(data_dir, statement_id, mode):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen(
        [sys.executable, str(DRIVER), str(data_dir), str(statement_id), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_sigkill_while_typing_loses_at_most_the_last_second(tmp_path):
    data_dir = tmp_path / "desk"
    desk = Desk.open(data_dir)
    incident = desk.start_incident("Ana Ruiz (comms)", "Hot wallet drained", Severity.P1)
    typed_into = desk.create_statement("Ana Ruiz (comms)", incident.id, "Withdrawals update")
    other = desk.create_statement("Ana Ruiz (comms)", incident.id, "Press Q&A", "Q: ...")
    desk.close()
    (data_dir / "desk.json").write_text(json.dumps({"operator_name": "Ana Ruiz (comms)"}))

    proc = start(data_dir, typed_into.id, "type")
    keystrokes: dict[int, float] = {}
    try:
        for line in proc.stdout:
            word, n, at = line.split()
            if word == "typed":
                keystrokes[int(n)] = float(at)
            if len(keystrokes) >= 75:  # three seconds of steady typing
                break
        killed_at = time.monotonic()
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.read()

    desk = Desk.open(data_dir)
    saved = desk.statement(typed_into.id).body
    # What was saved is exactly what was typed, up to some keystroke ...
    assert saved == TEXT[: len(saved)]
    assert len(saved) > 0
    # ... and that keystroke came less than a second before the kill.
    assert killed_at - keystrokes[len(saved)] < 1.0, (len(saved), len(keystrokes))
    # Someone else now edits the other statement, so it sorts first in the list.
    desk.autosave("Sam Okafor (legal)", other.id, "Q: Was this an inside job?")
    desk.close()

    proc = start(data_dir, 0, "report")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    line = next(ln for ln in out.splitlines() if ln.startswith("open "))
    _, shown_id, body = line.split(" ", 2)
    assert int(shown_id) == typed_into.id
    assert json.loads(body) == saved
