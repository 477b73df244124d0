"""The table models keep Qt's model contract, and filter and sort as a person expects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from PySide6.QtCore import Qt

from commsdesk.statements.statement import Statement, StatementState
from commsdesk.statements.ui.list_model import StatementListModel
from commsdesk.timeline.chain import TimelineEvent
from commsdesk.timeline.ui.timeline_panel import TimelineModel

T0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def statement(n: int, state: StatementState, title: str, body: str = "") -> Statement:
    at = T0 + timedelta(minutes=n)
    return Statement(
        id=n,
        incident_id=1,
        title=title,
        state=state,
        created_by="Ana",
        created_at=at,
        updated_at=at,
        body=body,
        version_number=1,
        version_id=n,
        version_author="Ana",
    )


ROWS = [
    statement(1, StatementState.POSTED, "Holding statement", "We are investigating."),
    statement(2, StatementState.DRAFT, "Press Q&A", "Q: Was this an inside job?"),
    statement(3, StatementState.IN_REVIEW, "Withdrawals update", "Withdrawals reopen at 18:30."),
]


def test_statement_model_contract(qtmodeltester):
    model = StatementListModel()
    model.set_statements(ROWS)
    qtmodeltester.check(model)


def test_newest_first_then_filters_by_text_and_state():
    model = StatementListModel()
    model.set_statements(ROWS)
    titles = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert titles == ["Withdrawals update", "Press Q&A", "Holding statement"]
    model.set_filter(text="INSIDE job")  # the body matches, case does not matter
    assert [model.statement_at(r).id for r in range(model.rowCount())] == [2]
    model.set_filter(state="posted")
    assert [model.statement_at(r).id for r in range(model.rowCount())] == [1]
    assert model.total() == 3 and model.state_counts() == {"posted": 1, "draft": 1, "in_review": 1}
    model.set_filter()
    model.sort(1, Qt.SortOrder.AscendingOrder)
    assert [model.index(r, 1).data() for r in range(3)] == [
        "Holding statement",
        "Press Q&A",
        "Withdrawals update",
    ]


def test_an_updated_statement_that_no_longer_matches_leaves_the_filtered_list():
    model = StatementListModel()
    model.set_statements(ROWS)
    model.set_filter(state="draft")
    assert model.rowCount() == 1
    submitted = statement(2, StatementState.IN_REVIEW, "Press Q&A")
    model.update_statement(submitted)
    assert model.rowCount() == 0
    model.set_filter()
    assert model.index(model.row_of(2), 0).data() == "In review"


def test_timeline_model_contract_and_paging(qtmodeltester):
    def event(n):
        return TimelineEvent(
            id=n,
            at=(T0 + timedelta(seconds=n)).replace(tzinfo=None),
            actor="Ana",
            kind="statement.approved",
            summary=f"event {n}",
        )

    model = TimelineModel()
    model.reset([event(n) for n in (5, 4, 3)], exhausted=False)
    model.prepend([event(6)])
    model.append([event(2), event(1)], exhausted=True)
    qtmodeltester.check(model)
    assert [model.index(r, 4).data() for r in range(model.rowCount())] == [
        f"event {n}" for n in (6, 5, 4, 3, 2, 1)
    ]
    assert model.index(0, 3).data() == "Approved" and model.exhausted
    model.set_starred({4})
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == [
        "", "", "★", "", "", ""
    ]
