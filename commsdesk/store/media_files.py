"""Images waiting to be posted, kept as files beside the database.

An outbox part names its images by content (sha256), so a restart finds the same bytes to
upload again, the same image attached twice is kept once, and the database stays small.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

_EXTENSIONS = {
    "image/png": ".png", "image/jpeg": ".jpg", "image/gif": ".gif", "image/webp": ".webp",
}


class MediaFiles:
    def __init__(self, root: Path) -> None:
        self.root = root

    def keep(self, data: bytes, mime: str) -> str:
        """Store the bytes durably (written, flushed, renamed into place); returns the name."""
        name = hashlib.sha256(data).hexdigest() + _EXTENSIONS.get(mime, "")
        target = self.root / name
        if target.exists() and target.stat().st_size == len(data):
            return name
        self.root.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".media-", dir=self.root)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return name

    def read(self, name: str) -> bytes:
        if Path(name).name != name:
            raise ValueError(f"not a media file name: {name!r}")
        return (self.root / name).read_bytes()

    def path(self, name: str) -> Path:
        return self.root / Path(name).name
