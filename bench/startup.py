"""Cold start to the first painted main window, against a bare PySide6 QMainWindow.

Each start is a new process; both are timed from just before the process is spawned to the
CLOCK_MONOTONIC instant the window reports its first paint. Runs alternate so machine noise hits
both sides alike; medians are compared.
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))


def timed_start(argv: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawn to the reported instant, and the child's peak RSS in KiB up to it, as
    the child read it (the kernel's rusage would count the parent's pages shared before exec)."""
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    out = proc.stdout.read()
    err = proc.stderr.read()
    proc.wait()
    line = next((ln for ln in out.splitlines() if ln.split(" ")[0] in {"painted", "loaded"}), None)
    if line is None:
        raise RuntimeError(f"{argv} reported nothing (exit {proc.returncode}): {err[-2000:]}")
    _, at, peak_kib = line.split()
    return float(at) - start, int(peak_kib)


def run_pair(desk_argv, env_desk, base_argv, env_base, runs=RUNS):
    desk, base, desk_rss, base_rss = [], [], [], []
    for _ in range(runs):
        seconds, rss = timed_start(base_argv, env_base)
        base.append(seconds)
        base_rss.append(rss)
        seconds, rss = timed_start(desk_argv, env_desk)
        desk.append(seconds)
        desk_rss.append(rss)
    return statistics.median(desk), statistics.median(base), max(desk_rss), max(base_rss)


def main() -> None:
    from bench.seed import seed_large

    # Installed packages come with bytecode; give the project's own modules theirs too, as an
    # install would, even where the environment turns off writing it on import.
    compileall.compile_dir(ROOT / "commsdesk", quiet=1)

    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    py = sys.executable
    base_argv = [py, str(ROOT / "bench" / "bare_window.py")]
    with tempfile.TemporaryDirectory(prefix="commsdesk-bench-") as tmp:
        empty_dir = Path(tmp) / "empty"
        large_dir = Path(tmp) / "large"
        # Open each once first so start-up measures opening, not creating the database.
        seed_large(empty_dir, statements=0, events=0)
        started = time.monotonic()
        seed_large(large_dir, statements=5000, events=50_000)
        print(f"(seeded 5,000 statements and 50,000 events in {time.monotonic() - started:.1f} s)")

        paint_env = dict(env, COMMSDESK_BENCH_EXIT="paint")
        loaded_env = dict(env, COMMSDESK_BENCH_EXIT="loaded")
        desk_argv = [py, "main.py", "--data-dir"]
        rows = []
        for label, data_dir, desk_env in (
            ("cold start to first paint, empty desk", empty_dir, paint_env),
            ("cold start to first paint, 5,000 statements / 50,000 events", large_dir, paint_env),
            (
                "cold start to statements listed, 5,000 statements / 50,000 events",
                large_dir,
                loaded_env,
            ),
        ):
            desk, base, desk_rss, base_rss = run_pair(
                desk_argv + [str(data_dir)], desk_env, base_argv, env
            )
            rows.append((label, desk, base, desk_rss, base_rss))
        for label, desk, base, _, _ in rows:
            goal = " (goal <= 1.5x)" if "first paint" in label else ""
            print(
                f"{label}: desk {desk * 1000:.0f} ms, bare QMainWindow {base * 1000:.0f} ms, "
                f"ratio {desk / base:.2f}x{goal}"
            )
        label, _, _, desk_rss, base_rss = rows[-1]
        print(
            f"peak memory, desk with 5,000 statements / 50,000 events listed: "
            f"{desk_rss / 1024:.0f} MiB; bare QMainWindow {base_rss / 1024:.0f} MiB; "
            f"ratio {desk_rss / base_rss:.2f}x"
        )


if __name__ == "__main__":
    main()
