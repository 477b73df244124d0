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
    put_up_words,
    remote_note,
    remote_note_parts,
)
from commsdesk.slides.slide_kinds import Standby
from commsdesk.timeline.chain import EventKind, TimelineEvent

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


def test_a_cut_away_and_back_to_the_same_file_is_the_desks_slide_again():
    away = Program().pushed(SLIDE, AT).read("Screen", LATER)
    assert away.on_air is None and away.banner(LATER) == ("No slide on air", Tone.OFF)
    back = away.read(SLIDES_SCENE, LATER)
    assert back.on_air is None  # not on a guess: until OBS says which file the scene shows
    again = back.showing_file("/s/slide-1.png")
    assert again.on_air is SLIDE
    assert again.banner(LATER) == ("ON AIR: Standby: We'll be right back", Tone.ON_AIR)
    # remembered across several cuts and a lost connection while away
    far = away.read("Camera", LATER).lost().read("Guest", LATER).read(SLIDES_SCENE, LATER)
    assert far.showing_file("/s/slide-1.png").on_air is SLIDE


def test_a_cut_back_to_another_file_is_not_the_desks_and_forgets_its_slide():
    back = Program().pushed(SLIDE, AT).read("Screen", LATER).read(SLIDES_SCENE, LATER)
    other = back.showing_file("/other/desk.png")
    assert other.on_air is None and other.last is None
    assert other.banner(LATER) == (
        f"ON AIR: the {SLIDES_SCENE} scene (desk.png), not put there from this desk", Tone.ON_AIR)
    told = other.told("/other/desk.png", "Standby: Drill · put up by Drill")
    assert told.banner(LATER) == ("ON AIR: Standby: Drill · put up by Drill", Tone.ON_AIR)
    # the desk's file shown again later is no longer taken for its slide: another replaced it
    twice = told.read("Screen", LATER).read(SLIDES_SCENE, LATER).showing_file("/s/slide-1.png")
    assert twice.on_air is None


def test_a_slide_put_up_elsewhere_is_named_from_the_timeline():
    def slide_event(n, file, summary, actor, via=None, kind=EventKind.BROADCAST_SLIDE):
        data = {"file": file, **({"from": via} if via else {})}
        return TimelineEvent(n, AT.replace(minute=n), actor, kind, summary, data=data)

    newest_first = [
        slide_event(9, "slide-9.png", "Slide blank in OBS: x", "Lee",
                    kind=EventKind.BROADCAST_FAILED),
        slide_event(8, "slide-8.png", "Slide on air: Back at 18:30 UTC (from Camera)", "Drill",
                    via="drill"),
        slide_event(7, "slide-8.png", "Slide on air: an older push of the same file", "Lee"),
        slide_event(6, "slide-6.png", "Slide on air: Standby: Investigation update", "Ana Ruiz",
                    via="command line"),
        slide_event(5, "slide-5.png", "Slide on air: Statement: funds", "Ana Ruiz"),
    ]  # fmt: skip
    assert put_up_words("/tmp/s/slide-8.png", newest_first) == (
        "Back at 18:30 UTC (from Camera) · put up by Drill from a drill at 18:08 UTC")
    assert put_up_words("slide-6.png", newest_first) == (
        "Standby: Investigation update · put up by Ana Ruiz from the command line at 18:06 UTC")
    assert put_up_words("slide-5.png", newest_first) == (
        "Statement: funds · put up by Ana Ruiz at 18:05 UTC")
    assert put_up_words("slide-9.png", newest_first) == ""  # a failure is not a push
    assert put_up_words("never.png", newest_first) == ""

    other = Program().read(SLIDES_SCENE, AT).showing_file("/tmp/s/slide-8.png")
    told = other.told("/tmp/s/slide-8.png", "Back at 18:30 UTC · put up by Drill")
    assert told.banner(LATER) == ("ON AIR: Back at 18:30 UTC · put up by Drill", Tone.ON_AIR)
    assert other.told("/tmp/s/slide-1.png", "stale") == other  # another file by now
    assert told.read("Camera", LATER).banner(LATER) == ("No slide on air", Tone.OFF)
    again = told.read(SLIDES_SCENE, LATER).showing_file("/tmp/s/slide-6.png")
    assert "put up by Drill" not in again.banner(LATER)[0]  # its words went with its file


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
