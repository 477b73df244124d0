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


def test_a_call_after_the_connection_dropped_says_so_in_plain_words():
    """Between the socket closing and the state moving on, a call must not read "not connected
    (connected)"."""
    from commsdesk.broadcast.obs.api import ConnectionStatus
    from commsdesk.broadcast.obs.connection import ObsConnection

    connection = ObsConnection("127.0.0.1", 1, "")
    try:
        connection._set_status(ConnectionStatus(ConnectionState.CONNECTED))
        with pytest.raises(ObsError) as caught:
            connection.scenes().result(5)
        assert caught.value.kind == "not_connected"
        assert caught.value.message == "The connection to OBS has just ended."
        connection._set_status(ConnectionStatus(ConnectionState.UNREACHABLE))
        with pytest.raises(ObsError) as caught:
            connection.scenes().result(5)
        assert caught.value.message == "OBS is not connected (unreachable)."
    finally:
        connection.close()


def test_the_fake_loads_only_a_png_it_can_read(tmp_path):
    obs = FakeObs()
    obs.start()
    good, gone = tmp_path / "slide.png", tmp_path / "gone.png"
    good.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    obs.push_slide(str(good)).result()
    assert obs.slide_loaded(str(good)).result() is True
    obs.push_slide(str(gone)).result()
    assert obs.slide_loaded(str(gone)).result() is False
    assert obs.slide_loaded(str(good)).result() is None  # no longer the slide
    assert obs.slide_file().result() == str(gone)
