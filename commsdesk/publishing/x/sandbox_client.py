"""The SANDBOX account: posts go to a local feed in the desk's database, never to X.

Drills, and any desk without an X account, publish here through the same outbox, so approvals,
scheduling and the timeline run for real.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select

from commsdesk.clock import as_utc
from commsdesk.desk import Desk
from commsdesk.publishing.media_files import MediaFiles
from commsdesk.publishing.x.api import XPost, XUser
from commsdesk.store.models import SandboxPostRow

SANDBOX_USER_ID = "0"
MEDIA_PREFIX = "sandbox-media:"  # + the image's file name in the desk's media folder


class SandboxXClient:
    def __init__(self, desk: Desk, account: str = "sandbox") -> None:
        self.desk = desk
        self.account = account
        self.media = MediaFiles(desk.path.parent / "media") if desk.path is not None else None
        self._alt: dict[str, str] = {}  # media id -> description, for the feed

    def me(self) -> XUser:
        return XUser(id=SANDBOX_USER_ID, username=self.account, name=f"{self.account} (SANDBOX)")

    def create_post(
        self, text: str, *, reply_to: str | None = None, media_ids: Sequence[str] = ()
    ) -> XPost:
        with self.desk.transaction() as session:
            row = SandboxPostRow(
                account=self.account,
                text=text,
                media=[{"id": m, "alt": self._alt.get(m, "")} for m in media_ids],
                reply_to=int(reply_to) if reply_to else None,
                created_at=self.desk.now(),
            )
            session.add(row)
            session.flush()
            return _post(row)

    def delete_post(self, post_id: str) -> None:
        with self.desk.transaction() as session:
            row = session.get(SandboxPostRow, int(post_id))
            if row is not None:
                session.delete(row)

    def recent_posts(self, user_id: str, *, max_results: int = 100) -> list[XPost]:
        with self.desk.reading() as session:
            rows = session.scalars(
                select(SandboxPostRow)
                .where(SandboxPostRow.account == self.account)
                .order_by(SandboxPostRow.id.desc())
                .limit(max_results)
            )
            return [_post(row) for row in rows]

    def upload_image(self, data: bytes, mime_type: str, alt_text: str | None = None) -> str:
        """The image stays in the desk's media folder; the feed shows it from there."""
        import hashlib

        name = (
            self.media.keep(data, mime_type) if self.media is not None
            else hashlib.sha256(data).hexdigest()
        )
        media_id = MEDIA_PREFIX + name
        self._alt[media_id] = alt_text or ""
        return media_id


def _post(row: SandboxPostRow) -> XPost:
    return XPost(
        id=str(row.id),
        text=row.text,
        created_at=as_utc(row.created_at),
        in_reply_to=str(row.reply_to) if row.reply_to else None,
        media=tuple(
            SandboxImage(m["id"].removeprefix(MEDIA_PREFIX), m.get("alt", ""))
            for m in row.media or () if isinstance(m, dict)
        ),
    )


class SandboxImage(NamedTuple):
    file: str  # in the desk's media folder
    alt: str
