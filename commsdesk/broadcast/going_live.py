"""Going live from the desk: where OBS will stream, in words a person can check, and what a
drill does instead. No Qt here.

A drill never goes live to the public: in Drill mode the stream starts only when OBS's
destination is one the team marked as a rehearsal destination (a local or private RTMP server,
kept as a desk setting); otherwise OBS records instead of streaming, and says so. The stream
key is never read out, shown or kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from commsdesk.broadcast.obs.api import StreamService

REHEARSAL_SETTING = "rehearsal_destinations"  # desk setting: ingest URLs (or their beginnings)


@dataclass(frozen=True)
class GoLive:
    streams: bool  # True: StartStream; False: StartRecord instead (a drill, not a rehearsal)
    destination: str  # in words, key never included
    sentence: str  # what the confirmation says will happen
    refused: str = ""  # why nothing can start (no destination to stream to): said instead


def destination(service: StreamService) -> str:
    """"YouTube - RTMPS (rtmps://a.rtmp.youtube.com:443/live2)", "rtmp://10.0.0.5/live"."""
    server = service.server.strip()
    if service.service:
        return f"{service.service} ({server})" if server and server != "auto" else service.service
    return server or "no destination set in OBS"


def _normalised(url: str) -> str:
    return url.strip().rstrip("/").lower()


def is_rehearsal(service: StreamService, rehearsal: Sequence[str]) -> bool:
    """OBS's server is one the team marked for rehearsals (the same URL, or one under it)."""
    server = _normalised(service.server)
    if not server or server == "auto":
        return False
    for marked in rehearsal:
        marked = _normalised(marked)
        if marked and (server == marked or server.startswith(marked + "/")):
            return True
    return False


NO_DESTINATION = ("OBS has no stream destination set, so nothing was started: set one in OBS "
                  "(Settings → Stream), then go live again.")


def plan(service: StreamService, *, drill: bool, rehearsal: Sequence[str]) -> GoLive:
    where = destination(service)
    if not drill:
        if not service.service and not service.server.strip():
            return GoLive(True, where, NO_DESTINATION, refused=NO_DESTINATION)
        return GoLive(True, where, f"OBS starts streaming to {where}: the public sees it.")
    if is_rehearsal(service, rehearsal):
        return GoLive(True, where, f"Drill: OBS streams to the rehearsal destination {where}.")
    return GoLive(
        False, where,
        f"Drill: OBS records instead of streaming, because {where} is not marked as a "
        "rehearsal destination. Nothing goes to the public.",
    )  # fmt: skip
