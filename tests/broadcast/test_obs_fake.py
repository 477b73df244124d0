"""The in-memory OBS that UI tests use behaves like the adapter where the desk cares."""

from __future__ import annotations

import pytest

from commsdesk.broadcast.obs.api import SLIDES_SCENE, ConnectionState, ObsController, ObsError
from commsdesk.broadcast.obs.fake import FakeObs


def test_push_back_to_live_and_events():
    obs: ObsController = FakeObs()
    events, states = [], []
    obs.add_event_listener(lambda kind, data: events.append((kind, data.get("sceneName"))))
    obs.add_state_listener(lambda status: states.append(status.state))
    obs.start()
    assert states == [ConnectionState.CONNECTED]
    obs.switch_scene("Screen").result()
    assert obs.push_slide("/s.png", "5:00").result().return_scene == "Screen"
    assert obs.scenes().result().program == SLIDES_SCENE
    assert obs.back_to_live().result() == "Screen"
    assert ("CurrentProgramSceneChanged", SLIDES_SCENE) in events
    assert events[-1] == ("CurrentProgramSceneChanged", "Screen")


def test_scripted_failures_and_disconnected_calls():
    obs = FakeObs()
    with pytest.raises(ObsError) as caught:
        obs.scenes().result()
    assert caught.value.kind == "not_connected"
    obs.start()
    obs.fail_next("connection_lost")
    with pytest.raises(ObsError) as caught:
        obs.push_slide("/s.png").result()
    assert caught.value.kind == "connection_lost"
    with pytest.raises(ObsError) as caught:
        obs.stop_stream().result()
    assert caught.value.code == 501
