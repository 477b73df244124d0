"""The report's PDF, printed by a real headless Chromium and read back with poppler: Japanese and
Arabic survive, every page has the header and "Page n of m", a long timeline paginates, and the
PDF is the same document as the HTML."""

from __future__ import annotations

import csv
import hashlib
import re

import pytest

from commsdesk.incidents.incident import Severity
from commsdesk.report import facts as facts_module
from commsdesk.report.writing import write_report
from tests.report.conftest import ARABIC, JAPANESE, LEE, MIRA, TITLE
from tests.report.reading import chromium, pdf_fonts, pdf_info, pdf_pages, sections


@pytest.fixture(autouse=True)
def _chromium():
    chromium()


def page_numbers(pages: list[str]) -> list[tuple[int, int]]:
    found = []
    for text in pages:
        match = re.search(r"Page (\d+) of (\d+)", text)
        assert match, text[-300:]
        found.append((int(match.group(1)), int(match.group(2))))
    return found


def test_japanese_and_arabic_statements_survive_to_the_pdf(seeded, tmp_path):
    written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "report.pdf",
                           audience=seeded.services.audience)  # fmt: skip
    assert written.format == "PDF" and written.path.read_bytes().startswith(b"%PDF-")
    text = "\n".join(pdf_pages(written.path))
    assert JAPANESE in text
    words = re.findall(r"[\u0600-\u06ff]+", ARABIC)
    assert len(words) == 7
    for word in words:
        assert word in text, word
    fonts = pdf_fonts(written.path)  # the shipped fonts drew them, embedded
    assert "NotoSansArabic" in fonts and "DroidSansFallback" in fonts and "NotoSans-" in fonts


def test_every_page_has_the_header_and_page_n_of_m(seeded, tmp_path):
    written = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "report.pdf",
                           audience=seeded.services.audience)  # fmt: skip
    pages = pdf_pages(written.path)
    total = int(pdf_info(written.path)["Pages"])
    assert written.pages == total == len(pages) >= 4
    assert page_numbers(pages) == [(n, total) for n in range(1, total + 1)]
    assert page_numbers(pdf_pages(written.path, "footer")) == page_numbers(pages)
    for header in pdf_pages(written.path, "header"):  # the title and the severity, on each
        assert " ".join(header.split()) in (f"Post-incident report · {TITLE} P1",
                                            f"P1 Post-incident report · {TITLE}")
    assert pdf_info(written.path)["Title"] == f"Post-incident report: {TITLE}"


def test_a_long_timeline_paginates_with_headers_and_page_numbers(desk, tmp_path):
    title = "冷钱包被盗 · سرقة المحفظة"
    incident = desk.start_incident(MIRA, title, Severity.P2, "1,400 events.")
    for n in range(1, 1401):
        desk.record(LEE, "desk.note", f"Check {n:04d} of the wallet's signers, done",
                    incident_id=incident.id)  # fmt: skip
    written = write_report(desk, MIRA, incident.id, tmp_path / "long.pdf")
    pages = pdf_pages(written.path)
    total = int(pdf_info(written.path)["Pages"])
    assert written.pages == total == len(pages) > 30
    assert page_numbers(pages) == [(n, total) for n in range(1, total + 1)]
    assert page_numbers(pdf_pages(written.path, "footer")) == page_numbers(pages)
    headers = pdf_pages(written.path, "header")
    assert len(headers) == total
    for header in headers:  # the title in Chinese and Arabic and the severity, on each
        assert " ".join(header.split()) in ("Post-incident report · 冷钱包被盗 · سرقة المحفظة P2",
                                            "P2 Post-incident report · 冷钱包被盗 · سرقة المحفظة")
    body = "\n".join(pages)
    shown = re.findall(r"Check (\d{4}) of the wallet's signers, done", body)
    assert [int(n) for n in shown] == list(range(1, 1401))  # every event, in order, none cut
    bodies = pdf_pages(written.path, "body")
    continued = [text for text in bodies if "of the wallet's signers" in text][1:]
    assert len(continued) >= total - 4  # after the cover and the page the timeline starts on
    for text in continued:  # the table's head is repeated at the top of each of its pages
        top = " ".join(" ".join(text.splitlines()[:12]).split())
        assert top.startswith("# Time (UTC) T+ Who Kind What"), top


