"""What needs a person whatever panel is open: tray notifications, and the header's warnings
for the audience advice, trouble with the stream and a timeline whose end no longer holds.

Each warning stays in the header until its cause is gone; a click shows the panel behind it.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from commsdesk.ui.theme import BAD, WARN

# Events by someone else that need a person here: a tray notification. (Kinds as stored, so
# the timeline module, with hashlib behind it, loads after the first paint.)
NOTIFY_KINDS = {
    "statement.submitted": "Approval requested",
    "statement.post_failed": "Posting failed",
    "incident.started": "Incident started",
    "desk.drill_mode": "Drill mode changed",
    "schedule.paused": "All posting paused",
    "post.held": "A post is held",
}
ADVICE_WORDS = {  # advice kind → the header's words
    "suggest_end": "End the stream?",
    "sudden_drop": "Audience dropped",
}
# Which panel a warning's click shows (index in PANELS).
WARNING_PANELS = {"advice": 2, "stream": 1, "record": 4}


def end_still_anchored(desk) -> bool:
    """True when the newest stored event is the head this desk anchored, with at least as many
    events: the usual start, answered with two small reads. Anything else (events cut, or
    appended by another desk) needs the full check."""
    anchor = getattr(desk, "anchor", None)
    anchored = anchor.read() if anchor is not None else None
    if anchored is None:
        return True
    last = desk.timeline_head()
    return (
        last is not None
        and (last.event_id, last.hash) == (anchored.event_id, anchored.hash)
        and (anchored.count is None or (last.count or 0) >= anchored.count)
    )


def check_timeline(desk):
    """None when the timeline's end holds; else the full verification's report."""
    if end_still_anchored(desk):
        return None
    report = desk.verify_timeline()
    return None if report.intact else report


class Notices(QObject):
    """The warnings and notifications of one MainWindow (its `tray` may be None: no tray)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.record_findings: list[str] = []
        self._stream_bad = False

    def notify(self, title: str, message: str) -> None:
        tray = self.window.tray  # read each time: tests put their own in
        if tray is not None:
            tray.showMessage(title, message)

    def _warn(self, topic: str, text: str, detail: str, colour: str) -> None:
        self.window.header.set_warning(topic, text, detail, colour)

    def timeline_events(self, events: list) -> None:
        """New events on the timeline: a notification for those by someone else that need a
        person here; Drill mode read again when another desk changed it."""
        window = self.window
        me = window.settings.get("operator_name")
        if window.publishing is not None and any(e.kind == "desk.drill_mode" for e in events):
            window.publishing.read_drill()
        for event in events:
            title = NOTIFY_KINDS.get(event.kind)
            if title and event.actor != me:
                self.notify(title, f"{event.actor}: {event.summary}")

    # --- audience -----------------------------------------------------------------------------
    def advice(self, advice) -> None:
        """The audience advisor's word (AudienceBridge.advice): shown until withdrawn."""
        words = ADVICE_WORDS.get(str(advice.kind))
        if words is None:  # withdrawn: the audience came back
            self.window.header.clear_warning("advice")
            return
        self._warn("advice", words, f"Audience advice: {advice.message}", WARN)
        self.window.statusBar().showMessage(advice.message, 30_000)

    # --- the stream ---------------------------------------------------------------------------
    def stream_health(self, health) -> None:
        """A reading of the stream (BroadcastBridge.health_changed; None: no reading). Only a
        live stream's trouble is a warning: OBS's render figures while nothing is streaming
        are the Broadcast panel's business."""
        if health is None or health.ok or not health.live:
            if self._stream_bad:
                self._stream_bad = False
                self.window.header.clear_warning("stream")
            return
        flags = ", ".join(str(flag) for flag in health.flags)
        detail = (f"Stream trouble: {flags}. Dropped {health.dropped_share:.1%}, encoder "
                  f"skipped {health.skipped_share:.1%}, congestion {health.congestion:.0%}, "
                  f"OBS CPU {health.cpu_percent:.0f}%, {health.fps:.0f} fps.")
        if not self._stream_bad:
            self.notify("Stream trouble", detail)
        self._stream_bad = True
        self._warn("stream", f"Stream: {flags}", detail, BAD)

    def stream_alert(self, title: str, message: str) -> None:
        """Something went wrong with the broadcast (OBS lost while live, a slide not pushed)."""
        self._stream_bad = True
        self._warn("stream", title, message, BAD)

    # --- the record ---------------------------------------------------------------------------
    def check_record(self) -> None:
        """At start-up: does the timeline still end where this desk last saw it? If not, say so
        in the header, the status bar and the tray."""
        self.window.bridge.query(check_timeline, on_done=self._record_checked,
                                 on_error=lambda exc: self._record_unchecked(str(exc)))

    def _record_checked(self, report) -> None:
        if report is None:
            return
        findings = [line for line in report.lines() if line not in report.notes]
        self.record_findings = findings
        self._warn("record", "RECORD ALTERED", "\n\n".join(findings), BAD)
        self.window.statusBar().showMessage(
            "The timeline does not verify: " + findings[0] + " See Timeline → Verify record."
        )
        self.notify("The timeline does not verify", findings[0])

    def _record_unchecked(self, why: str) -> None:
        self._warn("record", "Record not checked", f"The timeline could not be checked: {why}",
                   WARN)

    def show_topic(self, topic: str) -> None:
        """A warning was clicked: the panel behind it, in front (the record's findings too)."""
        panel = WARNING_PANELS.get(topic)
        if panel is not None:
            self.window.show_panel(panel)
        if topic == "record" and self.record_findings:
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(QMessageBox.Icon.Warning, "The timeline does not verify",
                              "\n\n".join(self.record_findings), parent=self.window)
            box.open()
