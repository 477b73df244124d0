"""Statement templates: rendering, the problems a person sees, filters and the shipped templates."""

from __future__ import annotations

import ast
import pathlib
import re
from datetime import UTC, datetime, timedelta

import pytest

from commsdesk.incidents.incident import Incident, Severity
from commsdesk.statements import templates
from commsdesk.statements.templates import (
    FACT_SUGGESTIONS,
    StatementTemplate,
    TemplateProblem,
    check,
    facts_used,
    has_template_syntax,
    render,
    starting_templates,
)

NOW = datetime(2026, 11, 24, 17, 17, tzinfo=UTC)

# Values a founder might type, one for every fact the shipped templates use.
SAMPLE_FACTS = {
    "asset": "ETH",
    "wallet": "one of our Ethereum hot wallets",
    "unaffected": "cold storage and all other wallets",
    "next_update": "18:30",
    "amount": "4,213 ETH (about US$14.2M)",
    "covered_by": "our company treasury",
    "proof_url": "https://example.com/reserves",
    "cause": "The attacker used a compromised signing key for one hot wallet. It has been revoked.",
    "partners": "two blockchain analytics firms and the police",
    "recovered": "US$2.1M frozen at two exchanges",
    "withdrawals": "paused until every hot wallet is re-keyed",
    "live_url": "https://x.com/i/broadcasts/1vOxwjzLmVdKB",
    "changes": "Hot wallets now need three of five signers on separate hardware.",
    "report_url": "https://example.com/post-mortem",
}


def make_incident(**facts: str) -> Incident:
    return Incident(
        id=7,
        title="ETH hot wallet breach",
        severity=Severity.P1,
        started_at=datetime(2026, 11, 24, 14, 5, tzinfo=UTC),
        summary="Unauthorised withdrawals from one hot wallet.",
        facts=facts,
    )


DEFAULT = make_incident()


def problem(source: str, incident: Incident | None = DEFAULT) -> TemplateProblem:
    with pytest.raises(TemplateProblem) as caught:
        render(source, incident, now=NOW)
    assert str(caught.value) == caught.value.message
    return caught.value


# --- rendering ----------------------------------------------------------------------------------


def test_facts_render_at_top_level_and_under_incident():
    incident = make_incident(asset="ETH", amount="4,213 ETH")
    text = render("{{ amount }} of {{ incident.asset }} taken", incident, now=NOW)
    assert text == "4,213 ETH of ETH taken"


def test_incident_fields_are_exposed():
    source = "{{ incident.title }} [{{ incident.severity }}] {{ incident.summary }} {{ incident }}"
    assert render(source, make_incident(), now=NOW) == (
        "ETH hot wallet breach [P1] Unauthorised withdrawals from one hot wallet. "
        "ETH hot wallet breach"
    )
    started = render("{{ incident.started_at.isoformat() }}", make_incident(), now=NOW)
    assert started == "2026-11-24T14:05:00+00:00"


def test_fields_and_now_win_over_a_fact_of_the_same_name():
    incident = make_incident(title="fact title", now="fact now")
    assert render("{{ incident.title }}", incident, now=NOW) == "ETH hot wallet breach"
    assert render("{{ now.year }}", incident, now=NOW) == "2026"


def test_amounts_stay_as_typed():
    assert render("{{ amount }}", make_incident(amount="1,000.50 USDT"), now=NOW) == "1,000.50 USDT"


@pytest.mark.parametrize(
    "source",
    [
        "Withdrawals are paused.",
        "Lone braces { and } stay, as do {a} and }} and } }.",
        "Trailing newline kept\n",
        "",
    ],
)
def test_plain_text_renders_to_itself(source):
    assert not has_template_syntax(source)
    assert render(source, make_incident(), now=NOW) == source
    assert render(source, None, now=NOW) == source


@pytest.mark.parametrize("source", ["{{ x }}", "a {% if x %}", "{# note #}"])
def test_has_template_syntax(source):
    assert has_template_syntax(source)


