"""The audience chart of the report, drawn as an inline SVG: vector in the HTML and the PDF alike.

The total and each source are polylines (a gap breaks the line, never drops it to zero), thinned
to at most MAX_BUCKETS columns by keeping each column's lowest and highest reading, so a peak is
never smoothed away. Our events are vertical markers, numbered as in the list under the chart.
When there are more than MAX_NUMBERED of them (a long incident posts hundreds of updates) only
the key ones are numbered (P-1, the stream's start and end, the advice); the rest are short
ticks along the top of the plot, a row a kind, counted under the chart: hundreds of numbered
lines are a smear no one can read, and slow to print. The time axis is in UTC with the time
since the incident's start under each tick.

No Qt.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape

import numpy as np

from commsdesk.report.facts import AudienceFacts, Line, Marker
from commsdesk.report.measures import since_start

WIDTH, HEIGHT = 1000, 440
LEFT, RIGHT, TOP, BOTTOM = 78, 20, 34, 86
MAX_BUCKETS = 600
MAX_NUMBERED = 30  # numbered markers at most; past it only the KEY_MARKS are (see the docstring)
KEY_MARKS = ("p1", "stream", "advice")
TICK_ROWS = ("statement", "slide", "live")  # top to bottom, each row TICK_HEIGHT high
TICK_HEIGHT = 9
TOTAL_COLOUR = "#1a1a1a"
SOURCE_COLOURS = ("#1565c0", "#8e24aa", "#2e7d32", "#ef6c00", "#00838f", "#6d4c41")
MARKER_COLOURS = {
    "statement": "#1565c0", "slide": "#8e24aa", "live": "#2e7d32", "stream": "#c62828",
    "advice": "#ef6c00", "p1": "#b71c1c",
}  # fmt: skip
TIME_STEPS = (60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400)


def nice_step(span: float, ticks: int = 5) -> float:
    """A round step (1, 2 or 5 × 10^n) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if multiple * power >= raw:
            return multiple * power
    return 10 * power


