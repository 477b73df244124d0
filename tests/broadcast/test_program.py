"""What the desk says is on air, from what OBS last said (no Qt, no OBS), and whether an OBS host
is this machine."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import PurePath

import pytest

from commsdesk.broadcast.obs.api import SLIDES_SCENE, ObsError
from commsdesk.broadcast.obs.host import is_this_machine
from commsdesk.broadcast.program import (
    OnAir,
    Program,
    Tone,
    not_loaded_text,
    push_failure_text,
    remote_note,
    remote_note_parts,
)
from commsdesk.slides.slide_kinds import Standby

AT = datetime(2026, 12, 6, 18, 2, tzinfo=UTC)
LATER = datetime(2026, 12, 6, 18, 5, tzinfo=UTC)
SLIDE = OnAir(Standby(headline="We'll be right back", message=""), PurePath("/s/slide-1.png"),
              "alt", "Camera", False, AT)  # fmt: skip


def test_a_pushed_slide_is_on_air_only_while_obs_has_the_slides_scene():
    program = Program().pushed(SLIDE, AT)
    assert program.on_air is SLIDE
    assert program.banner(LATER) == ("ON AIR: Standby: We'll be right back", Tone.ON_AIR)
    cut = program.read("Screen", LATER)
    assert cut.on_air is None and cut.slide is None
    assert cut.banner(LATER) == ("No slide on air", Tone.OFF)


def test_lost_it_says_what_it_last_knew_and_when_never_on_air():
    lost = Program().pushed(SLIDE, AT).lost()
    assert lost.on_air is None
    assert lost.banner(LATER) == (
        "OBS not reachable. Last known, 18:02 UTC: slide Standby: We'll be right back",
        Tone.UNKNOWN)  # fmt: skip
    assert Program().read("Camera", AT).lost().banner(LATER) == (
        "OBS not reachable. Last known, 18:02 UTC: scene Camera", Tone.UNKNOWN)  # fmt: skip
    assert Program().banner(LATER) == (
        "OBS not connected: what it shows is not known", Tone.UNKNOWN)  # fmt: skip


def test_back_on_the_slides_scene_the_file_decides_whose_slide_it_is():
    back = Program().pushed(SLIDE, AT).lost().read(SLIDES_SCENE, LATER)
    assert back.showing_file("/s/slide-1.png").on_air is SLIDE
    other = back.showing_file("/other/desk.png")
    assert other.on_air is None and other.slide_on_air
    assert other.banner(LATER) == (
        f"ON AIR: the {SLIDES_SCENE} scene (desk.png), not put there from this desk", Tone.ON_AIR)


def test_a_slide_obs_could_not_load_says_it_is_blank():
    blank = Program().pushed(replace(SLIDE, loaded=False), AT)
    assert blank.banner(LATER)[0].endswith(" · BLANK: OBS could not load the image")


def test_words_for_a_failed_push_and_a_remote_obs():
    gone = push_failure_text(ObsError("not_connected", "OBS is not connected (unreachable)."))
    assert gone.startswith("The slide is NOT on air: OBS is not connected (unreachable). It will")
    assert "(connected)" not in gone
    path = PurePath("/data/slides/slide-1.png")
    assert "runs on 10.1.2.3 and found no image at /data/slides/slide-1.png there" in (
        not_loaded_text(path, "10.1.2.3", False))
    assert not_loaded_text(path, "127.0.0.1", True).startswith(
        "OBS shows a blank slide: it could not read /data/slides/slide-1.png")
    assert remote_note("10.1.2.3", path, PurePath("/data/slides")).endswith(
        "share the slides folder with 10.1.2.3 at the same path, so that 10.1.2.3 has the slide "
        "at: /data/slides/slide-1.png")
    assert remote_note_parts("10.1.2.3", None, PurePath("/data/slides"))[1] == (
        "/data/slides/slide-….png")


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1", "[::1]", socket.gethostname()])
def test_this_machine(host):
    assert is_this_machine(host)


@pytest.mark.parametrize("host", ["192.0.2.10", "2001:db8::1", "no-such-host.invalid"])
def test_another_machine(host):
    assert not is_this_machine(host)
