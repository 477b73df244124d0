"""Opens a real desk window with the header at its fullest (a long incident title, Drill mode,
every warning, a long operator name) and a P-1 chain, and prints as JSON where the header's
parts lie: while the chain calls, then once no one answered. Run in its own process:

    QT_QPA_PLATFORM=offscreen:configfile=screen.json python -m tests.p1.ui.fit_probe_p1 DIR
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from tests.ui.fit_probe import inside, settle, wait

PEOPLE = [("Mira Chen", "+15550100001"), ("Sam Okafor", "+15550100002"),
          ("Ada Park", "+15550100003")]  # fmt: skip


def header_parts(window) -> dict:
    header = window.header
    parts = {
        "header": header, "drill": header.drill, "destination": header.destination,
        "operator": header.operator_button, "incident button": header.incident_button,
        "p1 button": header.p1_button, "p1 chain": header.p1_chain,
        **{f"warning {topic}": button for topic, button in header.warnings.items()},
    }  # fmt: skip
    seen = {name: inside(widget, window) for name, widget in parts.items()}
    frame, screen = window.frameGeometry(), window.screen().availableGeometry()
    seen["frame inside the screen"] = screen.contains(frame)
    seen["p1 chain"]["shown"] = header.p1_chain.text()
    seen["p1 chain"]["full"] = header.p1_chain.full_text
    return seen


def main(data_dir: str) -> None:
    from PySide6.QtWidgets import QApplication

    from commsdesk.app import Wiring, settle_before_threads
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity
    from commsdesk.p1.fake_provider import FakeProvider
    from commsdesk.p1.service import CallChain
    from commsdesk.qt_setup import prepare_qt
    from commsdesk.settings import Settings
    from commsdesk.statements.templates import starting_templates

    settle_before_threads()
    prepare_qt()
    app = QApplication(sys.argv[:1])
    folder = Path(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    settings = Settings.load(folder)
    operator = "Ana Ruiz (comms), head of communications"
    settings.set("operator_name", operator)
    settings.set("team_time_zones", ["UTC", "Asia/Singapore", "America/New_York"])
    wiring = Wiring(settings)
    fake = FakeProvider()
    wiring.p1.provider_factory = lambda *, drill: fake
    wiring.p1.busy_every_ms = 50
    window = wiring.make_window(audience=False)
    window.show()
    wait(app, lambda: window._painted)
    window.build_panels()
    wiring.bridge.open(folder)
    wait(app, lambda: wiring.bridge.desk is not None)
    window.desk_opened(starting_templates())
    wait(app, wiring.idle)
    desk = wiring.bridge.desk
    chain = CallChain(desk)
    for name, phone in PEOPLE:
        chain.add(operator, name, phone, 10)
    chain.set_rounds(operator, 1)
    wiring.bridge.act(
        Desk.start_incident, title="Cold-wallet breach: ETH and USDT drained from the hot wallet",
        severity=Severity.P1, summary="", facts={"asset": "ETH"},
    )
    wait(app, lambda: window.incident is not None and wiring.idle())
    window.new_statement("Holding statement", "We are investigating.")
    wait(app, lambda: window.statements.editor.statement is not None and wiring.idle())
    wiring.publishing.set_drill(True)
    wait(app, lambda: window.header.drill.isChecked() and wiring.idle())
    header = window.header
    header.set_warning("record", "RECORD ALTERED", "detail", "#c62828")
    header.set_warning("stream", "Stream: dropped frames, congestion", "detail", "#c62828")
    header.set_warning("advice", "End the stream?", "detail", "#ef6c00")

    report = {}
    wiring.p1.press("Hot wallet drained", False)  # Mira's phone rings for its 10 s
    wait(app, lambda: header.p1_chain.full_text == "P-1: calling Mira Chen (round 1)")
    settle(app)
    report["calling"] = header_parts(window)
    chain.cancel(operator)
    for _name, phone in PEOPLE:
        fake.busy(phone, after=0.1)
    wait(app, lambda: not header.p1_chain.isVisible())
    wiring.p1.press("Exchange offline", False)
    wait(app, lambda: header.p1_chain.full_text == "P-1: NO ONE ANSWERED")
    settle(app)
    report["no one answered"] = header_parts(window)
    print(json.dumps(report), flush=True)
    window.close()
    wiring.stop()
    desk.close()


if __name__ == "__main__":
    main(sys.argv[1])
