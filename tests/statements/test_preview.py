from datetime import UTC, datetime

from commsdesk.incidents.incident import Incident, Severity
from commsdesk.publishing.text_count import count
from commsdesk.statements.preview import preview_statement

INCIDENT = Incident(
    id=1,
    title="Hot wallet drained",
    severity=Severity.P1,
    started_at=datetime(2026, 11, 24, 13, 0, tzinfo=UTC),
    facts={"asset": "ETH"},
)


def test_renders_then_counts_the_rendered_text():
    preview = preview_statement(
        "We lost {{ incident.asset }}. https://status.example.com", INCIDENT
    )
    assert preview.rendered == "We lost ETH. https://status.example.com"
    assert preview.count == count(preview.rendered)
    assert preview.count.weighted_length == 13 + 23
    assert [p.text for p in preview.thread.parts] == [preview.rendered]


def test_a_template_problem_gives_no_count_and_names_the_line():
    preview = preview_statement("Fine.\n{{ incident.amount }}", INCIDENT)
    assert preview.rendered is None and preview.count is None and preview.thread is None
    assert preview.problem_line == 2 and "amount" in preview.problem


def test_a_long_statement_becomes_a_numbered_thread():
    body = "\n\n".join(["Withdrawals stay paused while we verify every wallet. " * 4] * 3)
    preview = preview_statement(body, INCIDENT)
    parts = preview.thread.parts
    assert len(parts) == 3
    assert all(p.weighted_length <= preview.limit for p in parts)
    assert parts[-1].text.endswith(" 3/3")
    assert preview_statement(body, INCIDENT, numbering=False).thread.parts[0].text.endswith(".")
