"""Incident → Report… in a real desk window over the seeded record: the file dialog, the writing
off the UI thread with its progress in the status bar, the result, and a failure said once."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog, QLineEdit, QMenu, QMessageBox

import commsdesk.report.writing as writing
from commsdesk.report.ui.report_action import ReportWriter
from tests.report.conftest import TITLE, seed
from tests.report.reading import chromium, pdf_info
from tests.support.desk_harness import DeskHarness


@pytest.fixture
def window(qtbot, isolated_dirs):
    seeded = seed(isolated_dirs)  # incident 1, closed: the latest
    seeded.desk.close()
    harness = DeskHarness(qtbot, isolated_dirs)
    yield harness
    harness.close()


def report_item(window):
    menu = next(m for m in window.menuBar().findChildren(QMenu) if m.title() == "&Incident")
    return next(a for a in menu.actions() if a.text() == "&Report…")


def ask(harness, qtbot) -> QFileDialog:
    report_item(harness.window).trigger()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in harness.window.findChildren(QFileDialog)),
                    timeout=10_000)  # fmt: skip
    return next(d for d in harness.window.findChildren(QFileDialog) if d.isVisible())


def test_the_report_is_written_off_the_ui_thread_and_said_in_the_status_bar(
    window, qtbot, tmp_path, monkeypatch
):
    chromium()
    threads = []
    real = writing.write_report

    def noting(*args, **kwargs):
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(writing, "write_report", noting)
    said = []
    window.window.statusBar().messageChanged.connect(said.append)
    dialog = ask(window, qtbot)
    assert dialog.selectedFiles()[0].endswith(f"{TITLE} - report.pdf")
    assert dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave
    assert dialog.nameFilters() == ["PDF (*.pdf)", "HTML (*.html)"]
    target = tmp_path / "window.pdf"
    writer = window.window.findChild(ReportWriter)
    with qtbot.waitSignal(writer.written, timeout=120_000) as written:
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(target))  # typed, as a person
        dialog.accept()
    assert threads == ["lane-report"]
    assert any(text.startswith(f"Writing the report of “{TITLE}”") for text in said)
    assert any(text.startswith("Writing the report… Printing the PDF") for text in said)
    assert written.args[0].path == target
    pages = int(pdf_info(target)["Pages"])
    assert written.args[0].pages == pages
    assert window.window.statusBar().currentMessage() == (
        f"Report written: {target} (PDF, {pages} pages)"
    )
    window.idle()
    newest = window.desk.timeline(limit=1)[0]
    assert newest.kind == "report.written" and newest.actor == "Ana Ruiz (comms)"


def test_a_folder_that_is_gone_is_one_clear_message_and_no_file(window, qtbot, tmp_path):
    dialog = ask(window, qtbot)
    writer = window.window.findChild(ReportWriter)
    target = tmp_path / "gone" / "r.html"
    with qtbot.waitSignal(writer.failed, timeout=30_000) as failed:
        writer.write(window.desk.incident(1), target)  # as if the folder went after choosing
    dialog.reject()
    message = f"Cannot write the report: the folder {target.parent} does not exist."
    assert failed.args == [message]
    assert window.window.statusBar().currentMessage() == message
    boxes = [b for b in window.window.findChildren(QMessageBox) if b.isVisible()]
    assert [b.text() for b in boxes] == [message]
    assert not target.parent.exists()
    assert not writer.busy


def test_with_events_starred_it_asks_and_lists_only_those_in_the_team_s_zones(
    window, qtbot, tmp_path
):
    from commsdesk.desk import Desk
    from tests.report.reading import sections

    pressed = next(e for e in window.desk.timeline(limit=None) if e.kind == "p1.pressed")
    window.bridge.act(Desk.star_event, pressed.id)
    window.idle()
    report_item(window.window).trigger()

    def question():
        return next((b for b in window.window.findChildren(QMessageBox)
                     if b.isVisible() and b.windowTitle() == "Which events in the report"),
                    None)  # fmt: skip

    qtbot.waitUntil(lambda: question() is not None, timeout=10_000)
    box = question()
    assert box.text().startswith("1 of the ") and f"events of “{TITLE}” is starred" in box.text()
    only = next(b for b in box.buttons() if b.text() == "Only the &starred (1)")
    assert box.defaultButton() is only
    only.click()
    qtbot.waitUntil(lambda: any(d.isVisible() for d in window.window.findChildren(QFileDialog)),
                    timeout=10_000)  # fmt: skip
    dialog = next(d for d in window.window.findChildren(QFileDialog) if d.isVisible())
    target = tmp_path / "starred.html"
    writer = window.window.findChild(ReportWriter)
    with qtbot.waitSignal(writer.written, timeout=60_000):
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(target))
        dialog.accept()
    text = sections(target.read_text(encoding="utf-8"))
    rows = [line for line in text["timeline"].splitlines()[1:] if line[:1].isdigit()]
    assert [int(line.split()[0]) for line in rows] == [pressed.id]
    assert text["timeline"].startswith("Timeline · The 1 event starred on the timeline, of ")
    # The desk's team_time_zones (its defaults: UTC, Singapore, New York) reach the report.
    assert "team's zones: SGT (Asia/Singapore), ET (America/New_York)" in " ".join(
        text["cover"].split())
    window.idle()
    assert window.desk.timeline(limit=1)[0].data["starred_only"] is True


def test_the_save_dialog_opens_in_the_last_report_s_folder_else_documents_else_home(
    window, qtbot, tmp_path, monkeypatch
):
    from commsdesk.settings import Settings

    home, elsewhere = tmp_path / "home", tmp_path / "program"
    home.mkdir()
    elsewhere.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)  # as when the desk is run from its own source folder

    def opened_in() -> tuple[QFileDialog, Path]:
        dialog = ask(window, qtbot)
        folder = Path(dialog.directory().absolutePath())
        return dialog, folder

    dialog, folder = opened_in()  # no report yet, no Documents folder: home
    assert folder == home
    dialog.reject()
    (home / "Documents").mkdir()
    dialog, folder = opened_in()
    assert folder == home / "Documents"

    reports = tmp_path / "reports"
    reports.mkdir()
    writer = window.window.findChild(ReportWriter)
    with qtbot.waitSignal(writer.written, timeout=60_000):
        dialog.findChild(QLineEdit, "fileNameEdit").setText(str(reports / "r.html"))
        dialog.accept()
    window.idle()
    assert window.settings.get("report_folder") == str(reports)
    qtbot.waitUntil(lambda: Settings.load(window.data_dir).get("report_folder") == str(reports))
    dialog, folder = opened_in()
    assert folder == reports  # where the last report went
    dialog.reject()

    shutil.rmtree(reports)  # a folder that is gone is passed over
    dialog, folder = opened_in()
    assert folder == home / "Documents"
    dialog.reject()


def test_an_unforeseen_error_is_said_with_its_type_and_logged_with_its_traceback(
    window, qtbot, tmp_path, monkeypatch, caplog
):
    import logging

    def broken(*_args, **_kwargs):
        return {}["DRILL_PROGRESS"]

    monkeypatch.setattr(writing, "write_report", broken)
    writer = ReportWriter(window.window)
    with caplog.at_level(logging.ERROR), qtbot.waitSignal(writer.failed, timeout=30_000) as failed:
        writer.write(window.desk.incident(1), tmp_path / "r.html")
    message = "The report could not be written: KeyError: 'DRILL_PROGRESS'"
    assert failed.args == [message]
    assert window.window.statusBar().currentMessage() == message
    [logged] = [r for r in caplog.records if r.name == "commsdesk.report.ui.report_action"]
    assert logged.levelno == logging.ERROR and logged.exc_info[0] is KeyError
    assert "in broken" in caplog.text and "Traceback" in caplog.text
    for box in window.window.findChildren(QMessageBox):
        box.close()


def test_the_desk_s_own_refusals_are_said_plainly_and_not_logged(
    window, qtbot, tmp_path, monkeypatch, caplog
):
    import logging

    from commsdesk.report.pdf import PdfEngineMissing
    from commsdesk.store.session import DeskError

    writer = ReportWriter(window.window)
    for refusal in (DeskError("The incident is gone."),
                    PdfEngineMissing("no PDF engine: Chromium is not installed")):  # fmt: skip
        def refusing(*_args, refusal=refusal, **_kwargs):
            raise refusal

        monkeypatch.setattr(writing, "write_report", refusing)
        with caplog.at_level(logging.ERROR), qtbot.waitSignal(writer.failed) as failed:
            writer.write(window.desk.incident(1), tmp_path / "r.html")
        assert failed.args == [str(refusal)]
    assert not [r for r in caplog.records if r.name == "commsdesk.report.ui.report_action"]
    for box in window.window.findChildren(QMessageBox):
        box.close()
