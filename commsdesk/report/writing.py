"""Writing a post-incident report to a file, for the window and the command line alike: gather the
facts, render the HTML, print it to PDF when asked, write the file atomically (a failure leaves
nothing half-written), and put the report on the timeline (`report.written`).

The head printed in the report is the timeline's head as the report read it, before the
report.written event that records this very report: the report cannot hold the hash of an event
that records the report's own digest. The event carries the file's SHA-256 and that head, so the
file can later be matched to the record.

No Qt.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

REPORT_WRITTEN = "report.written"  # the timeline kind
FORMATS = {".pdf": "PDF", ".html": "HTML", ".htm": "HTML"}


class ReportProblem(Exception):
    """The report cannot be written where asked; the message says why, in one sentence."""


@dataclass(frozen=True)
class WrittenReport:
    path: Path
    format: str  # "PDF" or "HTML"
    pages: int | None  # for a PDF
    incident_id: int
    incident_title: str
    head_event_id: int | None
    instead: str = ""  # why a PDF was asked for and the HTML written (no PDF engine)
    timeline_file: Path | None = None  # every listed event, when too many to print

    def line(self) -> str:
        pages = f", {self.pages} page{'' if self.pages == 1 else 's'}" if self.pages else ""
        beside = f"; the whole timeline in {self.timeline_file.name}" if self.timeline_file else ""
        return f"{self.path} ({self.format}{pages}{beside})"


def report_format(path: Path) -> str:
    """"PDF" or "HTML" from the file's name; ReportProblem for any other."""
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ReportProblem(
            f"{path.name}: a report is written as .pdf or .html; name the file so."
        ) from None


