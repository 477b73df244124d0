"""The bounded jinja sandbox: what templates normally do still works; every way found to make a
big value from small parts is refused before it is built; statement bodies get the same bounds."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from commsdesk import template_sandbox as sandbox
from commsdesk.statements.templates import TemplateProblem
from commsdesk.statements.templates import render as render_statement
from commsdesk.template_sandbox import BoundedSandbox, LimitExceeded, bounds

TOO_BIG = "builds a text or list longer than 262,144 characters"


def render(source: str, **variables) -> str:
    with bounds():
        return BoundedSandbox(autoescape=True).from_string(source).render(variables)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{ items | join(', ') }} {{ ', '.join(items) }}", "a, b a, b"),
        ("{{ 'a-b' | replace('-', '+') }} {{ 'a-b'.replace('-', '+') }}", "a+b a+b"),
        (
            "{{ '%s-%03d' % ('a', 7) }} {{ '%s!' | format('hi') }} {{ '{:>4}'.format('x') }}",
            "a-007 hi!    x",
        ),
        (
            "{% set a, b = 1, 2 %}{{ a + b }} {{ 2 ** 10 }} {{ 6 * 7 }} {{ 'ab' * 2 }}",
            "3 1024 42 abab",
        ),
        (
            "{% for k, v in {'x': 1}.items() %}{{ k }}={{ v }}{% endfor %} {{ (1, 2) | list }}",
            "x=1 [1, 2]",
        ),
        ("{% for i in range(3) %}{{ loop.index }}{{ loop.cycle('a', 'b') }}{% endfor %}", "1a2b3a"),
        ("{% macro box() %}[{{ caller() }}]{% endmacro %}{% call box() %}in{% endcall %}", "[in]"),
        (
            "{% set block %}<b>{{ 'x' ~ 'y' }}</b>{% endset %}{{ block }}"
            "{% filter upper %}up{% endfilter %}",
            "<b>xy</b>UP",
        ),
        (
            "{% for n in [[1, [2]], [3]] recursive %}{% if n is iterable %}{{ loop(n) }}"
            "{% else %}{{ n }}{% endif %}{% endfor %}",
            "123",
        ),
        (
            "{% set ns = namespace(n=0) %}{% for i in range(5) %}{% set ns.n = ns.n + i %}"
            "{% endfor %}{{ ns.n }}",
            "10",
        ),
        (
            "{{ [1, 2, 3] | batch(2) | list }} {{ [[1], [2]] | sum(start=[]) }}",
            "[[1, 2], [3]] [1, 2]",
        ),
        ("{{ '<' ~ items[0] }}", "&lt;a"),
    ],
)
def test_what_templates_normally_do_still_works(source, expected):
    assert render(source, items=["a", "b"]) == expected


@pytest.mark.parametrize(
    "source",
    [
        "{{ 'x' * 10**8 }}",
        "{{ [1] * 10**8 }}",
        "{{ 'x' | center(10**9) }}",
        "{{ 'x'.ljust(10**9) }}",
        "{{ 'x\t' | indent(10**6) }}",
        "{{ ('x' * 200000) | replace('x', 'x' * 200000) }}",
        "{{ ('x' * 200000).replace('x', 'x' * 2) }}",
        "{{ ('x' * 200000) | join('y' * 200000) }}",
        "{{ ('a\nb' * 50000) | wordwrap(3, wrapstring='z' * 1000) }}",
        "{{ '%999999999d' % 1 }}",
        "{{ '%*d' % (10**9, 1) }}",
        "{{ ('%999999999d'.encode()) % 1 }}",
        "{{ '%999999999d' | format(1) }}",
        "{{ '{:>999999999}'.format(1) }}",
        "{{ '{:>{}}'.format(1, 10**9) }}",
        "{{ ('{0}' * 1000).format('x' * 1000) }}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}"
        "{% endfor %}",
        "{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}"
        "{% endfor %}",
        "{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = [ns.l, ns.l] %}"
        "{% endfor %}",
        "{% set a = ['x' * 1000] * 200 %}{% set b = (a, a) %}{% set c = {'l': b, 'r': b} %}",
        "{% set ns = namespace(x=1) %}{% for i in range(40) %}"
        "{% set ns.x = namespace(v=[ns.x, ns.x]) %}{% endfor %}",
        "{{ ([[1]] * 80000) | sum(start=[]) }}",
    ],
)
def test_big_values_are_refused_before_they_are_built(source):
    with pytest.raises(LimitExceeded, match=f"^{TOO_BIG}$"):
        render(source)


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("{{ 2 ** 100000 }}", "builds a number longer than 4096 bits"),
        ("{% set n = 10 ** 300 %}{{ n * n * n * n * n }}", "builds a number longer than 4096 bits"),
        ("{{ range(10**6) }}", "asks for a range of more than 100,000 numbers"),
        (
            "{% for i in range(100000) %}{{ 'x' * 10 }}{% endfor %}",
            "produces more than 256 KB of text",
        ),
    ],
)
def test_numbers_ranges_and_output_are_bounded(source, says):
    with pytest.raises(LimitExceeded, match=f"^{says}$"):
        render(source)


def test_lipsum_is_gone():
    assert "lipsum" not in BoundedSandbox().globals


def test_the_deadline_stops_a_loop_without_calls_or_output(monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.05)
    with pytest.raises(LimitExceeded, match=r"^took longer than 0.05 s to render"):
        render("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}")


# --- statement bodies -----------------------------------------------------------------------------

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def statement_problem(source: str) -> str:
    with pytest.raises(TemplateProblem) as problem:
        render_statement(source, None, now=NOW)
    return str(problem.value)


def test_a_statement_that_would_run_for_hours_is_stopped(monkeypatch):
    monkeypatch.setattr(sandbox, "MAX_SECONDS", 0.05)
    source = (
        "Update:\n{% for a in '-' * 20000 %}{% for b in '-' * 20000 %}{% for c in '-' * 20000 %}"
        "{% endfor %}{% endfor %}{% endfor %}"
    )
    assert statement_problem(source) == (
        "Line 2: the statement took longer than 0.05 s to render, so it was stopped."
    )


def test_a_statement_cannot_make_a_huge_text():
    source = "{% for a in '-' * 20000 %}{{ '-' * 20000 }}{% endfor %}"
    assert statement_problem(source) == "Line 1: the statement produces more than 256 KB of text."
    assert render_statement("We are {{ 'very ' * 2 }}sorry.", None, now=NOW) == (
        "We are very very sorry."
    )