def viewers_label(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 1000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def thinned(times: Sequence[float], values: Sequence[float], start: float, end: float,
            buckets: int = MAX_BUCKETS) -> list[tuple[float, float]]:  # fmt: skip
    """At most two points per column (its lowest and highest, the first of equals, in time
    order); NaN kept once per column, at the column's last gap, as a gap. The samples come in
    time order; a column is a run of samples in the same `buckets`-th of [start, end]."""
    if len(times) <= 2 * buckets:
        return list(zip(times, values, strict=True))
    at = np.asarray(times, dtype=np.float64)
    value = np.asarray(values, dtype=np.float64)
    if at.shape != value.shape:
        raise ValueError("times and values differ in length")
    width = (end - start) / buckets or 1.0
    column = np.floor_divide(at - start, width)
    edges = np.flatnonzero(np.diff(column)) + 1
    gaps = np.isnan(value)
    kept: list[tuple[float, float]] = []
    for first, last in zip([0, *edges.tolist()], [*edges.tolist(), len(at)], strict=True):
        run_gaps = gaps[first:last]
        if run_gaps.any():
            kept.append((float(at[first + np.flatnonzero(run_gaps)[-1]]), math.nan))
        if run_gaps.all():
            continue
        run = value[first:last]
        low, high = first + int(np.nanargmin(run)), first + int(np.nanargmax(run))
        out = {(float(at[low]), float(value[low])), (float(at[high]), float(value[high]))}
        kept.extend(sorted(out))
    return sorted(kept, key=lambda p: p[0])


def _path(points, x, y) -> str:
    parts, pen_down = [], False
    for at, value in points:
        if math.isnan(value):
            pen_down = False
            continue
        parts.append(f"{'L' if pen_down else 'M'}{x(at):.1f},{y(value):.1f}")
        pen_down = True
    return " ".join(parts)


def _time_ticks(start: float, end: float) -> list[float]:
    span = end - start
    step = next((s for s in TIME_STEPS if span / s <= 8), TIME_STEPS[-1])
    first = math.ceil(start / step) * step
    return [t for t in range(int(first), int(end) + 1, int(step))]


def chart_svg(audience: AudienceFacts, incident_start: datetime) -> str:
    """The chart as an <svg> element (a string of markup, everything in it escaped)."""
    lines: list[Line] = [audience.total, *audience.sources]
    start, end = chart_range(audience)
    marked, ticked = chart_marks(audience)
    highest = max((float(np.nanmax(line.values)) for line in lines
                   if len(line.values) and not np.isnan(line.values).all()), default=0)
    step = nice_step(max(highest, 1))
    top_value = step * math.ceil(max(highest, 1) / step)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(at: float) -> float:
        return LEFT + (at - start) / (end - start) * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - value / top_value * plot_h

    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'role="img" aria-label="Audience over time, with our events marked">',
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#fafafa" '
        'stroke="#bbb"/>',
    ]
    value = 0.0
    while value <= top_value + 1e-9:
        at_y = y(value)
        out.append(f'<line x1="{LEFT}" x2="{LEFT + plot_w}" y1="{at_y:.1f}" y2="{at_y:.1f}" '
                   'stroke="#e0e0e0"/>')  # fmt: skip
        out.append(f'<text x="{LEFT - 8}" y="{at_y + 4:.1f}" text-anchor="end" '
                   f'class="tick">{viewers_label(value)}</text>')  # fmt: skip
        value += step
    for tick in _time_ticks(start, end):
        at_x = x(tick)
        moment = datetime.fromtimestamp(tick, UTC)
        out.append(f'<line x1="{at_x:.1f}" x2="{at_x:.1f}" y1="{TOP + plot_h}" '
                   f'y2="{TOP + plot_h + 5}" stroke="#777"/>')  # fmt: skip
        out.append(f'<text x="{at_x:.1f}" y="{TOP + plot_h + 20}" text-anchor="middle" '
                   f'class="tick">{moment:%H:%M}</text>')  # fmt: skip
        out.append(f'<text x="{at_x:.1f}" y="{TOP + plot_h + 36}" text-anchor="middle" '
                   f'class="tick muted">{since_start(incident_start, moment)}</text>')  # fmt: skip
    out.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 22}" text-anchor="middle" '
               'class="axis">Time (UTC), and since the incident started</text>')  # fmt: skip
    out.append(f'<text transform="translate(18 {TOP + plot_h / 2}) rotate(-90)" '
               'text-anchor="middle" class="axis">Viewers</text>')  # fmt: skip
    for number, marker in enumerate(marked, start=1):
        out.append(_marker(number, marker, x(marker.at.timestamp()), TOP, plot_h))
    out.extend(_ticks(ticked, x))
    for index, line in enumerate(audience.sources):
        colour = SOURCE_COLOURS[index % len(SOURCE_COLOURS)]
        points = thinned(line.times, line.values, start, end)
        out.append(f'<path d="{_path(points, x, y)}" fill="none" stroke="{colour}" '
                   'stroke-width="1.4" stroke-linejoin="round"/>')  # fmt: skip
    points = thinned(audience.total.times, audience.total.values, start, end)
    out.append(f'<path d="{_path(points, x, y)}" fill="none" stroke="{TOTAL_COLOUR}" '
               'stroke-width="2.4" stroke-linejoin="round"/>')  # fmt: skip
    if audience.peak is not None:
        at, viewers = audience.peak
        px, py = x(at.timestamp()), y(viewers)
        out.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{TOTAL_COLOUR}"/>')
        anchor = "end" if px > LEFT + plot_w * 0.8 else "start"
        shift = -8 if anchor == "end" else 8
        out.append(f'<text x="{px + shift:.1f}" y="{max(py - 8, TOP + 12):.1f}" '
                   f'text-anchor="{anchor}" class="peak">Peak {viewers:,}</text>')  # fmt: skip
    out.append(_legend(audience))
    out.append("</svg>")
    return "\n".join(out)


def _marker(number: int, marker: Marker, at_x: float, top: float, height: float) -> str:
    colour = MARKER_COLOURS.get(marker.kind, "#555")
    title = escape(f"{marker.at:%H:%M:%S} UTC · {marker.label}")
    return (
        f'<g><title>{title}</title>'
        f'<line x1="{at_x:.1f}" x2="{at_x:.1f}" y1="{top}" y2="{top + height}" '
        f'stroke="{colour}" stroke-width="1.2" stroke-dasharray="5 3"/>'
        f'<rect x="{at_x - 9:.1f}" y="{top - 20}" width="18" height="16" rx="3" '
        f'fill="{colour}"/>'
        f'<text x="{at_x:.1f}" y="{top - 8}" text-anchor="middle" class="mark">{number}</text>'
        "</g>"
    )


