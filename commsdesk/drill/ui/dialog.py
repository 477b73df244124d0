"""Incident → Run a drill…: a scored drill (commsdesk.drill.run) step by step from the window.

Every call to the drill runs on a lane of its own ("drill"), one at a time, so the window never
waits for the phone, OBS or the report: the step running says so in the list and the buttons
wait with it. A person does one step at a time (Enter), runs the rest, or finishes now; the
scorecard shows at the end, steps not run left out. Closing mid-drill asks first, then
finishes the drill (drill mode put back as it was) before the dialog goes.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
)

from commsdesk.broadcast.obs_actions import open_obs
from commsdesk.drill.run import STEPS
from commsdesk.drill.ui.scenario_choice import ScenarioChoice
from commsdesk.drill.ui.steps_list import StepsList, result_state
from commsdesk.ui.lanes import Lane

SAYS = ("The drill runs the scenario's crisis end to end on this desk, one step at a time. "
        "Drill mode is on for the run: every post goes to the SANDBOX, never to X; OBS streams "
        "only to a rehearsal destination, else it records. At the end drill mode is put back as "
        "it was and the scorecard goes on the timeline. A drill starts only when no incident "
        "is open.")  # fmt: skip
PROBLEM = "color: #b71c1c; background: #ffebee; padding: 6px;"


def ask_drill(window) -> None:
    """The menu item's action: the drill dialog open, in front."""
    dialog = next((d for d in window.findChildren(DrillDialog) if d.isVisible()), None)
    if dialog is None:
        DrillDialog(window).show()
    else:
        dialog.raise_()
        dialog.activateWindow()


