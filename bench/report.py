"""The post-incident report of a 72-hour incident written to PDF: 500 posted statements, 100,000
timeline events and three audience sources sampled every 5 s (about 155,000 samples).

The baseline, in the same run, is the same engine (headless Chromium, through
`commsdesk.report.pdf.html_to_pdf`) printing as many pages of plain text (<pre>, a full page
each) as the report came to: what any PDF of that length costs.

Each side runs in a process of its own, timed from the call to its return, with its own peak
memory (VmHWM) as it read it at the end. Chromium's processes are not in that figure; the
sum of their proportional set sizes (PSS) is sampled from outside and shown beside it. Runs
alternate; medians of the times, the highest peaks.
"""

from __future__ import annotations

import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
HOURS = 72
STATEMENTS = 500
EVENTS = 100_000  # events of the incident (incident_id), its statements' among them
SAMPLE_EVERY = 5.0  # seconds, per source
SOURCES = (("youtube", "YouTube", 9000), ("twitch", "Twitch", 4000), ("kick", "Kick", 1500))
PEOPLE = ("Ana Ruiz (comms)", "Ben Zhou (founder)", "Sam Okafor (legal)")
BODY = (
    "Update {n}: withdrawals of {{{{ incident.asset }}}} remain paused while every wallet is "
    "re-keyed. Client balances are backed 1:1. Next update within ten minutes. "
    "Details: https://status.example.com/incident/{n}"
)
GOAL_SECONDS, GOAL_MB = 5.0, 400
PLAIN_LINES, PLAIN_WIDTH = 55, 90  # a full A4 page of 9 pt monospace
SAMPLE_BATCH = 10_000


# --- the desk -----------------------------------------------------------------------------------


