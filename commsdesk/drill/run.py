"""A scored drill: the scenario's crisis run step by step on the desk's real parts, in drill mode.

Each step is one or a few of the desk's own use cases, the same the window and the command line
call, so a drill rehearses the rules as they are (approvals, drill mode, the record) and no step
can skip one. A step that fails is noted with its reason and the drill goes on; a step that
needs what a failed one would have made fails saying so. The scores come from what the steps
did; the drill's start, each failure and the scorecard go on the timeline.

Drill mode is on for the run (every post goes to the SANDBOX, OBS streams only to a rehearsal
destination, else records) and is put back as it was at the end; so is the number of approvals
asked, raised to two for the drill's statement. A drill cut short leaves both on the safe side.

No Qt here: the window runs the same steps on a lane, one at a time (`begin`, `run_step`,
`finish`); `run()` does them all.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from commsdesk.clock import as_utc, utc_now
from commsdesk.desk import DeskError
from commsdesk.drill.scenario import Scenario
from commsdesk.drill.scorecard import Scorecard, StepResult, cadence_text, scores
from commsdesk.timeline.chain import EventKind

STEPS = (
    ("p1", "Press P-1"),
    ("incident", "Start the incident"),
    ("statement", "Draft the first statement from its template"),
    ("approvals", "Two approvals by two people"),
    ("post", "Post to the SANDBOX"),
    ("go_live", "Go live on OBS"),
    ("back_at", "Put up a Back-at slide"),
    ("back_live", "Back to live"),
    ("audience", "Replay the audience to the end-stream advice"),
    ("end_stream", "End the stream"),
    ("close", "Close the incident"),
    ("report", "Write the report"),
)
VIA = "drill"  # data["from"] of the broadcast records


class StepFailed(Exception):
    """A step could not do its part; the message says why, for the scorecard."""


@dataclass
class DrillParts:
    """What a drill runs on. `open_obs()` returns an open BlockingObs (raising ObsError);
    `phone(drill=True)` the P-1 provider: the in-memory stand-in unless given (a drill phones
    real people only when asked to: the command line's --twilio)."""

    services: Any  # commsdesk.app.Services
    actor: str  # who runs the drill, as recorded
    data_dir: Path
    settings: Any  # commsdesk.settings.Settings
    open_obs: Callable[[], Any]
    phone: Callable[..., Any] | None = None
    report_path: Path | None = None
    on_change: Callable[[], None] = lambda: None  # after each step (the window refreshes)


@dataclass
class _Made:
    """What the steps have made so far, for the steps after them."""

    incident_id: int | None = None
    p1_run_id: int | None = None  # the drill's own P-1 chain
    statement_id: int | None = None
    approved: bool = False
    obs: Any = None
    streaming: bool | None = None  # True streaming, False recording, None not live
    going_live: bool = False  # the drill asked OBS to go live (OBS was idle before)
    ended: bool = False  # the stream (or recording) the drill started has ended
    slide_up: bool = False
    back_live: bool = False
    moments: dict[str, datetime] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    report: str | None = None


def default_report_path(data_dir: Path, scenario: Scenario, started: datetime) -> Path:
    from commsdesk.data_dir import make_private_dir

    folder = make_private_dir(Path(data_dir) / "drills")
    return folder / f"{started:%Y%m%d-%H%M%S}-{scenario.path.stem}.pdf"


def stand_in_phone(*, drill: bool = True):
    """The drill's phone unless another is given: calls answered after a short ring, no one
    phoned."""
    from commsdesk.p1.fake_provider import FakeProvider

    return FakeProvider.for_drills()


class DrillRun:
    def __init__(self, scenario: Scenario, parts: DrillParts) -> None:
        self.scenario = scenario
        self.parts = parts
        self.desk = parts.services.desk
        self.results: list[StepResult] = []
        self.made = _Made()
        self.started_at: datetime | None = None
        self._before: dict | None = None  # drill mode and approvals before the drill
        self.foreseen: list[str] = []  # what will fail, said at the start

    # --- running ------------------------------------------------------------------------------

    @property
    def next_step(self) -> tuple[str, str] | None:
        index = len(self.results)
        return STEPS[index] if index < len(STEPS) else None

    def begin(self) -> None:
        """Check the desk can run a drill now, turn drill mode on and record the start. Raises
        DeskError when it cannot (an incident open, a P-1 chain running)."""
        from commsdesk.p1.service import CallChain
        from commsdesk.publishing.holds import drill_mode, set_drill_mode

        active = self.desk.active_incident()
        if active is not None:
            raise DeskError(f"'{active.title}' is open: a drill runs only when no incident is, "
                            "so nothing of it joins a real one. Close it first.")  # fmt: skip
        latest = CallChain(self.desk).latest()
        if latest is not None and latest.running:
            raise DeskError("A P-1 chain is running: a drill waits until it has ended (cancel "
                            "it in Incident → P-1 status…, or with commsdesk p1 cancel).")
        before = {"drill_mode": drill_mode(self.desk),
                  "approvals": self.desk.approval_policy().required}  # fmt: skip
        cut_short = self._cut_short()
        if cut_short is not None:  # what it changed is still changed: it goes back to before it
            before = {**before, **cut_short.data.get("before", {})}
            self.made.notes.append(
                f"An earlier drill (started {cut_short.at:%Y-%m-%d %H:%M} UTC) did not finish: "
                "drill mode and the approvals asked go back to what they were before it.")
        self._before = before
        self.foreseen = self._foresee()
        self.made.notes.extend(self.foreseen)
        if not drill_mode(self.desk):
            set_drill_mode(self.desk, self.parts.actor, True)
        self.started_at = as_utc(self.desk.now())
        try:
            self.desk.record(self.parts.actor, EventKind.DRILL_STARTED,
                             f"Drill started: {self.scenario.name}",
                             data={"scenario": self.scenario.path.stem,
                                   "name": self.scenario.name,
                                   "incident_title": self.scenario.title,
                                   "before": before})  # fmt: skip
        except BaseException:
            self._put_back()  # not started after all
            raise

    def _foresee(self) -> list[str]:
        """What the desk's set-up will make fail, said before the first step (the steps still
        run, and fail saying so)."""
        from commsdesk.p1.service import CallChain

        if not CallChain(self.desk).members():
            return ["The P-1 call chain is empty, so the P-1 step will fail: add the people to "
                    "call first (Desk → P-1 call chain…, or commsdesk p1 chain add)."]
        return []

    def _cut_short(self):
        return cut_short_drill(self.desk)

    def _put_back(self) -> None:
        """Drill mode and the approvals asked as they were before the drill."""
        from commsdesk.publishing.holds import drill_mode, set_drill_mode

        if self._before is None:
            return
        before, actor = self._before, self.parts.actor
        if self.desk.approval_policy().required != before["approvals"]:
            self.desk.set_required_approvals(actor, int(before["approvals"]))
        if drill_mode(self.desk) != before["drill_mode"]:
            set_drill_mode(self.desk, actor, bool(before["drill_mode"]))
        self._before = None

    def run_step(self) -> StepResult:
        name, title = self.next_step or (None, None)
        if name is None:
            raise RuntimeError("every step has run")
        began = time.monotonic()
        error = said = None
        try:
            said = getattr(self, f"_{name}")() or ""
        except (StepFailed, DeskError) as exc:
            error = str(exc)
        except Exception as exc:  # OBS, the phone provider, the report engine, the disk
            error = _said(exc)
        result = StepResult(name, title, error is None, time.monotonic() - began, error,
                            said or "")  # fmt: skip
        self.results.append(result)
        if error is not None:
            try:
                self.desk.record(self.parts.actor, EventKind.DRILL_STEP_FAILED,
                                 f"Drill step failed: {title}: {error}"[:1000],
                                 incident_id=self.made.incident_id,
                                 data={"step": name, "error": error})  # fmt: skip
            except Exception as exc:  # the record itself is away: the scorecard still says it
                self.made.notes.append(f"the failure of '{title}' is not on the timeline: "
                                       f"{_said(exc)}")  # fmt: skip
        self.parts.on_change()
        return result

    def finish(self) -> Scorecard:
        """Put drill mode and the approvals asked back as they were, close OBS, score, and
        record the scorecard. Steps not run are left out of the scorecard."""
        actor = self.parts.actor
        try:
            self._leave_obs_as_found()
            self._leave_nothing_open()
        finally:
            self._put_back()
        card = self.scorecard()
        self.desk.record(actor, EventKind.DRILL_SCORED, card.summary(),
                         incident_id=self.made.incident_id, data=card.data())  # fmt: skip
        self.parts.on_change()
        return card

    def run(
        self,
        on_step: Callable[[StepResult], None] | None = None,
        on_begun: Callable[[], None] | None = None,
    ) -> Scorecard:
        """Every step, then `finish`. `on_begun` once the drill has begun (drill mode on), so
        nothing says it has when `begin` refuses."""
        self.begin()
        try:
            if on_begun is not None:
                on_begun()
            while self.next_step is not None:
                result = self.run_step()
                if on_step is not None:
                    on_step(result)
        except KeyboardInterrupt:  # stopped by a person: finished early, as Finish now does
            self.made.notes.append("Stopped early: the steps not run are left out.")
        except BaseException:
            self.finish()
            raise
        return self.finish()

    def _leave_obs_as_found(self) -> None:
        """What the drill put on OBS and did not take off (it was stopped early, or a step
        failed) comes off: back to live from its slide, its stream or recording ended."""
        from commsdesk.broadcast.obs_actions import back_to_live, end_recording, end_stream

        made, actor = self.made, self.parts.actor
        try:
            if made.obs is None:
                return
            undo = []
            if made.slide_up and not made.back_live:
                undo.append(("its slide", lambda: back_to_live(self.desk, actor, made.obs,
                                                               via=VIA)))  # fmt: skip
            if made.streaming is None and made.going_live and not made.ended:
                # stopped while going live: whatever OBS runs now is the drill's own
                try:
                    made.streaming = (True if made.obs.stream_health().live else
                                      False if made.obs.recording() else None)  # fmt: skip
                except Exception as exc:
                    made.notes.append(f"Finishing, the drill could not ask OBS whether it went "
                                      f"live: {_said(exc)}; check OBS.")  # fmt: skip
            if made.streaming is not None and not made.ended:
                undo.append(("its stream" if made.streaming else "its recording",
                             lambda: end_stream(self.desk, actor, made.obs) if made.streaming
                             else end_recording(self.desk, actor, made.obs, via=VIA)))
            for what, action in undo:
                try:
                    action()
                    made.notes.append(f"Finishing, the drill took {what} off OBS.")
                except Exception as exc:
                    made.notes.append(f"Finishing, the drill could not take {what} off OBS: "
                                      f"{_said(exc)}; do it in OBS.")  # fmt: skip
        finally:
            if made.obs is not None:
                made.obs.close()
                made.obs = None

    def _leave_nothing_open(self) -> None:
        """A drill finished early leaves no incident of its own open (reminders of its cadence,
        its statements postable once drill mode is off) and no P-1 of its own waiting in the
        header for someone to acknowledge."""
        from commsdesk.p1.service import CallChain

        made, actor = self.made, self.parts.actor
        if made.incident_id is not None:
            try:
                incident = self.desk.incident(made.incident_id)
                if incident.closed_at is None:
                    self.desk.close_incident(actor, incident.id, "Drill finished early: "
                                             f"{self.scenario.name}")  # fmt: skip
                    made.notes.append(f"Finishing, the drill closed its incident "
                                      f"'{incident.title}'.")  # fmt: skip
            except Exception as exc:
                made.notes.append(f"Finishing, the drill could not close its incident: "
                                  f"{_said(exc)}; close it yourself.")  # fmt: skip
        if made.p1_run_id is not None:
            try:
                chain = CallChain(self.desk)
                latest = chain.latest()
                if latest is not None and latest.id == made.p1_run_id:
                    if latest.running:
                        chain.cancel(actor)
                    chain.acknowledge(actor)  # the drill's chain is done with: off the header
            except Exception as exc:
                made.notes.append(f"Finishing, the drill could not end its P-1 chain: "
                                  f"{_said(exc)}; see Incident → P-1 status….")  # fmt: skip

    def scorecard(self) -> Scorecard:
        late = self._updates_late_by()
        moments = self.made.moments
        start = self.started_at or as_utc(self.desk.now())
        return Scorecard(
            scenario=self.scenario.name, started_at=start, steps=tuple(self.results),
            scores=scores(start, answered=moments.get("answered"),
                          first_posted=moments.get("posted"), live=moments.get("live"),
                          late_by=late),
            cadence=cadence_text(late), report=self.made.report,
            incident_id=self.made.incident_id, notes=tuple(self.made.notes),
            recorded=self.made.streaming is False,
        )  # fmt: skip

    def _updates_late_by(self) -> list[float | None]:
        """Each posted update's lateness against the cadence promised (0 kept, None none)."""
        from commsdesk.report.measures import cadence_checks, promises_from

        if self.made.incident_id is None:
            return []
        incident = self.desk.incident(self.made.incident_id)
        events = self.desk.timeline(incident_id=incident.id, limit=None)[::-1]
        posted = [(as_utc(e.at), e.summary) for e in events if e.kind == EventKind.POSTED]
        end = as_utc(incident.closed_at) if incident.closed_at else as_utc(self.desk.now())
        checks = cadence_checks(incident.started_at, posted, promises_from(events), end)
        return [None if c.minutes is None else
                (c.late_by.total_seconds() if c.late_by else 0.0)
                for c in checks if c.posted_at is not None]  # fmt: skip

    # --- what each step needs -----------------------------------------------------------------

    def _need(self, what: str, step: str) -> None:
        if getattr(self.made, what) in (None, False):
            title = dict(STEPS)[step]
            raise StepFailed(f"needs what '{title}' makes, and that step failed")

    def _obs(self):
        if self.made.obs is None:
            self.made.obs = self.parts.open_obs()
        return self.made.obs

    # --- the steps ----------------------------------------------------------------------------

    def _p1(self) -> str:
        from commsdesk.p1.runner import ChainRunner
        from commsdesk.p1.service import CallChain

        provider = (self.parts.phone or stand_in_phone)(drill=True)
        chain = CallChain(self.desk)
        self._nothing_began_since(chain)
        run, started = chain.press(self.parts.actor, self.scenario.p1_reason,
                                   provider=provider.name, drill=True)  # fmt: skip
        if not started:  # pressed by someone else a moment before: that chain is not the drill's
            raise StepFailed("a P-1 chain was pressed after the drill began; the drill did not "
                             "join it, and it goes on")  # fmt: skip
        self.made.incident_id = run.incident_id
        self.made.p1_run_id = run.id
        try:
            return self._follow_p1(chain, ChainRunner(chain, provider), run, provider.name)
        except BaseException:  # never a chain left calling on its own after a drill
            latest = chain.latest()
            if latest is not None and latest.running:
                chain.cancel(self.parts.actor)
            raise

    def _nothing_began_since(self, chain) -> None:
        """An incident opened or a P-1 pressed after `begin` is someone's real one: a drill press
        would join it (its incident, its chain), so the drill stays out."""
        active = self.desk.active_incident()
        if active is not None:
            raise StepFailed(f"'{active.title}' was opened after the drill began; the drill "
                             "does not press P-1 into it")  # fmt: skip
        latest = chain.latest()
        if latest is not None and latest.running:
            raise StepFailed("a P-1 chain was pressed after the drill began; the drill does not "
                             "join it")  # fmt: skip

    def _follow_p1(self, chain, runner, run, provider: str) -> str:
        from commsdesk.p1.runner import STEP_EVERY
        from commsdesk.p1.views import RunState

        run = runner.start(run)
        deadline = time.monotonic() + self.scenario.p1_wait_seconds
        while run.state is RunState.RUNNING and time.monotonic() < deadline:
            time.sleep(STEP_EVERY)
            run = runner.step() or run
        if run.state is RunState.RUNNING:
            chain.cancel(self.parts.actor)
            raise StepFailed(f"no one answered within {self.scenario.p1_wait_seconds:g} s; "
                             "the chain was cancelled")  # fmt: skip
        if run.state is not RunState.ANSWERED:
            raise StepFailed(f"P-1 {run.summary()}")
        self.made.moments["answered"] = as_utc(run.ended_at or self.desk.now())
        while run.texted_at is None and time.monotonic() < deadline:  # the texts to everyone
            time.sleep(STEP_EVERY)
            run = runner.step() or run
        through = "the stand-in phone" if provider == "fake" else provider
        return f"P-1 {run.summary()} (through {through})"

    def _incident(self) -> str:
        s = self.scenario
        facts = dict(s.facts)
        if "next_update" not in facts and s.cadence_minutes:
            due = as_utc(self.desk.now()) + timedelta(minutes=s.cadence_minutes)
            facts["next_update"] = due.strftime("%Y-%m-%dT%H:%MZ")
        actor = self.parts.actor
        if self.made.incident_id is not None:  # P-1 opened it: name it as the scenario does
            incident = self.desk.update_incident(actor, self.made.incident_id, title=s.title,
                                                 severity=s.severity, summary=s.summary,
                                                 facts=facts)  # fmt: skip
        else:
            incident = self.desk.start_incident(actor, s.title, s.severity, s.summary, facts)
            self.made.incident_id = incident.id
        self.desk.set_update_cadence(actor, incident.id, s.cadence_minutes)
        return f"{incident.severity} '{incident.title}', an update every {s.cadence_minutes} min"

    def _statement(self) -> str:
        from commsdesk.statements.templates import starting_templates

        self._need("incident_id", "incident")
        template = next(t for t in starting_templates() if t.key == self.scenario.template)
        author = self.scenario.author
        statement = self.desk.create_statement(author, self.made.incident_id,
                                               self.scenario.statement_title, template.source)
        self.desk.save_version(author, statement.id, template.source)
        self.desk.submit(author, statement.id)
        self.made.statement_id = statement.id  # only once in review: a draft is not approved
        return (f"'{statement.title}' drafted by {author} from the template "
                f"'{template.title}', in review")

    def _approvals(self) -> str:
        from commsdesk.statements.statement import StatementState

        self._need("statement_id", "statement")
        if self.desk.approval_policy().required < 2:  # two approvals, whatever the desk asks
            self.desk.set_required_approvals(self.parts.actor, 2)
        statement = None
        for approver in self.scenario.approvers:
            statement = self.desk.approve(approver, self.made.statement_id)
        if statement is None or statement.state is not StatementState.APPROVED:
            raise StepFailed("the statement is not approved after two approvals")
        self.made.approved = True
        return f"approved by {' and '.join(self.scenario.approvers)}"

    def _post(self) -> str:
        from commsdesk.publishing.publication import PublicationState

        self._need("approved", "approvals")
        publisher = self.parts.services.publisher
        actor = self.scenario.author
        publication = publisher.prepare_statement(actor, self.made.statement_id, "sandbox",
                                                  sandbox=True)  # fmt: skip
        if not publication.sandbox:  # drill mode sends every post there; never past it
            raise StepFailed("the post was not headed for the SANDBOX; nothing was posted")
        publication = publisher.run(actor, publication.id)
        if publication.state is not PublicationState.POSTED:
            raise StepFailed(publication.error or f"the post ended {publication.state}")
        self.made.moments["posted"] = as_utc(self.desk.now())
        return f"posted to the SANDBOX as {', '.join(publication.post_ids)}"

    def _go_live(self) -> str:
        from commsdesk.broadcast.going_live import REHEARSAL_SETTING
        from commsdesk.broadcast.obs.api import SLIDES_SCENE
        from commsdesk.broadcast.obs_actions import go_live

        rehearsal = self.parts.settings.get(REHEARSAL_SETTING) or []
        obs = self._obs()
        busy = ("is streaming already" if obs.stream_health().live else
                "is recording already" if obs.recording() else
                f"shows a slide someone put up ({SLIDES_SCENE} scene)"
                if obs.scenes().program == SLIDES_SCENE else None)  # fmt: skip
        if busy:  # whatever OBS shows now is not the drill's: it is left alone
            raise StepFailed(f"OBS {busy}, so the drill stays off it (no slide, no scene "
                             f"change); end that in OBS, or drill with OBS idle")
        self.made.going_live = True  # from here OBS may be live even if go_live never returns
        going = go_live(self.desk, self.parts.actor, obs, drill=True, rehearsal=rehearsal,
                        via=VIA)  # fmt: skip
        self.made.streaming = going.streams
        self.made.moments["live"] = as_utc(self.desk.now())
        if not going.streams:
            self.made.notes.append("OBS recorded instead of streaming: its destination is not "
                                   "a rehearsal destination (OBS settings… in the Broadcast "
                                   "panel).")  # fmt: skip
        return going.sentence

    def _back_at(self) -> str:
        from commsdesk.broadcast.obs_actions import draw_slide, push_slide

        if self.made.streaming is None:  # on air only on the drill's own stream or recording
            raise StepFailed("needs what 'Go live on OBS' makes, and that step failed")
        values = {"at": self.scenario.back_at}
        if self.scenario.back_at_message:
            values["message"] = self.scenario.back_at_message
        slide, path, _warnings = draw_slide(self.parts.data_dir, self.parts.settings, "back_at",
                                            values, prefix="drill")  # fmt: skip
        pushed = push_slide(self.desk, self.parts.actor, self._obs(), slide, path, via=VIA)
        if pushed.loaded is False:
            raise StepFailed(f"OBS showed the slides scene but could not load {path}")
        self.made.slide_up = True
        return f"on air: {pushed.headline}"

    def _back_live(self) -> str:
        from commsdesk.broadcast.obs_actions import back_to_live

        self._need("slide_up", "back_at")
        scene = back_to_live(self.desk, self.parts.actor, self._obs(), via=VIA)
        self.made.back_live = True
        return f"program: {scene}"

    def _audience(self) -> str:
        from commsdesk.drill.replay import replay_to_advice

        self._need("incident_id", "incident")
        return replay_to_advice(self.parts.services.audience, self.scenario, self.parts.actor,
                                self.made.incident_id)  # fmt: skip

    def _end_stream(self) -> str:
        from commsdesk.broadcast.obs_actions import end_recording, end_stream

        if self.made.streaming is None:
            raise StepFailed("needs what 'Go live on OBS' makes, and that step failed")
        obs = self._obs()
        if self.made.streaming:
            event = end_stream(self.desk, self.parts.actor, obs)
            self.made.ended = True
            return event.summary if event else "the stream ended (already on the record)"
        end_recording(self.desk, self.parts.actor, obs, via=VIA)
        self.made.ended = True
        return "OBS stopped recording"

    def _close(self) -> str:
        self._need("incident_id", "incident")
        incident = self.desk.close_incident(self.parts.actor, self.made.incident_id,
                                            f"Drill over: {self.scenario.name}")  # fmt: skip
        return f"closed '{incident.title}'"

    def _report(self) -> str:
        from commsdesk.report.writing import write_report

        self._need("incident_id", "incident")
        path = self.parts.report_path or default_report_path(
            self.parts.data_dir, self.scenario, self.started_at or utc_now())
        so_far = self.scorecard()  # the report prints it: every step but this one
        self.desk.record(self.parts.actor, EventKind.DRILL_PROGRESS,
                         so_far.summary("Drill so far, before its report"),
                         incident_id=self.made.incident_id, data=so_far.data())  # fmt: skip
        written = write_report(self.desk, self.parts.actor, self.made.incident_id, path,
                               audience=self.parts.services.audience,
                               zones=self.parts.settings.get("team_time_zones") or ())
        self.made.report = str(written.path)
        if written.instead:
            self.made.notes.append(written.instead)
        return written.line()


def cut_short_drill(desk):
    """The newest drill.started with no drill.scored after it: a drill killed mid-way (or one
    running in another process now: only a person can tell)."""
    started = desk.timeline(kinds=[str(EventKind.DRILL_STARTED)], limit=1)
    scored = desk.timeline(kinds=[str(EventKind.DRILL_SCORED)], limit=1)
    if started and (not scored or scored[0].id < started[0].id):
        return started[0]
    return None


def put_right(desk, actor: str) -> list[str]:
    """Put the desk back as it was before a drill that was cut short (the desk killed
    mid-drill): drill mode and the approvals asked as they were, its incident closed, its P-1
    ended and acknowledged; recorded as that drill's end (drill.scored, cut short). What was
    done, a line each; DeskError when no drill was cut short."""
    from commsdesk.drill.scenario import ScenarioProblem, load
    from commsdesk.p1.service import CallChain
    from commsdesk.publishing.holds import drill_mode, set_drill_mode

    started = cut_short_drill(desk)
    if started is None:
        raise DeskError("No drill was cut short: every drill begun on this desk has finished.")
    data, done = started.data, []
    name = data.get("name") or data.get("scenario") or "a drill"
    title = data.get("incident_title")
    if title is None:  # recorded before drills named their incident here
        try:
            title = load(str(data.get("scenario"))).title
        except ScenarioProblem:
            title = None
    active = desk.active_incident()
    if (active is not None and title is not None and active.title == title
            and as_utc(active.started_at) >= as_utc(started.at)):  # fmt: skip
        desk.close_incident(actor, active.id, f"Drill cut short, put right: {name}")
        done.append(f"closed its incident '{active.title}'")
    chain = CallChain(desk)
    latest = chain.latest()
    if latest is not None and latest.drill and as_utc(latest.pressed_at) >= as_utc(started.at):
        if latest.running:
            chain.cancel(actor)
            done.append("cancelled its P-1 chain")
        chain.acknowledge(actor)
        done.append("acknowledged its P-1")
    before = data.get("before") or {}
    if "approvals" in before and desk.approval_policy().required != int(before["approvals"]):
        desk.set_required_approvals(actor, int(before["approvals"]))
        done.append(f"approvals asked back to {int(before['approvals'])}")
    if "drill_mode" in before and drill_mode(desk) != bool(before["drill_mode"]):
        set_drill_mode(desk, actor, bool(before["drill_mode"]))
        done.append(f"drill mode back {'on' if before['drill_mode'] else 'off'}")
    said = "; ".join(done) or "nothing was left to put back"
    desk.record(actor, EventKind.DRILL_SCORED,
                f"Drill cut short, put right: {name} (begun {as_utc(started.at):%H:%M} UTC): "
                f"{said}", data={"cut_short": True, "drill_started": started.id,
                                 "put_right": done})  # fmt: skip
    return done


def _said(exc: BaseException) -> str:
    """One line for a failure from outside the desk's rules: a database error by its driver's
    own words (SQLAlchemy's first line says only how it was raised)."""
    from commsdesk.store.session import team_refusal

    refusal = team_refusal(exc) if hasattr(exc, "orig") else None
    if refusal:
        return refusal
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__
