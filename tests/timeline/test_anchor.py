"""The anchor on its own: the head line, the file of two slots, and what a missing end is called."""

from __future__ import annotations

import stat
from datetime import datetime

import pytest

from commsdesk.timeline.anchor import (
    SLOT,
    AnchorFile,
    HeadUnreadable,
    StoredEnd,
    TimelineHead,
    anchor_beside,
    anchor_for_url,
    end_problem,
    parse_head,
)

H1, H2, H3 = "1" * 64, "2" * 64, "3" * 64


def test_head_line_reads_back_and_a_bare_hash_is_a_head():
    head = TimelineHead(H1, 812, 812, datetime(2026, 11, 24, 14, 0, 5))
    line = head.line()
    assert line == (
        f"CommsDesk timeline head: event #812, 812 events, 2026-11-24T14:00:05Z, sha256 {H1}"
    )
    assert parse_head(line) == TimelineHead(H1, 812, 812)
    assert parse_head(f"  {H1.upper()}\n") == TimelineHead(H1)
    assert parse_head(TimelineHead(H1, 1, 1).line()) == TimelineHead(H1, 1, 1)


@pytest.mark.parametrize("text", ["", "812", "abc" * 30, f"{H1} {H2}"])
def test_text_without_exactly_one_hash_is_refused(text):
    with pytest.raises(HeadUnreadable):
        parse_head(text)


def test_file_names(tmp_path):
    assert anchor_beside(tmp_path / "commsdesk.sqlite3") == tmp_path / "timeline.head"
    assert anchor_beside(tmp_path / "team.db") == tmp_path / "team.timeline.head"
    first = anchor_for_url(tmp_path, "postgresql://desk:***@db/one")
    assert first.parent == tmp_path and first.suffix == ".head"
    assert first != anchor_for_url(tmp_path, "postgresql://desk:***@db/two")


def test_file_is_private_keeps_the_newest_head_and_never_goes_back(tmp_path):
    anchor = AnchorFile(tmp_path / "timeline.head")
    assert anchor.read() is None
    anchor.advance(TimelineHead(H1, 10, 10))
    assert stat.S_IMODE(anchor.path.stat().st_mode) == 0o600
    anchor.advance(TimelineHead(H2, 12, 12))
    assert anchor.read() == TimelineHead(H2, 12, 12)
    anchor.advance(TimelineHead(H1, 11, 11))  # an older head, e.g. from a slower writer
    assert anchor.read() == TimelineHead(H2, 12, 12)
    anchor.advance(TimelineHead(H3, 13, 13))
    assert anchor.read() == TimelineHead(H3, 13, 13)
    assert anchor.path.stat().st_size == 2 * SLOT
    assert AnchorFile(anchor.path).read() == TimelineHead(H3, 13, 13)  # another desk's view


def test_a_torn_write_leaves_the_previous_head(tmp_path):
    anchor = AnchorFile(tmp_path / "timeline.head")
    anchor.advance(TimelineHead(H1, 10, 10))
    anchor.advance(TimelineHead(H2, 11, 11))  # into the other slot
    data = bytearray(anchor.path.read_bytes())
    newest = 0 if b"#11" in data[:SLOT] else SLOT
    data[newest + 40 : newest + 60] = b"\x00" * 20  # a write cut short in the newest slot
    anchor.path.write_bytes(bytes(data))
    assert anchor.read() == TimelineHead(H1, 10, 10)

    anchor.path.write_bytes(b"\x00" * 2 * SLOT)
    with pytest.raises(HeadUnreadable, match="does not hold a whole timeline head"):
        anchor.read()
    assert anchor.seen() is None  # an append anchors afresh rather than stop recording


def test_an_edited_slot_does_not_pass_its_check(tmp_path):
    anchor = AnchorFile(tmp_path / "timeline.head")
    anchor.advance(TimelineHead(H1, 10, 10))
    anchor.path.write_bytes(anchor.path.read_bytes().replace(b"#10, 10", b"#90, 90"))
    with pytest.raises(HeadUnreadable):
        anchor.read()


SEEN = TimelineHead(H1, 812, 812)


def end(last_id: int | None, at_head: str | None, upto: int) -> StoredEnd:
    last = TimelineHead(H3, last_id, upto) if last_id is not None else None
    return StoredEnd(last, at_head, upto)


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (end(812, H1, 812), None),
        (end(900, H1, 812), None),  # more events since: fine
        (
            end(809, None, 809),
            "Timeline cut: the newest 3 events are gone: the desk last saw event #812 "
            "(hash 1111111111111111…), the database ends at #809.",
        ),
        (
            end(811, None, 811),
            "Timeline cut: the newest event is gone: the desk last saw event #812 "
            "(hash 1111111111111111…), the database ends at #811.",
        ),
        (
            end(None, None, 0),
            "Timeline cut: all 812 events are gone: the desk last saw event #812 "
            "(hash 1111111111111111…), the database holds none.",
        ),
        (
            end(815, None, 809),
            "Timeline cut: 3 events up to #812 are gone: the desk last saw event #812 "
            "(hash 1111111111111111…), which the database no longer holds (it ends at #815).",
        ),
        (
            end(812, H2, 812),
            "Timeline rewritten: the desk last saw event #812 (hash 1111111111111111…), but "
            "the database holds event #812 with hash 2222222222222222…: the events up to it "
            "were changed and their hashes recomputed.",
        ),
        (
            end(812, H1, 811),
            "Timeline cut: 1 event before #812 is gone: the desk last saw event #812 "
            "(hash 1111111111111111…), after 812 events; the database holds 811 up to it.",
        ),
    ],
)
def test_end_problems_say_what_is_missing(stored, message):
    assert end_problem(SEEN, stored, "the desk last saw") == message