def check_target(path: Path) -> None:
    """Refuse at once a folder that is missing, not a folder, or not writable, before the
    slow part; the write itself still says so when the disk fills or the folder changes."""
    import os

    folder = path.parent
    if not folder.exists():
        raise ReportProblem(f"Cannot write the report: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise ReportProblem(f"Cannot write the report: {folder} is not a folder.")
    if path.is_dir():
        raise ReportProblem(f"Cannot write the report: {path} is a folder.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ReportProblem(f"Cannot write the report: the folder {folder} is not writable.")


def default_name(title: str, suffix: str = ".pdf") -> str:
    """A file name from the incident's title: 'Hot wallet drained - report.pdf'."""
    kept = "".join(c if c.isalnum() or c in " -_.,()" else " " for c in title)
    kept = " ".join(kept.split()).strip(" .")[:80] or "incident"
    return f"{kept} - report{suffix}"


def write_report(
    desk,
    actor: str,
    incident_id: int,
    path: Path,
    *,
    audience=None,
    now: datetime | None = None,
    progress=None,
    starred_only: bool = False,
    zones: Iterable[str] = (),
) -> WrittenReport:
    """Write the report of `incident_id` to `path` (.pdf or .html) and record it. The timeline
    section lists only the starred events with `starred_only` (every event when none is); the
    key times are also given in `zones`, the team's time zones (see facts.gather).

    Asked for a PDF where no Chromium is installed, it writes the HTML beside it (same name,
    .html) and says so in `instead`. Raises ReportProblem when the file cannot be written (with
    nothing left behind), DeskError when there is no such incident, PdfFailed when Chromium
    failed."""
    from commsdesk.atomic_file import write_atomically
    from commsdesk.report.facts import gather, listed_events
    from commsdesk.report.html import print_footer, print_header, render_html
    from commsdesk.report.pdf import PdfEngineMissing, PdfPrinter, page_count

    path = Path(path).expanduser()
    kind = report_format(path)
    check_target(path)
    say = progress or (lambda _text: None)
    printer, instead = None, ""
    if kind == "PDF":  # started now, it boots while the record is read
        try:
            printer = PdfPrinter()
        except PdfEngineMissing as exc:
            instead = str(exc)
            kind, path = "HTML", path.with_suffix(".html")
    companion = companion_sha256 = timeline_file = None
    try:
        say("Reading the record…")
        facts = replace(gather(desk, incident_id, audience=audience, now=now,
                               starred_only=starred_only, zones=zones), generated_by=actor)
        beside = path.with_name(f"{path.stem}.timeline.csv")
        if facts.timeline_cut:  # too many to print: every listed event in a CSV beside it,
            # read and written while Chromium prints (each row carries its event's hash, so the
            # file answers to the record without the report holding the file's own digest)
            companion = beside.with_name(f".{beside.name}.new")  # named so with the report
            listed = facts
            timeline_file = _Written(companion,
                                     lambda: timeline_csv(listed_events(desk, listed)))
            facts = replace(facts, companion=beside.name)
        say("Laying out the report…")
        html = render_html(facts, embed_fonts=printer is None)
        data, pages = html.encode("utf-8"), None
        if printer is not None:
            say("Printing the PDF…")
            data = printer.print(html, header=print_header(facts), footer=print_footer(facts))
            pages = page_count(data)
        say("Writing the file…")
        if timeline_file is not None:
            companion_sha256 = timeline_file.wait()
        try:
            write_atomically(path, data)  # private to you (0600), as the desk's own files
            if companion is not None:
                os.replace(companion, beside)
                companion = None
            else:  # an earlier report's timeline of the same name would mislead
                beside.unlink(missing_ok=True)
        except OSError as exc:
            raise ReportProblem(f"Cannot write the report to {path}: "
                                f"{exc.strerror or exc}.") from exc  # fmt: skip
    except BaseException:
        if companion is not None:  # no timeline file without the report it belongs to
            if timeline_file is not None:
                timeline_file.thread.join()
            companion.unlink(missing_ok=True)
        raise
    finally:
        if printer is not None:
            printer.__exit__(None, None, None)
    written = WrittenReport(path, kind, pages, facts.incident.id, facts.incident.title,
                            facts.head.event_id, instead,
                            beside if facts.companion else None)  # fmt: skip
    pages_said = f", {pages} pages" if pages else ""
    desk.record(
        actor, REPORT_WRITTEN,
        f"Post-incident report written: {path.name} ({kind}{pages_said}), up to timeline "
        f"event #{facts.head.event_id}",
        incident_id=facts.incident.id,
        data={"file": path.name, "format": kind.lower(), "pages": pages,
              "sha256": hashlib.sha256(data).hexdigest(), "head_event_id": facts.head.event_id,
              "head_sha256": facts.head.hash, "head_count": facts.head.count,
              "starred_only": facts.starred_only, "timeline_file": facts.companion,
              "timeline_sha256": companion_sha256},
    )  # fmt: skip
    return written


class _Written:
    """A file made and written on a thread of its own (the GIL is free while Chromium
    prints); `wait()` gives its SHA-256, or raises ReportProblem."""

    def __init__(self, path: Path, make) -> None:
        import threading

        self.path, self.make = path, make
        self.digest: str | None = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="report-timeline", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        from commsdesk.atomic_file import write_atomically

        try:
            data = self.make()
            write_atomically(self.path, data)
            self.digest = hashlib.sha256(data).hexdigest()
        except BaseException as exc:  # said by wait(), on the caller's thread
            self.error = exc

    def wait(self) -> str:
        self.thread.join()
        if isinstance(self.error, OSError):
            raise ReportProblem(f"Cannot write the report's timeline beside the report: "
                                f"{self.error.strerror or self.error}.") from self.error
        if self.error is not None:
            raise self.error
        return self.digest or ""


def timeline_csv(events) -> bytes:
    """Events as CSV (UTF-8): id, time (UTC), who, kind, what, and the event's hash as the
    record holds it, to match against `commsdesk timeline show --json`. Text a spreadsheet
    would run as a formula (= + - @ first) is kept as text with a leading apostrophe."""
    import csv
    import io

    def cell(text: str) -> str:
        return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    out = io.StringIO()
    table = csv.writer(out, lineterminator="\n")
    table.writerow(["id", "at_utc", "actor", "kind", "summary", "hash"])
    table.writerows([e.id, e.at.isoformat(timespec="microseconds"), cell(e.actor), e.kind,
                     cell(e.summary), e.hash] for e in events)  # fmt: skip
    return out.getvalue().encode("utf-8")


def incident_to_report(desk, incident_id: int | None):
    """The incident asked for; else the active one, else the latest; None when there is none.
    DeskError for an id that does not exist."""
    if incident_id is not None:
        return desk.incident(incident_id)
    active = desk.active_incident()
    if active is not None:
        return active
    incidents = desk.list_incidents()
    return incidents[0] if incidents else None
