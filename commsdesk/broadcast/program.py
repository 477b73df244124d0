"""What OBS has on air, as the desk knows it, and the words the producer reads about it.

A slide is on air only while OBS's program scene, as last read from OBS, is the slides scene. The
desk reads the program on every (re)connect and on each CurrentProgramSceneChanged; it never
assumes. While OBS cannot be reached it says what it last knew and when, never "ON AIR".

Pure: no Qt, no network.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from pathlib import PurePath

from commsdesk.broadcast import on_air
from commsdesk.broadcast.obs.api import SLIDES_SCENE, ObsError
from commsdesk.clock import as_utc
from commsdesk.slides.slide_kinds import Slide
from commsdesk.timeline.chain import EventKind, TimelineEvent

# What a failed push means, by why it failed.
GONE = {"not_connected", "unreachable", "wrong_password"}
MAYBE = {"connection_lost", "not_answering"}


@dataclass(frozen=True)
class OnAir:
    """A slide the desk put in the slides scene. `loaded` is whether OBS could read its file
    (None until OBS has said)."""

    slide: Slide
    path: PurePath
    alt: str
    return_scene: str | None
    countdown: bool  # the desk keeps OBS's countdown text current
    since: datetime
    loaded: bool | None = None

    def line(self, now: datetime) -> str:
        line = on_air.on_air_line(self.slide, now)
        if self.loaded is False:
            line += " · BLANK: OBS could not load the image"
        return line


class Tone(StrEnum):
    ON_AIR = "on air"  # a slide is on air (red)
    OFF = "off"  # no slide on air (quiet)
    UNKNOWN = "unknown"  # the desk cannot tell now (amber)


@dataclass(frozen=True)
class Program:
    """OBS's program as last read, and the desk's slide in the slides scene when it knows it.

    `slide` is kept only while the program is the slides scene; `other_file` is that scene's
    file when it is not a slide the desk put there (another desk, the command line, a restart).
    `last` is the desk's slide while the program is another scene: back on the slides scene, it
    is the desk's slide again if that scene still shows its file (`showing_file`)."""

    reachable: bool = False
    scene: str | None = None  # None: not read from this OBS yet
    slide: OnAir | None = None
    other_file: str = ""
    known_at: datetime | None = None  # when OBS last told the desk what it shows
    other_told: str = ""  # what the timeline says put `other_file` up (see put_up_words)
    last: OnAir | None = None  # the desk's slide, remembered across a cut away

    @property
    def slide_on_air(self) -> bool:
        return self.reachable and self.scene == SLIDES_SCENE

    @property
    def on_air(self) -> OnAir | None:
        """The desk's slide, while OBS has it on air."""
        return self.slide if self.slide_on_air else None

    def read(self, scene: str | None, now: datetime) -> Program:
        """OBS says `scene` is its program."""
        if scene == SLIDES_SCENE:
            return replace(self, reachable=True, scene=scene, known_at=now)
        return Program(reachable=True, scene=scene, known_at=now, last=self.slide or self.last)

    def pushed(self, slide: OnAir, now: datetime) -> Program:
        return Program(reachable=True, scene=SLIDES_SCENE, slide=slide, known_at=now)

    def showing_file(self, file: str) -> Program:
        """The slides scene shows `file`: the desk's slide (on air, or the last one before a cut
        away) if it is that file, else another's, and the desk's is forgotten."""
        mine = self.slide or self.last
        if mine is not None and str(mine.path) == file:
            return replace(self, slide=mine, last=None, other_file="", other_told="")
        return replace(self, slide=None, last=None, other_file=file, other_told="")

    def told(self, file: str, words: str) -> Program:
        """The timeline says who put `file` up and when (`put_up_words`); kept only while the
        slides scene still shows that file."""
        if not self.slide_on_air or self.other_file != file:
            return self
        return replace(self, other_told=words)

    def lost(self) -> Program:
        """OBS cannot be reached: what was known stays, as last known."""
        return replace(self, reachable=False)

    def banner(self, now: datetime) -> tuple[str, Tone]:
        """The on-air line and its tone."""
        if not self.reachable:
            if self.scene is None or self.known_at is None:
                return "OBS not connected: what it shows is not known", Tone.UNKNOWN
            if self.scene == SLIDES_SCENE:
                what = (f"slide {on_air.headline(self.slide.slide)}" if self.slide
                        else f"the {SLIDES_SCENE} scene")  # fmt: skip
            else:
                what = f"scene {self.scene}"
            return (f"OBS not reachable. Last known, {self.known_at:%H:%M} UTC: {what}",
                    Tone.UNKNOWN)  # fmt: skip
        if self.scene is None:
            return "Reading what OBS has on air…", Tone.UNKNOWN
        if self.scene != SLIDES_SCENE:
            return "No slide on air", Tone.OFF
        if self.slide is not None:
            return self.slide.line(now), Tone.ON_AIR
        if self.other_told:
            return f"ON AIR: {self.other_told}", Tone.ON_AIR
        shown = f" ({PurePath(self.other_file).name})" if self.other_file else ""
        return (f"ON AIR: the {SLIDES_SCENE} scene{shown}, not put there from this desk",
                Tone.ON_AIR)  # fmt: skip


