"""Statement bodies as jinja2 templates, rendered against the active incident's facts.

A body without `{{`, `{%` or `{#` is plain text and renders to itself. Anything else runs in a
sandbox with strict undefined names, bounded in time and size (commsdesk.template_sandbox), and
every problem comes back as one `TemplateProblem` that names the line (and the missing name, when
there is one) in words a person can act on. When facts are missing, all of them are named at
once, each with its line: a second pass renders with missing names noted and left empty.

What a template sees:
- `incident`: `title`, `severity` ("P1"), `started_at`, `summary`, and each fact as an attribute;
- each fact again at top level (`{{ next_update | time("UTC") }}`);
- `now`: the aware UTC time of rendering.
Fields and `now`/`incident` win over a fact of the same name.

Filters added to jinja's own: `time(tz, fmt)`, `date(tz, fmt)` and `elapsed`.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from importlib.resources import files
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jinja2 import (
    ChainableUndefined,
    StrictUndefined,
    Template,
    TemplateAssertionError,
    TemplateSyntaxError,
    Undefined,
    UndefinedError,
    nodes,
    pass_context,
)
from jinja2.meta import find_undeclared_variables
from jinja2.runtime import Context
from jinja2.sandbox import SecurityError

from commsdesk.clock import as_utc, utc_now
from commsdesk.incidents.incident import Incident, format_elapsed
from commsdesk.template_sandbox import BoundedSandbox, LimitExceeded, bounds

FILENAME = "<statement>"  # the template's name in tracebacks, to find the failing line
MARKERS = ("{{", "{%", "{#")
INCIDENT_FIELDS = ("title", "severity", "started_at", "summary")
MAX_REPEAT = 20_000  # longest text `*` may build; a statement is far shorter


class TemplateProblem(Exception):
    """Why a statement body cannot be rendered: `message` is the whole sentence shown to a person.

    `name` is set only for an undefined name or incident attribute (a fact to add or a typo to fix);
    `names` holds every missing fact when there are several (`name` is the first of them).
    """

    def __init__(
        self,
        detail: str,
        *,
        line: int | None = None,
        name: str | None = None,
        names: tuple[str, ...] = (),
    ) -> None:
        self.line = line
        self.name = name
        self.names = names or ((name,) if name else ())
        self.message = f"Line {line}: {detail}" if line is not None else detail
        super().__init__(self.message)


def has_template_syntax(source: str) -> bool:
    """True when jinja would treat part of the text as a placeholder, block or comment."""
    return any(marker in source for marker in MARKERS)


def render(source: str, incident: Incident | None, *, now: datetime | None = None) -> str:
    """The text a reader would see; raises TemplateProblem."""
    if not has_template_syntax(source):
        return source
    template = _compiled(source)
    context = _context(incident, as_utc(now) if now is not None else utc_now())
    try:
        with bounds():
            text = template.render(context)
    except Exception as exc:  # every failure becomes a problem a person can read
        problem = _problem_from(exc, context)
        if problem.name and "incident" in context:
            problem = _every_missing_fact(problem, source, context)
        raise problem from exc
    if has_template_syntax(text):
        at = min(i for i in (text.find(m) for m in MARKERS) if i >= 0)
        raise TemplateProblem(
            "the text still holds an unrendered placeholder.", line=text.count("\n", 0, at) + 1
        )
    return text


def check(
    source: str, incident: Incident | None, *, now: datetime | None = None
) -> TemplateProblem | None:
    """The problem render() would raise, or None when the body renders."""
    try:
        render(source, incident, now=now)
    except TemplateProblem as problem:
        return problem
    return None


def facts_used(source: str) -> set[str]:
    """Fact names the body reads, at top level or as `incident.<fact>`; raises TemplateProblem."""
    try:
        tree = _environment().parse(source)
    except TemplateSyntaxError as exc:
        raise _syntax_problem(exc) from None
    names = set(find_undeclared_variables(tree)) - {"incident", "now"}
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        target = node.node
        if isinstance(target, nodes.Name) and target.name == "incident":
            if isinstance(node, nodes.Getattr):
                names.add(node.attr)
            elif isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
                names.add(node.arg.value)
    return names - set(INCIDENT_FIELDS)


# --- the starting templates ---------------------------------------------------------------------


@dataclass(frozen=True)
class StatementTemplate:
    key: str  # file stem without its order prefix, e.g. "first_acknowledgement"
    title: str  # e.g. "First acknowledgement"
    description: str  # one line: when to use it
    source: str  # template body, without the header comment


FACT_SUGGESTIONS: dict[str, str] = {
    "asset": "The asset taken, e.g. ETH",
    "wallet": "Where it was taken from, e.g. one of our Ethereum hot wallets",
    "unaffected": "What is confirmed not affected, e.g. cold storage and all other wallets",
    "next_update": "When we speak next: 18:30 (today, UTC) or 2026-11-24T18:30Z",
    "amount": "How much was taken, as confirmed, e.g. 4,213 ETH (about US$14.2M)",
    "covered_by": "What covers the loss, e.g. our company treasury",
    "proof_url": "Where clients can check our reserves themselves",
    "cause": "How it happened, as far as confirmed, in one or two plain sentences",
    "partners": "Who is helping trace the funds, e.g. two blockchain analytics firms and police",
    "recovered": "What is frozen or recovered so far, e.g. US$2.1M frozen at two exchanges",
    "withdrawals": "Where withdrawals stand, e.g. paused until every hot wallet is re-keyed",
    "live_url": "Link to the live stream or X Space",
    "changes": "What changes so it cannot happen again, in one or two plain sentences",
    "report_url": "Where the full post-mortem will be published",
}

_HEADER = re.compile(r"\A\s*\{#(?P<header>.*?)#\}", re.DOTALL)
_HEADER_KEY = re.compile(r"^\s*(?P<key>[a-z]+):\s*(?P<value>.*)$")


def starting_templates() -> list[StatementTemplate]:
    """The shipped templates, in the order a crisis uses them (file names carry the order)."""
    return list(_load_starting_templates())


@functools.cache
def _load_starting_templates() -> tuple[StatementTemplate, ...]:
    folder = files("commsdesk.statements") / "starting_templates"
    entries = sorted((e for e in folder.iterdir() if e.name.endswith(".j2")), key=lambda e: e.name)
    return tuple(_parse_template_file(e.name, e.read_text(encoding="utf-8")) for e in entries)


def _parse_template_file(filename: str, text: str) -> StatementTemplate:
    """`NN_key.j2` with a leading `{# title: ... description: ... #}` comment, then the body."""
    match = _HEADER.match(text)
    if not match:
        raise ValueError(f"{filename}: starts without the {{# title: ... #}} header")
    fields: dict[str, str] = {}
    key = None
    for line in match["header"].splitlines():
        if found := _HEADER_KEY.match(line):
            key = found["key"]
            fields[key] = found["value"].strip()
        elif key and line.strip():  # a wrapped line continues the previous field
            fields[key] = f"{fields[key]} {line.strip()}"
    if not fields.get("title") or not fields.get("description"):
        raise ValueError(f"{filename}: the header needs a title and a description")
    stem = filename.removesuffix(".j2")
    return StatementTemplate(
        key=re.sub(r"^\d+_", "", stem),
        title=fields["title"],
        description=fields["description"],
        source=text[match.end() :].strip("\n"),
    )


# --- the environment ----------------------------------------------------------------------------


class _FilterProblem(Exception):
    """Raised by our filters; render() adds the line."""


class _Leftover(Exception):
    """An output value that still holds template syntax; render() adds the line and the fact."""

    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class _StatementEnvironment(BoundedSandbox):
    """The bounded sandbox, with a tighter cap on `*` and `**`: a statement is far shorter."""

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(right, int) and abs(right) > 100:
            raise SecurityError("the power is too large")
        if operator == "*":
            sized, count = (left, right) if isinstance(right, int) else (right, left)
            repeats = isinstance(sized, str | list | tuple) and isinstance(count, int)
            if repeats and len(sized) * count > MAX_REPEAT:
                raise SecurityError("the repeated text is too long")
        return super().call_binop(context, operator, left, right)


def _refuse_leftovers(value: Any) -> Any:
    """Finalize hook: every `{{ ... }}` output passes here, so a fact holding `{{ x }}` stops."""
    if not isinstance(value, Undefined) and has_template_syntax(str(value)):
        raise _Leftover(str(value))
    return value


@functools.cache
def _environment() -> _StatementEnvironment:
    env = _StatementEnvironment(
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_refuse_leftovers,
    )
    env.globals.clear()  # no range(), lipsum(), ...: only `now`, the incident and its facts
    env.filters.update(time=_time_filter, date=_date_filter, elapsed=_elapsed_filter)
    return env


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    """Compiled once per distinct body, since the editor re-renders on every keystroke."""
    env = _environment()
    try:
        code = env.compile(source, filename=FILENAME)
    except TemplateSyntaxError as exc:
        raise _syntax_problem(exc) from None
    return env.template_class.from_code(env, code, env.make_globals(None))


class IncidentView:
    """`{{ incident }}` in a template: the incident's fields, and each fact as an attribute."""

    def __init__(self, incident: Incident) -> None:
        self.__dict__.update(incident.facts)
        self.title = incident.title
        self.severity = str(incident.severity.value)
        self.started_at = as_utc(incident.started_at)
        self.summary = incident.summary

    def __str__(self) -> str:
        return self.title


