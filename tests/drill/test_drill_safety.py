"""What a drill must never do, whatever fails: put itself on a stream it did not start or over
someone's slide, leave its slide, stream or recording on OBS, leave a P-1 chain calling, or
leave its incident open. Real desk on SQLite; OBS is
the in-memory OBS behind BlockingObs's own calls; the phone the drills' stand-in."""

from __future__ import annotations

from pathlib import Path

import pytest

from commsdesk.broadcast.obs.api import SLIDE_INPUT, SLIDES_SCENE
from commsdesk.broadcast.obs.fake import FakeObs
from commsdesk.drill.run import DrillParts, DrillRun
from commsdesk.drill.scenario import load
from commsdesk.p1.fake_provider import FakeProvider
from commsdesk.p1.service import CallChain
from commsdesk.p1.ui.words import chain_label
from commsdesk.publishing.holds import drill_mode
from commsdesk.settings import Settings
from tests.support.obs_in_memory import InMemoryObs

ANA = "Ana Ruiz (comms)"
ON_AIR = ("push_slide", "switch_scene", "back_to_live", "start_stream", "start_record",
          "stop_stream", "stop_record")  # fmt: skip


def drill(services, data_dir: Path, obs: FakeObs) -> DrillRun:
    parts = DrillParts(services, ANA, data_dir, Settings.load(data_dir),
                       lambda: InMemoryObs(obs).open(),
                       phone=lambda drill: FakeProvider.for_drills(answer_after=0.5),
                       report_path=data_dir / "report.html")  # fmt: skip
    return DrillRun(load("cold-wallet-breach"), parts)


def run_until(run: DrillRun, last: str) -> None:
    run.begin()
    while run.next_step is not None:
        name = run.next_step[0]
        result = run.run_step()
        assert result.ok, result
        if name == last:
            return


def test_obs_already_streaming_is_left_alone(services, isolated_dirs):
    obs = FakeObs()
    obs.start()
    obs.start_stream().result()  # someone is live already, perhaps to the public
    obs.calls.clear()
    card = drill(services, isolated_dirs, obs).run()

    failed = {step.name: step.error for step in card.failed}
    assert set(failed) == {"go_live", "back_at", "back_live", "end_stream"}
    assert failed["go_live"].startswith("OBS is streaming already, so the drill stays off it")
    assert not set(obs.calls) & set(ON_AIR), obs.calls  # no slide, no scene, no stop
    assert obs.reading.active and obs.program == "Camera"


def test_finishing_early_takes_the_drill_off_obs(services, isolated_dirs):
    obs = FakeObs()
    run = drill(services, isolated_dirs, obs)
    run_until(run, "back_at")  # live (recording: no rehearsal destination), the slide up
    assert obs.records and obs.program != "Camera"

    card = run.finish()

    assert not obs.records and obs.program == "Camera"  # back to live, recording stopped
    assert "Finishing, the drill took its slide off OBS." in card.notes
    assert "Finishing, the drill took its recording off OBS." in card.notes
    kinds = [e.kind for e in services.desk.timeline(limit=None)]
    assert "broadcast.back_live" in kinds and "broadcast.recording_stopped" in kinds
    assert drill_mode(services.desk) is False
    assert services.desk.approval_policy().required == 1


def test_obs_showing_someone_s_slide_is_left_alone(services, isolated_dirs):
    obs = FakeObs()
    obs.start()
    obs.push_slide("/desk/slides/back-at-1830.png").result()  # the producer's slide, ready
    obs.calls.clear()
    card = drill(services, isolated_dirs, obs).run()

    failed = {step.name: step.error for step in card.failed}
    assert set(failed) == {"go_live", "back_at", "back_live", "end_stream"}
    assert failed["go_live"].startswith(f"OBS shows a slide someone put up ({SLIDES_SCENE} "
                                        "scene), so the drill stays off it")  # fmt: skip
    assert not set(obs.calls) & set(ON_AIR), obs.calls
    assert obs.program == SLIDES_SCENE
    assert obs.inputs[SLIDE_INPUT]["file"] == "/desk/slides/back-at-1830.png"


def test_finishing_early_leaves_no_incident_or_p1_of_its_own(services, isolated_dirs):
    run = drill(services, isolated_dirs, FakeObs())
    run_until(run, "incident")  # P-1 answered, the incident named, its cadence promised
    desk = services.desk
    assert desk.active_incident() is not None
    assert chain_label(CallChain(desk).latest()).text.startswith("DRILL P-1 answered by ")

    card = run.finish()

    assert desk.active_incident() is None  # no update reminders for a rehearsal left open
    closed = desk.incident(run.made.incident_id)
    assert closed.closed_at is not None
    assert any(note.startswith("Finishing, the drill closed its incident 'DRILL: ")
               for note in card.notes)  # fmt: skip
    assert chain_label(CallChain(desk).latest()).text == ""  # off the header
    assert drill_mode(desk) is False


