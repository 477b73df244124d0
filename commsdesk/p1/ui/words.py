"""What the window says about a P-1 chain: the header's label, the tray's notices, the status
lines. Words only: how the chain stands is the chain's (`RunView`), read, never decided, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from commsdesk.p1.chain import RunState
from commsdesk.p1.provider import CallOutcome
from commsdesk.ui.theme import BAD, OK, WARN

CALM = "#616161"
OUTCOME_WORDS = {
    CallOutcome.PENDING: "ringing…",
    CallOutcome.HUMAN: "ANSWERED",
    CallOutcome.MACHINE: "voicemail (not an answer)",
    CallOutcome.NO_ANSWER: "no answer",
    CallOutcome.BUSY: "busy",
    CallOutcome.FAILED: "failed",
    CallOutcome.CANCELED: "hung up (chain cancelled)",
}


@dataclass(frozen=True)
class Label:
    text: str  # "" hides the label
    colour: str = WARN
    tip: str = ""
    running: bool = False
    loud: bool = False


def acknowledged_at_desk(run) -> list[str]:
    return [m.name for m in run.messages if m.kind == "acknowledged"]


def replied(run) -> list[str]:
    return list(dict.fromkeys(m.name for m in run.messages if m.kind == "reply"))


def chain_label(run) -> Label:
    """The header's label for the latest chain: while it runs, and once ended until someone
    acknowledges it at a desk; nothing for a chain cancelled (and hung up)."""
    if run is None:
        return Label("")
    mark = "DRILL " if run.drill else ""
    tip = pressed_line(run)
    if run.running:
        return Label(f"{mark}P-1: {run.summary()}", WARN, tip, running=True)
    if run.state is RunState.CANCELLED:
        hanging_up = any(not call.outcome.ended for call in run.calls)
        return Label(f"{mark}P-1: cancelled, hanging up…" if hanging_up else "", CALM, tip)
    if acknowledged_at_desk(run):
        return Label("")
    texts = replied(run)
    if texts:
        tip += f"\nReplied by text: {', '.join(texts)}."
    if run.state is RunState.ANSWERED:
        return Label(f"{mark}P-1 answered by {run.answered_by}", OK, tip)
    if texts:  # no one answered a call, but someone has the text
        return Label(f"{mark}P-1: no call answered; {texts[0]} replied", CALM, tip)
    return Label(f"{mark}P-1: NO ONE ANSWERED", BAD, tip + "\nNo one in the chain answered "
                 f"after {run.rounds} round(s). Call someone yourself.", loud=True)  # fmt: skip


def pressed_line(run) -> str:
    where = f" for '{run.incident_title}'" if run.incident_title else ""
    return (f"{'DRILL ' if run.drill else ''}P-1 pressed by {run.pressed_by} at "
            f"{run.pressed_at:%H:%M:%S} UTC{where}: {run.reason}")  # fmt: skip


def notice(run) -> tuple[str, str]:
    """The tray's title and text for a chain that has just ended."""
    title = f" for '{run.incident_title}'" if run.incident_title else ""
    drill = "DRILL " if run.drill else ""
    if run.state is RunState.ANSWERED:
        return (f"{drill}P-1 answered by {run.answered_by}",
                f"{run.answered_by} answered the P-1 call{title}. Everyone in the chain gets "
                "a text with the conference room.")  # fmt: skip
    return (f"{drill}P-1: NO ONE ANSWERED",
            f"No one answered after {run.rounds} round(s) of calls{title}. Everyone in the "
            "chain gets a text; the incident stays open. Call someone yourself.")  # fmt: skip


def call_lines(run) -> list[str]:
    """Each call, in order, with how it ended."""
    lines = []
    for call in run.calls:
        when = f"{call.started_at:%H:%M:%S}"
        lines.append(f"Round {call.round}: {call.name} ({call.phone}) at {when}: "
                     f"{OUTCOME_WORDS.get(call.outcome, str(call.outcome))}")  # fmt: skip
    return lines


def message_lines(run) -> list[str]:
    """The texts sent, then each reply and acknowledgement."""
    sent = sum(1 for m in run.messages if m.kind == "sent")
    lines = [f"Texted {sent} of {len(run.chain)}."] if run.texted_at is not None else []
    for m in run.messages:
        if m.kind == "reply":
            lines.append(f"{m.name} replied at {m.at:%H:%M:%S}: {m.body}")
        elif m.kind == "acknowledged":
            lines.append(f"Acknowledged at a desk by {m.name} at {m.at:%H:%M:%S}")
    return lines


def state_line(run) -> str:
    if run.state is RunState.RUNNING:
        return f"Now: {run.summary()}."
    if run.state is RunState.ANSWERED:
        return f"Answered by {run.answered_by}."
    if run.state is RunState.EXHAUSTED:
        return f"NO ONE ANSWERED after {run.rounds} round(s)."
    return "Cancelled."
