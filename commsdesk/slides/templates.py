"""Slide templates: jinja2 files in top-level `slides/` (or first in the folder the `slides_dir`
setting names), rendered to the HTML subset Qt's rich text draws. No Qt here.

Each `<kind>.html.j2` receives its slide's variables (commsdesk.slides.slide_kinds) plus:
- `px(n)`: n pixels at the scale being tried (the renderer shrinks long text to fit);
- `scale`: that scale, 1.0 at full size;
- `browser`: True when the page is for an OBS browser source (commsdesk.slides.html_page).
Values are HTML-escaped. A template's top-level `{% set %}` names are read back as its theme:
`background` ("transparent" for none), `panel` and `accent` (the lower third's band), `countdown`
(the countdown's colour), each "#RRGGBB" or "#RRGGBBAA".

The team's folder is trusted only so far. A template, and whatever it includes, imports or
extends, is read only from a regular file inside a search-path folder, reached without symbolic
links and named without an absolute path or `..` (FolderLoader); it renders in
commsdesk.template_sandbox, bounded in time and size.

Errors come back as one TemplateProblem (commsdesk.statements.templates) naming the file, the line
and the name: "Line 12: 'mesage' is not defined in back_at.html.j2; this slide gives: ...".
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import (
    BaseLoader,
    Environment,
    StrictUndefined,
    Template,
    TemplateNotFound,
    TemplateSyntaxError,
    UndefinedError,
)
from jinja2.sandbox import SecurityError

from commsdesk.statements.templates import TemplateProblem
from commsdesk.template_sandbox import BoundedSandbox, LimitExceeded, bounds

# One template file (the shipped ones are about 2 KB). This also bounds the time jinja takes to
# compile a template, which the rendering deadline does not cover.
MAX_TEMPLATE_BYTES = 64 * 1024
BUILTIN_DIR = Path(__file__).resolve().parents[2] / "slides"
RENDERER_NAMES = ("px", "scale", "browser")
THEME_NAMES = ("background", "panel", "accent", "countdown")
DEFAULT_THEME = {
    "background": "#0b1320",
    "panel": "#0b1320e6",
    "accent": "#f2b544",
    "countdown": "#f2b544",
}

Color = tuple[int, int, int, int]


@dataclass(frozen=True)
class SlideHtml:
    html: str
    theme: dict[str, str]  # THEME_NAMES, each as the template set it or the default


def search_path(slides_dir: str | Path | None = None) -> tuple[Path, ...]:
    """The team's folder first (when set and present), then the built-in `slides/`."""
    folders = []
    if slides_dir:
        custom = Path(slides_dir).expanduser()
        if custom.is_dir():
            folders.append(custom)
    folders.append(BUILTIN_DIR)
    return tuple(folders)


def render_html(
    template: str,
    variables: Mapping[str, Any],
    *,
    scale: float = 1.0,
    browser: bool = False,
    slides_dir: str | Path | None = None,
) -> SlideHtml:
    """The template's HTML at `scale`; raises TemplateProblem."""
    env = _environment(search_path(slides_dir))
    context = {
        **variables,
        "px": functools.partial(_px, scale),
        "scale": scale,
        "browser": browser,
    }
    try:
        compiled = env.get_template(template)
        with bounds():  # templates it includes or imports are read and compiled within
            module = _make_module(env, compiled, context)
            html = str(module)
    except TemplateRefused as exc:
        where, line = _template_frame(exc)
        if where is None:  # the slide's own template
            raise TemplateProblem(f"{exc}.") from None
        raise TemplateProblem(
            f"{where} asks for {exc.name!r}, which {exc.why}.", line=line
        ) from None
    except TemplateNotFound as exc:
        raise TemplateProblem(
            f"there is no slide template {exc.name!r} (looked in "
            + ", ".join(str(folder) for folder in search_path(slides_dir))
            + ")."
        ) from None
    except TemplateSyntaxError as exc:
        where = Path(exc.filename or exc.name or template).name
        detail = (exc.message or "the template cannot be read").rstrip(".")
        raise TemplateProblem(f"syntax error in {where}: {detail}.", line=exc.lineno) from None
    except Exception as exc:  # every failure becomes a problem a person can read
        raise _problem(exc, template, variables) from exc
    theme = {
        name: str(getattr(module, name, DEFAULT_THEME[name])).strip() for name in THEME_NAMES
    }
    for name, value in theme.items():
        if parse_color(value) is None:
            raise TemplateProblem(
                f"{name} = {value!r} in {template} is not a colour "
                "(use #RRGGBB, #RRGGBBAA or transparent)."
            )
    return SlideHtml(html=html, theme=theme)


def parse_color(value: str) -> Color | None:
    """'#RRGGBB', '#RRGGBBAA' (CSS order) or 'transparent' as (r, g, b, a); None otherwise."""
    text = value.strip().lower()
    if text == "transparent":
        return (0, 0, 0, 0)
    if re.fullmatch(r"#[0-9a-f]{6}(?:[0-9a-f]{2})?", text):
        parts = [int(text[i : i + 2], 16) for i in range(1, len(text), 2)]
        return (parts[0], parts[1], parts[2], parts[3] if len(parts) == 4 else 255)
    return None


