"""Writing a file so that a crash leaves either the old one or the new one, never half of it."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomically(target: Path, data: bytes, *, mode: int = 0o600) -> None:
    """A temp file in the same folder, written, flushed to disk, then renamed over `target`.
    The new file has `mode` (by default readable by the user only), whatever the old one had."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
