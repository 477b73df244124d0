"""Preparing a publication: the outbox a text or an approved statement becomes, made once.

A publication is keyed by what it posts and where (`statement:<id>:v<version>:<account>`, or
`text:<sha256 of the text and images>:<account>`), so asking again returns the one already made.
In drill mode a new one goes to the SANDBOX whatever was asked. The thread is split and checked
and its images kept as files first; then one write transaction reads drill mode and the thread
limit, looks for the publication under its key, and otherwise writes it, its parts and the event
that starts it (with the parts' SHA-256, checked before each run).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import Holds, holds
from commsdesk.publishing.media_files import MediaFiles
from commsdesk.publishing.outbox import (
    PARTS,
    PUBLICATIONS,
    publication_from,
    publication_row,
    row_by_key,
)
from commsdesk.publishing.publication import (
    Attachment,
    OutboxMedia,
    OutboxPart,
    PartState,
    Publication,
    PublicationState,
    attachment_problems,
    image_type,
)
from commsdesk.publishing.runs import parts_digest
from commsdesk.publishing.thread_splitter import split_thread
from commsdesk.statements.statement import StatementState
from commsdesk.timeline.chain import EventKind

POSTABLE = (StatementState.APPROVED, StatementState.SCHEDULED, StatementState.FAILED)
P = PublicationState
_NEW_PUBLICATION = insert(PUBLICATIONS).returning(PUBLICATIONS.c.id)
_NEW_PARTS = insert(PARTS)
_UNFINISHED = select(PUBLICATIONS).where(
    PUBLICATIONS.c.state.not_in([P.POSTED.value, P.FAILED.value, P.REPLIES_REFUSED.value])
)


class PublicationTooLong(DeskError):
    """The thread has more posts than the desk's limit, and no one allowed it."""