def _make_module(env: Environment, compiled: Template, context: dict) -> Any:
    """Render into a module (output plus top-level `set` names). make_module() skips jinja's
    traceback rewriting, so do it here: frames then carry template lines."""
    try:
        return compiled.make_module(context)
    except Exception:
        env.handle_exception()  # re-raises with the traceback mapped to template lines
        raise


def _px(scale: float, n: float) -> int:
    return max(1, round(float(n) * scale))


# --- reading template files -----------------------------------------------------------------------


class TemplateRefused(Exception):
    """A template name or file the loader will not read. Not a TemplateNotFound: jinja would skip
    it quietly for `{% include ... ignore missing %}` or a list of names, and it should be seen."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"slide template {name!r} is refused: it {why}")
        self.name = name
        self.why = why


class FolderLoader(BaseLoader):
    """Templates from folders, the first that has the name winning: only regular files inside a
    folder, reached without symbolic links, named without an absolute path or `..`."""

    def __init__(self, folders: tuple[Path, ...]) -> None:
        self.folders = tuple(Path(folder).resolve() for folder in folders)

    def get_source(
        self, environment: Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        parts = template.split("/")
        if (
            "\\" in template
            or ":" in template
            or "\0" in template
            or any(part in ("", ".", "..") for part in parts)
        ):
            raise TemplateRefused(
                template, "is not a plain name inside the slides folder (no absolute path, no '..')"
            )
        for folder in self.folders:
            found = _regular_file(folder, parts, template)
            if found is not None:
                path, seen = found
                return _read(path, template), str(path), functools.partial(_unchanged, path, seen)
        raise TemplateNotFound(template)


def _regular_file(folder: Path, parts: list[str], name: str) -> tuple[Path, os.stat_result] | None:
    """The file `parts` names inside `folder` and its lstat; None when there is none."""
    path = folder
    for index, part in enumerate(parts):
        path = path / part
        try:
            info = path.lstat()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise TemplateRefused(name, f"cannot be read ({exc.strerror or exc})") from None
        if stat.S_ISLNK(info.st_mode):
            raise TemplateRefused(
                name, f"is a symbolic link ({path}); slide templates must be regular files"
            )
        if stat.S_ISDIR(info.st_mode):
            if index == len(parts) - 1:
                return None
        elif index < len(parts) - 1:
            return None
        elif not stat.S_ISREG(info.st_mode):
            raise TemplateRefused(name, f"is not a regular file ({path})")
    if not Path(os.path.realpath(path)).is_relative_to(folder):  # e.g. a Windows junction
        raise TemplateRefused(name, f"leads outside {folder}")
    return path, info


def _read(path: Path, name: str) -> str:
    # O_NOFOLLOW and O_NONBLOCK: a file swapped for a link or a pipe since the lstat is not followed
    # or waited on.
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        with os.fdopen(os.open(path, flags | getattr(os, "O_BINARY", 0)), "rb") as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise TemplateRefused(name, f"is not a regular file ({path})")
            data = file.read(MAX_TEMPLATE_BYTES + 1)
    except OSError as exc:
        raise TemplateRefused(name, f"cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(name, f"is larger than {MAX_TEMPLATE_BYTES // 1024} KB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateRefused(name, "is not UTF-8 text") from None


def _unchanged(path: Path, seen: os.stat_result) -> bool:
    try:
        now = path.lstat()
    except OSError:
        return False
    return (now.st_mode, now.st_ino, now.st_size, now.st_mtime_ns) == (
        seen.st_mode, seen.st_ino, seen.st_size, seen.st_mtime_ns,
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _environment(folders: tuple[Path, ...]) -> BoundedSandbox:
    # auto_reload: a template the team saves is used at the next render.
    return BoundedSandbox(
        loader=FolderLoader(folders),
        undefined=StrictUndefined,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=True,
    )


_UNDEFINED = re.compile(r"^'(?P<name>[^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"has no attribute '(?P<name>[^']+)'$")


def _problem(exc: Exception, template: str, variables: Mapping[str, Any]) -> TemplateProblem:
    where, line = _template_frame(exc)
    where = where or template
    text = str(exc)
    if isinstance(exc, UndefinedError):
        given = ", ".join(sorted({*variables, *RENDERER_NAMES}))
        if found := _UNDEFINED.match(text):
            return TemplateProblem(
                f"'{found['name']}' is not defined in {where}; this slide gives: {given}.",
                line=line,
                name=found["name"],
            )
        if found := _NO_ATTRIBUTE.search(text):
            return TemplateProblem(
                f"'{found['name']}' does not exist here in {where}.", line=line, name=found["name"]
            )
        return TemplateProblem(f"{text} in {where}.", line=line)
    if isinstance(exc, SecurityError):
        return TemplateProblem(f"not allowed in a slide: {text} ({where}).", line=line)
    if isinstance(exc, LimitExceeded):
        return TemplateProblem(f"{where} {text}.", line=line)
    return TemplateProblem(f"{where} could not render: {type(exc).__name__}: {text}", line=line)


def _template_frame(exc: BaseException) -> tuple[str | None, int | None]:
    """The innermost template file and line in the traceback (jinja maps frames to them)."""
    where, line = None, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where, line = Path(filename).name, tb.tb_lineno
        tb = tb.tb_next
    return where, line
