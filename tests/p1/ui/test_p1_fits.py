"""The header with the P-1 button and a chain's label still fits a 1280×720 screen at its
fullest: every part shown whole inside the window and no narrower than its least; the chain's
label readable while calling, and NO ONE ANSWERED never cut short.

The desk runs in its own process on an offscreen screen of that size (Qt sets a process's
screens once).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PARTS = ("header", "drill", "destination", "operator", "incident button", "p1 button",
         "p1 chain", "warning record", "warning stream", "warning advice")  # fmt: skip


@pytest.fixture(scope="module")
def laptop(tmp_path_factory) -> dict:
    folder = tmp_path_factory.mktemp("laptop")
    config = folder / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": "screen", "x": 0, "y": 0, "width": 1280, "height": 720,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1,
    }]}))  # fmt: skip
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}",
               PYTHONPATH=str(ROOT))  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "tests.p1.ui.fit_probe_p1", str(folder / "desk")],
        capture_output=True, text=True, env=env, timeout=180, cwd=ROOT,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("moment", ["calling", "no one answered"])
def test_the_header_fits_with_the_p1_button_and_a_chain_label(laptop, moment):
    seen = laptop[moment]
    assert seen["frame inside the screen"], moment
    for name in PARTS:
        part = seen[name]
        assert part["visible"], f"{name} is hidden ({moment})"
        assert part["inside"], f"{name} lies outside the window ({moment})"
        assert part["width"] >= part["hint_width"], f"{name} is squeezed ({moment})"


def test_the_chain_label_is_readable_while_calling(laptop):
    chain = laptop["calling"]["p1 chain"]
    assert chain["full"] == "P-1: calling Mira Chen (round 1)"
    assert chain["shown"].startswith("P-1: calling Mira Chen")
    assert chain["width"] >= 200


def test_no_one_answered_is_shown_whole(laptop):
    chain = laptop["no one answered"]["p1 chain"]
    assert chain["shown"] == chain["full"] == "P-1: NO ONE ANSWERED"