def put_up_words(file: str, events: Iterable[TimelineEvent]) -> str:
    """Who put the slide `file` on air and when, from the newest of the timeline's slide
    events (`events`, newest first) naming that file: "Back at 18:30 UTC · put up by Ana Ruiz
    from a drill at 18:02 UTC"; "" when none does."""
    name = PurePath(file).name
    event = next((e for e in events if e.kind == EventKind.BROADCAST_SLIDE
                  and e.data.get("file") == name), None)  # fmt: skip
    if event is None:
        return ""
    what = event.summary.removeprefix("Slide on air: ")
    via = event.data.get("from")
    where = {"drill": " from a drill", "command line": " from the command line"}.get(
        via, f" from {via}" if via else ""
    )
    return f"{what} · put up by {event.actor}{where} at {as_utc(event.at):%H:%M} UTC"


def push_failure_text(exc: BaseException) -> str:
    """What the producer reads when a push fails, by why."""
    if isinstance(exc, ObsError):
        if exc.kind in GONE:
            return (
                f"The slide is NOT on air: {exc.message.rstrip('.')}. It will not be sent by "
                "itself when OBS is back; put it on air again then."
            )
        if exc.kind in MAYBE:
            return (
                f"OBS went away during the push ({exc.message}). Check OBS: the slide may or may "
                "not be on air. It will not be sent again by itself."
            )
        return f"The slide is NOT on air: {exc.message}"
    return f"The slide is NOT on air: {exc}"


def not_loaded_text(path: PurePath, host: str, local: bool | None) -> str:
    """OBS cut to the slides scene but its image source could not read the file."""
    if local is False:
        return (
            f"OBS shows a blank slide: it runs on {host} and found no image at {path} there. "
            f"Copy the file to that path on {host} (or share the folder at the same path), "
            "then put the slide on air again."
        )
    return (
        f"OBS shows a blank slide: it could not read {path}. Check that OBS may read that "
        "folder, then put the slide on air again."
    )


def remote_note_parts(host: str, path: PurePath | None, folder: PurePath) -> tuple[str, str]:
    """Before a push, when OBS runs on another machine (OBS reads slides as files): the sentence,
    and the path OBS must find the slide at, to be shown on a line of its own."""
    where = path if path is not None else folder / "slide-….png"
    return (
        f"OBS runs on {host}, not on this computer, and reads each slide as a file. The desk "
        f"cannot send it there yet: share the slides folder with {host} at the same path, so "
        f"that {host} has the slide at:",
        str(where),
    )


def remote_note(host: str, path: PurePath | None, folder: PurePath) -> str:
    """The same note in one line of text."""
    sentence, where = remote_note_parts(host, path, folder)
    return f"{sentence} {where}"
