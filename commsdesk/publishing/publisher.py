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

This module runs a publication part by part and decides what each answer from X means. The
rest: `preparing.py` makes a publication (once), `runs.py` holds the claim and each part's
intent with the holds checked, `outcomes.py` records each answer with its event, `outbox.py`
reads and writes the rows.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace

from sqlalchemy import select

from commsdesk.clock import as_utc, utc_now
from commsdesk.desk import Desk, DeskError
from commsdesk.publishing import outcomes
from commsdesk.publishing.media_files import MediaFiles
from commsdesk.publishing.outbox import part_media, set_publication
from commsdesk.publishing.preparing import POSTABLE, Preparing, PublicationTooLong
from commsdesk.publishing.publication import (
    CREDENTIALS_REFUSED,
    OutboxMedia,
    OutboxPart,
    PartState,
    Publication,
    PublicationState,
    find_posted,
    retry_delay,
    with_number,
)
from commsdesk.publishing.runs import (
    Progress,
    Run,
    claim,
    mark_sending,
    may_send,
    release,
)
from commsdesk.publishing.x.api import XAccountClient, XError
from commsdesk.store.models import PublicationRow, StatementRow

__all__ = ["POSTABLE", "ClientFor", "PublicationTooLong", "Publisher"]

ClientFor = Callable[[str, bool], XAccountClient]  # (account, sandbox) -> client

P = PublicationState


class Publisher(Preparing):
    """Prepares publications (`Preparing`) and runs them to X, one part after another."""

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
        if not isinstance(publication, Publication):
            publication = self.publication(publication)
        if publication.state is P.POSTED:  # final, however long ago it was read
            return self._finish(publication, actor)
        run = Run(
            actor, publication.id, self._client(publication.account, publication.sandbox),
            on_progress=on_progress, despite_pause=despite_pause,
        )
        # Read again under the claim: another run may have finished parts since.
        publication = claim(self.desk, run)
        try:
            if run.held:  # the holds stopped the first part, in the claim's transaction
                return self.publication(run.row_id)
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
            # Images go up only once the holds allow the part.
            if part.media and not may_send(self.desk, run, part):
                return None
            try:
                media_ids = self._upload_media(run, part)
                if run.intent == part.position:  # recorded with the claim
                    run.intent = None
                elif not mark_sending(self.desk, run, part):
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
                    outcomes.needs_credentials(self.desk, run, publication.account, error)
                    return self._fail(run, part, error, f"{CREDENTIALS_REFUSED} "
                                      f"{publication.account}; enter new ones. Not retried.")
                if error.kind == "forbidden":
                    if posting and part.position > 0 and reply_to is not None:
                        return outcomes.replies_refused(self.desk, run, part, error)
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
                outcomes.retrying(self.desk, run, part, error, delay)
                self.sleep(delay)
                continue
            outcomes.mark_posted(self.desk, run, part, post, how="posted")
            return post.id

    def _upload_media(self, run: Run, part: OutboxPart) -> list[str]:
        """Upload the part's images not yet on X (or whose ids have expired), recording each id
        as it comes; returns the ids to post with. An upload repeated after a crash only leaves
        an unused image on X, which X discards."""
        if not part.media:
            return []
        with self.desk.reading() as session:  # ids recorded by an earlier try of this part
            stored = part_media(session, run.row_id, part.position)
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
                outcomes.record_media(self.desk, run, part, index, item)
            ids.append(item.media_id)
        return ids

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
        outcomes.mark_posted(self.desk, run, part, found, how="found already posted")
        return found.id

    def _wait_for_reset(self, run: Run, part: OutboxPart, error: XError) -> None:
        reset = as_utc(error.reset_at) if error.reset_at else None
        now = as_utc(self.clock())
        seconds = max(1.0, (reset - now).total_seconds()) if reset else 60.0
        outcomes.rate_limited(self.desk, run, part, reset, now, seconds)
        if run.on_progress is not None:  # the desk shows the countdown to wait_until
            run.on_progress(self.publication(run.row_id))
        self.sleep(seconds)  # the next intent puts the publication back to posting

    def _fail(self, run: Run, part: OutboxPart, error: XError, message: str) -> None:
        outcomes.fail(self.desk, run, part, error, message)

    # --- after a run: the rest on their own, repairs ----------------------------------------
    def post_rest_separately(self, actor: str, publication_id: int) -> Publication:
        """After X refused replies: the remaining parts go out as separate numbered posts."""
        publication = self.publication(publication_id)
        if publication.state is not P.REPLIES_REFUSED:
            raise DeskError("Only a thread whose replies X refused can be posted separately.")
        first = publication.next_part.position
        with self.desk.transaction() as session:
            set_publication(
                session, publication_id, standalone_from=first, state=P.PENDING.value
            )
        return self.run(actor, publication_id)

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
