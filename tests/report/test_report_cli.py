"""`commsdesk report` in its own process, as a person or a script runs it: what it prints, its exit
statuses, and the verify command the report prints, run afterwards."""

from __future__ import annotations

import html
import json
import re
import shlex
import sqlite3
from contextlib import closing

import pytest

from tests.report.conftest import MIRA, seed
from tests.report.reading import chromium, pdf_info, sections
from tests.support.cli import commsdesk


@pytest.fixture
def data(isolated_dirs):
    """A desk folder holding the seeded incident (#1, closed), the desk itself closed."""
    seeded = seed(isolated_dirs)
    seeded.desk.close()
    return isolated_dirs


def report(data, *args, **kwargs):
    return commsdesk("report", *args, data_dir=data, operator=MIRA, **kwargs)


def verify_command(page: str) -> list[str]:
    """The command the report prints, as argv (without the leading `commsdesk`)."""
    found = re.search(r'<p class="command" id="verify-command">(.*?)</p>', page)
    argv = shlex.split(html.unescape(found.group(1)))
    assert argv[:4] == ["commsdesk", "timeline", "verify", "--head"]
    return argv[1:]


def test_a_pdf_is_written_and_its_path_and_pages_printed(data, tmp_path):
    chromium()
    target = tmp_path / "out" / "incident.pdf"
    target.parent.mkdir()
    done = report(data, "--incident", "1", "-o", str(target))
    assert done.returncode == 0, done.stderr
    path, pages = done.stdout.strip().split("\t")
    assert path == str(target) and pages == f"{pdf_info(target)['Pages']} pages"
    assert int(pdf_info(target)["Pages"]) >= 4
    assert done.stderr == ""
    shown = commsdesk("timeline", "show", "--limit", "1", data_dir=data, check=True).stdout
    assert f"\t{MIRA}\treport.written\tPost-incident report written: incident.pdf (PDF, " in shown


def test_html_by_default_for_the_latest_incident(data, tmp_path):
    done = report(data, "-o", str(tmp_path / "latest.html"))  # incident 1 is closed: the latest
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "latest.html")
    assert "Cold wallet drained" in (tmp_path / "latest.html").read_text(encoding="utf-8")


def test_the_printed_verify_command_passes_then_fails_after_tampering(data, tmp_path):
    target = tmp_path / "report.html"
    assert report(data, "-o", str(target)).returncode == 0
    argv = verify_command(target.read_text(encoding="utf-8"))
    intact = commsdesk(*argv, data_dir=data)
    assert intact.returncode == 0, intact.stdout + intact.stderr
    assert intact.stdout.startswith("Timeline intact:")
    with closing(sqlite3.connect(data / "commsdesk.sqlite3")) as db:  # behind the desk's back
        db.execute("UPDATE timeline_events SET summary = 'Slide on air: nothing' "
                   "WHERE kind = 'broadcast.failed'")  # fmt: skip
        db.commit()
    altered = commsdesk(*argv, data_dir=data)
    assert altered.returncode == 1
    assert altered.stdout.startswith("Timeline altered at event #")


def test_the_verify_command_fails_when_events_up_to_the_head_are_cut(data, tmp_path):
    target = tmp_path / "report.html"
    assert report(data, "-o", str(target)).returncode == 0
    argv = verify_command(target.read_text(encoding="utf-8"))
    with closing(sqlite3.connect(data / "commsdesk.sqlite3")) as db:
        newest = db.execute("SELECT max(id) FROM timeline_events").fetchone()[0]
        db.execute("DELETE FROM timeline_events WHERE id >= ?", (newest - 1,))
        db.commit()
    cut = commsdesk(*argv, data_dir=data)
    assert cut.returncode == 1, cut.stdout


