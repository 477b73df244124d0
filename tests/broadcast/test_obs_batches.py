"""The OBS requests the desk builds: names and fields exist in obs-websocket's protocol, and only
what obs-websocket 5.1 (OBS 29) has is used. Plus the plans themselves, with no OBS running."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest

from commsdesk.broadcast.obs import batches
from commsdesk.broadcast.obs.api import COUNTDOWN_INPUT, SLIDE_INPUT, SLIDES_SCENE
from commsdesk.broadcast.obs.batches import ObsRequest, SlidesConflict, SlidesInventory

OLDEST = (5, 1, 0)  # obs-websocket in OBS 29


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split("."))


@functools.cache
def _requests_in(path: Path) -> dict[str, dict]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {r["requestType"]: r for r in data["requests"]}


@pytest.fixture
def protocol(reference_dir) -> dict[str, dict]:
    """obs-websocket's protocol.json (at 5.7), requests by name."""
    return _requests_in(reference_dir / "obs-websocket" / "protocol.json")


def every_request() -> list[ObsRequest]:
    inventory = SlidesInventory(scenes=frozenset({"Camera"}), inputs={})
    with_items = SlidesInventory(
        scenes=frozenset({"Camera", SLIDES_SCENE}),
        inputs={SLIDE_INPUT: "image_source", COUNTDOWN_INPUT: "text_gdiplus_v3"},
    )
    return [
        *batches.slides_setup(inventory, "text_ft2_source_v2", 1080),
        *batches.slides_setup(with_items, "text_gdiplus_v3", 1080),
        *batches.slides_layout(3, 4, (1920, 1080)),
        *batches.slide_push("/slides/a.png", "Back at 18:30", with_countdown=True),
        *batches.back_to_live("Camera"),
        batches.countdown_update("04:59"),
        batches.switch_scene("Screen"),
        batches.program_screenshot("Camera", 320, 180),
        batches.remember_return_scene("Camera"),
        batches.recall_return_scene(),
        batches.slide_item_id(),
        batches.slide_transform(3),
        batches.slide_settings(),
        *batches.stream_readings(),
        *batches.inventory_requests(),
        ObsRequest("GetVersion"),
        ObsRequest("GetSceneList"),
        ObsRequest("GetVideoSettings"),
        ObsRequest("GetCurrentProgramScene"),
        ObsRequest("GetSceneItemList", {"sceneName": SLIDES_SCENE}),
        ObsRequest("StopStream"),
    ]


@pytest.mark.parametrize("request_", every_request(), ids=lambda r: r.type)
def test_request_and_its_fields_exist_in_obs_websocket_5_1(protocol, request_):
    spec = protocol.get(request_.type)
    assert spec is not None, f"{request_.type} is not an obs-websocket request"
    assert _version(spec["initialVersion"]) <= OLDEST, (
        f"{request_.type} needs {spec['initialVersion']}"
    )
    fields = {f["valueName"]: f for f in spec["requestFields"]}
    assert set(request_.data) <= set(fields), set(request_.data) - set(fields)
    required = {name for name, f in fields.items() if not f["valueOptional"]}
    assert required <= set(request_.data), f"missing {required - set(request_.data)}"


def test_the_answer_fields_read_back_exist(protocol):
    def answers(request_type: str) -> set[str]:
        return {f["valueName"] for f in protocol[request_type]["responseFields"]}

    assert {"currentProgramSceneName", "currentPreviewSceneName", "scenes"} <= answers(
        "GetSceneList"
    )
    assert "currentProgramSceneName" in answers("GetCurrentProgramScene")
    assert {
        "outputActive",
        "outputReconnecting",
        "outputDuration",
        "outputCongestion",
        "outputBytes",
        "outputSkippedFrames",
        "outputTotalFrames",
    } <= answers("GetStreamStatus")
    assert {
        "cpuUsage",
        "activeFps",
        "renderSkippedFrames",
        "renderTotalFrames",
        "outputSkippedFrames",
        "outputTotalFrames",
    } <= answers("GetStats")
    assert {"fpsNumerator", "fpsDenominator", "baseWidth", "baseHeight"} <= answers(
        "GetVideoSettings"
    )
    assert {"obsVersion", "obsWebSocketVersion", "availableRequests"} <= answers("GetVersion")
    assert "imageData" in answers("GetSourceScreenshot")
    assert "sceneItemId" in answers("CreateInput")
    assert "slotValue" in answers("GetPersistentData")
    assert "sceneItemId" in answers("GetSceneItemId")
    assert "sceneItemTransform" in answers("GetSceneItemTransform")
    assert "inputSettings" in answers("GetInputSettings")


def test_slide_push_is_one_batch_reading_the_scene_then_cutting_last():
    push = batches.slide_push("/slides/a.png", "Back at 18:30", with_countdown=True)
    assert [r.type for r in push] == [
        "GetCurrentProgramScene",
        "SetInputSettings",
        "SetInputSettings",
        "SetCurrentProgramScene",
    ]
    assert push[1].data == {"inputName": SLIDE_INPUT, "inputSettings": {"file": "/slides/a.png"}}
    assert push[2].data == {
        "inputName": COUNTDOWN_INPUT,
        "inputSettings": {"text": "Back at 18:30"},
    }
    assert push[3].data == {"sceneName": SLIDES_SCENE}


