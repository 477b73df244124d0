"""The statement editor: text, live X count, thread preview, and the moves from draft to approved.

Typing is autosaved within a second; counting, rendering and splitting run on the text lane,
debounced, so a megabyte paste never freezes the window.

The text of a statement in review, approved or failed is read-only: an edit would void its
approvals, so it changes only after a person chooses Edit… (Ctrl+E), which asks first and takes
it back to draft (`Desk.return_to_draft`). A statement changed elsewhere (the command line,
another desk) shows its new text unless this desk has typing not yet saved.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence, QTextCursor
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from commsdesk.incidents.incident import Incident
from commsdesk.statements.preview import Preview, preview_statement
from commsdesk.statements.statement import (
    EDIT_VOIDS_APPROVALS,
    Action,
    Statement,
    StatementState,
    allowed,
    same_person,
)
from commsdesk.ui.desk_bridge import DeskBridge
from commsdesk.ui.lanes import Lane
from commsdesk.ui.theme import BAD, MUTED, OK, STATE_COLOURS, WARN, badge_style

AUTOSAVE_MS = 600  # from the first unsaved keystroke: typing is saved within a second
PREVIEW_MS = 200
PREVIEW_PARTS_SHOWN = 60
# A thread over the desk's limit cannot be posted: a few parts show how the text splits, and
# a huge paste is not laid out post by post on the UI thread.
OVER_LIMIT_PARTS_SHOWN = 3
LOCKED_WHY = {
    StatementState.SCHEDULED: "Scheduled: cancel the schedule to edit.",
    StatementState.POSTED: "Posted: a post is never changed. Write a follow-up statement.",
    StatementState.WITHDRAWN: "Withdrawn: reopen it to edit.",
}
# Why the text of a reviewed statement is read-only, and how to change it.
GUARDED_WHY = {
    StatementState.IN_REVIEW: "In review: the text is locked so the review stays valid. "
    "Edit… (Ctrl+E) takes it back to draft and withdraws the review.",
    StatementState.APPROVED: "Approved: the text is locked so what was approved is what gets "
    "posted. Edit… (Ctrl+E) takes it back to draft; it then needs approval again.",
    StatementState.FAILED: "The text is locked so the approved version can be posted again. "
    "Edit… (Ctrl+E) takes it back to draft; it then needs approval again.",
}


POSTABLE = (StatementState.APPROVED, StatementState.SCHEDULED, StatementState.FAILED)


class StatementEditor(QWidget):
    versions_requested = Signal(int)
    post_requested = Signal(object)  # Statement
    schedule_requested = Signal(object)  # Statement
    statement_loaded = Signal(int)

    def __init__(self, bridge: DeskBridge, text_lane: Lane, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bridge = bridge
        self.text_lane = text_lane
        self.statement: Statement | None = None
        self.incident: Incident | None = None
        self._dirty = False
        self._preview_generation = 0
        self.last_preview: Preview | None = None
        self.thread_limit: int | None = None  # the desk's policy, read from the database
        self._saves_in_flight = 0  # autosaves sent and not yet answered
        self._save_problem: str | None = None
        # The text this editor's typing started from (loaded, or last saved from here): a save
        # tells the desk, so a change someone else made meanwhile is kept, not overwritten.
        self._base_text: str | None = None

        self.title = QLineEdit()
        self.title.setPlaceholderText("Statement title (for the team; not posted)")
        self.title.editingFinished.connect(self._rename)
        self.state_badge = QLabel()
        self.save_state = QLabel()
        self.save_state.setStyleSheet(f"color: {MUTED};")
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.state_badge)
        top.addWidget(self.save_state)

        self.body = QPlainTextEdit()
        self.body.setPlaceholderText(
            "Write the statement. {{ incident.asset }} and other facts fill in from the incident. "
            "A line with only --- forces a new post in the thread."
        )
        font = QFont(self.body.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setFamilies([self.body.fontInfo().family(), "Noto Color Emoji"])  # emoji: assets/fonts
        self.body.setFont(font)
        self.body.textChanged.connect(self._text_changed)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()

        self.count_label = QLabel()
        self.count_label.setAccessibleName("Weighted character count")
        self.count_label.setStyleSheet("font-size: 15px; font-weight: 600;")
        self.parts_label = QLabel()
        # Its words never widen the window: the banner says the whole of it.
        self.parts_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.numbering = QCheckBox("Number parts 1/n")
        self.numbering.setChecked(bool(bridge.settings.get("thread_numbering")))
        self.numbering.toggled.connect(self._numbering_toggled)
        count_row = QHBoxLayout()
        count_row.addWidget(self.count_label)
        count_row.addWidget(self.parts_label, 1)
        count_row.addWidget(self.numbering)

        self.preview = QTextBrowser()
        self.preview.setOpenExternalLinks(False)
        self.preview.setPlaceholderText("The posts as X will show them appear here.")
        self.preview.setMinimumWidth(280)

        self.approvals = QLabel()
        self.approvals.setWordWrap(True)
        self.save_button = QPushButton("Save version")
        self.save_button.setToolTip("Seal this text as a version (Ctrl+S)")
        self.edit_button = QPushButton("Edit…")
        self.edit_button.setToolTip(
            "Take the statement back to draft to change its text; asks first (Ctrl+E)"
        )
        self.edit_action = QAction("Edit…", self)
        self.edit_action.setShortcut(QKeySequence("Ctrl+E"))
        self.edit_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.edit_action.triggered.connect(self.edit_text)
        self.addAction(self.edit_action)
        self.submit_button = QPushButton("Submit for review")
        self.submit_button.setToolTip("Ask for approval (Ctrl+Return)")
        self.approve_button = QPushButton("Approve")
        self.approve_button.setToolTip("Approve this version (Ctrl+Shift+A)")
        self.more_button = QPushButton("More")
        more = QMenu(self.more_button)
        self.versions_action = more.addAction("Versions… (Ctrl+H)", self.show_versions)
        more.addSeparator()
        self.withdraw_action = more.addAction("Withdraw…", self.withdraw)
        self.reopen_action = more.addAction("Reopen as a draft", self.reopen)
        self.more_button.setMenu(more)
        self.post_button = QPushButton("Post now…")
        self.post_button.setToolTip("Post the approved text now (Ctrl+Shift+P)")
        self.schedule_button = QPushButton("Schedule…")
        self.schedule_button.setToolTip("Post the approved text at a set time")
        self.save_button.clicked.connect(self.save_version)
        self.edit_button.clicked.connect(self.edit_text)
        self.submit_button.clicked.connect(self.submit)
        self.approve_button.clicked.connect(self.approve)
        self.post_button.clicked.connect(self.post_now)
        self.schedule_button.clicked.connect(self.schedule)
        actions = QHBoxLayout()
        for button in (
            self.edit_button,
            self.save_button,
            self.submit_button,
            self.approve_button,
            self.post_button,
            self.schedule_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.more_button)

        editor_side = QWidget()
        left = QVBoxLayout(editor_side)
        left.setContentsMargins(0, 0, 0, 0)
        left.addLayout(top)
        left.addWidget(self.body, 1)
        left.addWidget(self.banner)
        left.addLayout(count_row)
        preview_side = QWidget()
        right = QVBoxLayout(preview_side)
        right.setContentsMargins(0, 0, 0, 0)
        heading = QLabel("As posted")
        heading.setStyleSheet("font-weight: 600;")
        right.addWidget(heading)
        right.addWidget(self.preview, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(editor_side)
        split.addWidget(preview_side)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(split, 1)
        layout.addWidget(self.approvals)
        layout.addLayout(actions)

        self._autosave_timer = QTimer(self, singleShot=True, interval=AUTOSAVE_MS)
        self._autosave_timer.timeout.connect(self.flush)
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_MS)
        self._preview_timer.timeout.connect(self._request_preview)
        bridge.statement_changed.connect(self._statement_changed)
        self.show_statement(None)

    # --- what is shown -------------------------------------------------------------------
    def show_statement(self, statement: Statement | None) -> None:
        """Load a statement into the editor (saving the one being left first)."""
        self.flush()
        self.statement = statement
        self.last_preview = None
        self._save_problem = None
        self.body.blockSignals(True)
        self.body.setPlainText(statement.body if statement else "")
        self.body.blockSignals(False)
        self._base_text = statement.body if statement else None
        self.title.setText(statement.title if statement else "")
        self.title.setCursorPosition(0)  # a narrow field shows the title's start, not its end
        self.save_state.setText("")
        self._show_meta()
        self._request_preview()
        if statement is not None:
            self.read_thread_limit()
            self.statement_loaded.emit(statement.id)

    def set_incident(self, incident: Incident | None) -> None:
        self.incident = incident
        self._request_preview()

    def _statement_changed(self, statement: Statement) -> None:
        self.statement_updated(statement)

    def statement_updated(self, statement: Statement) -> None:
        """The statement as the database now holds it (changed here, by the scheduler, the
        command line or another desk): its state, and its text unless typing here is unsaved."""
        if self.statement is None or statement.id != self.statement.id:
            return
        self.statement = statement
        if (  # the 1 MB copy of toPlainText last
            not self._dirty
            and self._saves_in_flight == 0
            and statement.body != self.body.toPlainText()
        ):
            self._replace_text(statement.body)
            self._base_text = statement.body
        if statement.title != self.title.text() and not self.title.hasFocus():
            self.title.setText(statement.title)
        self._show_meta()

    def _replace_text(self, body: str) -> None:
        """New text from elsewhere, the cursor kept where it was as far as the text allows."""
        position = self.body.textCursor().position()
        self.body.blockSignals(True)
        self.body.setPlainText(body)
        self.body.blockSignals(False)
        cursor = self.body.textCursor()
        cursor.setPosition(min(position, len(body)))
        self.body.setTextCursor(cursor)
        self._request_preview()

    def read_thread_limit(self) -> None:
        """Read the desk's thread limit (policy in the database) for the preview's warning."""
        desk = self.bridge.desk
        if desk is not None:
            self.bridge.lane.submit(
                _thread_limit, desk, on_done=self._thread_limit_read, key="thread-limit"
            )

    def _thread_limit_read(self, limit: int) -> None:
        if limit != self.thread_limit:
            self.thread_limit = limit
            self._request_preview()

    def refresh(self) -> None:
        """Show the statement's state and approvals again (after a policy change)."""
        self._show_meta()
        self.read_thread_limit()

    def _show_meta(self) -> None:
        s = self.statement
        has = s is not None
        self.setEnabled(has)
        if not has:
            self.state_badge.setText("")
            self.state_badge.setStyleSheet("")
            self.approvals.setText("Select a statement, or create one with Ctrl+N.")
            self.edit_button.hide()
            self.save_button.show()
            self._update_banner()
            return
        label, colour = s.status
        self.state_badge.setText(label)
        self.state_badge.setStyleSheet(badge_style(STATE_COLOURS[colour]))
        drafts, approves, posts, mine = self._capabilities(s)
        locked = not allowed(s.state, Action.EDIT) or not drafts
        guarded = s.state in EDIT_VOIDS_APPROVALS
        self.body.setReadOnly(locked or guarded)
        self.title.setReadOnly(locked)
        self.save_button.setEnabled(not locked)
        self.save_button.setVisible(not guarded)  # Edit… takes its place while the text is locked
        self.edit_button.setVisible(guarded)
        self.edit_action.setEnabled(guarded and drafts)
        self.submit_button.setEnabled(s.state is StatementState.DRAFT and drafts)
        self.approve_button.setEnabled(s.state is StatementState.IN_REVIEW and approves
                                       and not mine)  # fmt: skip
        self.withdraw_action.setEnabled(allowed(s.state, Action.WITHDRAW) and drafts)
        self.reopen_action.setEnabled(s.state is StatementState.WITHDRAWN and drafts)
        self.post_button.setEnabled(s.state in POSTABLE and s.approved_text is not None and posts)
        self.schedule_button.setEnabled(
            s.state in (StatementState.APPROVED, StatementState.FAILED)
            and s.approved_text is not None and posts
        )
        self.approve_button.setToolTip(
            "You wrote this version: approval must come from someone else" if mine
            else "" if approves else "Approving needs the approve capability: ask a team admin"
        )  # fmt: skip
        self.post_button.setToolTip(
            "" if posts else "Posting needs the post capability: ask a team admin"
        )
        self.approvals.setText(self._approvals_text(s))
        self._update_banner()

    def _capabilities(self, s: Statement) -> tuple[bool, bool, bool, bool]:
        """(may draft, may approve, may post, wrote the version shown) for the person signed
        in to a team database; at a single desk the first three are always so, and the rules
        (commsdesk.statements) still say no to an author approving their own version. The
        server refuses the same whatever is offered; this is what a person is offered."""
        desk = self.bridge.desk
        person = getattr(desk, "person", None) if desk is not None else None
        if person is None:
            return True, True, True, False
        return (person.may("draft"), person.may("approve"), person.may("post"),
                same_person(s.version_author, person.name))  # fmt: skip

    def _update_banner(self) -> None:
        """One banner for what stands in the way, worst first: a failed save, a locked state, a
        template problem, a failed post, the review lock, a thread over the desk's limit."""
        s = self.statement
        if s is None:
            self._set_banner(None)
            return
        notes: list[tuple[str, str]] = []
        if self._save_problem:
            notes.append((self._save_problem, BAD))
        preview = self.last_preview
        if s.state in LOCKED_WHY:
            notes.append((LOCKED_WHY[s.state] + (f" ({s.note})" if s.note else ""), WARN))
        else:
            if preview is not None and preview.problem:
                notes.append((preview.problem, BAD))
            if s.state is StatementState.FAILED and s.note:
                notes.append((f"Posting failed: {s.note}", BAD))
            if s.state in GUARDED_WHY:
                notes.append((GUARDED_WHY[s.state], WARN))
            if preview is not None and preview.over_thread_limit:
                notes.append((preview.over_thread_limit, WARN))
        if not notes:
            self._set_banner(None)
            return
        colour = BAD if any(c == BAD for _, c in notes) else WARN
        self._set_banner("\n".join(text for text, _ in notes), colour)

    def _approvals_text(self, s: Statement) -> str:
        needed = self.bridge.required_approvals
        who = ", ".join(s.approvals)
        if s.state is StatementState.DRAFT:
            if needed == 0:
                return "No approval required at this desk: submitting approves it."
            return (f"Needs {_approvals(needed)} from someone other than "
                    f"{s.version_author}.")
        if s.state is StatementState.IN_REVIEW:
            return (
                f"In review: v{s.version_number} by {s.version_author}; "
                f"{len(s.approvals)} of {_approvals(needed)}" + (f" ({who})" if who else "")
            )
        if s.approved_text is not None:
            return f"Approved v{s.version_number}" + (f" by {who}" if who else "")
        return s.state.label

    def _set_banner(self, text: str | None, colour: str = BAD) -> None:
        if not text:
            self.banner.hide()
            return
        self.banner.setText(text)
        self.banner.setStyleSheet(
            f"border-left: 4px solid {colour}; padding: 4px 8px; background: palette(base);"
        )
        self.banner.show()

    # --- typing, autosave, preview -------------------------------------------------------
    def _text_changed(self) -> None:
        if self.statement is None or self.body.isReadOnly():
            return
        self._dirty = True
        self.save_state.setText("Unsaved")
        if not self._autosave_timer.isActive():
            self._autosave_timer.start()
        self._preview_timer.start()

    def flush(self) -> None:
        """Save what was typed now (autosave); the lane keeps it in order with what follows."""
        self._autosave_timer.stop()
        if not self._dirty or self.statement is None:
            return
        from commsdesk.desk import Desk  # here, not at module level: see the bridge

        self._dirty = False
        self._saves_in_flight += 1
        statement_id = self.statement.id
        self.save_state.setText("Saving…")
        body, base = self.body.toPlainText(), self._base_text
        self._base_text = body  # what the next save starts from, in lane order

        def saved(version) -> None:
            self._saves_in_flight -= 1
            if self.statement is not None and self.statement.id == statement_id:
                self._kept_both(version)
            if self.statement is not None and self.statement.id == statement_id and not self._dirty:
                self.save_state.setText(f"Saved v{version.number} {version.updated_at:%H:%M:%S}")
                if self._save_problem and not version.meanwhile:
                    self._save_problem = None
                    self._update_banner()
            self.bridge.query(
                Desk.statement, statement_id, on_done=self.bridge.statement_changed.emit
            )

        def failed(exc: BaseException) -> None:
            self._saves_in_flight -= 1
            if self.statement is None or self.statement.id != statement_id:
                return
            if self._base_text == body:  # not saved: the next save starts from the last that was
                self._base_text = base
            self._dirty = True
            self.save_state.setText("Not saved")
            self._save_problem = f"Could not save: {exc}"
            self._update_banner()

        self.bridge.act(
            Desk.autosave, statement_id, body, based_on=base, on_done=saved, on_error=failed
        )

    def _kept_both(self, version) -> None:
        """Someone else changed the text meanwhile: both versions were kept; say so."""
        if version.meanwhile:
            self._save_problem = version.meanwhile
            self._update_banner()

    def _numbering_toggled(self, on: bool) -> None:
        if self.bridge.settings.set("thread_numbering", on):
            settings = self.bridge.settings
            self.bridge.lane.submit(settings.save, settings.snapshot())
        self._request_preview()

    def _request_preview(self) -> None:
        self._preview_timer.stop()
        self._preview_generation += 1
        generation = self._preview_generation
        if self.statement is None:
            self.preview.clear()
            self.count_label.setText("")
            self.parts_label.setText("")
            return
        body = self.body.toPlainText()

        def shown(preview: Preview) -> None:
            if generation == self._preview_generation:
                self._show_preview(preview)

        self.text_lane.submit(
            preview_statement,
            body,
            self.incident,
            numbering=self.numbering.isChecked(),
            thread_limit=self.thread_limit,
            on_done=shown,
            key="preview",
        )

    def _show_preview(self, preview: Preview) -> None:
        self.last_preview = preview
        self._update_banner()
        if preview.problem:
            self.count_label.setText("Template problem")
            self.count_label.setStyleSheet(f"font-size: 15px; font-weight: 600; color: {BAD};")
            self.parts_label.setText("")
            self.preview.setHtml(
                f"<p style='color:{BAD}'>Nothing can be approved or posted until this is fixed:"
                f"</p><p>{html.escape(preview.problem)}</p>"
            )
            return
        parts = preview.thread.parts if preview.thread else ()
        fits = all(p.weighted_length <= preview.limit for p in parts) and not (
            preview.thread and preview.thread.problems
        )
        if len(parts) > 1:
            # A thread: each post has its own count in the preview; say how many posts.
            total = f"{preview.count.weighted_length} in all as X counts; " if preview.count else ""
            self.parts_label.setToolTip(f"{total}each post within {preview.limit}")
            self.count_label.setText(f"{len(parts)} posts")
            if preview.over_thread_limit:
                fits = False
                self.parts_label.setText(f"over the limit ({preview.thread_limit})")
                self.parts_label.setToolTip(preview.over_thread_limit)
            else:
                self.parts_label.setText("a thread")
        else:
            n = preview.count.weighted_length if preview.count else 0
            self.count_label.setText(f"{n} / {preview.limit}")
            self.parts_label.setText("one post" if n else "empty")
            self.parts_label.setToolTip("")
        colour = OK if fits else BAD
        self.count_label.setStyleSheet(f"font-size: 15px; font-weight: 600; color: {colour};")
        self.preview.setHtml(_parts_html(preview))

    # --- actions --------------------------------------------------------------------------
    def save_version(self) -> None:
        if self.statement is None or self.body.isReadOnly():
            return
        from commsdesk.desk import Desk

        self._autosave_timer.stop()
        self._dirty = False
        self._saves_in_flight += 1
        statement_id = self.statement.id
        body, base = self.body.toPlainText(), self._base_text
        self._base_text = body

        def saved(version) -> None:
            self._saves_in_flight -= 1
            self._kept_both(version)
            self.save_state.setText(f"Saved v{version.number} {version.updated_at:%H:%M:%S}")
            self.bridge.query(
                Desk.statement, statement_id, on_done=self.bridge.statement_changed.emit
            )

        def failed(exc: BaseException) -> None:
            self._saves_in_flight -= 1
            if self._base_text == body:  # not saved: the next save starts from the last that was
                self._base_text = base
            self._dirty = True
            self.bridge.refused.emit(str(exc) or type(exc).__name__)

        self.bridge.act(
            Desk.save_version, statement_id, body, based_on=base, on_done=saved,
            on_error=failed,
        )

    def edit_text(self) -> None:
        """Edit a statement in review, approved or failed: asks first, then takes it back to
        draft (its approvals stop counting, on the timeline) and puts the cursor in the text."""
        s = self.statement
        if s is None or s.state not in EDIT_VOIDS_APPROVALS:
            return
        if s.state is StatementState.IN_REVIEW:
            n = len(s.approvals)
            so_far = ("; the approval given so far no longer counts" if n == 1 else
                      f"; the {n} approvals given so far no longer count" if n else "")
            consequence = (f"It leaves review and goes back to draft{so_far}. Submit it again "
                           "when the text is ready.")
        else:
            consequence = ("It goes back to draft and its approval no longer counts: it must be "
                           "approved again before it can be posted.")
        answer = QMessageBox.question(
            self,
            "Edit the statement",
            f"Edit the text of “{s.title}”?\n\n{consequence}",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        from commsdesk.desk import Desk

        def editable(statement: Statement) -> None:
            if self.statement is not None and self.statement.id == statement.id:
                self.body.setFocus()
                self.body.moveCursor(QTextCursor.MoveOperation.End)

        self.bridge.act(Desk.return_to_draft, s.id, on_done=editable)

    def submit(self) -> None:
        if self.statement is None:
            return
        from commsdesk.desk import Desk

        self.flush()
        self.bridge.act(Desk.submit, self.statement.id)

    def approve(self) -> None:
        if self.statement is None:
            return
        from commsdesk.desk import Desk

        self.flush()
        self.bridge.act(Desk.approve, self.statement.id)

    def withdraw(self) -> None:
        if self.statement is None:
            return
        reason, ok = QInputDialog.getText(
            self,
            "Withdraw statement",
            f"Withdraw “{self.statement.title}”? It will not be posted.\n"
            "The reason goes on the timeline:",
        )
        if ok and reason.strip():
            from commsdesk.desk import Desk

            self.flush()
            self.bridge.act(Desk.withdraw, self.statement.id, reason.strip())
        elif ok:
            QMessageBox.information(self, "Withdraw", "A reason is needed to withdraw.")

    def post_now(self) -> None:
        s = self.statement
        if s is not None and s.state in POSTABLE and s.approved_text is not None:
            self.flush()
            self.post_requested.emit(s)

    def schedule(self) -> None:
        if self.statement is not None and self.schedule_button.isEnabled():
            self.schedule_requested.emit(self.statement)

    def reopen(self) -> None:
        if self.statement is not None:
            from commsdesk.desk import Desk

            self.bridge.act(Desk.reopen, self.statement.id)

    def show_versions(self) -> None:
        if self.statement is not None:
            self.flush()
            self.versions_requested.emit(self.statement.id)

    def _rename(self) -> None:
        s = self.statement
        title = " ".join(self.title.text().split())
        if s is None or not title or title == s.title or self.title.isReadOnly():
            return
        from commsdesk.desk import Desk

        self.bridge.act(Desk.rename_statement, s.id, title)


def _approvals(n: int) -> str:
    return "1 approval" if n == 1 else f"{n} approvals"


def _thread_limit(desk) -> int:
    """The desk's thread limit (call on the database lane)."""
    from commsdesk.publishing.holds import max_thread_posts

    with desk.reading() as session:
        return max_thread_posts(session)


def _parts_html(preview: Preview) -> str:
    parts = preview.thread.parts if preview.thread else ()
    if not parts:
        return f"<p style='color:{MUTED}'>Nothing to post yet.</p>"
    rows = []
    shown = OVER_LIMIT_PARTS_SHOWN if preview.over_thread_limit else PREVIEW_PARTS_SHOWN
    for i, part in enumerate(parts[:shown], start=1):
        over = part.weighted_length > preview.limit
        colour = BAD if over else MUTED
        text = html.escape(part.text).replace("\n", "<br>")
        label = f"Post {i} of {len(parts)}" if len(parts) > 1 else "Post"
        rows.append(
            "<table width='100%' cellpadding='6' style='margin-bottom:8px; "
            "border:1px solid #cfd8dc;'><tr><td>"
            f"<span style='color:{MUTED}'>{label}</span>"
            f"<span style='color:{colour}; float:right'> · {part.weighted_length}/"
            f"{preview.limit}</span><br>{text}</td></tr></table>"
        )
    if len(parts) > shown:
        rows.append(f"<p style='color:{MUTED}'>… and {len(parts) - shown} more</p>")
    for problem in preview.thread.problems:
        rows.append(f"<p style='color:{BAD}'>{html.escape(problem)}</p>")
    if preview.over_thread_limit:
        rows.insert(0, f"<p style='color:{BAD}'>{html.escape(preview.over_thread_limit)}</p>")
    return "".join(rows)
