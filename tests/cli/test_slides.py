"""`commsdesk slide render`, run as a real process."""

import json
import struct
from functools import partial
from pathlib import Path

from tests.support.cli import commsdesk

BUILTIN = Path(__file__).resolve().parents[2] / "slides"


run = partial(commsdesk, timeout=120)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_render_back_at_says_when_and_writes_a_full_hd_png(tmp_path):
    out = tmp_path / "back.png"
    done = run(
        "--data-dir", str(tmp_path / "desk"), "slide", "render", "back-at",
        "--set", "at=6:30", "--set", "message=Questions live", "--zone", "America/New_York",
        "--now", "2026-11-24T22:50Z", "-o", str(out),
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "Back at 18:30 today, in 40 min (23:30 UTC · 07:30 SGT · 18:30 ET)"
    assert f"Wrote {out} (1920×1080, text at 100%)" in lines
    assert "Countdown box: x=460 y=840 w=1000 h=120, 72 px #f2b544" in lines
    assert png_size(out) == (1920, 1080)
    assert done.stderr == ""


def test_each_slide_renders(tmp_path):
    for template, sets in (
        ("standby", []),
        ("statement", ["text=We are safe.\n\nMore soon.", "author=Jane Doe", "posted_at=18:00"]),
        ("lower_third", ["name=Jane Doe", "title=CEO"]),
    ):
        out = tmp_path / f"{template}.png"
        args = [arg for value in sets for arg in ("--set", value)]
        done = run("slide", "render", template, *args, "-o", str(out))
        assert done.returncode == 0, done.stderr
        assert png_size(out) == (1920, 1080)


def test_an_unknown_field_lists_the_fields_the_slide_takes(tmp_path):
    done = run("slide", "render", "lower_third", "--set", "name=A", "--set", "role=B",
               "-o", str(tmp_path / "x.png"))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "commsdesk: lower_third has no field 'role'; it takes: name, title, brand."
    )
    assert not (tmp_path / "x.png").exists()


def test_an_unknown_slide_and_a_bad_time_say_what_is_accepted(tmp_path):
    done = run("slide", "render", "intermission", "-o", str(tmp_path / "x.png"))
    assert done.returncode == 2
    assert "the slides are back_at, standby, statement, lower_third" in done.stderr
    done = run("slide", "render", "back_at", "--set", "at=soonish", "-o", str(tmp_path / "x.png"))
    assert done.returncode == 1
    assert "'soonish' is not a time" in done.stderr and "+15m" in done.stderr


def test_a_template_typo_exits_with_one_line_naming_line_and_name(tmp_path):
    team = tmp_path / "team-slides"
    team.mkdir()
    source = (BUILTIN / "standby.html.j2").read_text(encoding="utf-8")
    line = next(i for i, text in enumerate(source.splitlines(), 1) if "{{ headline }}" in text)
    (team / "standby.html.j2").write_text(source.replace("{{ headline }}", "{{ headlin }}"))
    # Through the setting, as the desk would find the team's folder.
    desk = tmp_path / "desk"
    desk.mkdir()
    (desk / "desk.json").write_text(json.dumps({"slides_dir": str(team)}), encoding="utf-8")
    done = run("--data-dir", str(desk), "slide", "render", "standby", "-o",
               str(tmp_path / "x.png"))
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1
    assert done.stderr.startswith(
        f"commsdesk: Line {line}: 'headlin' is not defined in standby.html.j2"
    )


def test_html_output_writes_the_browser_page(tmp_path):
    out = tmp_path / "back.html"
    done = run("slide", "render", "back_at", "--set", "at=+15m", "--now", "2026-11-24T18:00Z",
               "-o", str(out))
    assert done.returncode == 0, done.stderr
    page = out.read_text(encoding="utf-8")
    assert 'data-target="2026-11-24T18:15:00Z"' in page
    assert ">back in 15:00<" in page
