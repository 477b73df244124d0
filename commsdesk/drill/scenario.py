"""Drill scenarios: TOML files in assets/drills/ (or any path), checked when read.

A scenario names the incident, the P-1 reason, the statement template and its facts, the two
approvers, the Back-at slide and the audience curve to replay (a CSV, relative to the file).
Every problem is one sentence naming the file and the key, so a scenario with a typo is
refused before the drill starts, never half-run. No Qt.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from commsdesk.incidents.incident import Severity

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "drills"
DEFAULT = "cold-wallet-breach"
# What a scenario may say, section by section ("" the top level): any other key is a typo.
KEYS = {
    "": ("name", "incident", "p1", "statement", "broadcast", "audience"),
    "incident": ("title", "severity", "summary", "cadence_minutes", "facts"),
    "p1": ("reason", "wait_seconds"),
    "statement": ("template", "title", "author", "approvers"),
    "broadcast": ("back_at", "message"),
    "audience": ("curve", "share_percent", "below_minutes", "min_runtime_minutes"),
}


class ScenarioProblem(Exception):
    """The scenario cannot be run as written; the message says where and why."""


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path
    title: str  # the incident's
    severity: Severity
    summary: str
    facts: dict[str, str]
    cadence_minutes: int  # the update cadence the incident promises
    p1_reason: str
    p1_wait_seconds: float  # how long the P-1 step waits for someone to answer
    template: str  # a starting template's key, e.g. "first_acknowledgement"
    statement_title: str
    author: str
    approvers: tuple[str, str]
    back_at: str  # a time as the Back-at slide takes it: "+20m", "18:30"
    back_at_message: str
    audience_csv: Path
    advice_share: float = 0.10
    advice_below_minutes: float = 10.0
    advice_min_runtime_minutes: float = 30.0


def shipped() -> list[Path]:
    """The scenarios that come with the desk, by name."""
    return sorted(SHIPPED.glob("*.toml"))


def choices() -> list[tuple[str, Path]]:
    """The shipped scenarios as (name, path), for a person to choose from; one that cannot be
    read goes by its file's name (and says why when it is started)."""

    def name(path: Path) -> str:
        try:
            return load(path).name
        except ScenarioProblem:
            return path.stem

    return [(name(path), path) for path in shipped()]


def find(name_or_path: str | None) -> Path:
    """A scenario file by path, or by the name of a shipped one ("exchange-outage")."""
    if not name_or_path:
        name_or_path = DEFAULT
    path = Path(name_or_path).expanduser()
    if path.suffix == ".toml" or path.exists():
        if not path.is_file():
            raise ScenarioProblem(f"No scenario file {path}.")
        return path
    candidate = SHIPPED / f"{name_or_path}.toml"
    if candidate.is_file():
        return candidate
    names = ", ".join(p.stem for p in shipped()) or "none"
    raise ScenarioProblem(f"No scenario called {name_or_path!r}; the shipped ones: {names}.")