def _ticks(ticked: Sequence[Marker], x) -> list[str]:
    """One path a kind: a short line at each of its markers, in its row along the top."""
    out = []
    for row, kind in enumerate(sorted({m.kind for m in ticked}, key=_tick_row)):
        top = TOP + 1 + row * TICK_HEIGHT
        strokes = " ".join(f"M{x(m.at.timestamp()):.1f},{top}v{TICK_HEIGHT - 2}"
                           for m in ticked if m.kind == kind)  # fmt: skip
        out.append(f'<path class="ticks {kind}" d="{strokes}" '
                   f'stroke="{MARKER_COLOURS.get(kind, "#555")}" stroke-width="1.2"/>')  # fmt: skip
    return out


def _tick_row(kind: str) -> int:
    return TICK_ROWS.index(kind) if kind in TICK_ROWS else len(TICK_ROWS)


def _legend(audience: AudienceFacts) -> str:
    items = [("Total", TOTAL_COLOUR, 2.4)] + [
        (line.label, SOURCE_COLOURS[i % len(SOURCE_COLOURS)], 1.4)
        for i, line in enumerate(audience.sources)
    ]
    out, at_x = [], LEFT
    legend_y = HEIGHT - 6
    for label, colour, width in items:
        out.append(f'<line x1="{at_x}" x2="{at_x + 22}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
                   f'stroke="{colour}" stroke-width="{width}"/>')  # fmt: skip
        out.append(f'<text x="{at_x + 28}" y="{legend_y}" class="legend">{escape(label)}</text>')
        at_x += 40 + 8 * len(label)
    return "\n".join(out)


def chart_range(audience: AudienceFacts) -> tuple[float, float]:
    """From the first reading (or the stream's start, when earlier) to the last reading (or the
    stream's end, when later); at least a minute."""
    times = [t for line in (audience.total, *audience.sources) for t in line.times]
    start, end = min(times), max(times)
    for marker in audience.markers:
        if marker.kind == "stream":
            start, end = min(start, marker.at.timestamp()), max(end, marker.at.timestamp())
    return start, max(end, start + 60)


def marked_in_chart(audience: AudienceFacts) -> list[Marker]:
    """The markers within the chart's time span, oldest first."""
    start, end = chart_range(audience)
    return [m for m in audience.markers if start <= m.at.timestamp() <= end]


def chart_marks(audience: AudienceFacts) -> tuple[list[Marker], list[Marker]]:
    """(the numbered markers, in the order they are numbered; those drawn as ticks): every one
    numbered up to MAX_NUMBERED, else the KEY_MARKS (the first MAX_NUMBERED of them)."""
    marked = marked_in_chart(audience)
    if len(marked) <= MAX_NUMBERED:
        return marked, []
    numbered = [m for m in marked if m.kind in KEY_MARKS][:MAX_NUMBERED]
    chosen = set(map(id, numbered))
    return numbered, [m for m in marked if id(m) not in chosen]


TICK_NAMES = {  # a kind's ticks, counted under the chart: (one, many, where they are listed)
    "statement": ("statement posted", "statements posted", "Statements as posted"),
    "slide": ("slide put on air", "slides put on air", "Broadcast"),
    "live": ("return to live", "returns to live", "Broadcast"),
    "stream": ("stream start or end", "stream starts and ends", "Broadcast"),
    "advice": ("advice", "advice", "this section"),
    "p1": ("P-1 press", "P-1 presses", "Key times"),
}


def tick_counts(ticked: Sequence[Marker]) -> list[tuple[str, str, str]]:
    """What the ticks stand for, a kind a line in row order: (kind, "500 statements posted",
    the section listing them)."""
    counts: dict[str, int] = {}
    for marker in ticked:
        counts[marker.kind] = counts.get(marker.kind, 0) + 1
    lines = []
    for kind in sorted(counts, key=_tick_row):
        one, many, where = TICK_NAMES.get(kind, (kind, kind, "the timeline"))
        lines.append((kind, f"{counts[kind]:,} {one if counts[kind] == 1 else many}", where))
    return lines