def test_a_push_without_countdown_clears_the_old_text():
    push = batches.slide_push("/slides/b.png", None, with_countdown=True)
    assert push[2].data["inputSettings"] == {"text": ""}
    assert [r.type for r in batches.slide_push("/s.png", "x", with_countdown=False)] == [
        "GetCurrentProgramScene",
        "SetInputSettings",
        "SetCurrentProgramScene",
    ]


def test_setup_on_an_empty_obs_creates_the_scene_then_both_sources_in_it():
    plan = batches.slides_setup(
        SlidesInventory(frozenset({"Camera"}), {}), "text_ft2_source_v2", 720
    )
    assert [r.type for r in plan] == ["CreateScene", "CreateInput", "CreateInput"]
    assert {r.data.get("sceneName") for r in plan} == {SLIDES_SCENE}
    assert plan[1].data["inputKind"] == "image_source"
    assert plan[2].data["inputKind"] == "text_ft2_source_v2"
    # The rendered slide's countdown type (72 px on 1080 lines), on a 720-line canvas.
    assert plan[2].data["inputSettings"]["font"]["size"] == 48


def test_the_countdown_sits_in_the_box_the_rendered_slide_leaves_for_it():
    from commsdesk.slides.slide_kinds import LAYOUTS, SlideKind

    x, y, w, h = LAYOUTS[SlideKind.BACK_AT].countdown
    for canvas in ((1920, 1080), (1280, 720)):
        image, text = batches.slides_layout(3, 4, canvas)
        assert image.data["sceneItemTransform"]["boundsWidth"] == canvas[0]
        placed = text.data["sceneItemTransform"]
        scale = canvas[0] / 1920
        assert (placed["positionX"], placed["positionY"]) == (
            round((x + w / 2) * scale, 1), round((y + h / 2) * scale, 1)
        )
        assert placed["alignment"] == 0  # centred on that point


def test_setup_when_all_is_there_does_nothing():
    inventory = SlidesInventory(
        frozenset({"Camera", SLIDES_SCENE}),
        {SLIDE_INPUT: "image_source", COUNTDOWN_INPUT: "text_ft2_source_v2"},
        frozenset({SLIDE_INPUT, COUNTDOWN_INPUT}),
    )
    assert batches.slides_setup(inventory, "text_ft2_source_v2", 1080) == []


def test_setup_adds_an_existing_source_to_the_slides_scene_without_recreating_it():
    inventory = SlidesInventory(
        frozenset({"Camera", SLIDES_SCENE}), {SLIDE_INPUT: "image_source"}, frozenset()
    )
    plan = batches.slides_setup(inventory, None, 1080)
    assert plan == [
        ObsRequest("CreateSceneItem", {"sceneName": SLIDES_SCENE, "sourceName": SLIDE_INPUT})
    ]


def test_a_source_of_another_kind_under_our_name_is_a_conflict():
    inventory = SlidesInventory(frozenset(), {SLIDE_INPUT: "ffmpeg_source"})
    with pytest.raises(SlidesConflict, match="ffmpeg_source"):
        batches.slides_setup(inventory, None, 1080)


def test_text_kind_is_chosen_from_what_obs_offers():
    assert batches.choose_text_kind(["image_source", "text_ft2_source_v2"]) == "text_ft2_source_v2"
    assert batches.choose_text_kind(["text_gdiplus_v2", "text_gdiplus_v3"]) == "text_gdiplus_v3"
    assert batches.choose_text_kind(["image_source"]) is None


def test_scene_list_reads_top_first_with_program_and_preview():
    answer = {
        "currentProgramSceneName": "Camera",
        "currentPreviewSceneName": "Screen",
        "scenes": [
            {"sceneIndex": 0, "sceneName": "Screen"},
            {"sceneIndex": 1, "sceneName": "Camera"},
        ],
    }
    listing = batches.scene_list_from(answer)
    assert listing.scenes == ("Camera", "Screen")
    assert (listing.program, listing.preview, listing.studio_mode) == ("Camera", "Screen", True)


def test_stream_sample_reads_both_answers():
    sample = batches.stream_sample_from(
        {"outputActive": True, "outputBytes": 1234, "outputSkippedFrames": 2,
         "outputTotalFrames": 100, "outputCongestion": 0.25, "outputDuration": 5000},
        {"cpuUsage": 7.5, "activeFps": 29.97, "renderSkippedFrames": 1, "renderTotalFrames": 90,
         "outputSkippedFrames": 3, "outputTotalFrames": 95},
        at=2.0, target_fps=batches.target_fps_from({"fpsNumerator": 30000, "fpsDenominator": 1001}),
    )  # fmt: skip
    assert sample.active and sample.bytes_sent == 1234 and sample.dropped_frames == 2
    assert sample.encoder_skipped == 3 and sample.render_missed == 1
    assert sample.target_fps == pytest.approx(29.97, abs=0.01)


def test_the_size_of_a_slide_obs_could_not_load_is_none():
    loaded = {"sceneItemTransform": {"sourceWidth": 1920.0, "sourceHeight": 1080.0}}
    assert batches.source_size_from(loaded) == (1920, 1080)
    assert batches.source_size_from({"sceneItemTransform": {"sourceWidth": 0.0}}) == (0, 0)
    assert batches.render_frames_from({"renderTotalFrames": 4242}) == 4242