def test_a_p1_step_that_breaks_leaves_no_chain_calling(services, isolated_dirs, monkeypatch):
    def broken(_runner, *args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("commsdesk.p1.runner.ChainRunner.start", broken)
    run = drill(services, isolated_dirs, FakeObs())
    run.begin()
    result = run.run_step()
    assert not result.ok and result.error == "the database went away"
    latest = CallChain(services.desk).latest()
    assert latest is not None and not latest.running  # cancelled, not left to other desks
    card = run.finish()
    assert [step.name for step in card.failed] == ["p1"]


def test_a_second_drill_on_the_same_desk_runs_every_step_too(services, isolated_dirs):
    for _ in range(2):  # the second curve lies over the first drill's time
        card = drill(services, isolated_dirs, FakeObs()).run()
        assert not card.failed, card.failed
        assert card.report is not None
        assert card.recorded  # no rehearsal destination: OBS recorded, and the card says so
        assert any(line.strip().startswith("Time to live (recording, not streamed)")
                   for line in card.lines())  # fmt: skip
        assert card.as_json()["live"] == "recording"
        assert "Time to live (recording, not streamed)" in Path(card.report).read_text()
    sources = services.audience.sources()
    assert sources and not any(source.enabled for source in sources)  # no desk polls them


def test_a_drill_cut_short_is_put_right_by_the_next(services, isolated_dirs):
    first = drill(services, isolated_dirs, FakeObs())
    run_until(first, "approvals")  # drill mode on, two approvals asked: then killed
    assert drill_mode(services.desk) and services.desk.approval_policy().required == 2
    desk = services.desk
    desk.close_incident(ANA, first.made.incident_id, "left by a drill that was killed")

    card = drill(services, isolated_dirs, FakeObs()).run()

    assert not card.failed, card.failed
    assert any(note.startswith("An earlier drill (started ") for note in card.notes)
    assert drill_mode(desk) is False  # as before the first drill, not as it left them
    assert desk.approval_policy().required == 1


def test_ctrl_c_finishes_the_drill_early(services, isolated_dirs, monkeypatch):
    run = drill(services, isolated_dirs, FakeObs())
    original = DrillRun._statement

    def interrupted(self):
        original(self)
        raise KeyboardInterrupt

    monkeypatch.setattr(DrillRun, "_statement", interrupted)
    card = run.run()
    assert [step.name for step in card.steps] == ["p1", "incident"]
    assert "Stopped early: the steps not run are left out." in card.notes
    assert drill_mode(services.desk) is False


def test_going_live_on_a_stream_already_running_starts_nothing(services):
    from commsdesk.broadcast.obs.api import ObsError
    from commsdesk.broadcast.obs_actions import go_live

    obs = FakeObs()
    blocking = InMemoryObs(obs).open()
    obs.start_stream().result()
    obs.calls.clear()
    with pytest.raises(ObsError, match="OBS is streaming already: nothing was started."):
        go_live(services.desk, ANA, blocking, drill=False, rehearsal=[], via="test")
    assert "start_stream" not in obs.calls and "start_record" not in obs.calls


def test_a_drill_killed_mid_way_is_put_right_from_the_command_line(services, isolated_dirs):
    from commsdesk.drill.run import cut_short_drill
    from tests.support.cli import commsdesk

    killed = drill(services, isolated_dirs, FakeObs())
    run_until(killed, "approvals")  # then its desk is killed: finish() never runs
    desk = services.desk
    assert drill_mode(desk) and desk.approval_policy().required == 2
    assert desk.active_incident() is not None

    done = commsdesk("drill", "put-right", data_dir=isolated_dirs, operator=ANA)

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("Put right: closed its incident 'DRILL: ")
    assert "acknowledged its P-1; approvals asked back to 1; drill mode back off." in done.stdout
    assert drill_mode(desk) is False and desk.approval_policy().required == 1
    assert desk.active_incident() is None
    assert chain_label(CallChain(desk).latest()).text == ""
    assert cut_short_drill(desk) is None
    again = commsdesk("drill", "put-right", data_dir=isolated_dirs, operator=ANA)
    assert again.returncode == 1 and "No drill was cut short" in again.stdout

    card = drill(services, isolated_dirs, FakeObs()).run()  # the next drill finds nothing left
    assert not card.failed and not any("did not finish" in note for note in card.notes)


def test_a_real_incident_opened_after_the_drill_died_is_not_closed_by_putting_it_right(
    services, isolated_dirs
):
    from commsdesk.drill.run import put_right

    killed = drill(services, isolated_dirs, FakeObs())
    run_until(killed, "incident")
    desk = services.desk
    desk.close_incident(ANA, killed.made.incident_id, "closed by hand after the crash")
    real = desk.start_incident(ANA, "Exchange outage: logins failing", "P2")

    done = put_right(desk, ANA)

    assert desk.active_incident().id == real.id  # not the drill's: left open
    assert not any(line.startswith("closed its incident") for line in done)
    assert drill_mode(desk) is False
