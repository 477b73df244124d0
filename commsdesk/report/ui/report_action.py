"""Incident → Report…: the post-incident report of the active incident (else the latest), saved
where the person chooses, written on a lane of its own so the window never waits for it.

When events of the incident are starred on the timeline, the desk first asks whether the
report's timeline lists only those or every event. The file dialog offers a name from the
incident's title (.pdf; .html allowed). Times are given also in the team's zones (the desk's
team_time_zones setting). While the report is written the status bar says what it is doing
("Writing the report…"); then where it went and how many pages, or, in one message, why it could
not be written (nothing half-written is left: commsdesk.report.writing writes atomically). An
error that is not one of the desk's own refusals is said with its type and logged with its
traceback.

The file dialog opens in the folder the last report was written to (the desk's report_folder
setting), else the Documents folder, else the home folder: never the folder the desk happens to
run in.
"""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QObject, QStandardPaths, Signal
from PySide6.QtWidgets import QFileDialog, QMessageBox

from commsdesk.ui.lanes import Lane

log = logging.getLogger(__name__)

SHOWN_MS = 20_000  # how long the result stays in the status bar
FILTERS = {"PDF (*.pdf)": ".pdf", "HTML (*.html)": ".html"}


def ask_report(window) -> None:
    """The menu item's action: one writer per window, made on first use."""
    writer = window.findChild(ReportWriter)
    if writer is None:
        writer = ReportWriter(window)
    writer.ask()


def _incident_to_report(desk):
    """The incident to report on (None: none) and, for it, (starred events, all events)."""
    from commsdesk.report.facts import starred_in_incident
    from commsdesk.report.writing import incident_to_report

    incident = incident_to_report(desk, None)
    if incident is None:
        return None, (0, 0)
    return incident, starred_in_incident(desk, incident.id)


