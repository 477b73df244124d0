"""Slides drawn by Qt: a template's HTML laid out by QTextDocument on a 1920×1080 QImage, the PNG
an OBS image source shows and the desk previews.

The document is laid out in the kind's content box (commsdesk.slides.slide_kinds.LAYOUTS) and
centred in it, on the template's background (or none: the lower third keeps its alpha and gets a
band drawn behind its text). Text that does not fit is shrunk: the template is rendered again at
smaller scales (its `px()` sizes shrink) until the laid-out document fits the box; nothing is ever
drawn outside it. The Back-at slide leaves its countdown box clear; `countdown_box` and
`countdown_px` say where the countdown text source goes and how big its type is.

Needs a QGuiApplication (ensure_gui_application() makes an offscreen one for the command line).
Safe off the UI thread: each call builds its own QTextDocument and paints onto its own QImage.
The shipped fonts (assets/fonts) are registered once; a missing one is a warning, not a failure.
PySide6 is imported inside functions so importing this module stays cheap.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from commsdesk.atomic_file import write_atomically
from commsdesk.clock import utc_now
from commsdesk.slides.slide_kinds import HEIGHT, WIDTH, Box, Slide, SlideKind, layout_of

if TYPE_CHECKING:
    from PySide6.QtGui import QImage, QTextDocument

    from commsdesk.slides.templates import SlideHtml

FONTS_DIR = Path(__file__).resolve().parents[2] / "assets" / "fonts"
EMOJI_FILE = "NotoColorEmoji.ttf"
EMOJI_FAMILY = "Noto Color Emoji"
FONT_FILES = (
    "NotoSans-Regular.ttf",
    "NotoSans-Bold.ttf",
    "NotoSansArabic-Regular.ttf",
    "NotoSansArabic-Bold.ttf",
    "DroidSansFallbackFull.ttf",
    EMOJI_FILE,
)
# Asked for in this order; Qt takes each character from the first family that has it.
FAMILIES = ("Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback", EMOJI_FAMILY)

MIN_SCALE = 0.25  # below this, text is cut at the box rather than shrunk further
FIT_STEPS = 7  # halvings of the scale interval after 1.0 fails: within 0.6 % of the best fit
BAND_PADDING = (44, 30)  # lower third: space between the band's edge and its text (x, y)
BAND_EDGE = 12  # lower third: width of the accent edge on the band's left

_fonts_lock = threading.Lock()
_fonts_registered: dict[Path, tuple[str, ...]] = {}  # folder -> the warnings it gave
_files_added: dict[Path, bool] = {}  # font file -> whether Qt could read it
_emoji_family_set = False  # the application's emoji family (Qt 6.9+), set once


@dataclass
class RenderedSlide:
    image: QImage
    scale: float  # the scale the text was laid out at, 1.0 when nothing had to shrink
    countdown_box: Box | None  # where the countdown text goes (x, y, w, h), 1920×1080 pixels
    countdown_px: int  # its type size in pixels
    countdown_color: str  # "#RRGGBB"
    warnings: list[str] = field(default_factory=list)  # for the desk to show; never fatal

    def png(self) -> bytes:
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        if not self.image.save(buffer, "PNG"):
            raise OSError("Qt could not encode the slide as PNG")
        buffer.close()
        return bytes(data.data())

    def save(self, path: str | Path) -> Path:
        """Write the PNG atomically (an image source never reads half a file); returns the path."""
        target = Path(path)
        write_atomically(target, self.png())
        return target


def ensure_gui_application() -> None:
    """A QGuiApplication on the offscreen platform when none exists (command line, benchmarks)."""
    from PySide6.QtGui import QGuiApplication

    from commsdesk.qt_setup import prepare_qt

    if QGuiApplication.instance() is None:
        prepare_qt()
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        global _application  # kept alive for the process
        _application = QGuiApplication(["commsdesk"])


_application = None


def register_fonts(fonts_dir: Path = FONTS_DIR) -> list[str]:
    """Register the shipped fonts with Qt once per folder; the warnings for missing or unreadable
    files (the system's default font stands in for them)."""
    folder = Path(fonts_dir)
    with _fonts_lock:
        if folder not in _fonts_registered:
            missing = [name for name in FONT_FILES if not (folder / name).is_file()]
            unreadable = [
                name for name in FONT_FILES if name not in missing and not _add(folder / name)
            ]
            warnings = []
            if missing:
                warnings.append(
                    f"Slide fonts missing from {folder}: {', '.join(missing)}. The system font "
                    "is used instead; some scripts (Chinese, Arabic) may not show."
                )
            if unreadable:
                warnings.append(
                    f"Slide fonts in {folder} that Qt cannot read: {', '.join(unreadable)}. "
                    "The system font is used instead."
                )
            _fonts_registered[folder] = tuple(warnings)
        return list(_fonts_registered[folder])


def _add(path: Path) -> bool:
    """Register one font file with Qt, once per process (call under _fonts_lock)."""
    if path not in _files_added:
        from PySide6.QtGui import QFontDatabase

        _files_added[path] = QFontDatabase.addApplicationFont(str(path)) >= 0
    return _files_added[path]


def register_emoji_font(fonts_dir: Path = FONTS_DIR) -> bool:
    """Register the colour emoji font alone, for text fields that fall back on EMOJI_FAMILY
    (about 10 ms); with Qt 6.9 or later it also becomes the application's emoji font. False
    when the file is missing or unreadable (emoji then show as the system draws them)."""
    from PySide6.QtGui import QFontDatabase

    global _emoji_family_set
    path = Path(fonts_dir) / EMOJI_FILE
    with _fonts_lock:
        added = path.is_file() and _add(path)
        first = added and not _emoji_family_set
        _emoji_family_set = _emoji_family_set or added
    if first and hasattr(QFontDatabase, "addApplicationEmojiFontFamily"):
        QFontDatabase.addApplicationEmojiFontFamily(EMOJI_FAMILY)
    return added


def slide_families() -> list[str]:
    """The shipped families Qt knows (asking for one it does not know costs a slow lookup)."""
    from PySide6.QtGui import QFontDatabase

    known = set(QFontDatabase.families())
    return [family for family in FAMILIES if family in known]


def render_slide(
    slide: Slide,
    *,
    now: datetime | None = None,
    slides_dir: str | Path | None = None,
    fonts_dir: Path = FONTS_DIR,
    countdown: str | None = None,
) -> RenderedSlide:
    """The slide as a 1920×1080 image. `countdown`: text to draw in the countdown box (a preview
    that shows what the text source will); by default the box is left clear.

    Raises TemplateProblem when the template does not render.
    """
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QImage, QPainter

    warnings = register_fonts(fonts_dir)
    layout = layout_of(slide)
    variables = slide.variables(now or utc_now())
    html, document, scale, fits = _fit(slide.kind, variables, layout.content, slides_dir)
    if not fits:
        warnings.append(
            "The text is too long for the slide even at its smallest size; the end is cut off."
        )

    image = QImage(WIDTH, HEIGHT, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(_qcolor(html.theme["background"]))
    x, y, width, height = layout.content
    laid_out = min(document.size().height(), height)
    top = y + (height - laid_out if layout.valign == "bottom" else (height - laid_out) / 2)

    painter = QPainter(image)
    try:
        painter.setRenderHints(
            QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing
        )
        if slide.kind is SlideKind.LOWER_THIRD:
            text_width = min(document.idealWidth(), width)
            pad_x, pad_y = BAND_PADDING
            band = QRectF(x - pad_x, top - pad_y, text_width + 2 * pad_x, laid_out + 2 * pad_y)
            painter.fillRect(band, _qcolor(html.theme["panel"]))
            painter.fillRect(
                QRectF(band.x(), band.y(), BAND_EDGE, band.height()),
                _qcolor(html.theme["accent"]),
            )
        painter.save()
        painter.translate(x, top)
        document.drawContents(painter, QRectF(0, 0, width, laid_out))
        painter.restore()
        if countdown and layout.countdown:
            painter.setFont(_countdown_font(layout.countdown_px))
            painter.setPen(_qcolor(html.theme["countdown"]))
            painter.drawText(QRectF(*layout.countdown), Qt.AlignmentFlag.AlignCenter, countdown)
    finally:
        painter.end()
    return RenderedSlide(
        image=image,
        scale=scale,
        countdown_box=layout.countdown,
        countdown_px=layout.countdown_px,
        countdown_color=html.theme["countdown"][:7],
        warnings=warnings,
    )


def render_png(slide: Slide, **options) -> bytes:
    """render_slide(...).png(); the same options."""
    return render_slide(slide, **options).png()


def new_document(html: str, width: float) -> QTextDocument:
    """A QTextDocument set up as slides lay out: the shipped families, no margin, wrapping
    anywhere when a word is longer than the line, `width` wide."""
    from PySide6.QtGui import QFont, QTextDocument, QTextOption

    document = QTextDocument()
    font = QFont()
    families = slide_families()
    if families:
        font.setFamilies(families)
    font.setPixelSize(40)
    document.setDefaultFont(font)
    document.setDocumentMargin(0)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    document.setDefaultTextOption(option)
    document.setTextWidth(width)
    document.setHtml(html)
    return document


def _fit(
    kind: SlideKind, variables: dict, box: Box, slides_dir: str | Path | None
) -> tuple[SlideHtml, QTextDocument, float, bool]:
    """The largest scale (1.0 at most) at which the laid-out document fits the box."""
    from commsdesk.slides.templates import render_html  # jinja2: only when a slide is drawn

    _, _, width, height = box

    def attempt(scale: float) -> tuple[SlideHtml, QTextDocument, bool]:
        html = render_html(kind.template, variables, scale=scale, slides_dir=slides_dir)
        document = new_document(html.html, width)
        size = document.size()
        return html, document, size.height() <= height and document.idealWidth() <= width + 0.5

    best = attempt(1.0)
    if best[2]:
        return best[0], best[1], 1.0, True
    low, high = MIN_SCALE, 1.0
    at_low = attempt(low)
    if not at_low[2]:
        return at_low[0], at_low[1], low, False
    best, best_scale = at_low, low
    for _ in range(FIT_STEPS):
        middle = (low + high) / 2
        tried = attempt(middle)
        if tried[2]:
            best, best_scale, low = tried, middle, middle
        else:
            high = middle
    return best[0], best[1], best_scale, True


def _qcolor(value: str):
    from PySide6.QtGui import QColor

    from commsdesk.slides.templates import parse_color

    red, green, blue, alpha = parse_color(value) or (0, 0, 0, 255)
    return QColor(red, green, blue, alpha)


def _countdown_font(pixels: int):
    from PySide6.QtGui import QFont

    font = QFont()
    families = slide_families()
    if families:
        font.setFamilies(families)
    font.setPixelSize(pixels)
    font.setBold(True)
    return font
