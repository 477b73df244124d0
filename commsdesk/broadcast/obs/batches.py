"""obs-websocket requests the desk sends, built as plain data: no network, no OBS.

Each function returns `ObsRequest`s (request type and fields, exactly as obs-websocket v5 names
them); `connection.ObsConnection` sends them, and the unit tests check every name against the
protocol. Only requests and fields that obs-websocket 5.1 (OBS 29) has are used.

Answers are read back here too (`scene_list_from`, `stream_sample_from`), so the adapter only
moves data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from commsdesk.broadcast.obs.api import (
    COUNTDOWN_INPUT,
    SLIDE_INPUT,
    SLIDES_SCENE,
    SceneList,
    StreamService,
)
from commsdesk.broadcast.stream_health import StreamSample
from commsdesk.slides.slide_kinds import HEIGHT, LAYOUTS, WIDTH, SlideKind

# Text sources by platform, best first: FreeType 2 (Linux, macOS), GDI+ (Windows).
TEXT_KINDS = ("text_ft2_source_v2", "text_gdiplus_v3", "text_gdiplus_v2", "text_gdiplus")
IMAGE_KIND = "image_source"
ALIGN_CENTER = 0  # OBS_ALIGN_CENTER
ALIGN_TOP_LEFT = 5  # OBS_ALIGN_LEFT | OBS_ALIGN_TOP
# The countdown goes where the rendered Back-at slide leaves room for it, at its size and colour
# (commsdesk.slides.slide_kinds: the layout; the default theme's countdown colour, #f2b544).
_BACK_AT = LAYOUTS[SlideKind.BACK_AT]
COUNTDOWN_BOX = _BACK_AT.countdown or (0, 0, WIDTH, HEIGHT)
COUNTDOWN_PX = _BACK_AT.countdown_px
COUNTDOWN_COLOUR = 0xFF44B5F2  # ABGR of #f2b544


@dataclass(frozen=True)
class ObsRequest:
    type: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SlidesInventory:
    """What OBS has now, as far as the slides scene is concerned."""

    scenes: frozenset[str]
    inputs: Mapping[str, str]  # input name -> input kind, every input in OBS
    slides_scene_sources: frozenset[str] = frozenset()  # source names in the slides scene


class SlidesConflict(Exception):
    """A source the desk needs exists under the same name with another kind."""


def choose_text_kind(kinds: Iterable[str]) -> str | None:
    """The text source this OBS offers (GetInputKindList), or None when it has none we know."""
    offered = set(kinds)
    return next((kind for kind in TEXT_KINDS if kind in offered), None)


def countdown_initial_settings(kind: str, canvas_height: int) -> dict[str, Any]:
    """The countdown in the slide's own type size and colour, scaled to the canvas."""
    size = max(12, round(COUNTDOWN_PX * canvas_height / HEIGHT))
    if kind.startswith("text_ft2"):
        return {
            "text": "",
            "font": {"face": "DejaVu Sans", "size": size, "style": "Bold", "flags": 1},
            "color1": COUNTDOWN_COLOUR,
            "color2": COUNTDOWN_COLOUR,
        }
    return {
        "text": "",
        "font": {"face": "Arial", "size": size, "style": "Bold", "flags": 1},
        "color": COUNTDOWN_COLOUR & 0xFFFFFF,  # GDI+ takes the colour and opacity apart
        "opacity": 100,
        "align": "center",
    }


def slides_setup(
    inventory: SlidesInventory, text_kind: str | None, canvas_height: int
) -> list[ObsRequest]:
    """What to create so the slides scene holds the slide image (and the countdown text).

    Only the slides scene is created or added to. An input that already exists elsewhere with
    the right kind is added to the slides scene; one of another kind is a `SlidesConflict`.
    """
    requests: list[ObsRequest] = []
    if SLIDES_SCENE not in inventory.scenes:
        requests.append(ObsRequest("CreateScene", {"sceneName": SLIDES_SCENE}))
    wanted = [(SLIDE_INPUT, IMAGE_KIND, {"file": ""})]
    if text_kind is not None:
        wanted.append(
            (COUNTDOWN_INPUT, text_kind, countdown_initial_settings(text_kind, canvas_height))
        )
    for name, kind, settings in wanted:
        existing_kind = inventory.inputs.get(name)
        if existing_kind is None:
            requests.append(
                ObsRequest(
                    "CreateInput",
                    {
                        "sceneName": SLIDES_SCENE,
                        "inputName": name,
                        "inputKind": kind,
                        "inputSettings": settings,
                        "sceneItemEnabled": True,
                    },
                )
            )
        elif existing_kind != kind:
            raise SlidesConflict(
                f"OBS has a source named {name!r} of kind {existing_kind!r}; the desk needs "
                f"{kind!r}. Rename that source in OBS."
            )
        elif name not in inventory.slides_scene_sources:
            requests.append(
                ObsRequest("CreateSceneItem", {"sceneName": SLIDES_SCENE, "sourceName": name})
            )
    return requests


