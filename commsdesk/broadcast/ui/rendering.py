"""Slides drawn for the Broadcast panel, on the slides lane: each into a new PNG under the data
dir's `slides/` folder. The preview the producer sees is that very file, and a push sends its path.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QImage

from commsdesk.broadcast import on_air
from commsdesk.slides.files import new_slide_path, prune, slides_folder
from commsdesk.slides.slide_kinds import Slide, SlideRequest
from commsdesk.ui.lanes import Lane

PREVIEW_SIZE = (352, 198)


@dataclass(frozen=True)
class Rendering:
    """A slide drawn to its own PNG file; `preview` is it scaled for the panel."""

    generation: int
    slide: Slide
    path: Path
    png: bytes
    preview: QImage
    countdown_box: tuple[int, int, int, int] | None
    countdown_px: int
    countdown_color: str
    warnings: list[str] = field(default_factory=list)

    @property
    def alt(self) -> str:
        return on_air.alt_text(self.slide)


def render_to_file(
    request: SlideRequest,
    fold: int | None,
    now: datetime,
    folder: Path,
    keep: tuple[Path, ...],
    slides_dir: str | None,
    generation: int = 0,
) -> Rendering:
    """Build, draw and save the slide (runs on the slides lane); raises SlideProblem,
    TemplateProblem, AmbiguousTime or ScheduleRefused with the sentence to show."""
    from commsdesk.atomic_file import write_atomically
    from commsdesk.slides.render import render_slide
    from commsdesk.slides.slide_kinds import build_slide

    slide = build_slide(request, now, fold=fold)
    rendered = render_slide(slide, now=now, slides_dir=slides_dir or None)
    png = rendered.png()
    path = new_slide_path(folder)
    write_atomically(path, png)
    prune(folder, (*keep, path))
    preview = rendered.image.scaled(
        *PREVIEW_SIZE, Qt.AspectRatioMode.KeepAspectRatio,
        Qt.TransformationMode.SmoothTransformation,
    )  # fmt: skip
    return Rendering(
        generation, slide, path, png, preview, rendered.countdown_box, rendered.countdown_px,
        rendered.countdown_color, list(rendered.warnings),
    )  # fmt: skip


def write_page_file(
    request: SlideRequest, fold: int | None, now: datetime, folder: Path, slides_dir: str | None
) -> Path:
    """The browser-source page of the slide (runs on the slides lane); its path."""
    from commsdesk.slides.html_page import write_page
    from commsdesk.slides.slide_kinds import build_slide

    return write_page(build_slide(request, now, fold=fold), folder, now=now,
                      slides_dir=slides_dir)  # fmt: skip


class SlideDrawer(QObject):
    """Draws slides on the slides lane for one data dir, the newest request winning; each
    comes back with its generation number, so an older drawing finishing late is told apart."""

    rendered = Signal(object)  # Rendering
    render_failed = Signal(int, str)  # generation, the sentence to show

    def __init__(self, settings, slides_lane: Lane, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.slides_lane = slides_lane
        self._generation = 0

    @property
    def folder(self) -> Path:
        return slides_folder(Path(self.settings.path).parent)

    def render(self, request: SlideRequest, fold: int | None, now: datetime,
               keep: tuple[Path, ...] = ()) -> int:  # fmt: skip
        """Draw the slide (files in `keep` are never pruned); its generation number."""
        self._generation += 1
        generation = self._generation
        self.slides_lane.submit(
            render_to_file, request, fold, now, self.folder, keep,
            self.settings.get("slides_dir"), generation,
            key="preview",
            on_done=self.rendered.emit,
            on_error=lambda exc: self.render_failed.emit(generation, str(exc) or repr(exc)),
        )  # fmt: skip
        return generation

    def write_page(
        self,
        request: SlideRequest,
        fold: int | None,
        now: datetime,
        on_done: Callable[[Path], None],
        on_error: Callable[[BaseException], None],
    ) -> None:
        """The browser-source page of the slide, written on the slides lane; its path."""
        self.slides_lane.submit(
            write_page_file, request, fold, now, self.folder / "pages",
            self.settings.get("slides_dir") or None, on_done=on_done, on_error=on_error,
        )  # fmt: skip