def test_no_such_incident_is_exit_1(data, tmp_path):
    done = report(data, "--incident", "9", "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1
    assert done.stderr == "commsdesk: There is no incident #9.\n"
    assert not (tmp_path / "r.html").exists()


def test_no_incident_at_all_is_exit_1(isolated_dirs, tmp_path):
    done = report(isolated_dirs, "-o", str(tmp_path / "r.html"))
    assert done.returncode == 1
    assert done.stderr == "commsdesk: there is no incident to report on\n"


def test_an_unwritable_folder_is_exit_2_and_leaves_nothing(data, tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        done = report(data, "-o", str(folder / "r.pdf"), without_root_powers=True)
    finally:
        folder.chmod(0o755)
    assert done.returncode == 2
    assert done.stderr == (
        f"commsdesk: Cannot write the report: the folder {folder} is not writable.\n"
    )
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize(("name", "said"), [
    ("missing/r.pdf", "Cannot write the report: the folder {tmp}/missing does not exist."),
    ("r.docx", "r.docx: a report is written as .pdf or .html; name the file so."),
])  # fmt: skip
def test_a_path_that_cannot_be_a_report_is_exit_2(data, tmp_path, name, said):
    done = report(data, "-o", str(tmp_path / name))
    assert done.returncode == 2
    assert done.stderr == f"commsdesk: {said.format(tmp=tmp_path)}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


def test_without_a_pdf_engine_the_html_is_written_and_the_exit_is_2(data, tmp_path):
    target = tmp_path / "r.pdf"
    done = report(data, "-o", str(target), env={"COMMSDESK_CHROMIUM": str(tmp_path / "none")})
    assert done.returncode == 2
    assert done.stderr == (
        "commsdesk: no PDF engine: Chromium is not installed; install Chromium (on Debian: apt "
        f"install chromium); the report was written as HTML instead: {tmp_path / 'r.html'}\n"
    )
    assert not target.exists()
    assert "Post-incident report" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_the_command_is_listed_and_has_help():
    listed = commsdesk("--help", check=True).stdout
    assert re.search(r"^\s+report\s+write the post-incident report", listed, re.MULTILINE)
    own = commsdesk("report", "--help", check=True).stdout
    assert "--incident N" in own and "-o FILE, --output FILE" in own


def timeline_rows(page: str) -> list[int]:
    found = re.findall(r"^(\d+) \d\d:\d\d:\d\d T[+-]\S+ .+? [a-z0-9_]+\.[a-z_]+ .+$",
                       sections(page)["timeline"], re.MULTILINE)  # fmt: skip
    return [int(n) for n in found]


def heading(page: str) -> str:
    return sections(page)["timeline"].splitlines()[0]


def test_starred_lists_only_the_events_starred_and_says_so_when_none_is(data, tmp_path):
    every = tmp_path / "none-starred.html"
    assert report(data, "--starred", "-o", str(every)).returncode == 0
    page = every.read_text(encoding="utf-8")
    assert heading(page).startswith(
        "Timeline · No events were starred, so every event is listed: all ")
    listed = timeline_rows(page)
    assert len(listed) > 30

    pressed = 3  # p1.pressed in the seeded record
    shown = commsdesk("timeline", "show", "--limit", "0", data_dir=data, check=True).stdout
    assert f"#{pressed}\t" in shown and "\tp1.pressed\t" in shown.splitlines()[pressed - 1]
    commsdesk("timeline", "star", str(pressed), data_dir=data, operator=MIRA, check=True)
    target = tmp_path / "starred.html"
    done = report(data, "--starred", "-o", str(target))
    assert done.returncode == 0, done.stderr
    page = target.read_text(encoding="utf-8")
    assert timeline_rows(page) == [pressed]
    assert re.fullmatch(r"Timeline · The 1 event starred on the timeline, of \d+", heading(page))


def test_the_key_times_are_in_the_zones_of_this_desk_s_settings(data, tmp_path):
    (data / "desk.json").write_text(json.dumps({"team_time_zones": ["UTC", "Europe/Berlin"]}))
    target = tmp_path / "zones.html"
    assert report(data, "-o", str(target)).returncode == 0
    text = sections(target.read_text(encoding="utf-8"))
    assert "also given in the team's zones: " in " ".join(text["cover"].split())
    assert "(Europe/Berlin)" in text["cover"]
    assert re.search(r"^Started .+ UTC\n\d\d:\d\d UTC · \d\d:\d\d CES?T", text["cover"],
                     re.MULTILINE)  # fmt: skip
