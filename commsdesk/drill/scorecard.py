"""What a drill adds up to. Pure: step results and the drill's timeline events in, scores out.

The scores are seconds from the drill's start (the P-1 press), or None when the moment never
came: time to the P-1 answer, to the first statement posted, to live; and the updates against
the promised cadence (how late the latest was, 0 when every one was kept).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime

SCORE_NAMES = (
    "time_to_p1_answer",
    "time_to_first_statement",
    "time_to_live",
    "updates_late_by",
)
SCORE_LABELS = {
    "time_to_p1_answer": "Time to the P-1 answer",
    "time_to_first_statement": "Time to the first statement",
    "time_to_live": "Time to live",
    "updates_late_by": "Updates late by (0: cadence kept)",
}


@dataclass(frozen=True)
class StepResult:
    name: str  # "p1", "incident", ...
    title: str  # "Press P-1"
    ok: bool
    seconds: float
    error: str | None = None
    said: str = ""  # what the step did, in one line

    def as_json(self) -> dict:
        return {"name": self.name, "ok": self.ok, "seconds": round(self.seconds, 3),
                "error": self.error}  # fmt: skip


@dataclass(frozen=True)
class Scorecard:
    scenario: str
    started_at: datetime
    steps: tuple[StepResult, ...]
    scores: dict[str, float | None]
    cadence: str  # "1 of 1 updates kept", "no cadence promised"
    report: str | None = None  # the report's path
    incident_id: int | None = None
    notes: tuple[str, ...] = field(default=())
    recorded: bool = False  # "live" was OBS recording (no rehearsal destination), not a stream

    def label(self, name: str) -> str:
        """A score's label; the time to live says when it was a recording."""
        if name == "time_to_live" and self.recorded:
            return f"{SCORE_LABELS[name]} (recording, not streamed)"
        return SCORE_LABELS[name]

    @property
    def failed(self) -> tuple[StepResult, ...]:
        return tuple(step for step in self.steps if not step.ok)

    def as_json(self) -> dict:
        return {
            "scenario": self.scenario,
            "started_at": self.started_at.isoformat(),
            "incident_id": self.incident_id,
            "steps": [step.as_json() for step in self.steps],
            "scores": dict(self.scores),
            "cadence": self.cadence,
            "report": self.report,
            "notes": list(self.notes),
            "live": "recording" if self.recorded else "stream",
        }

    def lines(self) -> list[str]:
        """The scorecard as a person reads it."""
        out = [f"Drill scorecard: {self.scenario}"]
        for name in SCORE_NAMES:
            value = self.scores.get(name)
            out.append(f"  {self.label(name):<36} {seconds_text(value)}")
        out.append(f"  {'Statements against the cadence':<36} {self.cadence}")
        done = sum(1 for step in self.steps if step.ok)
        out.append(f"  {'Steps done':<36} {done} of {len(self.steps)}")
        for step in self.failed:
            out.append(f"  FAILED {step.title}: {step.error}")
        out.extend(f"  Note: {note}" for note in self.notes)
        if self.report:
            out.append(f"  Report: {self.report}")
        return out

    def data(self) -> dict:
        """What the timeline's drill.scored (and drill.progress) event keeps."""
        return {"scenario": self.scenario, "started_at": self.started_at.isoformat(),
                "scores": dict(self.scores), "cadence": self.cadence, "recorded": self.recorded,
                "labels": {name: self.label(name) for name in self.scores},
                "steps": [{"title": step.title, **step.as_json()} for step in self.steps],
                "failed": [asdict(step) for step in self.failed], "report": self.report}

    def summary(self, lead: str = "Drill scored") -> str:
        """One line for the timeline: "Drill scored: <scenario>: Time to … 4.1 s; …"."""
        return f"{lead}: {self.scenario}: " + "; ".join(" ".join(line.split())
                                                      for line in self.lines()[1:6])


def seconds_text(value: float | None) -> str:
    if value is None:
        return "never"
    if value < 60:
        return f"{value:.1f} s"
    minutes, seconds = divmod(int(round(value)), 60)
    return f"{minutes} min {seconds:02d} s"


def since(start: datetime, moment: datetime | None) -> float | None:
    return None if moment is None else round(max((moment - start).total_seconds(), 0.0), 3)


def scores(
    start: datetime, *, answered: datetime | None, first_posted: datetime | None,
    live: datetime | None, late_by: Sequence[float | None],
) -> dict[str, float | None]:
    """`late_by`: each update's lateness in seconds (0 kept; None: nothing was promised)."""
    promised = [late for late in late_by if late is not None]
    return {
        "time_to_p1_answer": since(start, answered),
        "time_to_first_statement": since(start, first_posted),
        "time_to_live": since(start, live),
        "updates_late_by": max(promised) if promised else None,
    }


def cadence_text(late_by: Sequence[float | None]) -> str:
    promised = [late for late in late_by if late is not None]
    if not late_by:
        return "no update posted"
    if not promised:
        return "no cadence promised"
    kept = sum(1 for late in promised if late <= 0)
    return f"{kept} of {len(promised)} update{'' if len(promised) == 1 else 's'} kept"
