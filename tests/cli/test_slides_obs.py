"""`commsdesk slide back-at|push|off` as a script runs them: real processes against a real OBS,
the program output checked against the desk's own rendering, every push and off on the desk's
timeline; and exit 2 with one line of reason when OBS is unreachable, refuses the password or
never answers."""

from __future__ import annotations

import re
import threading
import time
from functools import partial
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from commsdesk.broadcast.obs.api import SLIDES_SCENE
from commsdesk.broadcast.obs.blocking import BlockingObs
from commsdesk.desk import Desk
from tests.support import obs_studio as studio
from tests.support.cli import commsdesk
from tests.support.obs_studio import ObsStudio, SilentServer, free_port

obs_studio = studio.obs_studio
ON_AIR = re.compile(r"^On air: (?P<what>.+) \((?P<path>/.+\.png)\)$", re.MULTILINE)


@pytest.fixture
def data_dir(isolated_dirs) -> Path:
    isolated_dirs.mkdir(parents=True, exist_ok=True)
    return isolated_dirs


# As Pat, with no OBS password unless the test gives one.
run = partial(commsdesk, operator="Pat Lee (cli)", obs_password="", timeout=90)


def target(obs: ObsStudio) -> list[str]:
    return ["--host", "127.0.0.1", "--port", str(obs.port)]


def timeline(data_dir: Path, kind: str) -> list:
    desk = Desk.open(data_dir)
    try:
        return list(reversed(desk.timeline(kinds=[kind])))
    finally:
        desk.close()


def program(obs: ObsStudio) -> str:
    with BlockingObs("127.0.0.1", obs.port, obs.password) as connection:
        return connection.scenes().program


def screenshot(obs: ObsStudio) -> QImage:
    with BlockingObs("127.0.0.1", obs.port, obs.password) as connection:
        return QImage.fromData(connection.program_screenshot(320, 180))


def largest_difference(a: QImage, b: QImage) -> int:
    """Per channel, over 16x9 downscales of both."""
    small = [
        image.convertToFormat(QImage.Format.Format_RGB32).scaled(
            16, 9, Qt.AspectRatioMode.IgnoreAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )  # fmt: skip
        for image in (a, b)
    ]
    worst = 0
    for x in range(16):
        for y in range(9):
            pa, pb = small[0].pixelColor(QPoint(x, y)), small[1].pixelColor(QPoint(x, y))
            worst = max(worst, abs(pa.red() - pb.red()), abs(pa.green() - pb.green()),
                        abs(pa.blue() - pb.blue()))  # fmt: skip
    return worst