_INCIDENT_REPR = f"{IncidentView.__module__}.{IncidentView.__name__} object"


def _context(incident: Incident | None, now: datetime) -> dict[str, Any]:
    if incident is None:
        return {"now": now}
    return {**incident.facts, "incident": IncidentView(incident), "now": now}


# --- filters ------------------------------------------------------------------------------------

_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(?:UTC|Z)?$", re.IGNORECASE)
_MONTHS = "January February March April May June July August September October November December"
_DAYS = "Monday Tuesday Wednesday Thursday Friday Saturday Sunday"


def _moment(value: Any, now: datetime) -> datetime:
    """An aware UTC datetime from a datetime, an ISO 8601 string or "HH:MM" (today, UTC)."""
    if isinstance(value, Undefined):
        str(value)  # raises the strict undefined error, naming the missing fact
        return now  # the pass that notes every missing fact goes on
    if isinstance(value, datetime):
        return as_utc(value)
    if isinstance(value, str):
        text = value.strip()
        if clock := _CLOCK.match(text):
            hour, minute, second = (int(part or 0) for part in clock.groups())
            if hour < 24 and minute < 60 and second < 60:
                return now.replace(hour=hour, minute=minute, second=second, microsecond=0)
        else:
            try:
                return as_utc(datetime.fromisoformat(text))
            except ValueError:
                pass
    raise _FilterProblem(f"{value!r} is not a time (use 18:30 or 2026-11-24T18:30Z)")


