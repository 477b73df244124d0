"""Stream health from two successive OBS readings: bitrate, frame losses, and what is wrong.

A `StreamSample` is what OBS said at one moment (GetStreamStatus + GetStats, field for field);
`stream_health(previous, current)` turns two of them into the figures a producer watches and the
flags that need attention. Frame shares are taken over the interval between the two readings when
frames were sent in it (what is happening now), else over the whole stream. Pure: no OBS, no clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DROPPED_LIMIT = 0.01  # share of frames dropped by the network (OBS: "dropped frames")
SKIPPED_LIMIT = 0.01  # share skipped by the encoder (encoding lag)
MISSED_LIMIT = 0.01  # share of frames the renderer missed (rendering lag)
CONGESTION_LIMIT = 0.5
FPS_TOLERANCE = 0.95  # below 95% of the target frame rate is flagged
CPU_LIMIT = 90.0  # percent


class HealthFlag(StrEnum):
    RECONNECTING = "reconnecting"  # the stream lost its server and OBS is retrying
    NO_DATA = "no data"  # live, yet no bytes left OBS since the last reading
    DROPPED_FRAMES = "dropped frames"
    ENCODER_SKIPPING = "encoder skipping"
    RENDER_LAG = "render lag"
    CONGESTION = "congestion"
    LOW_FPS = "fps below target"
    CPU_HIGH = "CPU high"


@dataclass(frozen=True)
class StreamSample:
    """One reading, taken at `at` (seconds on a monotonic clock)."""

    at: float
    active: bool
    reconnecting: bool = False
    duration_ms: int = 0  # GetStreamStatus outputDuration
    congestion: float = 0.0  # 0..1
    bytes_sent: int = 0  # outputBytes
    dropped_frames: int = 0  # GetStreamStatus outputSkippedFrames: lost to the network
    stream_frames: int = 0  # GetStreamStatus outputTotalFrames
    encoder_skipped: int = 0  # GetStats outputSkippedFrames
    encoder_frames: int = 0  # GetStats outputTotalFrames
    render_missed: int = 0  # GetStats renderSkippedFrames
    render_frames: int = 0  # GetStats renderTotalFrames
    cpu_percent: float = 0.0
    fps: float = 0.0  # GetStats activeFps
    target_fps: float = 0.0  # GetVideoSettings numerator / denominator; 0 when unknown


@dataclass(frozen=True)
class StreamHealth:
    live: bool
    live_seconds: float
    bitrate_kbps: float | None  # None until two readings of the same stream
    dropped_share: float
    skipped_share: float
    missed_share: float
    congestion: float
    cpu_percent: float
    fps: float
    target_fps: float
    flags: tuple[HealthFlag, ...]

    @property
    def ok(self) -> bool:
        return not self.flags


def _share(lost_now: int, total_now: int, lost_then: int | None, total_then: int | None) -> float:
    """Lost/total over the interval when frames went by in it, else over everything so far."""
    if lost_then is not None and total_then is not None and total_now > total_then:
        return max(0, lost_now - lost_then) / (total_now - total_then)
    return lost_now / total_now if total_now > 0 else 0.0


def stream_health(previous: StreamSample | None, current: StreamSample) -> StreamHealth:
    """Figures and flags for `current`; `previous` (the reading before) gives rates over time.

    A `previous` from another stream (OBS restarted it: its byte count went backwards or it was
    not live) counts as no previous reading.
    """
    same_stream = (
        previous is not None
        and previous.active
        and current.active
        and current.at > previous.at
        and current.bytes_sent >= previous.bytes_sent
        and current.stream_frames >= previous.stream_frames
    )
    before = previous if same_stream else None
    bitrate = None
    if before is not None:
        bitrate = (current.bytes_sent - before.bytes_sent) * 8 / 1000 / (current.at - before.at)
    dropped = _share(
        current.dropped_frames, current.stream_frames,
        before.dropped_frames if before else None, before.stream_frames if before else None,
    )  # fmt: skip
    # GetStats' encoder and render counters run for OBS's whole life, live or not.
    stats_before = previous if previous is not None and current.at > previous.at else None
    skipped = _share(
        current.encoder_skipped, current.encoder_frames,
        stats_before.encoder_skipped if stats_before else None,
        stats_before.encoder_frames if stats_before else None,
    )  # fmt: skip
    missed = _share(
        current.render_missed, current.render_frames,
        stats_before.render_missed if stats_before else None,
        stats_before.render_frames if stats_before else None,
    )  # fmt: skip

    flags: list[HealthFlag] = []
    if current.active:
        if current.reconnecting:
            flags.append(HealthFlag.RECONNECTING)
        elif bitrate is not None and bitrate == 0:
            flags.append(HealthFlag.NO_DATA)
        if dropped > DROPPED_LIMIT:
            flags.append(HealthFlag.DROPPED_FRAMES)
        if skipped > SKIPPED_LIMIT:
            flags.append(HealthFlag.ENCODER_SKIPPING)
        if current.congestion > CONGESTION_LIMIT:
            flags.append(HealthFlag.CONGESTION)
    if missed > MISSED_LIMIT:
        flags.append(HealthFlag.RENDER_LAG)
    if current.target_fps > 0 and current.fps < current.target_fps * FPS_TOLERANCE:
        flags.append(HealthFlag.LOW_FPS)
    if current.cpu_percent > CPU_LIMIT:
        flags.append(HealthFlag.CPU_HIGH)
    return StreamHealth(
        live=current.active,
        live_seconds=current.duration_ms / 1000 if current.active else 0.0,
        bitrate_kbps=bitrate,
        dropped_share=dropped,
        skipped_share=skipped,
        missed_share=missed,
        congestion=current.congestion,
        cpu_percent=current.cpu_percent,
        fps=current.fps,
        target_fps=current.target_fps,
        flags=tuple(flags),
    )