def slides_layout(
    image_item_id: int | None, text_item_id: int | None, canvas: tuple[int, int]
) -> list[ObsRequest]:
    """Place newly added items: the slide fills the canvas; the countdown is centred in the box
    the rendered slide leaves for it, scaled from 1920×1080 to the canvas."""
    width, height = canvas
    x, y, w, h = COUNTDOWN_BOX
    requests = []
    if image_item_id is not None:
        requests.append(
            ObsRequest(
                "SetSceneItemTransform",
                {
                    "sceneName": SLIDES_SCENE,
                    "sceneItemId": image_item_id,
                    "sceneItemTransform": {
                        "positionX": 0.0,
                        "positionY": 0.0,
                        "alignment": ALIGN_TOP_LEFT,
                        "boundsType": "OBS_BOUNDS_SCALE_INNER",
                        "boundsAlignment": 0,
                        "boundsWidth": float(width),
                        "boundsHeight": float(height),
                    },
                },
            )
        )
    if text_item_id is not None:
        requests.append(
            ObsRequest(
                "SetSceneItemTransform",
                {
                    "sceneName": SLIDES_SCENE,
                    "sceneItemId": text_item_id,
                    "sceneItemTransform": {
                        "positionX": round((x + w / 2) * width / WIDTH, 1),
                        "positionY": round((y + h / 2) * height / HEIGHT, 1),
                        "alignment": ALIGN_CENTER,
                    },
                },
            )
        )
    return requests


def countdown_update(text: str) -> ObsRequest:
    return ObsRequest(
        "SetInputSettings", {"inputName": COUNTDOWN_INPUT, "inputSettings": {"text": text}}
    )


def slide_push(image_path: str, countdown: str | None, *, with_countdown: bool) -> list[ObsRequest]:
    """ONE batch: read the scene on air (where "back to live" returns), set the slide's file (and
    the countdown text, cleared when there is none), then cut to the slides scene."""
    requests = [
        ObsRequest("GetCurrentProgramScene"),
        ObsRequest(
            "SetInputSettings", {"inputName": SLIDE_INPUT, "inputSettings": {"file": image_path}}
        ),
    ]
    if with_countdown:
        requests.append(countdown_update(countdown or ""))
    requests.append(ObsRequest("SetCurrentProgramScene", {"sceneName": SLIDES_SCENE}))
    return requests


def switch_scene(name: str) -> ObsRequest:
    return ObsRequest("SetCurrentProgramScene", {"sceneName": name})


def back_to_live(scene: str) -> list[ObsRequest]:
    return [switch_scene(scene)]


RETURN_SLOT = "commsdesk.return_scene"
REALM = "OBS_WEBSOCKET_DATA_REALM_PROFILE"


def remember_return_scene(scene: str) -> ObsRequest:
    """Kept in OBS's profile, so "back to live" works from another process (the command line)."""
    return ObsRequest(
        "SetPersistentData", {"realm": REALM, "slotName": RETURN_SLOT, "slotValue": scene}
    )


def recall_return_scene() -> ObsRequest:
    return ObsRequest("GetPersistentData", {"realm": REALM, "slotName": RETURN_SLOT})


def program_screenshot(scene: str, width: int, height: int | None = None) -> ObsRequest:
    """A PNG of `scene` (in obs-websocket 5.1 the program output is its scene as a source)."""
    data: dict[str, Any] = {"sourceName": scene, "imageFormat": "png", "imageWidth": width}
    if height is not None:
        data["imageHeight"] = height
    return ObsRequest("GetSourceScreenshot", data)


def slide_item_id() -> ObsRequest:
    return ObsRequest("GetSceneItemId", {"sceneName": SLIDES_SCENE, "sourceName": SLIDE_INPUT})