class Preparing:
    """Preparing and reading publications; part of Publisher."""

    desk: Desk
    media: MediaFiles | None

    def prepare_statement(
        self,
        actor: str,
        statement_id: int,
        account: str,
        *,
        sandbox: bool,
        numbering: bool = True,
        attachments: Sequence[Attachment] = (),
        allow_long: bool = False,
    ) -> Publication:
        """The publication of a statement's approved version (made once; asked again, the same
        one comes back, with the images it was first prepared with). In drill mode it goes to
        the SANDBOX whatever was asked."""
        statement = self.desk.statement(statement_id)

        def key_for(account: str) -> str:
            return f"statement:{statement.id}:v{statement.approved_version_id}:{account}"

        # Asked again, the publication comes back whatever the statement's state is now.
        existing = self._existing(account, sandbox, key_for)
        if existing is not None:
            return existing
        if statement.state not in POSTABLE or statement.approved_text is None:
            raise DeskError(
                f"Only an approved statement can be posted; '{statement.title}' is "
                f"{statement.state.label.lower()}."
            )
        with self.desk.reading() as session:
            problem = self.desk.approval_problem(session, statement.id)
        if problem is not None:
            raise DeskError(problem)
        return self._create(
            actor, key_for, statement.approved_text, account, sandbox, numbering, statement.id,
            attachments, allow_long,
        )

    def prepare_text(
        self,
        actor: str,
        text: str,
        account: str,
        *,
        sandbox: bool,
        numbering: bool = True,
        attachments: Sequence[Attachment] = (),
        allow_long: bool = False,
    ) -> Publication:
        """A text given directly (the command line); the same text with the same images to the
        same account is published once. In drill mode it goes to the SANDBOX."""
        digest = hashlib.sha256(text.strip().encode("utf-8"))
        for attachment in attachments:
            digest.update(hashlib.sha256(attachment.data).digest())
        return self._create(
            actor, lambda to: f"text:{digest.hexdigest()}:{to}", text, account, sandbox,
            numbering, None, attachments, allow_long,
        )

    # --- reading ----------------------------------------------------------------------------
    def publication(self, publication_id: int) -> Publication:
        with self.desk.reading() as session:
            row = publication_row(session, publication_id)
            if row is None:
                raise DeskError(f"No publication #{publication_id}.")
            return publication_from(session, row)

    def unfinished(self) -> list[Publication]:
        """Publications a restart must pick up: anything not posted or failed."""
        with self.desk.reading() as session:
            rows = session.execute(_UNFINISHED).all()
            return [publication_from(session, row) for row in rows]

    def _by_key(self, key: str) -> Publication | None:
        with self.desk.reading() as session:
            row = row_by_key(session, key)
            return None if row is None else publication_from(session, row)

    def _existing(
        self, account: str, sandbox: bool, key_for: Callable[[str], str]
    ) -> Publication | None:
        """The publication already made under the key for where a new one would go."""
        with self.desk.reading() as session:
            account, _ = destination(holds(session), account, sandbox)
            row = row_by_key(session, key_for(account))
            return None if row is None else publication_from(session, row)

    # --- making one -------------------------------------------------------------------------
    def _create(
        self,
        actor: str,
        key_for: Callable[[str], str],
        text: str,
        account: str,
        sandbox: bool,
        numbering: bool,
        statement_id: int | None,
        attachments: Sequence[Attachment] = (),
        allow_long: bool = False,
    ) -> Publication:
        """The publication under `key_for(destination)`: the one already made, or a new one."""
        thread = split_thread(text, numbering=numbering)
        if not thread.parts:
            raise DeskError("There is nothing to post: the text is empty.")
        if thread.problems:
            raise DeskError("Cannot post this text: " + " ".join(thread.problems))
        media: dict[int, list[dict]] = {}
        if attachments:
            problems = attachment_problems(attachments, len(thread.parts))
            if problems:
                raise DeskError("Cannot post these images: " + " ".join(problems))
            if self.media is None:
                raise DeskError("This desk has no folder to keep images in.")
            for attachment in attachments:
                mime = image_type(attachment.data) or ""
                kept = OutboxMedia(self.media.keep(attachment.data, mime), mime, attachment.alt)
                media.setdefault(attachment.part, []).append(kept.to_json())
        texts = [part.text for part in thread.parts]
        try:
            with self.desk.transaction() as session:
                in_force = holds(session)
                account, sandbox = destination(in_force, account, sandbox)
                key = key_for(account)
                existing = row_by_key(session, key)
                if existing is not None:
                    return publication_from(session, existing)
                limit = in_force.max_thread_posts
                if len(texts) > limit and not allow_long:
                    raise PublicationTooLong(
                        f"This text makes a thread of {len(texts):,} posts; the desk's limit is "
                        f"{limit}. Shorten it, or allow a long thread explicitly."
                    )
                publication_id = self._insert(
                    session, actor, key, texts, media, account, sandbox, statement_id
                )
        except IntegrityError:
            # Another desk or process prepared the same publication a moment ago: that one.
            existing = self._by_key(key)
            if existing is None:
                raise
            return existing
        return Publication(
            id=publication_id, key=key, statement_id=statement_id, account=account,
            sandbox=sandbox, state=P.PENDING,
            parts=tuple(
                OutboxPart(
                    position, text, PartState.PENDING,
                    media=tuple(OutboxMedia.from_json(m) for m in media.get(position, [])),
                )
                for position, text in enumerate(texts)
            ),
        )

    def _insert(
        self,
        session: Session,
        actor: str,
        key: str,
        texts: list[str],
        media: dict[int, list[dict]],
        account: str,
        sandbox: bool,
        statement_id: int | None,
    ) -> int:
        """The publication, its parts and the event that starts it; the publication's id."""
        now = self.desk.now()
        publication_id = session.execute(_NEW_PUBLICATION, {
            "key": key, "statement_id": statement_id, "account": account, "sandbox": sandbox,
            "state": P.PENDING.value, "created_by": actor, "created_at": now, "updated_at": now,
            "wait_until": None, "error": "", "standalone_from": None, "claim_token": None,
            "claimed_by": None, "claimed_until": None,
        }).scalar_one()
        session.execute(_NEW_PARTS, [
            {"publication_id": publication_id, "position": position, "text": text,
             "media": media.get(position, []), "state": PartState.PENDING.value, "attempts": 0,
             "last_error": "", "post_id": None, "sent_at": None, "posted_at": None}
            for position, text in enumerate(texts)
        ])
        count = len(texts)
        images = sum(len(m) for m in media.values())
        where = "the SANDBOX" if sandbox else f"X as {account}"
        self.desk.append_event(
            session, actor, EventKind.PUBLISH_STARTED,
            f"Publishing {count} post{'s' if count > 1 else ''} to {where}"
            + (f" with {images} image{'s' if images > 1 else ''}" if images else ""),
            statement_id=statement_id,
            data={"publication": publication_id, "key": key, "parts_sha256": parts_digest(texts)},
        )
        return publication_id


def destination(in_force: Holds, account: str, sandbox: bool) -> tuple[str, bool]:
    """Where a new publication goes: as asked, or the SANDBOX while drill mode is on."""
    if not sandbox and in_force.drill:
        return "sandbox", True
    return account, sandbox