def test_a_timeline_too_long_to_print_lists_what_was_done_and_every_event_beside_it(
    desk, tmp_path, monkeypatch
):
    monkeypatch.setattr(facts_module, "INLINE_EVENTS", 40)
    incident = desk.start_incident(MIRA, "Signer checks", Severity.P2)
    notes = [desk.record(LEE, "desk.note", f"Check {n:03d} of the signers", incident_id=incident.id)
             for n in range(1, 61)]  # fmt: skip
    statement = desk.create_statement(MIRA, incident.id, "Holding line", "Funds are safe.")
    desk.submit(MIRA, statement.id)
    desk.approve(LEE, statement.id)
    desk.star_event(LEE, notes[7].id)  # a note someone starred is printed with the key ones

    written = write_report(desk, MIRA, incident.id, tmp_path / "checks.pdf")

    text = " ".join("\n".join(pdf_pages(written.path)).split())
    beside = tmp_path / "checks.timeline.csv"
    assert written.timeline_file == beside
    rows = list(csv.DictReader(beside.open(encoding="utf-8")))
    listed = [e for e in reversed(desk.timeline(incident_id=incident.id, limit=None))
              if e.id <= written.head_event_id]  # fmt: skip
    assert [int(row["id"]) for row in rows] == [e.id for e in listed]  # every one, in order
    assert [row["hash"] for row in rows] == [e.hash for e in listed]
    digest = hashlib.sha256(beside.read_bytes()).hexdigest()
    assert ("in checks.timeline.csv beside this report, each row with its event's hash as the "
            "record holds it") in text
    assert "Check 008 of the signers" in text  # starred
    assert "Check 009 of the signers" not in text  # a note: in the file only
    assert "Started P2 incident 'Signer checks'" in text  # the incident's own change
    assert "approved v1" not in text  # the statement's steps: in the file only
    event = desk.timeline(kinds=["report.written"], limit=1)[0]
    assert event.data["timeline_file"] == "checks.timeline.csv"
    assert event.data["timeline_sha256"] == digest


def test_the_pdf_is_the_same_document_as_the_html(seeded, tmp_path):
    html = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "report.html",
                        audience=seeded.services.audience)  # fmt: skip
    pdf = write_report(seeded.desk, MIRA, seeded.incident_id, tmp_path / "report.pdf",
                       audience=seeded.services.audience)  # fmt: skip
    document = sections(html.path.read_text(encoding="utf-8"))
    printed = re.sub(r"\s+", " ", "\n".join(pdf_pages(pdf.path)))
    for heading in ("Key times", "Updates against the promised cadence", "Statements as posted",
                    "Audience", "Broadcast", "Slides on air", "Stream health trouble",
                    "Timeline", "The record behind this report"):  # fmt: skip
        assert heading in printed, heading
    for line in document["key-times"].splitlines()[2:]:
        words = line.split()
        assert " ".join(words[-3:]) in printed, line
    # The second report's head is one event further on: the first report's report.written.
    assert pdf.head_event_id == html.head_event_id + 1
    assert f"timeline head: event #{pdf.head_event_id}" in printed


def test_a_starred_only_pdf_lists_the_starred_event_and_not_the_others(seeded, tmp_path):
    desk = seeded.desk
    events = list(reversed(desk.timeline(limit=None)))
    pressed = next(e for e in events if e.kind == "p1.pressed")
    started = next(e for e in events if e.kind == "incident.started")
    desk.star_event(MIRA, pressed.id)
    desk.star_event(MIRA, started.id)
    desk.unstar_event(MIRA, started.id)
    written = write_report(desk, MIRA, seeded.incident_id, tmp_path / "starred.pdf",
                           starred_only=True, zones=["UTC", "Asia/Singapore"])  # fmt: skip
    text = " ".join(" ".join(pdf_pages(written.path)).split())
    assert re.search(r"Timeline · The 1 event starred on the timeline, of \d+ ", text)
    assert "p1.pressed" in text and pressed.summary.split(".")[0] in text
    assert "incident.started" not in text and started.summary not in text
    assert "SGT" in text and "(Asia/Singapore)" in text  # the key times in the team's zones
