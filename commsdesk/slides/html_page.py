"""The slide as a web page for an OBS browser source, whose countdown runs on the page's own clock.

The same template as the PNG, rendered with `browser=True`, placed in the same content box on the
same background, with the shipped fonts loaded by `@font-face`. The Back-at countdown sits in the
same box as on the PNG; a small script rewrites it every second from the target instant, kept in
the element's `data-target` attribute as ISO 8601 UTC, with the wording of
commsdesk.slides.slide_kinds.countdown_text. If the text is taller than its box the script
shrinks it (CSS zoom) until it fits. No Qt here.
"""

from __future__ import annotations

import html as html_escape
from datetime import datetime
from pathlib import Path

from commsdesk.clock import utc_now
from commsdesk.slides.render import BAND_EDGE, BAND_PADDING, FONTS_DIR, write_atomically
from commsdesk.slides.slide_kinds import HEIGHT, WIDTH, BackAt, Slide, SlideKind, layout_of
from commsdesk.slides.templates import render_html

# (family, weight, file) for @font-face; the same files the Qt renderer registers.
FONT_FACES = (
    ("Noto Sans", 400, "NotoSans-Regular.ttf"),
    ("Noto Sans", 700, "NotoSans-Bold.ttf"),
    ("Noto Sans Arabic", 400, "NotoSansArabic-Regular.ttf"),
    ("Noto Sans Arabic", 700, "NotoSansArabic-Bold.ttf"),
    ("Droid Sans Fallback", 400, "DroidSansFallbackFull.ttf"),
    ("Noto Color Emoji", 400, "NotoColorEmoji.ttf"),
)

_SCRIPT = """
(function () {
  var countdown = document.getElementById("countdown");
  if (countdown) {
    var target = Date.parse(countdown.getAttribute("data-target"));
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    var tick = function () {
      var left = Math.ceil((target - Date.now()) / 1000);
      if (!(left > 0)) { countdown.textContent = "back any moment"; return; }
      var h = Math.floor(left / 3600), m = Math.floor((left % 3600) / 60), s = left % 60;
      countdown.textContent = "back in " + (h ? h + ":" + two(m) : m) + ":" + two(s);
    };
    tick();
    setInterval(tick, 1000);
  }
  var box = document.getElementById("content"), inner = document.getElementById("content-inner");
  for (var zoom = 1, i = 0; i < 40 && inner.offsetHeight * zoom > box.clientHeight; i++) {
    zoom *= 0.95;
    inner.style.zoom = zoom;
  }
})();
"""


def page_html(
    slide: Slide,
    *,
    now: datetime | None = None,
    slides_dir: str | Path | None = None,
    fonts_dir: Path = FONTS_DIR,
) -> str:
    """The whole page as text. Raises TemplateProblem when the template does not render."""
    layout = layout_of(slide)
    variables = slide.variables(now or utc_now())
    body = render_html(slide.kind.template, variables, browser=True, slides_dir=slides_dir)
    theme = body.theme
    x, y, width, height = layout.content
    faces = "\n".join(
        f'@font-face {{ font-family: "{family}"; font-weight: {weight}; '
        f'src: local("{family}"), url("{(Path(fonts_dir) / name).resolve().as_uri()}"); }}'
        for family, weight, name in FONT_FACES
    )
    inner_style, overflow = "", "hidden"
    if slide.kind is SlideKind.LOWER_THIRD:  # the band reaches past the box, as on the PNG
        overflow = "visible"
        pad_x, pad_y = BAND_PADDING
        inner_style = (
            f"align-self: flex-start; max-width: {width}px; margin-left: -{pad_x}px; "
            f"margin-bottom: -{pad_y}px; padding: {pad_y}px {pad_x}px {pad_y}px "
            f"{pad_x - BAND_EDGE}px; background: {theme['panel']}; "
            f"border-left: {BAND_EDGE}px solid {theme['accent']};"
        )
    countdown = ""
    if layout.countdown and isinstance(slide, BackAt):
        cx, cy, cw, ch = layout.countdown
        countdown = (
            f'<div id="countdown" data-target="{variables["target_iso"]}" style="left: {cx}px; '
            f"top: {cy}px; width: {cw}px; height: {ch}px; font-size: {layout.countdown_px}px; "
            f'color: {theme["countdown"]};">{html_escape.escape(variables["countdown"])}</div>'
        )
    justify = "flex-end" if layout.valign == "bottom" else "center"
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>CommsDesk slide: {slide.kind.value}</title>
<style>
{faces}
html, body {{ margin: 0; padding: 0; width: {WIDTH}px; height: {HEIGHT}px; overflow: hidden;
  background: {theme["background"]}; }}
body {{ font-family: "Noto Sans", "Noto Sans Arabic", "Droid Sans Fallback", "Noto Color Emoji",
  sans-serif;
  font-size: 40px; line-height: 1.25; -webkit-font-smoothing: antialiased; }}
p {{ margin: 0; }}
#content {{ position: absolute; left: {x}px; top: {y}px; width: {width}px; height: {height}px;
  display: flex; flex-direction: column; justify-content: {justify}; overflow: {overflow}; }}
#content-inner {{ {inner_style} }}
#countdown {{ position: absolute; display: flex; align-items: center; justify-content: center;
  font-weight: 700; white-space: nowrap; }}
</style>
</head>
<body>
<div id="content"><div id="content-inner">
{body.html}
</div></div>
{countdown}
<script>{_SCRIPT}</script>
</body>
</html>
"""


def write_page(
    slide: Slide,
    folder: str | Path,
    *,
    now: datetime | None = None,
    slides_dir: str | Path | None = None,
    fonts_dir: Path = FONTS_DIR,
) -> Path:
    """Write the page as `<folder>/<kind>.html` (atomically) and return its path, for the browser
    source's local file."""
    path = Path(folder) / f"{slide.kind.value}.html"
    text = page_html(slide, now=now, slides_dir=slides_dir, fonts_dir=fonts_dir)
    write_atomically(path, text.encode("utf-8"))
    return path
