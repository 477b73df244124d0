"""Where going live goes, in words, and what a drill does instead; the stream's start and end
on the record once each, whichever paths report them."""

from __future__ import annotations

import pytest

from commsdesk.broadcast.going_live import NO_DESTINATION, destination, is_rehearsal, plan
from commsdesk.broadcast.obs.api import ObsError, StreamService
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.broadcast.obs_actions import go_live
from commsdesk.desk import Desk
from tests.support.obs_in_memory import InMemoryObs

YOUTUBE = StreamService("rtmp_common", "YouTube - RTMPS", "rtmps://a.rtmp.youtube.com:443/live2")
LOCAL = StreamService("rtmp_custom", "", "rtmp://10.0.0.5:1935/rehearsal")


def test_live_outside_a_drill_names_the_destination_and_says_the_public_sees_it():
    going = plan(YOUTUBE, drill=False, rehearsal=[])
    assert going.streams
    assert going.sentence == (
        "OBS starts streaming to YouTube - RTMPS (rtmps://a.rtmp.youtube.com:443/live2): the "
        "public sees it."
    )


def test_with_no_destination_set_nothing_is_started_and_it_says_where_to_set_one(tmp_path):
    nowhere = StreamService("rtmp_custom", "", " ")
    going = plan(nowhere, drill=False, rehearsal=[])
    assert going.refused == NO_DESTINATION and "Settings → Stream" in going.refused
    assert not plan(nowhere, drill=True, rehearsal=[]).refused  # a drill records instead
    assert not plan(YOUTUBE, drill=False, rehearsal=[]).refused

    fake = FakeObs()
    fake.service = nowhere
    desk = Desk.open(tmp_path)
    try:
        with InMemoryObs(fake).open() as obs, pytest.raises(ObsError) as refused:
            go_live(desk, "Pat", obs, drill=False, rehearsal=[], via="test")
        assert refused.value.kind == "refused" and refused.value.message == NO_DESTINATION
        assert "start_stream" not in fake.calls
        assert not desk.timeline(kinds=["broadcast"])  # nothing started, nothing recorded
    finally:
        desk.close()


def test_a_drill_streams_only_to_a_marked_rehearsal_destination():
    assert plan(LOCAL, drill=True, rehearsal=["rtmp://10.0.0.5:1935/rehearsal/"]).streams
    assert plan(LOCAL, drill=True, rehearsal=["RTMP://10.0.0.5:1935"]).streams  # under it
    for marked in ([], ["rtmp://10.0.0.5:1935/rehearsal-b"], ["rtmp://10.0.0.50"]):
        going = plan(LOCAL, drill=True, rehearsal=marked)
        assert not going.streams and "records instead" in going.sentence, marked
    assert not is_rehearsal(StreamService("rtmp_common", "Twitch", "auto"), ["auto"])
    assert destination(StreamService("rtmp_custom", "", "")) == "no destination set in OBS"


def test_the_stream_start_and_end_are_recorded_once_each(tmp_path):
    desk = Desk.open(tmp_path)
    try:
        assert desk.record_stream_state("Pat", True, where="rtmp://x/live") is not None
        assert desk.record_stream_state("Ana", True) is None  # another desk heard OBS too
        ended = desk.record_stream_state("Pat", False, live_seconds=3725)
        assert ended.summary == "Live stream ended after 1 h 2 min"
        assert desk.record_stream_ended("Ana", 3725) is None
        assert [e.kind for e in reversed(desk.timeline())] == [
            "broadcast.stream_started", "broadcast.stream_stopped"
        ]
    finally:
        desk.close()
