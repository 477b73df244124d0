"""The Audience bridge's sources: what the set-up dialog asks for (list, add, replay a CSV,
switch on or off, remove, is there a keyring) and which sources are polled.

A mixin of AudienceBridge (commsdesk.audience.ui.bridge), kept apart so that each file holds one
concern: it uses the bridge's lanes, store, panel, poller, sources and running total. Rows go
to the database on the database lane, secrets to the keyring and files to the parser on the
audience lane; the answers come back on the UI thread.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

from commsdesk.audience.history import fresh_for
from commsdesk.audience.series import AudienceSource, parse_audience_csv
from commsdesk.audience.sources.reading import ViewerSource
from commsdesk.audience.sources.replay import build_replays, replay_config
from commsdesk.audience.validation import PLATFORM_NAMES

log = logging.getLogger("commsdesk.audience.ui.bridge")

# The keyring warning of the set-up dialog: what it means for viewer sources.
NO_KEYRING = (
    "No system keyring works on this machine, so the desk cannot keep a viewer source's key or "
    "client secret (it never writes them anywhere else). YouTube and Twitch sources need one; "
    "Kick without a client id, a JSON URL, manual entry and replays do not."
)


class SourceSetup:
    """Sources for the set-up dialog and the poller; mixed into AudienceBridge."""

    # --- asked by the dialog ----------------------------------------------------------------
    def list_sources(self, on_done: Callable[[list[AudienceSource]], None]) -> None:
        self.desk_bridge.lane.submit(self.store.sources, on_done=on_done, on_error=self._refuse)

    def keyring_problem(self, on_done: Callable[[str | None], None]) -> None:
        """None when the keyring works, else the sentence to show (asked on the audience lane)."""
        from commsdesk.keyring_secrets import keyring_status

        def status() -> str | None:
            return None if keyring_status() is None else NO_KEYRING

        self.lane.submit(status, on_done=on_done, on_error=self._refuse)

    def add_source(
        self,
        kind: str,
        label: str,
        config: dict,
        *,
        secrets: dict[str, str] | None = None,
        interval: float | None = None,
        on_done: Callable[[AudienceSource], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Add a source: its row on the database lane, then its secrets in the keyring (on the
        audience lane), then polling."""
        actor = self.desk_bridge.actor
        store = self.store
        interval = float(interval or self.settings.get("audience_poll_seconds"))
        secrets = {k: v for k, v in (secrets or {}).items() if v}
        fail = on_error or self._refuse

        def keep_secrets(source: AudienceSource) -> None:
            from commsdesk.keyring_secrets import KeyringUnavailable, store_viewer_secret

            def write():
                try:
                    for name, value in secrets.items():
                        store_viewer_secret(source.label, name, value)
                except KeyringUnavailable:
                    from commsdesk.desk import DeskError

                    raise DeskError(f"{source.label} was added, but its secret was not "
                                    f"kept. {NO_KEYRING}") from None
                return source

            def written(_source) -> None:
                self._added([source])
                if on_done is not None:
                    on_done(source)

            def not_kept(exc: BaseException) -> None:
                self._added([source])  # on the record already: shown, its chip says why
                fail(exc)

            self.lane.submit(write, on_done=written, on_error=not_kept)

        self.desk_bridge.lane.submit(
            lambda: store.add_source(actor, kind, label, config, interval=interval),
            on_done=keep_secrets, on_error=fail,
        )

    def add_replay(
        self,
        path: str,
        speed: float,
        *,
        on_done: Callable[[list[AudienceSource], list[str]], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Replay a CSV: parsed on the audience lane (bad rows reported by line, good ones
        kept), one source per platform added on the database lane, then polled."""
        from commsdesk.desk import DeskError

        actor, store = self.desk_bridge.actor, self.store
        fail = on_error or self._refuse

        def parse():
            with open(path, encoding="utf-8-sig") as handle:
                parsed = parse_audience_csv(handle.read())
            if not parsed.rows:
                raise DeskError(
                    "No usable rows in the file.\n" + "\n".join(str(p) for p in parsed.problems)
                )
            return parsed

        def add(parsed) -> None:
            problems = [str(problem) for problem in parsed.problems]

            def add_all() -> list[AudienceSource]:
                taken = {source.label for source in store.sources()}
                started_at = time.time()
                added = []
                for platform in parsed.platforms():
                    rows = [row for row in parsed.rows if row.platform == platform]
                    spacing = (rows[-1].at - rows[0].at) / max(len(rows) - 1, 1) or 1.0
                    name = PLATFORM_NAMES.get(platform.lower(), platform)
                    label, n = name, 1
                    while label in taken:
                        n += 1
                        label = f"{name} replay" if n == 2 else f"{name} replay {n - 1}"
                    taken.add(label)
                    config = replay_config(path, platform, speed=speed, started_at=started_at)
                    added.append(store.add_source(actor, "replay", label, config,
                                                  interval=spacing))
                return added

            def added(sources: list[AudienceSource]) -> None:
                self._added(sources)
                if on_done is not None:
                    on_done(sources, problems)

            self.desk_bridge.lane.submit(add_all, on_done=added, on_error=fail)

        self.lane.submit(parse, on_done=add, on_error=fail)

    def set_enabled(
        self, source_id: int, enabled: bool,
        on_done: Callable[[AudienceSource], None] | None = None,
    ) -> None:
        actor, store = self.desk_bridge.actor, self.store

        def changed(source: AudienceSource) -> None:
            self.sources[source.label] = source
            if not enabled:
                self.total.retire(source.label)
                if source.label in self.buffer.sources():
                    self.buffer.retire(source.label, time.time())
                self._show_chip(source.label, "off", "switched off")
            else:
                self.buffer.reinstate(source.label)  # counted from its next number
                self._show_chip(source.label, "", "waiting")
            self.desk_bridge.timeline_changed.emit()
            self.sources_changed.emit(list(self.sources.values()))
            self._sync_polling()
            if on_done is not None:
                on_done(source)

        self.desk_bridge.lane.submit(
            lambda: store.set_source_enabled(actor, source_id, enabled),
            on_done=changed, on_error=self._refuse,
        )

    def remove_source(
        self, source_id: int,
        on_done: Callable[[AudienceSource], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> None:
        """Remove a source with no numbers on the record (the store refuses any other): its row
        on the database lane, its polling stopped, its chip and line gone, then its secrets out
        of the keyring."""
        actor, store = self.desk_bridge.actor, self.store

        def forget(label: str) -> None:
            from commsdesk.keyring_secrets import forget_viewer_secrets

            forget_viewer_secrets(label)

        def removed(source: AudienceSource) -> None:
            self.sources.pop(source.label, None)
            self.total.retire(source.label)
            if self.panel is not None:
                self.panel.remove_source(source.label)
            self.desk_bridge.timeline_changed.emit()
            self.sources_changed.emit(list(self.sources.values()))
            self._sync_polling()
            self.lane.submit(
                forget, source.label,
                on_error=lambda exc: log.warning("%s's secrets not deleted: %s", source.label, exc),
            )  # fmt: skip
            if on_done is not None:
                on_done(source)

        self.desk_bridge.lane.submit(
            lambda: store.remove_source(actor, source_id),
            on_done=removed, on_error=on_error or self._refuse,
        )  # fmt: skip

    def _added(self, sources: Iterable[AudienceSource]) -> None:
        for source in sources:
            self.sources[source.label] = source
            self.total.set_fresh_for(source.label, fresh_for(source))
            if self.panel is not None:
                self._show_chip(source.label, "", "waiting")
        self.desk_bridge.timeline_changed.emit()
        self.sources_changed.emit(list(self.sources.values()))
        self._sync_polling()

    # --- polling -----------------------------------------------------------------------------
    def _sync_polling(self) -> None:
        """Poll every enabled source not polled yet; stop the ones switched off or removed."""
        if self.poller is None:
            return
        polls = self.polls  # in a team, only the desk holding the audience lock polls
        wanted = [
            s for s in self.sources.values()
            if polls and s.enabled and s.label not in self._polled
        ]  # fmt: skip
        unwanted = [
            label
            for label in self._polled
            if not polls or label not in self.sources or not self.sources[label].enabled
        ]
        poller = self.poller
        self._polled |= {s.label for s in wanted}
        self._polled -= set(unwanted)

        def build():
            from commsdesk.audience.sources.factory import MissingSecret, build_source

            for label in unwanted:
                if label in poller.labels():
                    poller.remove(label)
            made: list[ViewerSource] = []
            problems: dict[str, str] = {}
            replays = [s for s in wanted if s.kind == "replay"]
            if replays:
                built, failed = build_replays(replays)
                made += built
                problems.update(failed)
            for source in wanted:
                if source.kind == "replay":
                    continue
                try:
                    made.append(build_source(source))
                except MissingSecret as exc:
                    problems[source.label] = str(exc)
                except (KeyError, ValueError) as exc:
                    problems[source.label] = f"{source.label} is not set up fully ({exc})"
            for live in made:
                poller.add(live)
            poller.start()
            return made, problems

        def built(result) -> None:
            made, problems = result
            for live in made:
                if live.__class__.__name__ == "ManualSource":
                    self.manual[live.label] = live
                earliest = getattr(live, "earliest", None)
                if earliest is not None:  # a replay's window starts where its curve lands
                    self.replay_earliest[live.label] = earliest
            if self.panel is not None:
                for label, why in problems.items():
                    self._show_chip(label, "error", "not set up", why)
                self.panel.set_manual_sources(sorted(self.manual))

        for label in unwanted:
            self.manual.pop(label, None)
            self.replay_earliest.pop(label, None)
        self.lane.submit(build, on_done=built, on_error=self._refuse)
