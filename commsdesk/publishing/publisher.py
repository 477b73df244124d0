"""Publishing to X exactly once, in order, resuming where it stopped.

Each post of a thread is an outbox part. Before a part is sent its intent is committed (state
`sending`, `sent_at`); after the answer its outcome (`posted`, with the post id). Whatever
interrupts it — the desk killed, a timeout, a dropped connection — leaves parts whose outcome is
unknown; those are matched against the account's recent posts before anything is sent again, so
a retry, a double click or a restart never produces a second post.

The rules every path meets here, whoever asks (the window, the command line, the scheduler,
another process):
- **holds** (`holds.py`): while Pause all is on nothing is sent unless a person overrides it by
  name; in Drill mode nothing reaches a real X account. Both are read in the transaction that
  records a part's intent, so they stop a thread between two parts.
- **one run per publication**: a run claims its publication (a lease renewed with each part)
  before sending anything; a second run is refused, told who is posting it.
- **exactly what was approved**: a statement's approved text must match the SHA-256 its approval
  put on the record, and still render so from the incident as it is; the publication's parts
  are hashed into the event that starts it and checked before each run.
- **a sane size**: a thread longer than the desk's limit is refused before anything is built.
- the statement becomes posted in the transaction that records its last part.

Used by the command line and the desk alike; it blocks while it works (it sleeps through rate
limits and backoff), so the desk runs it on its X lane.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from commsdesk.clock import as_utc, utc_now
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing.holds import drill_on, max_thread_posts
from commsdesk.publishing.media_files import MediaFiles
from commsdesk.publishing.publication import (
    CREDENTIALS_REFUSED,
    Attachment,
    OutboxMedia,
    OutboxPart,
    PartState,
    Publication,
    PublicationState,
    attachment_problems,
    find_posted,
    image_type,
    retry_delay,
    with_number,
)
from commsdesk.publishing.runs import (
    LEASE,
    Progress,
    Run,
    claim,
    hold,
    hold_reason,
    let_go,
    part_count,
    part_row,
    parts_digest,
    publication_from,
    release,
)
from commsdesk.publishing.thread_splitter import split_thread
from commsdesk.publishing.x.api import XAccountClient, XError, XPost
from commsdesk.statements.statement import StatementState
from commsdesk.store.models import (
    OutboxPartRow,
    PublicationRow,
    StatementRow,
)
from commsdesk.timeline.chain import EventKind

ClientFor = Callable[[str, bool], XAccountClient]  # (account, sandbox) -> client

POSTABLE = (StatementState.APPROVED, StatementState.SCHEDULED, StatementState.FAILED)
P = PublicationState
class PublicationTooLong(DeskError):
    """The thread has more posts than the desk's limit, and no one allowed it."""


