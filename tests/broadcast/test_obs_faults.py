"""The OBS adapter when things go wrong, against real OBS processes (each test its own): a wrong
password, OBS killed, OBS quitting, OBS frozen, a server that never answers, a push cut off by
OBS dying. No state may hang, storm with retries, or replay a push."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from commsdesk.broadcast.obs.api import SLIDE_INPUT, ConnectionState, ObsError
from commsdesk.broadcast.obs.batches import ObsRequest
from commsdesk.broadcast.obs.connection import ObsConnection
from tests.support import obs_studio as studio
from tests.support.obs_studio import Heard, ObsStudio, SilentServer, free_port

own_obs_studio = studio.own_obs_studio
silent_server = studio.silent_server
ANSWER = 10


@pytest.fixture
def connect() -> Iterator:
    made: list[ObsConnection] = []

    def connect(port: int, password: str, **options) -> tuple[ObsConnection, Heard]:
        connection = ObsConnection("127.0.0.1", port, password, **options)
        made.append(connection)
        heard = Heard().listen_to(connection)
        connection.start()
        return connection, heard

    yield connect
    for connection in made:
        connection.close()


def test_wrong_password_is_one_clear_state_and_no_retries(own_obs_studio: ObsStudio, connect):
    connection, heard = connect(own_obs_studio.port, "not the password")
    status = heard.wait_state(ConnectionState.WRONG_PASSWORD)
    assert "password" in status.detail and status.retry_in is None
    # The reconnect loop has ended: nothing more will be tried until the password changes.
    heard.wait_for(lambda: connection._runner is not None and connection._runner.done(), "stop")
    assert connection.attempts == 1
    assert [s.state for s in heard.states] == [
        ConnectionState.CONNECTING,
        ConnectionState.WRONG_PASSWORD,
    ]
    with pytest.raises(ObsError) as caught:
        connection.scenes().result(ANSWER)
    assert caught.value.kind == "not_connected"

    connection.reconnect(password=own_obs_studio.password)
    heard.wait_state(ConnectionState.CONNECTED)
    assert connection.attempts == 2


def test_obs_killed_then_restarted_reconnects(own_obs_studio: ObsStudio, connect):
    connection, heard = connect(own_obs_studio.port, own_obs_studio.password)
    heard.wait_state(ConnectionState.CONNECTED)
    mark = len(heard.states)
    own_obs_studio.kill()
    lost = heard.wait_state(ConnectionState.UNREACHABLE, since=mark)
    assert lost.retry_in is not None and lost.retry_in <= 10
    with pytest.raises(ObsError) as caught:
        connection.scenes().result(ANSWER)
    assert caught.value.kind == "not_connected"

    mark = len(heard.states)
    own_obs_studio.restart()
    heard.wait_state(ConnectionState.CONNECTED, since=mark, timeout=30)
    assert connection.scenes().result(ANSWER).program == "Camera"


def test_obs_quitting_is_reported_as_exiting(own_obs_studio: ObsStudio, connect):
    connection, heard = connect(own_obs_studio.port, own_obs_studio.password)
    heard.wait_state(ConnectionState.CONNECTED)
    own_obs_studio.quit(timeout=90)  # a loaded machine exits slowly: never killed mid-exit
    heard.wait_state(ConnectionState.OBS_EXITING)
    heard.wait_event("ExitStarted")
    # Then it keeps trying, with backoff, and finds nothing there.
    heard.wait_state(ConnectionState.UNREACHABLE)


def test_frozen_obs_is_noticed_by_the_heartbeat_and_reconnects_when_it_thaws(
    own_obs_studio: ObsStudio, connect
):
    connection, heard = connect(own_obs_studio.port, own_obs_studio.password)
    heard.wait_state(ConnectionState.CONNECTED)
    mark = len(heard.states)
    own_obs_studio.freeze()
    status = heard.wait_state(ConnectionState.NOT_ANSWERING, since=mark)
    assert "stopped answering" in status.detail
    own_obs_studio.thaw()
    heard.wait_state(ConnectionState.CONNECTED, since=mark + 1, timeout=30)


def test_a_server_that_never_answers_gives_not_answering(silent_server: SilentServer, connect):
    connection, heard = connect(silent_server.port, "any", reconnect=False)
    status = heard.wait_state(ConnectionState.NOT_ANSWERING)
    assert "5 s" in status.detail
    assert silent_server.accepted == 1
    with pytest.raises(ObsError) as caught:
        connection.switch_scene("Camera").result(ANSWER)
    assert caught.value.kind == "not_connected"


def test_nothing_listening_gives_unreachable(connect):
    port = free_port()  # bound once and released: nothing listens there now
    connection, heard = connect(port, "any", reconnect=False)
    status = heard.wait_state(ConnectionState.UNREACHABLE)
    assert f"127.0.0.1:{port}" in status.detail


def test_a_push_cut_off_by_obs_dying_fails_and_is_not_replayed(
    own_obs_studio: ObsStudio, connect, tmp_path
):
    connection, heard = connect(own_obs_studio.port, own_obs_studio.password)
    heard.wait_state(ConnectionState.CONNECTED)
    connection.prepare_slides().result(ANSWER)
    slide = tmp_path / "slide.png"
    slide.write_bytes(b"")  # OBS never gets to read it

    own_obs_studio.freeze()  # the push goes out and OBS cannot act on it...
    push = connection.push_slide(str(slide), "Back soon")
    own_obs_studio.kill()  # ...and dies with it unread
    with pytest.raises(ObsError) as caught:
        push.result(ANSWER)
    assert caught.value.kind in ("connection_lost", "not_answering")
    assert "may or may not" in str(caught.value)

    mark = len(heard.states)
    own_obs_studio.restart()
    heard.wait_state(ConnectionState.CONNECTED, since=mark, timeout=30)
    # Nothing was sent again on the new connection: still live, the slide never shown.
    assert connection.scenes().result(ANSWER).program == "Camera"
    try:
        settings = connection.request(
            ObsRequest("GetInputSettings", {"inputName": SLIDE_INPUT})
        ).result(ANSWER)
    except ObsError as exc:
        assert exc.code == 600  # OBS did not keep the slides scene: certainly not replayed
    else:
        assert settings["inputSettings"].get("file", "") != str(slide)


def test_retrying_on_the_same_failure_is_logged_once(connect, caplog):
    """Nothing at the port: the desk retries (1, 2, … s) and the log says so once, not twice a
    retry for as long as OBS stays away."""
    import logging

    caplog.set_level(logging.INFO, logger="commsdesk.broadcast.obs.connection")
    connection, heard = connect(free_port(), "any")
    heard.wait_for(lambda: sum(s.state is ConnectionState.UNREACHABLE for s in heard.states) >= 3,
                   "three failed tries", 20.0)  # fmt: skip
    said = [r for r in caplog.records
            if r.name == "commsdesk.broadcast.obs.connection" and r.levelno >= logging.INFO]
    assert len([r for r in said if "unreachable" in r.getMessage()]) == 1, said
    assert len([r for r in said if "connecting" in r.getMessage()]) == 1, said  # the first try
