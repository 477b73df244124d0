"""The team's slides folder, trusted only so far: templates come only from regular files inside it,
reached without symbolic links, and none can render for ever or make a page of any size. Each
refusal is one message naming the template, never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from commsdesk import template_sandbox as sandbox
from commsdesk.slides.html_page import write_page
from commsdesk.slides.render import render_slide
from commsdesk.slides.slide_kinds import Standby
from commsdesk.slides.templates import MAX_TEMPLATE_BYTES, render_html
from commsdesk.statements.templates import TemplateProblem

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
SECRET = "root:x:0:0:root:/root:/bin/bash"
HOURS = (  # each would run for hours without the deadline
    "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}",
    "{% for a in 'x' * 100000 %}{% for b in 'x' * 100000 %}{% for c in 'x' * 100000 %}"
    "{% endfor %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(60) }}",
)


@pytest.fixture
def secret(tmp_path) -> Path:
    """A private file outside the team's folder, standing for /etc/passwd."""
    private = tmp_path / "private"
    private.mkdir()
    (private / "passwd").write_text(SECRET + "\n", encoding="utf-8")
    return private / "passwd"


@pytest.fixture
def team(tmp_path) -> Path:
    folder = tmp_path / "team"
    folder.mkdir()
    return folder


@pytest.fixture
def quick_deadline(monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.05)


def write(team: Path, name: str, text: str) -> None:
    (team / name).write_text(text, encoding="utf-8")


def render(team: Path, template: str = "standby.html.j2") -> str:
    variables = {"headline": "Hold on", "message": "Back soon", "brand": ""}
    return render_html(template, variables, slides_dir=team).html


def refusal(team: Path, template: str = "standby.html.j2") -> str:
    """The one-line message rendering gives; it never shows the secret."""
    with pytest.raises(TemplateProblem) as problem:
        render(team, template)
    message = str(problem.value)
    assert SECRET not in message and "\n" not in message
    return message


# --- only regular files inside the folder --------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        '{% include "leak.html.j2" %}',
        '{% import "leak.html.j2" as leak %}{{ leak }}',
        '{% from "leak.html.j2" import anything %}',
        '{% extends "leak.html.j2" %}',
        '{% include "leak.html.j2" ignore missing %}',
        '{% include ["leak.html.j2", "_theme.html.j2"] %}',
    ],
)
def test_a_link_to_a_file_outside_the_folder_is_refused(team, secret, statement):
    (team / "leak.html.j2").symlink_to(secret)
    write(team, "standby.html.j2", "<p>{{ headline }}</p>\n" + statement)
    assert refusal(team) == (
        "Line 2: standby.html.j2 asks for 'leak.html.j2', which is a symbolic link "
        f"({team / 'leak.html.j2'}); slide templates must be regular files."
    )


def test_a_link_is_refused_even_to_a_template_inside_the_folder(team):
    write(team, "real.html.j2", "<p>{{ headline }}</p>")
    (team / "alias.html.j2").symlink_to(team / "real.html.j2")
    write(team, "standby.html.j2", '{% include "alias.html.j2" %}')
    assert "asks for 'alias.html.j2', which is a symbolic link" in refusal(team)

    # The slide's own template as a link: refused, not quietly replaced by the built-in one.
    (team / "standby.html.j2").unlink()
    (team / "standby.html.j2").symlink_to(team / "real.html.j2")
    assert refusal(team) == (
        "slide template 'standby.html.j2' is refused: it is a symbolic link "
        f"({team / 'standby.html.j2'}); slide templates must be regular files."
    )


def test_a_linked_folder_is_refused(team, secret):
    (team / "shared").symlink_to(secret.parent, target_is_directory=True)
    write(team, "standby.html.j2", '{% include "shared/passwd" %}')
    assert refusal(team) == (
        "Line 1: standby.html.j2 asks for 'shared/passwd', which is a symbolic link "
        f"({team / 'shared'}); slide templates must be regular files."
    )