def test_push_puts_the_rendered_slide_on_air_then_off_returns(obs_studio, data_dir, qapp):
    done = run("obs", "scene", "Screen", *target(obs_studio),
               obs_password=obs_studio.password, data_dir=data_dir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    done = run("slide", "push", "standby", "--set", "brand=Northwind Exchange",
               *target(obs_studio), obs_password=obs_studio.password,
               data_dir=data_dir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = ON_AIR.search(done.stdout)
    assert shown is not None, done.stdout
    png = Path(shown["path"])
    assert png.parent == data_dir / "slides" and png.is_file()
    assert program(obs_studio) == SLIDES_SCENE

    expected = QImage(str(png))
    difference = None
    for _ in range(40):  # OBS shows the new file from its next frame on
        difference = largest_difference(screenshot(obs_studio), expected)
        if difference <= 24:
            break
        time.sleep(0.25)
    assert difference is not None and difference <= 24, f"on air differs by {difference}"
    [event] = timeline(data_dir, "broadcast.slide")
    assert event.actor == "Pat Lee (cli)"
    assert event.summary == (
        "Slide on air: Standby: We're experiencing technical difficulties (from Screen)"
    )

    done = run("slide", "off", *target(obs_studio), obs_password=obs_studio.password,
               data_dir=data_dir)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "Program: Screen"
    assert program(obs_studio) == "Screen"
    [back] = timeline(data_dir, "broadcast.back_live")
    assert back.summary == "Back to live: Screen"
    run("obs", "scene", "Camera", *target(obs_studio), obs_password=obs_studio.password,
        data_dir=data_dir)


def test_back_at_says_when_and_goes_on_air(obs_studio, data_dir):
    done = run("slide", "back-at", "+15m", "--message", "Q&A follows",
               *target(obs_studio), obs_password=obs_studio.password,
               data_dir=data_dir)  # fmt: skip
    assert done.returncode == 0, done.stderr
    shown = ON_AIR.search(done.stdout)
    assert shown is not None and shown["what"].startswith("Back at "), done.stdout
    assert program(obs_studio) == SLIDES_SCENE
    [event] = timeline(data_dir, "broadcast.slide")
    assert event.summary.startswith("Slide on air: Back at ")
    done = run("slide", "off", *target(obs_studio), obs_password=obs_studio.password,
               data_dir=data_dir)
    assert done.returncode == 0, done.stderr


def test_a_slide_obs_cannot_read_is_found_blank_says_so_and_exits_2(obs_studio, data_dir):
    """As with an OBS on another machine: the file is not where OBS looks. Here each rendered
    slide is taken away as soon as it is written, before the command reaches OBS."""
    slides = data_dir / "slides"
    stop = threading.Event()

    def take_away() -> None:
        while not stop.is_set():
            for png in slides.glob("*.png") if slides.is_dir() else ():
                if not png.name.startswith("."):  # a slide being written is left to finish
                    png.unlink(missing_ok=True)
            time.sleep(0.001)

    thief = threading.Thread(target=take_away, daemon=True)
    thief.start()
    try:
        done = run("slide", "push", "standby", *target(obs_studio),
                   obs_password=obs_studio.password, data_dir=data_dir)  # fmt: skip
    finally:
        stop.set()
        thief.join()
    assert done.returncode == 2, done.stderr
    shown = ON_AIR.search(done.stdout)
    assert shown is not None, done.stdout
    assert done.stderr.strip() == (
        f"commsdesk: OBS shows a blank slide: it could not read {shown['path']}. Check that "
        "OBS may read that folder, then put the slide on air again."
    )
    assert program(obs_studio) == SLIDES_SCENE  # OBS did cut: what is on air is blank
    [pushed] = timeline(data_dir, "broadcast.slide")
    [blank] = timeline(data_dir, "broadcast.failed")
    assert blank.summary == (
        f"Slide blank in OBS: {shown['what']}: OBS could not load {shown['path']}"
    )
    assert blank.id > pushed.id
    run("slide", "off", *target(obs_studio), obs_password=obs_studio.password, data_dir=data_dir)


def test_a_bad_time_exits_1_and_nothing_goes_on_air(obs_studio, data_dir):
    before = program(obs_studio)
    done = run("slide", "back-at", "25:00", *target(obs_studio),
               obs_password=obs_studio.password, data_dir=data_dir)  # fmt: skip
    assert done.returncode == 1
    assert len(done.stderr.strip().splitlines()) == 1 and "hours go up to 23" in done.stderr
    assert program(obs_studio) == before
    assert timeline(data_dir, "broadcast") == []


def test_a_field_the_slide_does_not_take_exits_2(data_dir):
    done = run("slide", "push", "lower_third", "--set", "colour=red",
               "--port", str(free_port()), data_dir=data_dir)  # fmt: skip
    assert done.returncode == 2
    assert "takes: name, title, brand" in done.stderr


@pytest.mark.parametrize("command", [["push", "standby"], ["back-at", "+5m"], ["off"]])
def test_unreachable_obs_exits_2_with_one_line(data_dir, command):
    done = run("slide", *command, "--host", "127.0.0.1", "--port", str(free_port()),
               data_dir=data_dir)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("commsdesk: OBS: nothing answers at 127.0.0.1:")
    assert timeline(data_dir, "broadcast") == []


def test_a_wrong_password_exits_2_with_one_line(obs_studio, data_dir):
    done = run("slide", "push", "standby", *target(obs_studio), obs_password="not it",
               data_dir=data_dir)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "password" in done.stderr
    assert timeline(data_dir, "broadcast") == []


def test_a_server_that_never_answers_exits_2(data_dir):
    server = SilentServer(upgrade=True)
    try:
        done = run("slide", "off", "--host", "127.0.0.1", "--port", str(server.port),
                   data_dir=data_dir)
    finally:
        server.stop()
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "5 s" in done.stderr
