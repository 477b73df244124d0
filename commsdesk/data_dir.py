"""Where the desk keeps its database, settings and backups."""

from __future__ import annotations

import os
from pathlib import Path

ENV_VAR = "COMMSDESK_DATA_DIR"


def resolve_data_dir(cli_value: str | None = None) -> Path:
    """The `--data-dir` value, else $COMMSDESK_DATA_DIR, else the platform's user data folder.

    The folder is created if missing.
    """
    if cli_value:
        path = Path(cli_value).expanduser()
    elif env_value := os.environ.get(ENV_VAR):
        path = Path(env_value).expanduser()
    else:
        import platformdirs  # only when no folder was named: it costs start-up time

        path = Path(platformdirs.user_data_dir("CommsDesk", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