class DrillDialog(QDialog):
    changed = Signal()  # emitted on the drill lane after each step: the window reads again

    def __init__(self, window, **parts) -> None:
        """`parts`: DrillParts fields to use instead of the window's (open_obs, phone, ...)."""
        super().__init__(window, objectName="drill-dialog", windowTitle="Run a drill")
        self.desk_window, self.given = window, parts
        self.lane = Lane("drill", self)
        self.drill = self.card = None
        self.busy = self.starting = self.rest = self.finish_asked = self.closing = False
        self.finishing = self.stuck = self.p1_paused = self.then_close_window = False
        self.changed.connect(self._refresh_window, Qt.ConnectionType.QueuedConnection)

        self.scenario = ScenarioChoice(self.lane)
        self.scenario.ready.connect(lambda: self._say(""))
        self.scenario.problem.connect(lambda text: self._say(text, bad=True))
        label = QLabel("Scenari&o:")
        label.setBuddy(self.scenario)
        self.start_button = self._button("&Start", self.start)
        self.says = QLabel(SAYS, wordWrap=True)
        self.message = QLabel(wordWrap=True, visible=False)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.steps = StepsList([title for _name, title in STEPS])
        self.card_view = QPlainTextEdit(readOnly=True, visible=False,
                                        accessibleName="Drill scorecard")  # fmt: skip
        self.card_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.next_button = self._button("Do the &next step", self.step)
        self.rest_button = self._button("Run the &rest", self.run_rest)
        self.finish_button = self._button("&Finish now", self.finish)
        self.report_button = self._button("Open the re&port", self.open_report)
        self.report_button.hide()
        self.close_button = self._button("&Close", self.reject)

        split = self.split = QSplitter(Qt.Orientation.Vertical, childrenCollapsible=False)
        layout, top, buttons = QVBoxLayout(self), QHBoxLayout(), QHBoxLayout()
        for box, widgets in ((top, (label, self.scenario, self.start_button)),
                             (split, (self.steps, self.card_view)),
                             (buttons, (self.next_button, self.rest_button, self.finish_button,
                                        None, self.report_button, self.close_button)),
                             (layout, (top, self.says, self.message, split, buttons))):  # fmt: skip
            for widget in widgets:
                if widget is None:
                    box.addStretch(1)
                elif isinstance(widget, QHBoxLayout):
                    box.addLayout(widget)
                else:
                    box.addWidget(widget)
        top.setStretch(1, 1)
        layout.setStretch(3, 1)
        self.start_button.setDefault(True)
        screen = (window.screen() or self.screen()).availableGeometry()
        self.resize(min(1000, int(screen.width() * 0.9)), min(720, screen.height() - 60))
        self._enable()

    def _button(self, text: str, slot) -> QPushButton:
        button = QPushButton(text, autoDefault=False)  # Enter: the default, wherever the focus
        button.clicked.connect(lambda _=False: slot())
        return button

    # --- running --------------------------------------------------------------------------
    def start(self) -> None:
        from commsdesk.drill.run import DrillParts, DrillRun
        from commsdesk.drill.scenario import load

        bridge, path = self.desk_window.bridge, self.scenario.path()
        if self.busy or self.drill is not None or path is None:
            return
        if bridge.services is None or not bridge.actor:
            return self._say("The desk is still opening; start the drill in a moment." if
                             bridge.services is None else "Say who is at the desk first (Desk "
                             "→ Who is at the desk…): the drill goes on the record under a "
                             "name.", bad=True)  # fmt: skip
        settings = bridge.settings
        parts = DrillParts(**{"services": bridge.services, "actor": bridge.actor,
                              "data_dir": Path(settings.path).parent, "settings": settings,
                              "open_obs": partial(open_obs, settings),
                              "on_change": self.changed.emit,
                              **self.given})  # fmt: skip

        def begin():
            drill = DrillRun(load(path), parts)
            drill.begin()
            return drill

        self.busy = self.starting = True
        self._say("Starting the drill…")
        self.lane.submit(begin, on_done=self._begun, on_error=self._not_started)

    def _begun(self, drill) -> None:
        self.drill, self.busy, self.starting = drill, False, False
        self._say(f"Drill mode is on: “{drill.scenario.name}” is running as {drill.parts.actor}."
                  + "".join(f"\nForeseen: {line}" for line in drill.foreseen),
                  bad=bool(drill.foreseen))  # fmt: skip
        self.changed.emit()
        if self.closing:
            return self.finish()
        self.next_button.setDefault(True)
        self.next_button.setFocus()

    def _not_started(self, exc: BaseException) -> None:
        self.busy = self.starting = False
        self._problem(exc)
        if self.closing:
            QDialog.reject(self)

    def step(self) -> None:
        if self.drill is None or self.card is not None or self.busy:
            return
        self.busy = True
        if self.drill.next_step[0] == "p1":  # only while the drill presses and follows P-1
            self._follow_p1(False)
        self.steps.show_state(len(self.drill.results), "running", "running…")
        self._enable()
        self.lane.submit(self.drill.run_step, on_done=self._stepped, on_error=self._broke)

    def _stepped(self, result) -> None:
        self.busy = False
        self._follow_p1(True)
        self.steps.show_state(len(self.drill.results) - 1, *result_state(result))
        if self.drill.next_step is None or self.finish_asked or self.closing:
            return self.finish()
        if self.rest:
            return self.step()
        self._enable()

    def _broke(self, exc: BaseException) -> None:
        self.busy = self.rest = False
        self._follow_p1(True)
        self.steps.show_state(len(self.drill.results), "failed",
                              f"FAILED: {exc or type(exc).__name__}")
        self._say("The step stopped; try it again, or finish now.", bad=True)
        if self.finish_asked or self.closing:
            self.finish()

    def run_rest(self) -> None:
        self.rest = not self.rest  # while it runs, the button pauses after the step running
        self._say("" if self.rest else "Paused after the step that is running: go on when ready.")
        if self.rest:
            self.step()

    def finish(self) -> None:
        if self.drill is None or self.card is not None or self.finishing:
            return
        if self.busy:
            self.finish_asked = True
            return self._say("Finishing after the step that is running"
                             + (", then closing…" if self.closing else "…"))  # fmt: skip
        for row in range(len(self.drill.results), len(STEPS)):
            self.steps.show_state(row, "left out", "left out: not run")
        self.busy = self.finishing = True
        self.rest = False
        self._say("Finishing: drill mode goes back as it was, the scorecard on the timeline…")
        self.lane.submit(self.drill.finish, on_done=self._finished, on_error=self._unfinished)

    def _finished(self, card) -> None:
        self.card, self.busy, self.finishing = card, False, False
        self._follow_p1(True)
        self.card_view.setPlainText("\n".join(card.lines()))
        self.says.hide()  # said before the start; the room goes to the steps and the scorecard
        self.card_view.show()
        QTimer.singleShot(0, self, self._share)  # once the layout has the room said before
        self.report_button.setVisible(bool(card.report))
        done = sum(1 for step in card.steps if step.ok)
        open_left = card.incident_id is not None and not any(
            step.ok for step in card.steps if step.name == "close")
        self._say(f"The drill is over: {done} of {len(card.steps)} steps done, "
                  f"{len(card.failed)} failed. Drill mode is back as it was."
                  + (" The incident it opened is still open: close it (Incident → Close "
                     "incident…) before another drill." if open_left else ""))  # fmt: skip
        self.card_view.setFocus()
        if self.closing:
            QDialog.reject(self)
            if self.then_close_window:  # the window was being closed: it goes now
                QTimer.singleShot(0, self.desk_window, self.desk_window.close)

    @property
    def running(self) -> bool:
        """A drill is under way here: closing must finish it first."""
        return not self.stuck and (self.starting or (self.drill is not None and self.card is None))

    def close_with_window(self) -> None:
        """The window is asked to close while a drill runs: ask, finish, then close both."""
        self.then_close_window = True
        self.raise_()
        self.activateWindow()
        self.reject()

    def _share(self) -> None:
        """Every step in sight if it can be (up to 3/5 of the room), the scorecard below."""
        steps = self.steps.horizontalHeader().height() + self.steps.verticalHeader().length()
        whole = self.split.height()
        room = min(steps + 2 * self.steps.frameWidth() + 4, whole * 3 // 5)  # no bar for 2 px
        self.split.setSizes([room, whole - room])

    def _unfinished(self, exc: BaseException) -> None:
        self.busy = self.closing = self.finish_asked = self.finishing = False
        self.stuck = True  # Close closes now: the message says what may be left on
        self._say(f"The drill could not finish: {exc or type(exc).__name__}. Drill mode may "
                  "still be on (the header says); try Finish now again.", bad=True)  # fmt: skip

    def open_report(self) -> None:
        report = self.card.report if self.card is not None else None
        if report and not QDesktopServices.openUrl(QUrl.fromLocalFile(report)):
            self._say(f"No program opened the report; it is at {report}", bad=True)

    # --- showing --------------------------------------------------------------------------
    def _say(self, text: str, *, bad: bool = False) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))
        self.message.setStyleSheet(PROBLEM if bad else "padding: 2px 6px;")
        self._enable()

    def _problem(self, exc: BaseException) -> None:
        self._say(str(exc) or type(exc).__name__, bad=True)

    def _enable(self) -> None:
        idle, running = not self.busy, self.drill is not None and self.card is None
        self.scenario.setEnabled(self.drill is None and idle)
        self.start_button.setEnabled(self.drill is None and idle
                                     and self.scenario.path() is not None)  # fmt: skip
        self.next_button.setEnabled(running and idle and not self.finish_asked)
        self.rest_button.setEnabled(running and (idle or self.rest) and not self.finish_asked)
        self.rest_button.setText("&Pause after this step" if self.rest else "Run the &rest")
        self.finish_button.setEnabled(running and not (self.finish_asked or self.closing
                                                       or self.finishing))
        if self.card is not None:  # over: Enter presses nothing by chance
            self.next_button.setDefault(False)

    def _refresh_window(self) -> None:
        """What the drill changed, shown in the window: the incident, statements, timeline and
        drill mode."""
        from commsdesk.desk import Desk

        bridge = self.desk_window.bridge
        bridge.query(Desk.active_incident, on_done=bridge.incident_changed.emit,
                     key="drill-incident")  # fmt: skip
        bridge.statements_changed.emit()
        bridge.timeline_changed.emit()
        if getattr(self.desk_window, "publishing", None) is not None:
            self.desk_window.publishing.read_drill()

    # --- closing --------------------------------------------------------------------------
    def reject(self) -> None:
        if not self.running:
            return QDialog.reject(self)
        if self.closing or self.finishing:  # finishing already: it closes once finished
            self.closing = True
            return
        box = QMessageBox(QMessageBox.Icon.Question, "Stop the drill?",
                          "The drill is not over. Finish it now and close? The steps not run "
                          "are left out of the scorecard; drill mode goes back as it was.",
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                          self)  # fmt: skip
        yes = box.button(QMessageBox.StandardButton.Yes)
        yes.setText("&Finish and close")
        box.button(QMessageBox.StandardButton.No).setText("&Keep drilling")
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.buttonClicked.connect(lambda button: button is yes and self._close_after_finish())
        box.open()

    def _close_after_finish(self) -> None:
        self.closing = True
        self._say("Finishing the drill, then closing…")
        self.finish()  # after the step running, if one is; after the start, if starting

    def done(self, result: int) -> None:
        super().done(result)
        self._follow_p1(True)
        self._dispose()

    def _follow_p1(self, on: bool) -> None:
        """The window's P-1 follower waits while the drill runs its own chain: two runners on
        one chain, each with its own phone provider, would each place and read its calls."""
        bridge = getattr(getattr(self.desk_window, "p1_controls", None), "bridge", None)
        if bridge is not None and on == self.p1_paused:
            self.p1_paused = not on
            bridge.start() if on else bridge.stop()

    def _dispose(self) -> None:
        if self.lane.outstanding:  # an answer is on its way: the lane goes once it is here
            QTimer.singleShot(100, self, self._dispose)
            return
        self.lane.stop(0)
        self.deleteLater()