def test_blocks_trim_their_lines():
    source = "First\n{% if asset %}\nAsset: {{ asset }}\n{% endif %}\nLast"
    assert render(source, make_incident(asset="BTC"), now=NOW) == "First\nAsset: BTC\nLast"


def test_comments_render_to_nothing():
    assert render("{# internal note #}Paused.", make_incident(), now=NOW) == "Paused."


def test_default_now_is_the_current_utc_time():
    before = datetime.now(UTC).replace(microsecond=0)
    text = render("{{ now.isoformat() }}", None)
    assert before <= datetime.fromisoformat(text) <= datetime.now(UTC)


def test_naive_now_is_taken_as_utc():
    naive = datetime(2026, 11, 24, 9, 0)
    assert render("{{ now | time }}", None, now=naive) == "09:00 UTC"


def test_compiled_templates_are_cached():
    templates._compiled.cache_clear()
    for _ in range(3):
        render("{{ asset }}!", make_incident(asset="SOL"), now=NOW)
    info = templates._compiled.cache_info()
    assert (info.misses, info.hits) == (1, 2)


# --- problems -----------------------------------------------------------------------------------


def test_undefined_name_gives_line_and_name():
    found = problem("Line one.\nLine two.\nWe lost {{ asset }} today.\nLine four.")
    assert (found.line, found.name) == (3, "asset")
    assert found.message == (
        "Line 3: 'asset' is not defined. Add it as an incident fact or fix the name."
    )


def test_undefined_inside_a_block_and_a_filter_gives_its_line():
    source = "Intro\n{% if true %}\nOK\n{{ next_update | time }}\n{% endif %}"
    found = problem(source)
    assert (found.line, found.name) == (4, "next_update")


def test_unknown_incident_attribute_gives_its_name():
    found = problem("Status:\n{{ incident.assett }}", make_incident(asset="ETH"))
    assert (found.line, found.name) == (2, "assett")
    assert found.message == (
        "Line 2: the incident has no fact 'assett'. Add it as an incident fact or fix the name."
    )


def test_unknown_incident_item_gives_its_name():
    found = problem("{{ incident['assett'] }}", make_incident(asset="ETH"))
    assert (found.line, found.name) == (1, "assett")


def test_syntax_error_gives_line_and_message():
    found = problem("Fine line\n{{ asset }\nmore")
    assert found.line == 2
    assert found.name is None
    assert found.message == "Line 2: syntax error: unexpected '}'"


def test_unclosed_block_is_a_syntax_error():
    found = problem("Start\n{% if asset %}\nno end")
    assert found.name is None
    assert found.line is not None
    assert found.message.startswith(f"Line {found.line}: syntax error: ")


def test_unknown_filter_is_reported():
    found = problem("a\n{{ next_update | tme }}", make_incident(next_update="18:30"))
    assert found.line == 2
    assert "no filter named 'tme'" in found.message


@pytest.mark.parametrize(
    "source",
    [
        "{{ ''.__class__.__mro__ }}",
        "{{ incident.__class__ }}",
        "{{ incident.__dict__ }}",
        "{{ now.__class__.__init__.__globals__ }}",
        "{{ incident.title.__class__ }}",
    ],
)
def test_sandbox_blocks_private_attributes(source):
    found = problem("Intro\n" + source)
    assert found.line == 2
    assert found.name is None
    assert re.fullmatch(r"Line 2: '_\w+' cannot be used in a statement\.", found.message)


def test_sandbox_names_the_blocked_attribute():
    found = problem("{{ incident.__class__ }}")
    assert found.message == "Line 1: '__class__' cannot be used in a statement."


def test_sandbox_blocks_globals_and_mutation():
    assert problem("{{ range(3) }}").name == "range"
    assert problem("{{ lipsum() }}").name == "lipsum"
    assert problem("{% set xs = [1] %}{{ xs.append(2) }}").name is None