def seed(data_dir: Path) -> int:
    """The desk of one closed 72-hour incident; returns the incident's id.

    Statements go through the desk's own use cases (created, submitted, approved by another
    person, posted to the SANDBOX through the publisher) on a clock moved through the incident.
    Between them, the incident's other events are chained with the timeline's own append in one
    transaction per gap, in time order, so ids follow time and the chain verifies. Samples go in
    through AudienceStore.append_samples, in batches."""
    from sqlalchemy import func, select

    from commsdesk.audience.series import Sample
    from commsdesk.audience.store import AudienceStore
    from commsdesk.clock import utc_now
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity
    from commsdesk.publishing.publisher import Publisher
    from commsdesk.publishing.x.sandbox_client import SandboxXClient
    from commsdesk.settings import Settings
    from commsdesk.store.models import EventRow
    from commsdesk.timeline.chain import EventKind

    settings = Settings.load(data_dir)
    settings.set("operator_name", PEOPLE[0])
    settings.save()
    start = utc_now() - timedelta(hours=HOURS + 1)  # closed an hour ago
    clock = [start]
    desk = Desk.open(data_dir, clock=lambda: clock[0])
    try:
        audience = AudienceStore(desk)
        for kind, label, _ in SOURCES:
            audience.add_source(PEOPLE[0], kind, label, {"channel": "bench"}, interval=SAMPLE_EVERY)
        incident = desk.start_incident(
            PEOPLE[0], "Cold-wallet breach (72 h load test)", Severity.P1, facts={"asset": "ETH"}
        )
        desk.set_required_approvals(PEOPLE[0], 1)
        desk.set_update_cadence(PEOPLE[0], incident.id, 10)
        publisher = Publisher(desk, lambda account, _: SandboxXClient(desk, account),
                              clock=lambda: clock[0])  # fmt: skip

        of_incident = select(func.count()).where(EventRow.incident_id == incident.id)
        with desk.reading() as session:
            so_far = session.scalar(of_incident)
        # Each statement puts 4 events on the incident (created, submitted, approved, posted);
        # the close is one more. The rest are the incident's other work, between statements.
        others = EVENTS - so_far - 4 * STATEMENTS - 1
        slot = timedelta(hours=HOURS) / STATEMENTS
        done = 0
        for n in range(STATEMENTS):
            slot_start = start + n * slot
            here = (others * (n + 1)) // STATEMENTS - done
            step = (slot * 0.9) / max(here, 1)
            with desk._write() as session:
                at = slot_start + timedelta(seconds=1)
                if n == 0:
                    desk._append(session, at.replace(tzinfo=None), PEOPLE[1],
                                 EventKind.BROADCAST_STREAM_STARTED,
                                 "Live stream started to YouTube",
                                 data={"destination": "YouTube"})  # fmt: skip
                elif n % 7 == 0:
                    desk._append(session, at.replace(tzinfo=None), PEOPLE[1],
                                 EventKind.BROADCAST_SLIDE, f"Slide on air: Update {n}",
                                 data={"kind": "update", "file": f"update-{n}.png",
                                       "return_scene": "Live"})  # fmt: skip
                elif n % 7 == 1 and n > 1:
                    desk._append(session, at.replace(tzinfo=None), PEOPLE[1],
                                 EventKind.BROADCAST_LIVE, "Back to live: Live",
                                 data={"scene": "Live"})  # fmt: skip
                for k in range(here):
                    desk._append(
                        session,
                        (slot_start + timedelta(seconds=2) + k * step).replace(tzinfo=None),
                        PEOPLE[k % 3],
                        EventKind.VERSION_SAVED,
                        f"'Update {n + 1}': draft v{k + 1} saved",
                        incident_id=incident.id,
                    )
            done += here
            clock[0] = slot_start + slot * 0.92
            author, approver = PEOPLE[n % 3], PEOPLE[(n + 1) % 3]
            statement = desk.create_statement(author, incident.id, f"Update {n + 1}",
                                              BODY.format(n=n + 1))  # fmt: skip
            clock[0] += timedelta(seconds=20)
            desk.submit(author, statement.id)
            clock[0] += timedelta(seconds=30)
            desk.approve(approver, statement.id)
            clock[0] += timedelta(seconds=5)
            publication = publisher.prepare_statement(author, statement.id, "sandbox",
                                                      sandbox=True)  # fmt: skip
            publisher.run(author, publication)
        clock[0] = start + timedelta(hours=HOURS) - timedelta(seconds=30)
        desk.record_stream_ended(PEOPLE[1], HOURS * 3600 - 60)
        clock[0] = start + timedelta(hours=HOURS)
        desk.close_incident(PEOPLE[0], incident.id, "Wallets re-keyed; withdrawals open.")

        # Three sources over the whole incident, each a daily swell with noise and a gap now
        # and then (a source offline for a poll).
        chance = random.Random(72)
        first, samples = start.timestamp(), []
        polls = int(HOURS * 3600 / SAMPLE_EVERY)
        for _, label, base in SOURCES:
            for i in range(polls):
                at = first + i * SAMPLE_EVERY + chance.random()
                if chance.random() < 0.002:
                    samples.append(Sample(at, label, None, "offline"))
                    continue
                swell = 0.6 + 0.4 * math.sin(2 * math.pi * i * SAMPLE_EVERY / 86400)
                samples.append(Sample(at, label, round(base * swell * chance.uniform(0.9, 1.1))))
        for i in range(0, len(samples), SAMPLE_BATCH):
            audience.append_samples(samples[i : i + SAMPLE_BATCH], incident_id=incident.id)

        with desk.reading() as session:
            counted = session.scalar(of_incident)
        if counted != EVENTS:
            raise RuntimeError(f"seeded {counted:,} events of the incident, not {EVENTS:,}")
        verified = desk.verify_timeline()
        if not verified.intact:
            raise RuntimeError(
                "the seeded timeline does not verify: " + "; ".join(verified.lines())
            )
        return incident.id
    finally:
        desk.close()


# --- the measured processes ---------------------------------------------------------------------