@pytest.mark.parametrize(
    "name",
    [
        "{secret}",
        "../private/passwd",
        "parts/../../private/passwd",
        "./standby.html.j2",
        "parts//line.html.j2",
        "..\\private\\passwd",
    ],
)
def test_absolute_paths_and_dot_dot_are_refused(team, secret, name):
    (team / "parts").mkdir()
    name = name.format(secret=secret)
    write(team, "standby.html.j2", f"{{% include {name!r} %}}")
    assert refusal(team) == (
        f"Line 1: standby.html.j2 asks for {name!r}, which is not a plain name inside the slides "
        "folder (no absolute path, no '..')."
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_pipe_is_refused_without_waiting_for_a_writer(team):
    os.mkfifo(team / "pipe.html.j2")
    write(team, "standby.html.j2", '{% include "pipe.html.j2" %}')
    assert refusal(team).endswith(
        f"asks for 'pipe.html.j2', which is not a regular file ({team / 'pipe.html.j2'})."
    )


def test_an_oversized_template_file_is_refused(team):
    write(team, "standby.html.j2", "x" * (MAX_TEMPLATE_BYTES + 1))
    assert refusal(team) == (
        f"slide template 'standby.html.j2' is refused: it is larger than "
        f"{MAX_TEMPLATE_BYTES // 1024} KB."
    )


def test_good_templates_in_the_folder_still_render(team):
    (team / "parts").mkdir()
    write(team, "parts/line.html.j2", "<p>{{ message }}</p>")
    write(
        team,
        "standby.html.j2",
        '{% import "_theme.html.j2" as theme with context %}'  # the built-in one, found next
        '{% set background = "#ff0000" %}'
        '{{ theme.brand_line("ACME") }}<p>{{ headline }}</p>{% include "parts/line.html.j2" %}'
        "{% for word in headline.split() %}{{ loop.index }}:{{ word }} {% endfor %}",
    )
    result = render_html("standby.html.j2", {"headline": "Hold on", "message": "Soon"},
                         slides_dir=team)  # fmt: skip
    assert "ACME" in result.html and "<p>Hold on</p><p>Soon</p>1:Hold 2:on" in result.html
    assert result.theme["background"] == "#ff0000"


def test_a_saved_template_is_used_and_a_file_turned_into_a_link_is_refused(team, secret):
    write(team, "standby.html.j2", "<p>first</p>")
    assert render(team) == "<p>first</p>"
    write(team, "standby.html.j2", "<p>second, longer</p>")
    assert render(team) == "<p>second, longer</p>"
    (team / "standby.html.j2").unlink()
    (team / "standby.html.j2").symlink_to(secret)
    assert "is refused: it is a symbolic link" in refusal(team)


# --- a deadline and a size ------------------------------------------------------------------------


@pytest.mark.parametrize("source", HOURS)
def test_a_template_that_would_run_for_hours_is_stopped(team, quick_deadline, source):
    write(team, "standby.html.j2", source)
    assert refusal(team) == (
        "Line 1: standby.html.j2 took longer than 0.05 s to render, so it was stopped."
    )


def test_a_worker_thread_rendering_a_runaway_template_comes_back(team, quick_deadline):
    write(team, "standby.html.j2", HOURS[0])
    outcome: list[BaseException] = []

    def work() -> None:
        try:
            render(team)
        except TemplateProblem as problem:
            outcome.append(problem)

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert [str(p) for p in outcome] == [
        "Line 1: standby.html.j2 took longer than 0.05 s to render, so it was stopped."
    ]


def test_the_slide_renderer_gives_the_same_one_message(qapp, team, quick_deadline):
    write(team, "standby.html.j2", HOURS[1])
    with pytest.raises(TemplateProblem, match=r"^Line 1: standby.html.j2 took longer than"):
        render_slide(Standby(), now=NOW, slides_dir=team)


def test_a_huge_text_is_refused_and_no_page_is_written(team, tmp_path):
    write(team, "standby.html.j2", "<p>{{ 'x' * 10**8 }}</p>")
    out = tmp_path / "pages"
    with pytest.raises(TemplateProblem) as problem:
        write_page(Standby(), out, now=NOW, slides_dir=team)
    assert str(problem.value) == (
        "Line 1: standby.html.j2 builds a text or list longer than 262,144 characters."
    )
    assert not (out / "standby.html").exists()


@pytest.mark.parametrize(
    "source",
    [
        "{% for i in range(1000) %}{{ 'x' * 1000 }}{% endfor %}",
        # Text kept in a macro's result, never placed on the page, counts as it is made.
        "{% macro many() %}{% for i in range(100000) %}<p>the same line again</p>{% endfor %}"
        "{% endmacro %}{% set unused = many() %}",
    ],
)
def test_the_output_is_bounded(team, source):
    write(team, "standby.html.j2", source)
    assert refusal(team) == "Line 1: standby.html.j2 produces more than 256 KB of text."


def test_a_page_under_the_bound_renders(team):
    write(team, "standby.html.j2", "{% for i in range(200) %}{{ 'x' * 1000 }}{% endfor %}")
    assert render(team) == "x" * 200_000


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("<p>\n{{ headline }\n", "Line 2: syntax error in standby.html.j2: unexpected '}'."),
        (
            "<p>\n{{ headlin }}",
            "Line 2: 'headlin' is not defined in standby.html.j2; this slide "
            "gives: brand, browser, headline, message, px, scale.",
        ),
        (
            "{{ range(10**9) | list }}",
            "Line 1: standby.html.j2 asks for a range of more than 100,000 numbers.",
        ),
        (
            "{{ 'x' | center(10**9) }}",
            "Line 1: standby.html.j2 builds a text or list longer than 262,144 characters.",
        ),
        ("{{ 2 ** 100000 }}", "Line 1: standby.html.j2 builds a number longer than 4096 bits."),
    ],
)
def test_a_bad_template_is_one_message(team, source, says):
    write(team, "standby.html.j2", source)
    assert refusal(team) == says


# --- the command line ----------------------------------------------------------------------------


def test_the_command_line_refuses_a_link_in_one_line_and_writes_nothing(team, secret, tmp_path):
    (team / "leak.html.j2").symlink_to(secret)
    write(team, "standby.html.j2", '{% include "leak.html.j2" %}')
    out = tmp_path / "standby.html"
    done = subprocess.run(
        [sys.executable, "-m", "commsdesk", "--data-dir", str(tmp_path / "desk"), "slide",
         "render", "standby", "--slides-dir", str(team), "-o", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.splitlines() == [
        "commsdesk: Line 1: standby.html.j2 asks for 'leak.html.j2', which is a symbolic link "
        f"({team / 'leak.html.j2'}); slide templates must be regular files."
    ]
    assert SECRET not in done.stdout and not out.exists()