class ReportWriter(QObject):
    """Asks where, then writes the report on the "report" lane (Chromium may take seconds)."""

    progressed = Signal(str)  # emitted on the lane's thread; shown on the UI thread
    written = Signal(object)  # WrittenReport
    failed = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window)
        self.setObjectName("report-writer")
        self.window = window
        self.lane = Lane("report", self)
        self.busy = False
        self.dialog: QFileDialog | None = None
        self.question: QMessageBox | None = None
        self.progressed.connect(self._show)

    def _show(self, text: str, timeout: int = 0) -> None:
        self.window.statusBar().showMessage(text, timeout)

    def ask(self) -> None:
        bridge = self.window.bridge
        if bridge.desk is None:
            self._show("The report: the desk is still opening.", 5000)
            return
        if self.busy:
            self._show("A report is being written already.", 5000)
            return
        bridge.query(_incident_to_report, on_done=self._which, on_error=self._fail)

    def _which(self, found) -> None:
        """With events starred, ask whether the timeline lists only those; then where."""
        incident, (starred, total) = found
        if incident is None:
            self._show("There is no incident to report on.", 8000)
            return
        if not starred:
            self._choose(incident, starred_only=False)
            return
        box = self.question = QMessageBox(
            QMessageBox.Icon.Question, "Which events in the report",
            f"{starred:,} of the {total:,} events of “{incident.title}” "
            f"{'is' if starred == 1 else 'are'} starred on the timeline. Should the report's "
            "timeline list only the starred events, or every event?",
            QMessageBox.StandardButton.Cancel, self.window,
        )  # fmt: skip
        only = box.addButton(f"Only the &starred ({starred:,})", QMessageBox.ButtonRole.YesRole)
        box.addButton(f"&Every event ({total:,})", QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(only)

        def answered(button) -> None:
            role = box.buttonRole(button)
            if role in (QMessageBox.ButtonRole.YesRole, QMessageBox.ButtonRole.NoRole):
                self._choose(incident, starred_only=role == QMessageBox.ButtonRole.YesRole)

        box.buttonClicked.connect(answered)
        box.open()

    def _choose(self, incident, *, starred_only: bool) -> None:
        from commsdesk.report.writing import default_name

        folder = str(self.start_folder())
        dialog = self.dialog = QFileDialog(
            self.window, f"Save the post-incident report of “{incident.title}”"
        )
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setNameFilters(list(FILTERS))
        dialog.setDefaultSuffix("pdf")
        dialog.setDirectory(folder)
        dialog.selectFile(default_name(incident.title))
        dialog.filterSelected.connect(
            lambda chosen: dialog.setDefaultSuffix(FILTERS.get(chosen, ".pdf")[1:])
        )
        dialog.fileSelected.connect(
            lambda path: self.write(incident, Path(path), starred_only=starred_only)
        )
        dialog.open()

    def start_folder(self) -> Path:
        """Where the file dialog opens: the folder the last report was written to, else the
        Documents folder, else home (each only while it is a folder)."""
        last = self.window.bridge.settings.get("report_folder")
        documents = QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.DocumentsLocation
        )
        for folder in (last, documents):
            if folder and Path(folder).is_dir():
                return Path(folder)
        return Path.home()

    def _remember_folder(self, path: Path) -> None:
        """Keep the report's folder in the desk's settings (saved off the UI thread)."""
        bridge = self.window.bridge
        folder = str(Path(path).resolve().parent)
        if bridge.settings.set("report_folder", folder):
            bridge.lane.submit(bridge.settings.save, bridge.settings.snapshot())

    def write(self, incident, path: Path, *, starred_only: bool = False) -> None:
        """Write the report of `incident` to `path` on the lane (the timeline section: only the
        starred events with `starred_only`); times also in the team's zones."""
        from commsdesk.report import writing

        bridge = self.window.bridge
        actor = bridge.actor
        if not actor:
            from commsdesk.store.session import DeskError

            self._fail(DeskError("Say who is at the desk first (Desk → Who is at the desk…): "
                                 "the report goes on the record under a name."))
            return
        self.busy = True
        self._show(f"Writing the report of “{incident.title}”…")
        services = bridge.services
        zones = list(bridge.settings.get("team_time_zones"))

        def run():  # on the lane: the audience store (numpy) is made there, never here
            audience = services.audience if services is not None else None
            return writing.write_report(
                bridge.desk, actor, incident.id, path, audience=audience,
                progress=lambda text: self.progressed.emit(f"Writing the report… {text}"),
                starred_only=starred_only, zones=zones,
            )  # fmt: skip

        self.lane.submit(run, on_done=self._done, on_error=self._fail)

    def _done(self, written) -> None:
        self.busy = False
        self.window.bridge.timeline_changed.emit()  # report.written is on the record
        self._remember_folder(written.path)
        if written.instead:
            message = (f"{written.instead[:1].upper()}{written.instead[1:]}. The report was "
                       f"written as HTML instead: {written.path}")  # fmt: skip
            self._show(message, SHOWN_MS)
            QMessageBox(QMessageBox.Icon.Warning, "Report written as HTML", message,
                        parent=self.window).open()  # fmt: skip
        else:
            self._show(f"Report written: {written.line()}", SHOWN_MS)
        self.written.emit(written)

    def _fail(self, exc: BaseException) -> None:
        self.busy = False
        from commsdesk.report.pdf import PdfEngineMissing, PdfFailed
        from commsdesk.report.writing import ReportProblem
        from commsdesk.store.session import DeskError

        if isinstance(exc, (ReportProblem, DeskError, PdfFailed, PdfEngineMissing)):
            message = str(exc)  # the desk's own refusal, written for the person
        else:  # not foreseen: say what it was, and keep its traceback in the log
            said = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            message = f"The report could not be written: {said}"
            log.exception("The report could not be written", exc_info=exc)
        self._show(message, SHOWN_MS)
        QMessageBox(QMessageBox.Icon.Warning, "Report not written", message,
                    parent=self.window).open()  # fmt: skip
        self.failed.emit(message)