def _peak_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def plain_html(pages: int) -> str:
    """`pages` pages of plain text: a <pre> a page, each full, each breaking to the next."""
    from html import escape

    blocks = []
    for page in range(pages):
        lines = []
        for n in range(PLAIN_LINES):
            number = page * PLAIN_LINES + n
            text = (
                f"{number:07d}  12:{number % 60:02d}:{number * 7 % 60:02d}  "
                f"{PEOPLE[number % 3]}  statement.version_saved  'Update {number % 500}' "
            )
            lines.append(escape((text + "." * PLAIN_WIDTH)[:PLAIN_WIDTH]))
        blocks.append("<pre>" + "\n".join(lines) + "</pre>")
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><style>'
        "@page { size: A4; margin: 20mm 14mm 18mm 14mm; }"
        "body { margin: 0; } pre { font: 9pt/12pt monospace; margin: 0; break-after: page; }"
        "pre:last-child { break-after: auto; }"
        "</style></head><body>" + "\n".join(blocks) + "</body></html>"
    )


PLAIN_HEADER = '<div style="font-size: 8pt; width: 100%; margin: 0 14mm;">Plain text</div>'
PLAIN_FOOTER = (
    '<div style="font-size: 8pt; width: 100%; margin: 0 14mm;">Page '
    '<span class="pageNumber"></span> of <span class="totalPages"></span></div>'
)


def child(argv: list[str]) -> None:
    """In the measured process: `report <data_dir> <incident_id> <target>` or `plain <pages>
    <target>`. Prints `measured <seconds> <peak KiB> <pages>`, or `failed <seconds> <peak KiB>
    <why>` when Chromium did not print it."""
    from commsdesk.report.pdf import PdfFailed, html_to_pdf, page_count

    started = time.perf_counter()
    try:
        if argv[0] == "report":
            from commsdesk.audience.store import AudienceStore
            from commsdesk.desk import Desk
            from commsdesk.report.writing import write_report

            data_dir, incident_id, target = Path(argv[1]), int(argv[2]), Path(argv[3])
            desk = Desk.open(data_dir)
            started = time.perf_counter()
            written = write_report(desk, PEOPLE[0], incident_id, target,
                                   audience=AudienceStore(desk))  # fmt: skip
            seconds = time.perf_counter() - started
            desk.close()
            if written.format != "PDF":
                raise RuntimeError(f"the report came as {written.format}: {written.instead}")
            pages = written.pages
        else:
            pages, target = int(argv[1]), Path(argv[2])
            html = plain_html(pages)
            started = time.perf_counter()
            data = html_to_pdf(html, header=PLAIN_HEADER, footer=PLAIN_FOOTER)
            target.write_bytes(data)
            seconds = time.perf_counter() - started
            pages = page_count(data)
    except PdfFailed as exc:
        print(f"failed {time.perf_counter() - started:.6f} {_peak_kib()} {exc}", flush=True)
        return
    print(f"measured {seconds:.6f} {_peak_kib()} {pages}", flush=True)


def _descendants(pid: int) -> list[int]:
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        parents.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for kid in parents.get(todo.pop(), []):
            found.append(kid)
            todo.append(kid)
    return found


def _pss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


@dataclass(frozen=True)
class Run:
    seconds: float  # to the PDF, or to Chromium's refusal
    peak_kib: int  # the measured process's VmHWM
    pages: int | None
    engine_kib: int  # Chromium's processes, sampled
    failed: str = ""  # what Chromium said when it did not print


