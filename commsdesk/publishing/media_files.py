"""Images waiting to be posted, kept as files beside the database.

An outbox part names its images by content (sha256), so a restart finds the same bytes to
upload again, the same image attached twice is kept once, and the database stays small.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from commsdesk.atomic_file import write_atomically

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
        if not (target.exists() and target.stat().st_size == len(data)):
            write_atomically(target, data)
        return name

    def read(self, name: str) -> bytes:
        if Path(name).name != name:
            raise ValueError(f"not a media file name: {name!r}")
        return (self.root / name).read_bytes()

    def path(self, name: str) -> Path:
        return self.root / Path(name).name
