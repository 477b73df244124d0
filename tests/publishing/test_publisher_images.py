"""Images on posts: stored with the outbox part, uploaded through X's v2 media upload with their
descriptions, attached to the right post, and never uploaded or posted twice."""

from __future__ import annotations

import pytest

from commsdesk.desk import DeskError
from commsdesk.publishing.publication import Attachment, PublicationState
from commsdesk.publishing.x.sandbox_client import SandboxXClient
from tests.publishing.test_publisher_x import Sleeps, posts_sent, publisher
from tests.support.desks import ANA, THREAD, approved


def png(seed: int = 0, size: int = 64) -> bytes:
    """A real PNG, different for each seed."""
    from PySide6.QtCore import QBuffer, QIODevice
    from PySide6.QtGui import QColor, QImage

    image = QImage(size, size, QImage.Format.Format_RGB32)
    image.fill(QColor.fromHsv((seed * 47) % 360, 200, 200))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data())


SLIDE = Attachment(png(1), "Slide: We'll be back at 18:30 UTC", part=0, name="the slide on air")


def uploads(x_api) -> int:
    return sum(
        1 for r in x_api.requests if (r.method, r.path) == ("POST", "/2/media/upload/initialize")
    )


def test_an_image_goes_with_its_post_with_its_description(desk, x_api):
    sid = approved(desk)
    pub = publisher(desk, x_api, Sleeps())
    chart = Attachment(png(2), "Withdrawals processed per hour", part=1, name="chart.png")
    publication = pub.prepare_statement(
        ANA, sid, "founder", sandbox=False, attachments=[SLIDE, chart]
    )
    done = pub.run(ANA, publication.id)

    assert done.state is PublicationState.POSTED
    posts = x_api.live_posts
    assert len(posts) == len(done.parts) > 2
    first, second = (x_api.media[m] for m in posts[0].media_ids + posts[1].media_ids)
    assert (first.data, first.alt_text, first.finalized) == (SLIDE.data, SLIDE.alt, True)
    assert (second.data, second.alt_text) == (chart.data, chart.alt)
    assert all(not p.media_ids for p in posts[2:])
    # The outbox remembers what X called each image.
    assert done.parts[0].media[0].media_id == posts[0].media_ids[0]
    assert any(e.summary.endswith("with 2 images") for e in desk.timeline(limit=50))


def test_four_images_fit_on_a_post_and_a_fifth_is_refused_before_anything_is_sent(desk, x_api):
    sid = approved(desk, "Wallet status, in pictures.")
    pub = publisher(desk, x_api, Sleeps())
    four = [Attachment(png(n), f"Wallet {n}", name=f"wallet{n}.png") for n in range(4)]
    with pytest.raises(DeskError, match="Post 1 has 5 images; X takes up to 4"):
        pub.prepare_statement(
            ANA, sid, "founder", sandbox=False,
            attachments=[*four, Attachment(png(9), "one too many")],
        )
    assert x_api.requests == []

    done = pub.run(ANA, pub.prepare_statement(ANA, sid, "founder", sandbox=False,
                                              attachments=four))
    assert done.state is PublicationState.POSTED
    assert len(x_api.live_posts[0].media_ids) == 4
    assert [x_api.media[m].alt_text for m in x_api.live_posts[0].media_ids] == [
        "Wallet 0", "Wallet 1", "Wallet 2", "Wallet 3"
    ]


@pytest.mark.parametrize(
    ("attachment", "message"),
    [
        (Attachment(b"%PDF-1.7 not an image", name="report.pdf"), "report.pdf is not a PNG"),
        (Attachment(png(3), "x" * 1001, name="slide"), "1001 characters; X takes up to 1000"),
        (Attachment(png(3), part=7, name="slide"), "slide is for post 8, but the thread has"),
    ],
)
def test_images_x_would_refuse_are_refused_with_the_reason(desk, x_api, attachment, message):
    sid = approved(desk)
    pub = publisher(desk, x_api, Sleeps())
    with pytest.raises(DeskError, match=message):
        pub.prepare_statement(ANA, sid, "founder", sandbox=False, attachments=[attachment])
    assert x_api.requests == []


def test_a_retry_after_a_failure_posts_once_and_reuses_the_uploaded_image(desk, x_api):
    sid = approved(desk)
    pub = publisher(desk, x_api, Sleeps())
    publication = pub.prepare_statement(ANA, sid, "founder", sandbox=False, attachments=[SLIDE])
    x_api.fail_next(503, times=5, on="POST /2/tweets")  # every try of the first post
    failed = pub.run(ANA, publication.id)
    assert failed.state is PublicationState.FAILED
    assert x_api.live_posts == [] and uploads(x_api) == 1

    done = pub.run(ANA, publication.id)
    assert done.state is PublicationState.POSTED
    assert uploads(x_api) == 1  # the image X already holds is not sent again
    assert len(x_api.live_posts) == len(done.parts)
    assert x_api.media[x_api.live_posts[0].media_ids[0]].data == SLIDE.data


def test_a_refused_upload_stops_before_the_post(desk, x_api):
    sid = approved(desk)
    pub = publisher(desk, x_api, Sleeps())
    publication = pub.prepare_statement(ANA, sid, "founder", sandbox=False, attachments=[SLIDE])
    x_api.fail_next(401, on="POST /2/media")
    done = pub.run(ANA, publication.id)
    assert done.state is PublicationState.FAILED
    assert done.credentials_refused
    assert posts_sent(x_api) == 0


def test_a_rate_limited_upload_waits_then_uploads_once(desk, x_api):
    from datetime import UTC, datetime, timedelta

    sid = approved(desk, "One post with the slide.")
    sleeps = Sleeps()
    pub = publisher(desk, x_api, sleeps)
    publication = pub.prepare_statement(ANA, sid, "founder", sandbox=False, attachments=[SLIDE])
    x_api.rate_limit_next(datetime.now(UTC) + timedelta(seconds=30), on="POST /2/media")
    done = pub.run(ANA, publication.id)
    assert done.state is PublicationState.POSTED
    assert sleeps and 20 <= sleeps[0] <= 31
    assert [len(p.media_ids) for p in x_api.live_posts] == [1]


def test_images_in_the_sandbox_stay_on_the_desk_with_their_description(desk):
    sid = approved(desk, "Drill: the slide we would post.")

    def client_for(account, sandbox):
        return SandboxXClient(desk, account)

    from commsdesk.publishing.publisher import Publisher

    pub = Publisher(desk, client_for)
    done = pub.run(ANA, pub.prepare_statement(ANA, sid, "sandbox", sandbox=True,
                                              attachments=[SLIDE]))
    assert done.state is PublicationState.POSTED
    [post] = SandboxXClient(desk, "sandbox").recent_posts("0")
    [image] = post.media
    assert image.alt == SLIDE.alt
    assert (desk.path.parent / "media" / image.file).read_bytes() == SLIDE.data


def test_the_same_text_with_other_images_is_another_publication(desk, x_api):
    pub = publisher(desk, x_api, Sleeps())
    plain = pub.prepare_text(ANA, THREAD, "founder", sandbox=False)
    with_slide = pub.prepare_text(ANA, THREAD, "founder", sandbox=False, attachments=[SLIDE])
    again = pub.prepare_text(ANA, THREAD, "founder", sandbox=False, attachments=[SLIDE])
    assert plain.id != with_slide.id == again.id
