from dataclasses import dataclass

from commsdesk.publishing.publication import (
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


def test_images_are_known_by_their_first_bytes():
    from commsdesk.publishing.publication import image_type

    assert image_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert image_type(b"GIF89a....") == "image/gif"
    assert image_type(b"RIFF\x00\x00\x00\x00WEBPVP8 ") == "image/webp"
    assert image_type(b"%PDF-1.7") is None
    assert image_type(b"") is None


def test_an_uploaded_image_is_uploaded_again_only_once_its_id_may_have_expired():
    from datetime import UTC, datetime, timedelta

    from commsdesk.publishing.publication import OutboxMedia

    now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
    fresh = OutboxMedia("a.png", "image/png", "alt", "123", now - timedelta(hours=22))
    stale = OutboxMedia("a.png", "image/png", "alt", "123", now - timedelta(hours=23, minutes=1))
    assert OutboxMedia("a.png", "image/png").needs_upload(now)
    assert not fresh.needs_upload(now)
    assert stale.needs_upload(now)
    assert OutboxMedia.from_json(fresh.to_json()) == fresh


def test_image_limits_per_post_are_counted_per_post():
    from commsdesk.publishing.publication import Attachment, attachment_problems

    png = b"\x89PNG\r\n\x1a\n" + b"0" * 10
    spread = [Attachment(png, part=n % 2) for n in range(8)]  # four on each of two posts
    assert attachment_problems(spread, 2) == []
    assert attachment_problems([*spread, Attachment(png, part=1)], 2) == [
        "Post 2 has 5 images; X takes up to 4 per post."
    ]
    big = Attachment(b"\x89PNG\r\n\x1a\n" + b"0" * (6 * 1024 * 1024), name="huge.png")
    assert attachment_problems([big], 1) == ["huge.png is 6.0 MB; X takes images up to 5 MB."]