def load(name_or_path: str | None = None) -> Scenario:
    path = find(name_or_path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioProblem(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise ScenarioProblem(f"{path.name} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioProblem(f"{path.name} is not valid TOML: {exc}.") from None
    return _scenario(path, data)


def _scenario(path: Path, data: dict) -> Scenario:
    name = path.name

    def section(key: str) -> dict:
        value = data.get(key)
        if not isinstance(value, dict):
            raise ScenarioProblem(f"{name}: the [{key}] section is missing.")
        return value

    def text(table: dict, key: str, where: str, default: str | None = None) -> str:
        value = table.get(key, default)
        if not isinstance(value, str) or not value.strip():
            raise ScenarioProblem(f"{name}: [{where}] {key} must be some text.")
        return value.strip()

    def number(table: dict, key: str, where: str, default: float, low: float, high: float):
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int | float) \
                or not low <= value <= high:
            raise ScenarioProblem(f"{name}: [{where}] {key} must be a number from {low:g} to "
                                  f"{high:g}.")  # fmt: skip
        return value

    for where, known in KEYS.items():
        table = data if not where else data.get(where)
        unknown = [key for key in table if key not in known] if isinstance(table, dict) else []
        if unknown:
            place = f"[{where}]" if where else "the top level"
            raise ScenarioProblem(f"{name}: {place} has no key {unknown[0]!r}; it takes "
                                  f"{', '.join(known)}.")  # fmt: skip
    incident, p1, statement = section("incident"), section("p1"), section("statement")
    broadcast, audience = section("broadcast"), section("audience")
    try:
        severity = Severity(text(incident, "severity", "incident", "P1").upper())
    except ValueError:
        raise ScenarioProblem(f"{name}: [incident] severity is one of "
                              f"{', '.join(s.value for s in Severity)}.") from None  # fmt: skip
    facts = incident.get("facts", {})
    if not isinstance(facts, dict) or not all(isinstance(v, str) for v in facts.values()):
        raise ScenarioProblem(f"{name}: [incident.facts] holds text values only.")
    from commsdesk.incidents.incident import InvalidFact, check_fact_name

    try:
        for fact in facts:
            check_fact_name(str(fact))
    except InvalidFact as exc:
        raise ScenarioProblem(f"{name}: [incident.facts] {exc}.") from None
    approvers = statement.get("approvers")
    if (not isinstance(approvers, list) or len(approvers) != 2
            or not all(isinstance(a, str) and a.strip() for a in approvers)):
        raise ScenarioProblem(f"{name}: [statement] approvers must name two people.")
    author = text(statement, "author", "statement")
    people = [author.casefold(), *(a.strip().casefold() for a in approvers)]
    if len(set(people)) != 3:
        raise ScenarioProblem(f"{name}: [statement] the author and the two approvers must be "
                              "three different people.")  # fmt: skip
    template = text(statement, "template", "statement")
    from commsdesk.statements.templates import starting_templates

    keys = [t.key for t in starting_templates()]
    if template not in keys:
        raise ScenarioProblem(f"{name}: [statement] template {template!r} is not one of the "
                              f"starting templates: {', '.join(keys)}.")  # fmt: skip
    back_at = text(broadcast, "back_at", "broadcast")
    from commsdesk.slides.slide_kinds import TimeEntryProblem, parse_time_entry

    try:
        parse_time_entry(back_at)
    except TimeEntryProblem as exc:
        raise ScenarioProblem(f"{name}: [broadcast] back_at: {exc}") from None
    curve = path.parent / text(audience, "curve", "audience")
    if not curve.is_file():
        raise ScenarioProblem(f"{name}: [audience] curve {curve.name} is not beside the "
                              "scenario.")  # fmt: skip
    return Scenario(
        name=str(data.get("name") or path.stem).strip(),
        path=path,
        title=text(incident, "title", "incident"),
        severity=severity,
        summary=str(incident.get("summary", "")).strip(),
        facts={str(k): v.strip() for k, v in facts.items()},
        cadence_minutes=int(number(incident, "cadence_minutes", "incident", 30, 0, 1440)),
        p1_reason=text(p1, "reason", "p1"),
        p1_wait_seconds=float(number(p1, "wait_seconds", "p1", 120, 5, 3600)),
        template=template,
        statement_title=text(statement, "title", "statement"),
        author=author,
        approvers=(approvers[0].strip(), approvers[1].strip()),
        back_at=back_at,
        back_at_message=str(broadcast.get("message", "")).strip(),
        audience_csv=curve,
        advice_share=number(audience, "share_percent", "audience", 10, 1, 99) / 100,
        advice_below_minutes=number(audience, "below_minutes", "audience", 10, 0.5, 600),
        advice_min_runtime_minutes=number(audience, "min_runtime_minutes", "audience", 30, 0,
                                          1440),  # fmt: skip
    )
