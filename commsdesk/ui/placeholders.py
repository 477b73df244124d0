"""What the window shows where a capability is not wired in (a desk without OBS, an audience
lane or a scheduler): a panel saying what would be there."""

from __future__ import annotations

from commsdesk.ui.coming_panel import ComingPanel


def broadcast_placeholder() -> ComingPanel:
    return ComingPanel(
        "Broadcast",
        "The stream producer drives OBS Studio from here.",
        [
            "Switch scenes with a click or the keys 1 to 9, with a live program thumbnail.",
            "Put up “We'll be back at 18:30” with the time in the team's zones and a "
            "countdown; bring the camera back with one key.",
            "Watch stream health (bitrate, dropped frames, CPU) and end the stream behind a "
            "confirmation.",
        ],
    )


def audience_placeholder() -> ComingPanel:
    return ComingPanel(
        "Audience",
        "The team watches how many people are following, on every platform at once.",
        [
            "Live viewer counts from YouTube, Twitch and Kick, on one chart marked with what "
            "the desk did.",
            "A wall view for a second screen, and advice when the audience has drifted away.",
        ],
    )


def schedule_placeholder() -> ComingPanel:
    return ComingPanel(
        "Schedule", "Approved statements go out to X at a set time, exactly once.", []
    )


def opening_placeholder(title: str) -> ComingPanel:
    """Stands in for a panel built a moment after the desk's first listing."""
    panel = ComingPanel(title, "Opening…", [])
    panel.status.setText("")
    return panel