def slide_transform(item_id: int) -> ObsRequest:
    """The slide's place in its scene, with the size of the image OBS loaded (0 when none)."""
    return ObsRequest(
        "GetSceneItemTransform", {"sceneName": SLIDES_SCENE, "sceneItemId": item_id}
    )


def slide_settings() -> ObsRequest:
    return ObsRequest("GetInputSettings", {"inputName": SLIDE_INPUT})


def stream_service_from(answer: dict) -> StreamService:
    """GetStreamServiceSettings, with the key left where it is: never copied out."""
    settings = answer.get("streamServiceSettings") or {}
    return StreamService(
        kind=str(answer.get("streamServiceType") or ""),
        service=str(settings.get("service") or ""),
        server=str(settings.get("server") or ""),
    )


def stream_readings() -> list[ObsRequest]:
    return [ObsRequest("GetStreamStatus"), ObsRequest("GetStats")]


def inventory_requests() -> list[ObsRequest]:
    """What `slides_setup` needs to know, in one batch."""
    return [
        ObsRequest("GetSceneList"),
        ObsRequest("GetInputList"),
        ObsRequest("GetInputKindList"),
        ObsRequest("GetVideoSettings"),
    ]


# -- answers -----------------------------------------------------------------------------------


def scene_list_from(answer: Mapping[str, Any]) -> SceneList:
    """GetSceneList's answer, top scene first as OBS shows them (highest sceneIndex first)."""
    scenes = sorted(answer.get("scenes") or [], key=lambda s: s.get("sceneIndex", 0), reverse=True)
    return SceneList(
        scenes=tuple(s["sceneName"] for s in scenes),
        program=answer.get("currentProgramSceneName"),
        preview=answer.get("currentPreviewSceneName"),
    )


def program_scene_from(answer: Mapping[str, Any]) -> str | None:
    """GetCurrentProgramScene: `currentProgramSceneName` (5.1), or `sceneName` (5.5+)."""
    return answer.get("currentProgramSceneName") or answer.get("sceneName")


def source_size_from(answer: Mapping[str, Any]) -> tuple[int, int]:
    """GetSceneItemTransform: the source's own size; (0, 0) for an image OBS could not load."""
    transform = answer.get("sceneItemTransform") or {}
    return int(transform.get("sourceWidth") or 0), int(transform.get("sourceHeight") or 0)


def render_frames_from(stats: Mapping[str, Any]) -> int:
    """GetStats: frames OBS has rendered since it started."""
    return int(stats.get("renderTotalFrames") or 0)


def inventory_from(
    scene_list: Mapping[str, Any], input_list: Mapping[str, Any], slides_items: Sequence[Mapping]
) -> SlidesInventory:
    return SlidesInventory(
        scenes=frozenset(s["sceneName"] for s in scene_list.get("scenes") or []),
        inputs={i["inputName"]: i["inputKind"] for i in input_list.get("inputs") or []},
        slides_scene_sources=frozenset(item["sourceName"] for item in slides_items),
    )


def target_fps_from(video: Mapping[str, Any]) -> float:
    denominator = video.get("fpsDenominator") or 0
    return (video.get("fpsNumerator") or 0) / denominator if denominator else 0.0


def stream_sample_from(
    stream: Mapping[str, Any], stats: Mapping[str, Any], *, at: float, target_fps: float
) -> StreamSample:
    return StreamSample(
        at=at,
        active=bool(stream.get("outputActive")),
        reconnecting=bool(stream.get("outputReconnecting")),
        duration_ms=int(stream.get("outputDuration") or 0),
        congestion=float(stream.get("outputCongestion") or 0.0),
        bytes_sent=int(stream.get("outputBytes") or 0),
        dropped_frames=int(stream.get("outputSkippedFrames") or 0),
        stream_frames=int(stream.get("outputTotalFrames") or 0),
        encoder_skipped=int(stats.get("outputSkippedFrames") or 0),
        encoder_frames=int(stats.get("outputTotalFrames") or 0),
        render_missed=int(stats.get("renderSkippedFrames") or 0),
        render_frames=int(stats.get("renderTotalFrames") or 0),
        cpu_percent=float(stats.get("cpuUsage") or 0.0),
        fps=float(stats.get("activeFps") or 0.0),
        target_fps=target_fps,
    )