def measured(args: list[str]) -> Run:
    """Run `child(args)` in a new process; Chromium's processes (its descendants) are sampled
    every half second for the sum of their PSS (reading a large process's is not free)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from bench.report import child; child(sys.argv[1:])",
         *args],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    engine_peak = [0]

    def sample() -> None:
        while proc.poll() is None:
            engine_peak[0] = max(engine_peak[0], sum(map(_pss_kib, _descendants(proc.pid))))
            time.sleep(0.5)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, err = proc.communicate()
    sampler.join()
    line = next((ln for ln in out.splitlines() if ln.startswith(("measured ", "failed "))), None)
    if proc.returncode or line is None:
        raise RuntimeError(f"{args[0]} (exit {proc.returncode}): {err.strip()[-2000:]}")
    if line.startswith("failed "):
        _, seconds, peak, why = line.split(" ", 3)
        return Run(float(seconds), int(peak), None, engine_peak[0], why)
    _, seconds, peak, pages = line.split()
    return Run(float(seconds), int(peak), int(pages), engine_peak[0])


def main() -> None:
    from commsdesk.report.pdf import find_chromium

    if find_chromium() is None:
        print("post-incident report: skipped, no Chromium (the PDF engine) on this machine")
        return
    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        data_dir = Path(tmp) / "desk"
        started = time.monotonic()
        incident_id = seed(data_dir)
        print(f"(seeded one {HOURS} h incident: {STATEMENTS} posted statements, {EVENTS:,} "
              f"events, {len(SOURCES) * int(HOURS * 3600 / SAMPLE_EVERY):,} audience samples, "
              f"in {time.monotonic() - started:.1f} s)")  # fmt: skip
        report_args = ["report", str(data_dir), str(incident_id), str(Path(tmp) / "report.pdf")]
        plain_args = ["plain", "", str(Path(tmp) / "plain.pdf")]
        # The first report gives the baseline its page count.
        reports = [measured(report_args)]
        if reports[0].pages is None:
            print(f"report of the incident to PDF: FAILED after {reports[0].seconds:.1f} s "
                  f"({reports[0].failed}); no baseline to compare with")  # fmt: skip
            print(f"goals: <= {GOAL_SECONDS:g} s MISSED (no PDF was written)")
            return
        pages = reports[0].pages
        plain_args[1] = str(pages)
        plains = [measured(plain_args)]
        for _ in range(RUNS - 1):
            reports.append(measured(report_args))
            plains.append(measured(plain_args))
    show(reports, plains, pages)


def show(reports: list[Run], plains: list[Run], pages: int) -> None:
    report_s = statistics.median(r.seconds for r in reports)
    plain_s = statistics.median(p.seconds for p in plains)
    report_mib = max(r.peak_kib for r in reports) / 1024
    plain_mib = max(p.peak_kib for p in plains) / 1024
    failed = [r.failed for r in reports if r.failed]
    plain_pages = sorted({p.pages for p in plains} - {pages})
    differ = f" (it came to {plain_pages} pages)" if plain_pages else ""
    of = f"median of {len(reports)}" if len(reports) > 1 else "one run"
    if failed:
        outcome = (f"FAILED in {len(failed)} of {len(reports)} runs, Chromium gave up after "
                   f"{report_s:.1f} s ({failed[0]})")  # fmt: skip
    else:
        outcome = f"{report_s:.2f} s, {pages:,} pages"
    print(f"report of the incident to PDF ({of}): {outcome}")
    print(
        f"baseline, {pages:,} pages of plain text by the same engine: {plain_s:.2f} s{differ}; "
        f"ratio {report_s / plain_s:.2f}x{' (to the failure)' if failed else ''}"
    )
    print(
        f"peak memory of the process writing it (VmHWM): report {report_mib:.0f} MiB, plain "
        f"text {plain_mib:.0f} MiB; ratio {report_mib / plain_mib:.2f}x"
    )
    print(
        f"Chromium's processes meanwhile (sampled PSS, not in the figures above): report "
        f"{max(r.engine_kib for r in reports) / 1024:.0f} MiB, plain text "
        f"{max(p.engine_kib for p in plains) / 1024:.0f} MiB"
    )
    in_time = not failed and report_s <= GOAL_SECONDS
    in_memory = report_mib * 2**20 <= GOAL_MB * 1e6
    print(
        f"goals: <= {GOAL_SECONDS:g} s {'met' if in_time else 'MISSED'}; <= {GOAL_MB} MB "
        f"({GOAL_MB * 1e6 / 2**20:.0f} MiB) {'met' if in_memory else 'MISSED'}"
        + (" (no PDF was written)" if failed else "")
    )


if __name__ == "__main__":
    main()