def test_runaway_repetition_is_refused_quickly():
    found = problem('{{ "-" * 1000000000 }}')
    assert "too long" in found.message
    assert render('{{ "-" * 3 }}', None, now=NOW) == "---"
    assert "too large" in problem("{{ 2 ** 1000000000 }}").message
    assert render("{{ 2 ** 10 }}", None, now=NOW) == "1024"


def test_other_runtime_errors_become_problems_with_a_line():
    found = problem("ok\n{{ asset + 1 }}", make_incident(asset="ETH"))
    assert found.line == 2
    assert found.message.startswith("Line 2: could not render: TypeError")


def test_check_returns_the_problem_or_none():
    assert check("{{ asset }}", make_incident(asset="ETH"), now=NOW) is None
    found = check("\n{{ asset }}", make_incident(), now=NOW)
    assert isinstance(found, TemplateProblem)
    assert (found.line, found.name) == (2, "asset")


# --- leftover placeholders ----------------------------------------------------------------------


def test_fact_holding_a_placeholder_is_refused():
    incident = make_incident(asset="{{ amount }}", amount="5 BTC")
    found = problem("Intro\n\nWe lost {{ asset }}.", incident)
    assert found.line == 3
    assert found.message == "Line 3: 'asset' still holds an unrendered placeholder."


@pytest.mark.parametrize("value", ["{% if x %}", "see {# note #}"])
def test_fact_holding_a_block_or_comment_is_refused(value):
    found = problem("{{ incident.asset }}", make_incident(asset=value))
    assert found.message == "Line 1: 'asset' still holds an unrendered placeholder."


def test_title_holding_a_placeholder_is_refused():
    incident = Incident(1, "Breach {{ x }}", Severity.P2, NOW)
    found = problem("a\n{{ incident.title }}", incident)
    assert found.message == "Line 2: 'incident.title' still holds an unrendered placeholder."


def test_placeholder_built_from_pieces_is_refused():
    found = problem("One\nTwo {{ '{' }}{{ '{' }} x }}")
    assert found.line == 2
    assert found.message.endswith("still holds an unrendered placeholder.")


def test_raw_block_leftover_is_refused():
    found = problem("{% raw %}{{ asset }}{% endraw %}")
    assert found.message == "Line 1: the text still holds an unrendered placeholder."


# --- no incident --------------------------------------------------------------------------------


def test_without_incident_only_now_is_defined():
    assert render("It is {{ now | time }}.", None, now=NOW) == "It is 17:17 UTC."
    found = problem("Hello\n{{ asset }}", None)
    assert (found.line, found.name) == (2, "asset")
    assert "no active incident" in found.message
    assert problem("{{ incident.title }}", None).name == "incident"


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "tz", "expected"),
    [
        ("2026-11-24T18:30:00Z", "UTC", "18:30 UTC"),
        ("2026-11-24 18:30+00:00", "UTC", "18:30 UTC"),
        ("2026-11-24T18:30Z", "Asia/Singapore", "02:30 +08"),
        ("2026-11-24T18:30Z", "America/New_York", "13:30 EST"),
        ("2026-07-01T18:30Z", "America/New_York", "14:30 EDT"),
        ("2026-11-24T20:30+02:00", "UTC", "18:30 UTC"),
        ("2026-11-24T18:30", "UTC", "18:30 UTC"),  # naive ISO is UTC
        ("18:30", "UTC", "18:30 UTC"),
        (" 18:30 UTC ", "Asia/Singapore", "02:30 +08"),
        ("9:05", "UTC", "09:05 UTC"),
    ],
)
def test_time_filter(value, tz, expected):
    incident = make_incident(next_update=value)
    assert render(f'{{{{ next_update | time("{tz}") }}}}', incident, now=NOW) == expected