def _zone(tz: Any) -> ZoneInfo:
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        raise _FilterProblem(
            f"{tz!r} is not a time zone (use a name such as UTC, Europe/London or Asia/Singapore)"
        ) from None


def _strftime(moment: datetime, fmt: Any) -> str:
    """strftime with English day and month names, whatever locale the desk runs under."""
    names = {
        "b": _MONTHS.split()[moment.month - 1][:3],
        "B": _MONTHS.split()[moment.month - 1],
        "a": _DAYS.split()[moment.weekday()][:3],
        "A": _DAYS.split()[moment.weekday()],
        "p": "AM" if moment.hour < 12 else "PM",
        "%": "%%",
    }
    try:
        return moment.strftime(re.sub(r"%([%aAbBp])", lambda m: names[m[1]], fmt))
    except (TypeError, ValueError):
        raise _FilterProblem(f"{fmt!r} is not a time format (use %H:%M %Z)") from None


def _now(context: Context) -> datetime:
    now = context.get("now")
    return now if isinstance(now, datetime) else utc_now()


@pass_context
def _time_filter(context: Context, value: Any, tz: str = "UTC", fmt: str = "%H:%M %Z") -> str:
    """`{{ next_update | time("Asia/Singapore") }}` -> "02:30 +08"."""
    return _strftime(_moment(value, _now(context)).astimezone(_zone(tz)), fmt)


@pass_context
def _date_filter(context: Context, value: Any, tz: str = "UTC", fmt: str = "%d %b %Y") -> str:
    """`{{ incident.started_at | date }}` -> "24 Nov 2026"."""
    return _strftime(_moment(value, _now(context)).astimezone(_zone(tz)), fmt)


@pass_context
def _elapsed_filter(context: Context, value: Any) -> str:
    """`{{ incident.started_at | elapsed }}` -> "3h12m" from then until now."""
    now = _now(context)
    return format_elapsed(now - _moment(value, now)).removeprefix("T+")


# --- turning jinja's exceptions into problems ---------------------------------------------------

_UNDEFINED = re.compile(r"^'(?P<name>[^']+)' is undefined$")
_NO_ATTRIBUTE = re.compile(r"^'(?P<owner>.+)' has no attribute '(?P<name>[^']+)'$")
_UNSAFE = re.compile(r"access to attribute '(?P<name>[^']+)'")


def _syntax_problem(exc: TemplateSyntaxError) -> TemplateProblem:
    text = exc.message or "the template cannot be read"
    if isinstance(exc, TemplateAssertionError):  # e.g. "No filter named 'tme'."
        return TemplateProblem(text[0].lower() + text[1:], line=exc.lineno)
    return TemplateProblem(f"syntax error: {text}", line=exc.lineno)


