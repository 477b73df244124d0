"""Where slide PNGs for OBS live: `<data dir>/slides/`, one new file per rendering.

OBS's image source reloads only when its file name changes, so every rendering gets a name of its
own; old ones are pruned, never the one on air. Used by the Broadcast panel (on its slides lane)
and by `commsdesk slide push` alike. No Qt here.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable
from pathlib import Path

FOLDER = "slides"
KEEP_NEWEST = 6  # renderings kept besides those named to keep (the one on air)

_counter = itertools.count()


def slides_folder(data_dir: str | Path) -> Path:
    return Path(data_dir) / FOLDER


def new_slide_path(folder: str | Path, prefix: str = "slide") -> Path:
    """A name no earlier rendering had: `<prefix>-<UTC time in µs>-<n>.png`."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    micro = int(time.time() * 1_000_000) % 1_000_000
    return Path(folder) / f"{prefix}-{stamp}.{micro:06d}-{next(_counter)}.png"


def prune(folder: str | Path, keep: Iterable[str | Path] = (), newest: int = KEEP_NEWEST) -> int:
    """Delete all but the `newest` renderings and those in `keep`; how many were deleted."""
    kept = {Path(p).resolve() for p in keep}
    try:
        files = sorted(
            (p for p in Path(folder).glob("*.png") if p.is_file()),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
    except OSError:
        return 0
    deleted = 0
    for path in files[newest:]:
        if path.resolve() in kept:
            continue
        try:
            path.unlink()
            deleted += 1
        except OSError:
            pass
    return deleted