def test_time_filter_default_zone_and_custom_format():
    incident = make_incident(next_update="2026-11-24T18:30Z")
    assert render("{{ next_update | time }}", incident, now=NOW) == "18:30 UTC"
    source = '{{ next_update | time("Europe/London", "%a %H:%M") }}'
    assert render(source, incident, now=NOW) == "Tue 18:30"


def test_time_filter_takes_datetimes():
    assert render('{{ now | time("Asia/Singapore") }}', None, now=NOW) == "01:17 +08"
    assert render("{{ incident.started_at | time }}", make_incident(), now=NOW) == "14:05 UTC"


def test_clock_time_means_today_utc():
    source = '{{ next_update | date }} {{ next_update | time("Asia/Singapore") }}'
    text = render(source, make_incident(next_update="23:00"), now=NOW)
    assert text == "24 Nov 2026 07:00 +08"


@pytest.mark.parametrize("value", ["tomorrow-ish", "25:00", "18h30", "", "2026-13-01"])
def test_bad_time_gives_line_and_message(value):
    found = problem("Update\n\nNext by {{ next_update | time }}", make_incident(next_update=value))
    assert found.line == 3
    assert found.name is None
    assert found.message == (f"Line 3: {value!r} is not a time (use 18:30 or 2026-11-24T18:30Z).")


def test_bad_time_message_example():
    found = problem("a\n{{ next_update | time }}", make_incident(next_update="tomorrow-ish"))
    assert found.message == (
        "Line 2: 'tomorrow-ish' is not a time (use 18:30 or 2026-11-24T18:30Z)."
    )


@pytest.mark.parametrize("zone", ["Mars/Olympus", "utc", "", "../etc/passwd"])
def test_bad_zone_gives_line_and_message(zone):
    source = f'First\n{{{{ next_update | time("{zone}") }}}}'
    found = problem(source, make_incident(next_update="18:30"))
    assert found.line == 2
    assert found.message.startswith(f"Line 2: {zone!r} is not a time zone")


def test_missing_fact_through_filter_names_the_fact():
    found = problem("{{ next_update | time }}")
    assert found.name == "next_update"


def test_date_filter():
    incident = make_incident(next_update="2026-11-24T18:30Z")
    assert render("{{ next_update | date }}", incident, now=NOW) == "24 Nov 2026"
    assert render('{{ next_update | date("Asia/Singapore") }}', incident, now=NOW) == "25 Nov 2026"
    source = '{{ next_update | date("UTC", "%A %d %B") }}'
    assert render(source, incident, now=NOW) == "Tuesday 24 November"


def test_elapsed_filter():
    assert render("{{ incident.started_at | elapsed }}", make_incident(), now=NOW) == "3h12m"
    later = NOW + timedelta(days=1)
    assert render("{{ incident.started_at | elapsed }}", make_incident(), now=later) == "1d3h12m"
    just = datetime(2026, 11, 24, 14, 9, tzinfo=UTC)
    assert render("{{ incident.started_at | elapsed }}", make_incident(), now=just) == "4m"


# --- the shipped templates ----------------------------------------------------------------------


def test_starting_templates_are_in_crisis_order():
    keys = [t.key for t in starting_templates()]
    assert keys == [
        "first_acknowledgement",
        "funds_safe",
        "investigation_update",
        "live_now",
        "resolution",
    ]


def test_starting_templates_have_title_description_and_body():
    for template in starting_templates():
        assert isinstance(template, StatementTemplate)
        assert template.title and template.title[0].isupper()
        assert template.description and "\n" not in template.description
        assert has_template_syntax(template.source)
        assert not template.source.lstrip().startswith("{#")  # header removed
        assert "title:" not in template.source and "description:" not in template.source
        assert template.source == template.source.strip("\n")


def test_starting_templates_are_a_fresh_list():
    first = starting_templates()
    first.clear()
    assert len(starting_templates()) == 5