class Publisher:
    def __init__(
        self,
        desk: Desk,
        client_for: ClientFor,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock=utc_now,
        media: MediaFiles | None = None,
    ) -> None:
        self.desk = desk
        self.client_for = client_for
        self.sleep = sleep
        self.clock = clock
        if media is None and desk.path is not None:
            media = MediaFiles(desk.path.parent / "media")
        self.media = media
        self._clients: dict[tuple[str, bool], XAccountClient] = {}

    def forget_clients(self) -> None:
        """Drop the kept clients (their connections and keys), e.g. after an account changed."""
        self._clients.clear()

    def _client(self, account: str, sandbox: bool) -> XAccountClient:
        """One client per account, kept so its connection to X is reused."""
        key = (account, sandbox)
        if key not in self._clients:
            self._clients[key] = self.client_for(account, sandbox)
        return self._clients[key]

    # --- preparing --------------------------------------------------------------------------
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
        account, sandbox = self._destination(account, sandbox)
        statement = self.desk.statement(statement_id)
        key = f"statement:{statement.id}:v{statement.approved_version_id}:{account}"
        existing = self._by_key(key)
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
            actor, key, statement.approved_text, account, sandbox, numbering, statement.id,
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
        account, sandbox = self._destination(account, sandbox)
        digest = hashlib.sha256(text.strip().encode("utf-8"))
        for attachment in attachments:
            digest.update(hashlib.sha256(attachment.data).digest())
        key = f"text:{digest.hexdigest()}:{account}"
        return self._by_key(key) or self._create(
            actor, key, text, account, sandbox, numbering, None, attachments, allow_long
        )

    def _destination(self, account: str, sandbox: bool) -> tuple[str, bool]:
        """Where a new publication goes: as asked, or the SANDBOX while drill mode is on."""
        if sandbox:
            return account, True
        with self.desk.reading() as session:
            if drill_on(session):
                return "sandbox", True
        return account, False

    def _create(
        self,
        actor: str,
        key: str,
        text: str,
        account: str,
        sandbox: bool,
        numbering: bool,
        statement_id: int | None,
        attachments: Sequence[Attachment] = (),
        allow_long: bool = False,
    ) -> Publication:
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
        where = "the SANDBOX" if sandbox else f"X as {account}"
        texts = [part.text for part in thread.parts]
        try:
            with self.desk.transaction() as session:
                limit = max_thread_posts(session)
                if len(texts) > limit and not allow_long:
                    raise PublicationTooLong(
                        f"This text makes a thread of {len(texts):,} posts; the desk's limit is "
                        f"{limit}. Shorten it, or allow a long thread explicitly."
                    )
                now = self.desk.now()
                row = PublicationRow(
                    key=key, statement_id=statement_id, account=account, sandbox=sandbox,
                    state=P.PENDING.value, created_by=actor, created_at=now, updated_at=now,
                    error="",
                )
                session.add(row)
                session.flush()
                session.execute(OutboxPartRow.__table__.insert(), [
                    {"publication_id": row.id, "position": position, "text": text,
                     "media": media.get(position, []), "state": PartState.PENDING.value,
                     "attempts": 0, "last_error": ""}
                    for position, text in enumerate(texts)
                ])
                count = len(texts)
                images = sum(len(m) for m in media.values())
                self.desk.append_event(
                    session, actor, EventKind.PUBLISH_STARTED,
                    f"Publishing {count} post{'s' if count > 1 else ''} to {where}"
                    + (f" with {images} image{'s' if images > 1 else ''}" if images else ""),
                    statement_id=statement_id,
                    data={"publication": row.id, "key": key, "parts_sha256": parts_digest(texts)},
                )
                session.flush()
                return publication_from(session, row)
        except IntegrityError:
            # Another desk or process prepared the same publication a moment ago: that one.
            existing = self._by_key(key)
            if existing is None:
                raise
            return existing

    # --- reading ----------------------------------------------------------------------------
    def publication(self, publication_id: int) -> Publication:
        with self.desk.reading() as session:
            row = session.get(PublicationRow, publication_id)
            if row is None:
                raise DeskError(f"No publication #{publication_id}.")
            return publication_from(session, row)

    def _by_key(self, key: str) -> Publication | None:
        with self.desk.reading() as session:
            row = session.scalar(select(PublicationRow).where(PublicationRow.key == key))
            return None if row is None else publication_from(session, row)

    def unfinished(self) -> list[Publication]:
        """Publications a restart must pick up: anything not posted or failed."""
        done = [P.POSTED.value, P.FAILED.value, P.REPLIES_REFUSED.value]
        with self.desk.reading() as session:
            rows = session.scalars(
                select(PublicationRow).where(PublicationRow.state.not_in(done))
            )
            return [publication_from(session, row) for row in rows]

    # --- running ----------------------------------------------------------------------------
    def run(
        self,
        actor: str,
        publication: int | Publication,
        *,
        on_progress: Progress | None = None,
        despite_pause: bool = False,
    ) -> Publication:
        """Post every part not yet posted, in order; returns the publication as it ended (held,
        when Pause all or Drill mode stopped it before a part). Raises PublicationBusy when
        another run is posting it."""
        publication_id = publication.id if isinstance(publication, Publication) else publication
        publication = self.publication(publication_id)
        if publication.state is P.POSTED:
            return self._finish(publication, actor)
        run = Run(
            actor, publication.id, self._client(publication.account, publication.sandbox),
            on_progress=on_progress, total=len(publication.parts), despite_pause=despite_pause,
        )
        # Read again under the claim: another run may have finished parts since.
        publication = claim(self.desk, run)
        try:
            # Posted is final; refused replies wait for post_rest_separately. A failed or held
            # publication asked again (a person retrying) resumes at the part where it stopped.
            if publication.state is P.POSTED:
                return self._finish(publication, actor)
            if publication.state is P.REPLIES_REFUSED:
                return publication
            previous: str | None = None
            for part in publication.parts:
                if part.state is PartState.POSTED:
                    previous = part.post_id
                    continue
                outcome = self._post_part(run, part, previous, publication)
                if outcome is None:  # stopped: held, failed, or a person must decide
                    return self.publication(run.row_id)
                previous = outcome
                if on_progress is not None:
                    on_progress(self.publication(run.row_id))
            return run.finished or self.publication(run.row_id)
        finally:
            release(self.desk, run)

    def repair(self, actor: str) -> list[int]:
        """Statements whose publication is posted but which were left approved (a desk stopped
        between the two by an older version): marked posted now. Returns their ids."""
        with self.desk.reading() as session:
            rows = session.execute(
                select(PublicationRow.id)
                .join(StatementRow, StatementRow.id == PublicationRow.statement_id)
                .where(
                    PublicationRow.state == P.POSTED.value,
                    StatementRow.state.in_([s.value for s in POSTABLE]),
                )
            ).scalars().all()
        repaired = []
        for publication_id in rows:
            publication = self._finish(self.publication(publication_id), actor)
            repaired.append(publication.statement_id)
        return repaired

    # --- the run's claim and checks ---------------------------------------------------------
    def _may_send(self, run: Run, part: OutboxPart) -> bool:
        """Before a part's images go up: False (and the publication held) when it must wait."""
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id, with_for_update=True)
            reason = hold_reason(self.desk, session, run, pub)
            if reason is not None:
                hold(self.desk, session, run, pub, part, reason)
                return False
        return True

    def post_rest_separately(self, actor: str, publication_id: int) -> Publication:
        """After X refused replies: the remaining parts go out as separate numbered posts."""
        publication = self.publication(publication_id)
        if publication.state is not P.REPLIES_REFUSED:
            raise DeskError("Only a thread whose replies X refused can be posted separately.")
        first = publication.next_part.position
        with self.desk.transaction() as session:
            row = session.get(PublicationRow, publication_id)
            row.standalone_from = first
            row.state = P.PENDING.value
        return self.run(actor, publication_id)

    def _post_part(
        self, run: Run, part: OutboxPart, previous: str | None, publication: Publication
    ) -> str | None:
        """Post one part (retrying as the rules say); its post id, or None when it stopped."""
        total = len(publication.parts)
        standalone = (
            publication.standalone_from is not None and part.position >= publication.standalone_from
        )
        text = with_number(part.text, part.position, total) if standalone else part.text
        reply_to = None if standalone else previous
        # Sent before (an earlier run, or a try in this one whose answer never came): X may
        # hold it already. Only then may a post found on the account be taken for this part.
        sent_before = part.state is PartState.SENDING or part.attempts > 0
        if sent_before:
            found = self._reconcile(run, part, text)
            if found is not None:
                return found
        failures = 0
        while True:
            posting = False
            if part.media and not self._may_send(run, part):  # before images go up to X
                return None
            try:
                media_ids = self._upload_media(run, part)
                if not self._mark_sending(run, part):
                    return None
                posting = True
                post = run.client.create_post(text, reply_to=reply_to, media_ids=media_ids)
            except XError as error:
                if posting and error.kind in ("unknown_outcome", "server"):
                    sent_before = True
                    found = self._reconcile(run, part, text)
                    if found is not None:
                        return found
                if posting and error.kind == "duplicate":
                    found = self._reconcile(run, part, text) if sent_before else None
                    if found is not None:
                        return found
                    return self._fail(run, part, error, "X refused it as a duplicate of an "
                                      "earlier post; not retried.")
                if error.kind == "auth":
                    self._needs_credentials(run, publication.account, error)
                    return self._fail(run, part, error, f"{CREDENTIALS_REFUSED} "
                                      f"{publication.account}; enter new ones. Not retried.")
                if error.kind == "forbidden":
                    if posting and part.position > 0 and reply_to is not None:
                        return self._replies_refused(run, part, error)
                    return self._fail(run, part, error, f"X refused the post: {error}")
                if error.kind == "bad_request":
                    what = "the request" if posting else "an image"
                    return self._fail(run, part, error, f"X rejected {what}: {error}")
                if error.kind == "rate_limited":
                    self._wait_for_reset(run, part, error)
                    continue
                failures += 1
                delay = retry_delay(failures)
                if delay is None:
                    return self._fail(
                        run, part, error,
                        f"X could not be reached after {failures} tries: {error}",
                    )
                self._retrying(run, part, error, delay)
                self.sleep(delay)
                continue
            self._mark_posted(run, part, post, how="posted")
            return post.id

    def _upload_media(self, run: Run, part: OutboxPart) -> list[str]:
        """Upload the part's images not yet on X (or whose ids have expired), recording each id
        as it comes; returns the ids to post with. An upload repeated after a crash only leaves
        an unused image on X, which X discards."""
        if not part.media:
            return []
        with self.desk.reading() as session:  # ids recorded by an earlier try of this part
            stored = part_row(session, run.row_id, part.position).media or []
        ids: list[str] = []
        for index, item in enumerate(OutboxMedia.from_json(m) for m in stored):
            now = as_utc(self.clock())
            if item.needs_upload(now):
                try:
                    data = self.media.read(item.file)
                except OSError as exc:
                    raise XError(
                        "bad_request", f"the image {item.file} is missing from the desk ({exc})"
                    ) from exc
                media_id = run.client.upload_image(data, item.mime, item.alt or None)
                item = replace(item, media_id=media_id, uploaded_at=now)
                self._record_media(run, part, index, item)
            ids.append(item.media_id)
        return ids

    def _record_media(self, run: Run, part: OutboxPart, index: int, item: OutboxMedia) -> None:
        with self.desk.transaction() as session:
            row = part_row(session, run.row_id, part.position)
            media = list(row.media or [])
            media[index] = item.to_json()
            row.media = media  # a new list, so the JSON column is written

    # --- outcomes, each recorded with its timeline event ------------------------------------
    def _reconcile(self, run: Run, part: OutboxPart, text: str) -> str | None:
        """Look for the part among the account's recent posts; mark it posted if it is there."""
        try:
            if run.user_id is None:
                run.user_id = run.client.me().id
            recent = run.client.recent_posts(run.user_id)
        except XError:
            return None  # cannot tell now; the caller decides whether sending again is safe
        found = find_posted(text, recent)
        if found is None:
            return None
        self._mark_posted(run, part, found, how="found already posted")
        return found.id

    def _mark_sending(self, run: Run, part: OutboxPart) -> bool:
        """Record the intent to send the part; False (nothing recorded but the hold) when a
        pause, drill mode or another run got there since the images went up."""
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id, with_for_update=True)
            reason = hold_reason(self.desk, session, run, pub)
            if reason is not None:
                hold(self.desk, session, run, pub, part, reason)
                return False
            if pub.state != P.POSTING.value:
                pub.state, pub.error, pub.wait_until = P.POSTING.value, "", None
                pub.updated_at = self.desk.now()
            row = part_row(session, run.row_id, part.position)
            row.state = PartState.SENDING.value
            row.sent_at = self.desk.now()
            row.attempts += 1
        return True

    def _mark_posted(self, run: Run, part: OutboxPart, post: XPost, *, how: str) -> None:
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id)
            row = part_row(session, run.row_id, part.position)
            row.state = PartState.POSTED.value
            row.post_id = post.id
            row.posted_at = self.desk.now()
            total = run.total or part_count(session, run.row_id)
            kind = EventKind.PART_POSTED if how == "posted" else EventKind.PART_RECONCILED
            self.desk.append_event(
                session, run.actor, kind,
                f"Post {part.position + 1}/{total} {how} as {post.id}"
                + (" (SANDBOX)" if pub.sandbox else ""),
                statement_id=pub.statement_id,
                data={"publication": pub.id, "part": part.position + 1, "post_id": post.id},
            )
            if part.position == total - 1:  # the last part: the publication is done
                session.flush()
                pub.state = P.POSTED.value
                pub.updated_at = self.desk.now()
                done = publication_from(session, pub)
                self.desk.append_event(
                    session, run.actor, EventKind.PUBLISHED,
                    f"All {total} post(s) out: " + ", ".join(done.post_ids),
                    statement_id=pub.statement_id, data={"publication": pub.id},
                )
                if pub.statement_id is not None:  # in the same transaction: never half-way
                    self.desk.mark_posted_in(session, run.actor, pub.statement_id, done.post_ids)
                run.finished = done
                let_go(run, pub)

    def _retrying(self, run: Run, part: OutboxPart, error: XError, delay: float) -> None:
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id)
            pub.claimed_until = self.desk.now() + timedelta(seconds=delay) + LEASE
            row = part_row(session, run.row_id, part.position)
            row.last_error = str(error)
            self.desk.append_event(
                session, run.actor, EventKind.POST_RETRY,
                f"Post {part.position + 1}: {error.kind} error ({error}); trying again in "
                f"{delay:g} s",
                statement_id=pub.statement_id, data={"publication": pub.id},
            )

    def _wait_for_reset(self, run: Run, part: OutboxPart, error: XError) -> None:
        reset = as_utc(error.reset_at) if error.reset_at else None
        now = as_utc(self.clock())
        seconds = max(1.0, (reset - now).total_seconds()) if reset else 60.0
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id)
            pub.state = P.WAITING.value
            pub.wait_until = (reset or now).replace(tzinfo=None)
            pub.claimed_until = self.desk.now() + timedelta(seconds=seconds) + LEASE
            row = part_row(session, run.row_id, part.position)
            row.state = PartState.PENDING.value  # a 429 means nothing was posted
            self.desk.append_event(
                session, run.actor, EventKind.RATE_LIMITED,
                f"X rate limit reached; post {part.position + 1} waits "
                f"{seconds:.0f} s" + (f" until {reset:%H:%M:%S} UTC" if reset else ""),
                statement_id=pub.statement_id, data={"publication": pub.id},
            )
        if run.on_progress is not None:  # the desk shows the countdown to wait_until
            run.on_progress(self.publication(run.row_id))
        self.sleep(seconds)  # the next intent puts the publication back to posting

    def _fail(self, run: Run, part: OutboxPart, error: XError, message: str) -> None:
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id)
            row = part_row(session, run.row_id, part.position)
            row.state = PartState.FAILED.value
            row.last_error = str(error)
            pub.state = P.FAILED.value
            let_go(run, pub)
            pub.error = message
            pub.updated_at = self.desk.now()
            self.desk.append_event(
                session, run.actor, EventKind.PUBLISH_FAILED,
                f"Post {part.position + 1} failed: {message}",
                statement_id=pub.statement_id,
                data={"publication": pub.id, "kind": error.kind, "status": error.status},
            )
            statement_id = pub.statement_id
        if statement_id is not None:
            self.desk.mark_failed(run.actor, statement_id, message)
        return None

    def _replies_refused(self, run: Run, part: OutboxPart, error: XError) -> None:
        message = (
            f"X refused post {part.position + 1} as a reply: {error}. The remaining posts can go "
            "out as separate numbered posts."
        )
        with self.desk.transaction() as session:
            pub = session.get(PublicationRow, run.row_id)
            row = part_row(session, run.row_id, part.position)
            row.state = PartState.PENDING.value
            row.last_error = str(error)
            pub.state = P.REPLIES_REFUSED.value
            let_go(run, pub)
            pub.error = message
            self.desk.append_event(
                session, run.actor, EventKind.REPLIES_REFUSED, message,
                statement_id=pub.statement_id, data={"publication": pub.id},
            )
        return None

    def _needs_credentials(self, run: Run, account: str, error: XError) -> None:
        self.desk.record(
            run.actor, EventKind.ACCOUNT_NEEDS_CREDENTIALS,
            f"X account {account} needs new credentials: {error}",
        )

    def _finish(self, publication: Publication, actor: str) -> Publication:
        """A posted publication whose statement was left approved (by an older version that
        marked it in a later transaction): the statement follows it now."""
        if publication.statement_id is None:
            return publication
        with self.desk.transaction() as session:
            statement = session.get(StatementRow, publication.statement_id, with_for_update=True)
            expected = f"statement:{statement.id}:v{statement.approved_version_id}:"
            if statement.state in [s.value for s in POSTABLE] and publication.key.startswith(
                expected
            ):
                self.desk.mark_posted_in(session, actor, statement.id, publication.post_ids)
        return publication
