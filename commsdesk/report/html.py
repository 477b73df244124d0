"""The post-incident report as one HTML document: the template `templates/report.html.j2`
(autoescaped) filled from ReportFacts, with the desk's shipped fonts by @font-face (file URLs)
and print CSS, and the audience chart as an inline SVG (commsdesk.report.chart).

The PDF is this same document printed (commsdesk.report.pdf); `print_header` and `print_footer`
are the running header (the incident's title) and footer ("Page n of m") of its pages.

Times are UTC; the cover's start and end and the key times are also given in the team's zones
(`facts.zones`, from the desk's team_time_zones setting) when it has zones other than UTC.

No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from html import escape
from pathlib import Path

from commsdesk.clock import as_utc
from commsdesk.report.facts import ReportFacts
from commsdesk.report.measures import since_start, span_text

TEMPLATES = Path(__file__).resolve().parent / "templates"
TEMPLATE = "report.html.j2"
FONT_STACK = (
    '"CommsDesk Sans", "CommsDesk Arabic", "CommsDesk CJK", "CommsDesk Emoji", '
    '"Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback", "Noto Color Emoji", sans-serif'
)
# The installed families, by name, for the running header and footer: Chromium draws those apart
# from the page, where @font-face does not reach (commsdesk.report.pdf makes them installed).
PRINT_FONTS = "'Noto Sans', 'Noto Sans Arabic', 'Droid Sans Fallback', sans-serif"


@dataclass(frozen=True)
class FontFace:
    family: str
    url: str
    weight: int


def font_faces() -> list[FontFace]:
    """The shipped fonts (assets/fonts) as @font-face rules; a missing file is left out."""
    from commsdesk.slides.render import FONTS_DIR

    faces = [
        ("CommsDesk Sans", "NotoSans-Regular.ttf", 400),
        ("CommsDesk Sans", "NotoSans-Bold.ttf", 700),
        ("CommsDesk Arabic", "NotoSansArabic-Regular.ttf", 400),
        ("CommsDesk Arabic", "NotoSansArabic-Bold.ttf", 700),
        ("CommsDesk CJK", "DroidSansFallbackFull.ttf", 400),
        ("CommsDesk Emoji", "NotoColorEmoji.ttf", 400),
    ]
    return [
        FontFace(family, (FONTS_DIR / name).as_uri(), weight)
        for family, name, weight in faces
        if (FONTS_DIR / name).is_file()
    ]


def utc(moment: datetime | None) -> str:
    return "—" if moment is None else f"{as_utc(moment):%Y-%m-%d %H:%M:%S} UTC"


def hm(moment: datetime) -> str:
    return f"{as_utc(moment):%H:%M}"


def hms(moment: datetime) -> str:
    return f"{as_utc(moment):%H:%M:%S}"


def span(value: timedelta | float) -> str:
    return span_text(value)


@cache
def _environment():
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(("html", "j2"), default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters.update(utc=utc, hm=hm, hms=hms, span=span)
    return environment


def zone_names(zones: tuple[str, ...], moment: datetime) -> str:
    """'ET (America/New_York), SGT (Asia/Singapore)': the labels the report uses, spelt out."""
    from commsdesk.team_time import zone_label

    return ", ".join(f"{zone_label(name, moment)} ({name})" for name in zones)


def render_html(facts: ReportFacts, *, embed_fonts: bool = True) -> str:
    """The whole report as one HTML document. `embed_fonts` False leaves out the @font-face
    rules: the PDF's Chromium has the shipped fonts installed by name (pdf.py), and web fonts
    make it print a long report a second or two slower."""
    from markupsafe import Markup

    from commsdesk.report.chart import MARKER_COLOURS, chart_marks, chart_svg, tick_counts
    from commsdesk.team_time import clocks_beside_utc

    start = facts.incident.started_at
    environment = _environment()
    template = environment.get_template(TEMPLATE)
    chart = marked = ticked = None
    if facts.audience is not None:
        chart = Markup(chart_svg(facts.audience, as_utc(start)))  # every value in it escaped
        marked, ticked = chart_marks(facts.audience)
        ticked = tick_counts(ticked)
    return template.render(
        incident=facts.incident,
        closed=facts.closed,
        generated_at=facts.generated_at,
        generated_by=facts.generated_by,
        duration=facts.duration,
        people=facts.people,
        key_times=facts.key_times,
        cadence=facts.cadence,
        statements=facts.statements,
        unposted=facts.unposted,
        audience=facts.audience,
        drill=facts.drill,
        chart=chart,
        marked=marked,
        ticked=ticked,
        marker_colours=MARKER_COLOURS,
        live=facts.live,
        slides=facts.slides,
        trouble=facts.trouble,
        events=facts.events,
        listed=facts.timeline_shown,
        timeline_which=facts.timeline_which,
        timeline_cut_note=facts.timeline_cut_note,
        zones=facts.zones,
        zone_names=zone_names(facts.zones, as_utc(start)),
        in_zones=lambda moment: clocks_beside_utc(as_utc(moment), facts.zones),
        head=facts.head,
        verify_command=facts.verify_command,
        fonts=font_faces() if embed_fonts else [],
        font_stack=Markup(FONT_STACK),
        tplus=lambda moment: since_start(start, moment),
    ).replace("\r\n", "\n")


def print_header(facts: ReportFacts) -> str:
    """The running header of every printed page: the incident's title and severity."""
    title = escape(facts.incident.title)
    return (
        f'<div style="font-family: {PRINT_FONTS}; font-size: 8pt; color: #5f6368; '
        'width: 100%; margin: 0 14mm; display: flex; justify-content: space-between; '
        'border-bottom: 0.5pt solid #d0d0d0; padding-bottom: 1.5mm;">'
        '<span style="unicode-bidi: plaintext; white-space: nowrap; overflow: hidden; '
        f'text-overflow: ellipsis; max-width: 160mm;">Post-incident report · {title}</span>'
        f"<span>{escape(facts.incident.severity.value)}</span></div>"
    )


def print_footer(facts: ReportFacts) -> str:
    """The running footer: when it was written, and "Page n of m"."""
    return (
        f'<div style="font-family: {PRINT_FONTS}; font-size: 8pt; color: #5f6368; '
        'width: 100%; margin: 0 14mm; display: flex; justify-content: space-between;">'
        f"<span>Written {escape(utc(facts.generated_at))} · timeline head event "
        f"#{facts.head.event_id}</span>"
        '<span>Page <span class="pageNumber"></span> of <span class="totalPages"></span>'
        "</span></div>"
    )
