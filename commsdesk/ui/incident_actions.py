"""The window's actions on the incident, its update cadence and who is at the desk.

Mixed into MainWindow, whose `bridge`, `settings`, `header`, `statements` and `notices` they use.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

PRESENCE_SETTLES_MS = 1500  # after a desk said it left, when the server no longer lists it


def _now():
    from commsdesk.clock import utc_now

    return utc_now()


class IncidentActions:
    incident = None
    _operator_dialog = None

    def _incident_changed(self, incident) -> None:
        self.incident = incident
        self.header.set_incident(incident)
        self.header.set_cadence(None)
        self._refresh_cadence()
        if self.statements is not None:
            self.statements.set_incident(incident)
        self.incident_action.setText("&Edit incident…" if incident else "&Start incident…")
        self.close_incident_action.setEnabled(incident is not None)
        self.cadence_action.setEnabled(incident is not None)

    # --- who is at the desk -----------------------------------------------------------------
    def ask_operator(self) -> None:
        """Who is at the desk: on first run a name is required; later it hands the desk over.
        One such dialog at a time."""
        from commsdesk.ui.operator_dialog import OperatorDialog

        person = self.bridge.desk.person if self.bridge.desk is not None else None
        if person is not None:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.information(
                self, "Signed in to the team",
                f"On the team database you act as {person.name} (login {person.login}): the "
                "server records who did what. To act as someone else, sign in with their "
                "login under Desk → Connect to a team….",
            )  # fmt: skip
            return
        if self._operator_dialog is not None and self._operator_dialog.isVisible():
            self._operator_dialog.raise_()
            self._operator_dialog.activateWindow()
            return
        current = self.settings.get("operator_name")
        dialog = self._operator_dialog = OperatorDialog(current, self, required=not current)
        dialog.setModal(True)

        def accepted() -> None:
            name = dialog.value()
            previous = self.settings.get("operator_name")
            if self.settings.set("operator_name", name):
                self.bridge.lane.submit(self.settings.save, self.settings.snapshot())
                summary = (
                    f"{previous} handed the desk to {name}" if previous else f"{name} took the desk"
                )
                from commsdesk.desk import Desk

                self.bridge.act(Desk.record, "desk.operator", summary)
            self.header.set_operator(self.settings.get("operator_name"))

        dialog.accepted.connect(accepted)
        dialog.open()

    def ask_required_approvals(self) -> None:
        """The team's approval policy; a number the desk refuses is said in the dialog."""
        from commsdesk.statements.ui.approvals_dialog import ApprovalsDialog

        def changed(_n: int) -> None:
            if self.statements is not None:
                self.statements.editor.refresh()

        dialog = ApprovalsDialog(self.bridge, self)
        dialog.changed.connect(changed)
        dialog.open()

    # --- the incident -----------------------------------------------------------------------
    def edit_or_start(self) -> None:
        if self.incident is None:
            self.start_incident()
        else:
            self.edit_incident()

    @staticmethod
    def _fact_suggestions() -> dict[str, str]:
        from commsdesk.statements.templates import FACT_SUGGESTIONS

        return FACT_SUGGESTIONS

    def start_incident(self) -> None:
        from commsdesk.incidents.ui.incident_dialog import IncidentDialog

        def accepted() -> None:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.start_incident, **dialog.values())

        dialog = IncidentDialog(None, self._fact_suggestions(), self)
        dialog.accepted.connect(accepted)
        dialog.open()

    def edit_incident(self) -> None:
        if self.incident is None:
            return
        from commsdesk.incidents.ui.incident_dialog import IncidentDialog

        incident_id = self.incident.id

        def accepted() -> None:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.update_incident, incident_id, **dialog.values())

        dialog = IncidentDialog(self.incident, self._fact_suggestions(), self)
        dialog.accepted.connect(accepted)
        dialog.open()

    def close_incident(self) -> None:
        if self.incident is None:
            return
        answer = QMessageBox.question(
            self,
            "Close incident",
            f"Close “{self.incident.title}” after {self.incident.elapsed_label(_now())}?\n"
            "Its statements and timeline stay on record; the desk will be ready for a new one.",
        )
        if answer == QMessageBox.StandardButton.Yes:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.close_incident, self.incident.id)

    def show_incidents(self) -> None:
        from commsdesk.desk import Desk
        from commsdesk.incidents.ui.incident_dialog import PastIncidentsDialog

        self.bridge.query(
            Desk.list_incidents, on_done=lambda items: PastIncidentsDialog(items, self).open()
        )

    # --- the P-1 button (commsdesk.p1.ui.controls) -----------------------------------------
    p1_controls = None

    def _p1(self, act: str) -> None:
        if self.p1_controls is None:
            self.statusBar().showMessage("P-1 is not set up on this window.", 5000)
            return
        getattr(self.p1_controls, act)()

    def press_p1(self) -> None:
        self._p1("press")

    def show_p1_chain(self) -> None:
        self._p1("show_chain")

    def show_p1_status(self) -> None:
        self._p1("show_status")

    # --- update cadence ---------------------------------------------------------------------
    def _refresh_cadence(self) -> None:
        if self.incident is None:
            return
        incident_id = self.incident.id

        def show(cadence) -> None:
            if self.incident is not None and self.incident.id == incident_id:
                self.header.set_cadence(cadence)

        from commsdesk.desk import Desk

        self.bridge.query(Desk.update_cadence, incident_id, key="cadence", on_done=show)

    def ask_cadence(self) -> None:
        from PySide6.QtWidgets import QInputDialog

        if self.incident is None:
            return
        cadence = self.header.cadence
        current = int(cadence.every.total_seconds() // 60) if cadence else 30
        minutes, ok = QInputDialog.getInt(
            self, "Update cadence",
            "Promise an update every how many minutes? (0: no promise)\n"
            "The header counts down and the desk reminds you when it is due.",
            current, 0, 1440, 5,
        )
        if ok:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.set_update_cadence, self.incident.id, minutes,
                            on_done=lambda _: self._refresh_cadence())

    def _update_due(self) -> None:
        """The promised update is due: remind, and open the update template filled in."""
        title = self.incident.title if self.incident else "the incident"
        message = f"An update on {title} is due now; the update template is open."
        self.statusBar().showMessage(message, 30000)
        self.notices.notify("Update due", message)
        if self.statements is None:
            return
        template = next(
            (t for t in self.statements.templates if t.key == "investigation_update"), None
        )
        if template is not None:
            self.new_statement(template.title, template.source)

    def _show_team(self, connected: bool, why: str) -> None:
        """Team mode: the header names the database; losing it is said there and below."""
        desk = self.bridge.desk
        url = desk.engine.url
        self._team_connected = connected
        where = f"{url.database}@{url.host or 'this machine'}"
        self.header.set_team(desk.person.name, where, connected, self._team_people)
        if connected:
            self._read_team()
        if not connected:
            self.statusBar().showMessage(f"The team database is not reachable ({why}); "
                                         "reconnecting…")
        elif why == "" and self._team_was_lost:
            self.statusBar().showMessage("The team database is back.", 5000)
            if self.statements is not None:  # what was typed meanwhile is saved now
                self.statements.editor.flush()
        self._team_was_lost = not connected

    _team_people: tuple[str, str] = ("", "")
    _team_connected = True

    def _team_change(self, change) -> None:
        """Another desk joined or left, or something went on the record (maybe on air)."""
        if change.table in ("presence", "timeline_events", "*"):
            self._read_team()
        if change.table == "presence" and change.op == "left":
            # Said just before its connection closes: the server lists it a moment longer.
            from PySide6.QtCore import QTimer

            QTimer.singleShot(PRESENCE_SETTLES_MS, self, self._read_team)

    def _read_team(self) -> None:
        from commsdesk.team.presence import team_view

        self.bridge.query(team_view, on_done=self._show_team_view, on_error=lambda _exc: None,
                          key="team-view")  # fmt: skip

    def _show_team_view(self, view) -> None:
        from commsdesk.team.presence import on_air_text, people_text

        desk = self.bridge.desk
        if desk is None or desk.person is None:
            return
        self._team_people = people_text(view, desk.person.name)
        url = desk.engine.url
        where = f"{url.database}@{url.host or 'this machine'}"
        self.header.set_team(desk.person.name, where, self._team_connected, self._team_people)
        self.header.set_team_on_air(*on_air_text(view))

    def ask_team(self) -> None:
        """Desk → Connect to a team…: kept for the next start, which it offers now."""
        from commsdesk.ui.team_dialog import TeamDialog

        def connected(person) -> None:
            from PySide6.QtWidgets import QMessageBox

            where = (f"the team database as {person.name}" if person is not None
                     else "this desk's own database")  # fmt: skip
            answer = QMessageBox.question(
                self, "Restart the desk?",
                f"CommsDesk opens on {where} from its next start. Restart now? Your drafts "
                "are saved first.",
            )  # fmt: skip
            if answer == QMessageBox.StandardButton.Yes:
                self.restart_requested = True
                self.close()

        TeamDialog(self.settings, self.bridge.lane, connected, self).open()
