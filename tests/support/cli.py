"""The command line as scripts and hardware buttons run it: `python -m commsdesk` in its own
process, output captured as text."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def commsdesk_argv(*args: str, data_dir: Path | None = None) -> list[str]:
    """`python -m commsdesk [--data-dir DATA_DIR] ARGS`."""
    desk = ["--data-dir", str(data_dir)] if data_dir is not None else []
    return [sys.executable, "-m", "commsdesk", *desk, *args]


def commsdesk_env(
    env: Mapping[str, str] | None = None,
    *,
    operator: str | None = None,
    obs_password: str | None = None,
) -> dict[str, str]:
    """This process's environment with the given changes; None leaves a variable as it is."""
    changes = dict(env or {})
    if operator is not None:
        changes["COMMSDESK_OPERATOR"] = operator
    if obs_password is not None:
        changes["COMMSDESK_OBS_PASSWORD"] = obs_password
    return {**os.environ, **changes}


def commsdesk(
    *args: str,
    data_dir: Path | None = None,
    operator: str | None = None,
    obs_password: str | None = None,
    env: Mapping[str, str] | None = None,
    stdin: str | bytes | None = None,
    without_root_powers: bool = False,
    cwd: Path | None = None,
    timeout: float = 60,
    check: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run the command line to its end; stdout and stderr decoded as UTF-8.

    `stdin` is text or raw bytes; `without_root_powers` runs it, when root, without the
    capabilities that let root write where the permission bits say no (as any user is bound);
    `check` asserts it exited 0, showing its stderr if not.
    """
    prefix = []
    if without_root_powers and os.geteuid() == 0:
        powers = "-dac_override,-dac_read_search,-fowner"
        prefix = ["setpriv", f"--inh-caps={powers}", f"--bounding-set={powers}"]
    done = subprocess.run(
        [*prefix, *commsdesk_argv(*args, data_dir=data_dir)],
        input=stdin.encode() if isinstance(stdin, str) else stdin,
        capture_output=True,
        cwd=cwd,
        timeout=timeout,
        env=commsdesk_env(env, operator=operator, obs_password=obs_password),
    )
    done.stdout, done.stderr = done.stdout.decode(), done.stderr.decode()
    if check:
        assert done.returncode == 0, done.stderr
    return done


def start_commsdesk(
    *args: str,
    data_dir: Path | None = None,
    operator: str | None = None,
    env: Mapping[str, str] | None = None,
) -> subprocess.Popen[str]:
    """Start the command line without waiting; stdout and stderr are text pipes."""
    return subprocess.Popen(
        commsdesk_argv(*args, data_dir=data_dir),
        env=commsdesk_env(env, operator=operator),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