def test_fact_suggestions_cover_exactly_the_facts_the_templates_use():
    used = set().union(*(facts_used(t.source) for t in starting_templates()))
    assert used == set(FACT_SUGGESTIONS)
    assert set(SAMPLE_FACTS) == used
    for name, description in FACT_SUGGESTIONS.items():
        assert description and "\n" not in description, name


@pytest.mark.parametrize("template", starting_templates(), ids=lambda t: t.key)
def test_shipped_template_renders_with_every_fact(template):
    text = render(template.source, make_incident(**SAMPLE_FACTS), now=NOW)
    assert not has_template_syntax(text)
    assert len(text) < 1000
    for name in facts_used(template.source) - {"next_update"}:
        assert SAMPLE_FACTS[name] in text, name
    if "next_update" in facts_used(template.source):
        assert "18:30 UTC" in text


def test_first_acknowledgement_fits_one_post():
    first = starting_templates()[0]
    text = render(first.source, make_incident(**SAMPLE_FACTS), now=NOW)
    assert len(text) <= 280, text
    assert "\n" not in text


@pytest.mark.parametrize(
    ("template", "missing"),
    [(t, name) for t in starting_templates() for name in sorted(facts_used(t.source))],
    ids=lambda x: x.key if isinstance(x, StatementTemplate) else x,
)
def test_shipped_template_names_a_missing_fact(template, missing):
    facts = {k: v for k, v in SAMPLE_FACTS.items() if k != missing}
    found = check(template.source, make_incident(**facts), now=NOW)
    assert found is not None
    assert found.name == missing
    line_text = template.source.splitlines()[found.line - 1]
    assert missing in line_text


def test_facts_used_reads_top_level_and_incident_attributes():
    source = "{{ incident.asset }} {{ incident['wallet'] }} {{ next_update }} {{ incident.title }}"
    assert facts_used(source) == {"asset", "wallet", "next_update"}
    assert facts_used("{% set x = 1 %}{{ x }} {{ now }}") == set()
    with pytest.raises(TemplateProblem):
        facts_used("{{ broken")


def test_header_description_may_wrap():
    text = "{# title: T\n   description: one\n     two #}\n\nBody {{ a }}\n"
    parsed = templates._parse_template_file("07_sample.j2", text)
    assert parsed == StatementTemplate("sample", "T", "one two", "Body {{ a }}")
    with pytest.raises(ValueError, match="title"):
        templates._parse_template_file("08_bad.j2", "{# description: x #}\nBody")


# --- no Qt in the domain ------------------------------------------------------------------------


def test_templates_module_imports_no_qt():
    tree = ast.parse(pathlib.Path(templates.__file__).read_text(encoding="utf-8"))
    imported = [
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    ]
    imported += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    assert "jinja2" in imported
    assert not any("PySide" in name or "Qt" in name for name in imported)


def test_every_missing_fact_is_named_at_once_with_its_line():
    source = "We lost {{ incident.asset }} from {{ wallet }}.\n\nNext: {{ next_update | time }}"
    found = problem(source, make_incident())
    assert found.names == ("asset", "wallet", "next_update")
    assert found.name == "asset" and found.line == 1
    assert found.message == (
        "3 facts are missing: 'asset' (line 1), 'wallet' (line 1) and 'next_update' (line 3). "
        "Add them as incident facts or fix the names."
    )


def test_missing_facts_on_one_line_are_named_with_that_line_once():
    found = problem("{{ asset }} and {{ wallet }}", make_incident())
    assert found.message == (
        "Line 1: 2 facts are missing: 'asset' and 'wallet'. Add them as incident facts or fix "
        "the names."
    )


def test_a_fact_tested_with_is_defined_is_not_missing():
    source = "{% if amount is defined %}{{ amount }}{% endif %}{{ asset }}"
    found = problem(source, make_incident())
    assert found.names == ("asset",)
    assert found.message == (
        "Line 1: 'asset' is not defined. Add it as an incident fact or fix the name."
    )