def _template_line(exc: BaseException) -> int | None:
    """The innermost template line in the traceback (jinja rewrites frames to template lines)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == FILENAME:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _problem_from(exc: Exception, context: Mapping[str, Any]) -> TemplateProblem:
    line = _template_line(exc)
    text = str(exc)
    if isinstance(exc, UndefinedError):
        if found := _UNDEFINED.match(text):
            name = found["name"]
            if "incident" not in context:
                return TemplateProblem(
                    f"'{name}' is not defined, and there is no active incident to take it from.",
                    line=line,
                    name=name,
                )
            return TemplateProblem(
                f"'{name}' is not defined. Add it as an incident fact or fix the name.",
                line=line,
                name=name,
            )
        if found := _NO_ATTRIBUTE.match(text):
            name = found["name"]
            if found["owner"] == _INCIDENT_REPR:
                return TemplateProblem(
                    f"the incident has no fact '{name}'. Add it as an incident fact or fix the "
                    "name.",
                    line=line,
                    name=name,
                )
            return TemplateProblem(f"'{name}' does not exist here.", line=line, name=name)
        return TemplateProblem(f"{text}.", line=line)
    if isinstance(exc, SecurityError):
        if found := _UNSAFE.search(text):
            return TemplateProblem(f"'{found['name']}' cannot be used in a statement.", line=line)
        return TemplateProblem(f"not allowed in a statement: {text}.", line=line)
    if isinstance(exc, _FilterProblem):
        return TemplateProblem(f"{exc}.", line=line)
    if isinstance(exc, LimitExceeded):
        return TemplateProblem(f"the statement {exc}.", line=line)
    if isinstance(exc, _Leftover):
        holder = next(
            (
                name
                for name, value in _named_values(context)
                if has_template_syntax(value) and value in exc.text
            ),
            None,
        )
        what = f"'{holder}'" if holder else "the text"
        return TemplateProblem(f"{what} still holds an unrendered placeholder.", line=line)
    return TemplateProblem(f"could not render: {type(exc).__name__}: {text}", line=line)


# --- every missing fact at once ----------------------------------------------------------------

# The noting pass in progress on this thread: its template and the names found, with their lines.
_NOTING: ContextVar[tuple[Template, dict[str, int | None]] | None] = ContextVar(
    "noting", default=None
)


class _NotedUndefined(ChainableUndefined):
    """A missing name in the noting pass: noted with its template line, then read as empty, so
    that rendering goes on to the next one. Only what a strict render would fail on notes it
    (`is defined` does not)."""

    __slots__ = ()

    def _note(self) -> None:
        noting = _NOTING.get()
        if noting is None or self._undefined_name is None:
            return
        template, found = noting
        found.setdefault(self._undefined_name, _live_line(template))

    def _fail_with_undefined_error(self, *args: Any, **kwargs: Any) -> Any:
        self._note()
        return self

    def __str__(self) -> str:
        self._note()
        return ""

    def __iter__(self):
        self._note()
        return iter(())

    def __bool__(self) -> bool:
        self._note()
        return False

    def __len__(self) -> int:
        self._note()
        return 0


def _live_line(template: Template) -> int | None:
    """The template line being rendered, from the innermost frame of the template's code."""
    frame = sys._getframe(2)
    while frame is not None:
        if frame.f_code.co_filename == FILENAME:
            return template.get_corresponding_lineno(frame.f_lineno)
        frame = frame.f_back
    return None


@functools.lru_cache(maxsize=16)
def _compiled_noting(source: str) -> Template:
    env = _environment().overlay(undefined=_NotedUndefined)
    return env.template_class.from_code(
        env, env.compile(source, filename=FILENAME), env.make_globals(None)
    )


def _every_missing_fact(
    first: TemplateProblem, source: str, context: Mapping[str, Any]
) -> TemplateProblem:
    """`first` (one missing fact), or one problem naming every missing fact with its line."""
    found: dict[str, int | None] = {}
    try:
        template = _compiled_noting(source)
        token = _NOTING.set((template, found))
        try:
            with bounds():
                template.render(context)
        finally:
            _NOTING.reset(token)
    except Exception:  # noqa: BLE001, S110 - what was noted before another problem still counts
        pass
    if first.name not in found:
        found = {first.name: first.line, **found}
    if len(found) < 2:
        return first
    one_line = len(set(found.values())) == 1
    named = [
        f"'{name}'" + (f" (line {line})" if line and not one_line else "")
        for name, line in found.items()
    ]
    listed = ", ".join(named[:-1]) + " and " + named[-1]
    problem = TemplateProblem(
        f"{len(found)} facts are missing: {listed}. Add them as incident facts or fix the names.",
        line=first.line if one_line else None,
        name=first.name,
        names=tuple(found),
    )
    problem.line = first.line
    return problem


def _named_values(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Facts first, then the incident's own text fields, for naming the holder of a leftover."""
    pairs = [(k, v) for k, v in context.items() if isinstance(v, str)]
    view = context.get("incident")
    if isinstance(view, IncidentView):
        pairs += [(f"incident.{field}", getattr(view, field)) for field in ("title", "summary")]
    return pairs
