from dataclasses import dataclass

from commsdesk.domain.publication import (
    RETRY_DELAYS,
    find_posted,
    match_key,
    retry_delay,
    with_number,
)


@dataclass
class Post:
    id: str
    text: str


def test_links_and_spacing_do_not_stop_a_match():
    mine = "Withdrawals reopen at 18:30 UTC:  https://status.example.com/incident/42 1/3"
    as_stored = "Withdrawals reopen at 18:30 UTC: https://t.co/AbCdEf123 1/3"
    assert match_key(mine) == match_key(as_stored)
    assert match_key("Funds are safe.") != match_key("Funds are safe!")


def test_find_posted_returns_the_oldest_match_and_none_otherwise():
    posts = [Post("1800000000000000003", "Other"), Post("1800000000000000002", "Same 2/3"),
             Post("1800000000000000001", "Same 2/3")]
    assert find_posted("Same 2/3", posts).id == "1800000000000000001"
    assert find_posted("Same 3/3", posts) is None


def test_backoff_is_bounded_and_grows():
    delays = [retry_delay(n) for n in range(1, len(RETRY_DELAYS) + 2)]
    assert delays[:-1] == sorted(delays[:-1]) and delays[-1] is None
    assert retry_delay(0) is None


def test_a_standalone_part_keeps_its_number_once():
    assert with_number("Part two.", 1, 3) == "Part two. 2/3"
    assert with_number("Part two. 2/3", 1, 3) == "Part two. 2/3"
