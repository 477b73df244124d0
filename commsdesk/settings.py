"""This desk's own settings (one workstation), declared once with type, default and meaning.

Team-wide policy (how many approvals a statement needs) lives in the database instead; this file is
for what belongs to the person at this desk: their name, the window layout, their time zones.
Saved as JSON beside the database, written atomically so a crash never leaves half a file.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple


class Option(NamedTuple):
    name: str
    type: type
    default: Any
    description: str


OPTIONS: tuple[Option, ...] = (
    Option("operator_name", str, "", "Who is at this desk; every action is recorded under it."),
    Option("last_statement_id", int, 0, "The statement open when the desk last closed."),
    Option("window_geometry", str, "", "Main window position and size (Qt, base64)."),
    Option("window_state", str, "", "Panel layout of the main window (Qt, base64)."),
    Option(
        "team_time_zones",
        list,
        ["UTC", "Asia/Singapore", "America/New_York"],
        "Zones the team reads times in; shown beside every time the desk announces.",
    ),
    Option("thread_numbering", bool, True, "Number thread parts '1/5' when a statement splits."),
    Option("drill_mode", bool, False, "Drill mode: every post goes to the SANDBOX feed, not X."),
    Option("x_account", str, "", "The X account posts go to ('' = none: the SANDBOX)."),
    Option("x_accounts", list, [], "Names of X accounts whose keys are in the keyring."),
    Option("x_handle", str, "", "The @handle last verified for x_account (not a secret)."),
    Option(
        "team_database",
        str,
        "",
        "The team's PostgreSQL database this desk opens, as a URL without its password (the "
        "password is in the keyring); '' = this desk's own SQLite file.",
    ),
    Option(
        "report_folder",
        str,
        "",
        "The folder the last report was written to, where Incident → Report… next offers to "
        "save ('' = none yet: the Documents folder).",
    ),
    Option("obs_host", str, "127.0.0.1", "Where OBS Studio's WebSocket server runs."),
    Option("obs_port", int, 4455, "The port of OBS's WebSocket server (its default: 4455)."),
    Option(
        "rehearsal_destinations",
        list,
        [],
        "Stream destinations (ingest URLs) the team marked for rehearsals: in Drill mode OBS "
        "streams only to these, and records instead otherwise.",
    ),
    Option(
        "producer_zone",
        str,
        "",
        "The zone the stream producer types slide times in ('' = this computer's zone).",
    ),
    Option(
        "slides_dir",
        str,
        "",
        "Folder of the team's slide templates, looked in before the built-in slides/ ('' = "
        "only the built-in ones).",
    ),
    Option(
        "audience_share_percent",
        int,
        10,
        "Suggest ending the stream when the audience stays below this share of its peak (%).",
    ),
    Option("audience_below_minutes", int, 10, "...for this many minutes in a row."),
    Option(
        "audience_min_runtime_minutes", int, 30, "Never suggest ending before the stream has run "
        "this long (minutes)."
    ),
    Option(
        "audience_drop_percent",
        int,
        50,
        "Flag a likely stream problem when the audience falls by more than this share (%)...",
    ),
    Option("audience_drop_seconds", int, 120, "...within this many seconds."),
    Option("audience_poll_seconds", int, 15, "How often a new viewer source is asked (seconds)."),
)
BY_NAME = {o.name: o for o in OPTIONS}
FILE_NAME = "desk.json"


class Settings:
    """Values by option name; `on_change` listeners hear (name, value) after each change."""

    def __init__(self, path: Path, values: dict[str, Any] | None = None) -> None:
        self.path = path
        self._values = {o.name: o.default for o in OPTIONS}
        for name, value in (values or {}).items():
            option = BY_NAME.get(name)
            if option is not None and isinstance(value, option.type):
                self._values[name] = value
        self._listeners: list[Callable[[str, Any], None]] = []

    @classmethod
    def load(cls, data_dir: Path) -> Settings:
        """The settings in `data_dir`; a file readable by others is made private (0600) first."""
        from commsdesk.data_dir import tighten

        path = data_dir / FILE_NAME
        tighten(path)
        try:
            values = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            values = {}
        except (OSError, ValueError):
            # A damaged settings file costs the layout, never the desk: start from defaults and
            # keep the damaged file for inspection.
            values = {}
            path.replace(path.with_suffix(".damaged.json"))
        return cls(path, values if isinstance(values, dict) else {})

    def get(self, name: str) -> Any:
        return self._values[name]

    def set(self, name: str, value: Any) -> bool:
        """Set a value; True when it changed. Saving is the caller's (off the UI thread)."""
        option = BY_NAME[name]
        if not isinstance(value, option.type):
            raise TypeError(f"{name} takes {option.type.__name__}, not {type(value).__name__}")
        if self._values[name] == value:
            return False
        self._values[name] = value
        for listener in self._listeners:
            listener(name, value)
        return True

    def on_change(self, listener: Callable[[str, Any], None]) -> None:
        self._listeners.append(listener)

    def snapshot(self) -> dict[str, Any]:
        return dict(self._values)

    def save(self, snapshot: dict[str, Any] | None = None) -> None:
        """Write atomically (0600): a crash leaves the old file or the new one, never half."""
        from commsdesk.atomic_file import write_atomically

        data = json.dumps(snapshot or self.snapshot(), indent=2, sort_keys=True)
        write_atomically(self.path, data.encode("utf-8"))
