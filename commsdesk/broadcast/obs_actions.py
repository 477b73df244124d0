"""OBS actions with their record, for paths that hold a blocking OBS (`BlockingObs`): the
command line and the drill. Each does what the Broadcast panel does and puts it on the timeline
under who acted: go live (or record, in a drill), end the stream, put a slide up, back to live.

The panel reaches the same requests through its own non-blocking bridge; the records are the
same kinds and words, so the timeline, the report and the other desks cannot tell the paths
apart except by `data["from"]`. No Qt, except drawing a slide (render.py makes its own
offscreen application when none runs).
"""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from commsdesk.broadcast.going_live import GoLive, plan
from commsdesk.broadcast.obs.api import ObsError
from commsdesk.timeline.chain import EventKind

LIVE_WAIT = 15.0  # seconds for OBS to say the stream runs after StartStream


def go_live(desk, actor: str, obs, *, drill: bool, rehearsal, via: str) -> GoLive:
    """Start the stream (or, in a drill to a destination not marked for rehearsals, record)
    and record it once OBS says it runs. ObsError when OBS refuses or never goes live."""
    if obs.stream_health().live:
        raise ObsError("refused", "OBS is streaming already: nothing was started.")
    going = plan(obs.stream_service(), drill=drill, rehearsal=rehearsal)
    if going.refused:
        raise ObsError("refused", going.refused)
    if not going.streams:
        obs.start_record()
        desk.record(actor, EventKind.BROADCAST_RECORDING,
                    f"Drill: OBS recording instead of streaming ({going.sentence})",
                    data={"from": via})  # fmt: skip
        return going
    obs.start_stream()
    deadline = time.monotonic() + LIVE_WAIT
    while not obs.stream_health().live:  # OBS says so once the output runs
        if time.monotonic() > deadline:
            with contextlib.suppress(ObsError):  # never a stream starting late, unrecorded
                obs.stop_stream()
            raise ObsError("not_answering", f"OBS accepted StartStream but the stream was not "
                           f"running after {LIVE_WAIT:g} s, so it was stopped; check OBS.")
        time.sleep(0.25)
    desk.record_stream_state(actor, True, where=going.destination)
    return going


def end_stream(desk, actor: str, obs):
    """Stop the live stream and record how long it ran (None: already on the record)."""
    health = obs.stream_health()
    obs.stop_stream()
    return desk.record_stream_ended(actor, health.live_seconds if health.live else None)


def end_recording(desk, actor: str, obs, *, via: str):
    """Stop a drill's recording (what it did instead of going live) and record it."""
    obs.stop_record()
    return desk.record(actor, EventKind.BROADCAST_RECORDING_STOPPED, "Drill: OBS recording stopped",
                       data={"from": via})  # fmt: skip


def open_obs(settings, *, host: str | None = None, port: int | None = None):
    """A BlockingObs opened at host:port (else the desk's obs_host/obs_port settings), the
    password from COMMSDESK_OBS_PASSWORD or the keyring. It waits: call it off the UI thread."""
    from commsdesk.broadcast.obs.blocking import BlockingObs
    from commsdesk.keyring_secrets import load_obs_password

    return BlockingObs(host or settings.get("obs_host"), port or settings.get("obs_port"),
                       load_obs_password() or "").open()  # fmt: skip


@dataclass(frozen=True)
class SlidePushed:
    headline: str
    path: Path
    return_scene: str | None
    loaded: bool | None  # False: OBS showed the slides scene but could not read the file
    countdown: bool


def draw_slide(data_dir, settings, kind_name: str, values: dict[str, str], *,
               zone: str | None = None, fold: int | None = None, prefix: str = "cli",
               now: datetime | None = None):
    """(the slide, its PNG in the desk's slides folder, the renderer's warnings). Raises what
    building and drawing raise: UnknownField, SlideProblem, AmbiguousTime, ScheduleRefused,
    TemplateProblem, OSError."""
    from commsdesk.broadcast.on_air import producer_zone
    from commsdesk.clock import utc_now
    from commsdesk.slides.files import new_slide_path, prune, slides_folder
    from commsdesk.slides.render import ensure_gui_application, render_slide
    from commsdesk.slides.slide_kinds import SlideKind, SlideRequest, build_slide

    zones = tuple(settings.get("team_time_zones")) or ("UTC",)
    zone = zone or producer_zone(settings.get("producer_zone"))
    now = now or utc_now()
    slide = build_slide(SlideRequest(SlideKind.named(kind_name), values, zone=zone, zones=zones),
                        now, fold=fold)  # fmt: skip
    ensure_gui_application()
    folder = slides_folder(data_dir)
    path = new_slide_path(folder, prefix)
    rendered = render_slide(slide, now=now, slides_dir=settings.get("slides_dir") or None)
    rendered.save(path)
    prune(folder, (path,))
    return slide, path.resolve(), tuple(rendered.warnings)


def push_slide(desk, actor: str, obs, slide, path: Path, *, via: str,
               countdown: bool = False) -> SlidePushed:
    """Put the drawn slide on air and record it; a slide OBS could not load is recorded as
    "Slide blank in OBS" too (`loaded` False)."""
    from commsdesk.broadcast.on_air import headline
    from commsdesk.clock import utc_now
    from commsdesk.slides.slide_kinds import BackAt, countdown_text

    counting = countdown and isinstance(slide, BackAt)
    first = countdown_text(slide.at, utc_now()) if counting else None
    result = obs.push_slide(str(path), first)
    source = f" (from {result.return_scene})" if result.return_scene else ""
    said = headline(slide)
    desk.record(actor, EventKind.BROADCAST_SLIDE, f"Slide on air: {said}{source}",
                data={"kind": slide.kind.value, "file": path.name,
                      "return_scene": result.return_scene, "from": via})  # fmt: skip
    loaded = obs.slide_loaded(str(path))
    if loaded is False:  # None: not known (another went up meanwhile)
        desk.record(actor, EventKind.BROADCAST_FAILED,
                    f"Slide blank in OBS: {said}: OBS could not load {path}",
                    data={"file": path.name, "from": via})  # fmt: skip
    return SlidePushed(said, path, result.return_scene, loaded, bool(counting and result.countdown))


def back_to_live(desk, actor: str, obs, *, via: str) -> str:
    """The scene that was on before the slide, back on air and recorded; its name."""
    scene = obs.back_to_live()
    desk.record(actor, EventKind.BROADCAST_LIVE, f"Back to live: {scene}",
                data={"scene": scene, "from": via})  # fmt: skip
    return scene
