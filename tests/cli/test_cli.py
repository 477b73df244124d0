"""The command line, run as a real process the way scripts and hardware buttons run it."""

import json

from tests.support.cli import commsdesk


def test_count_json_counts_like_x():
    out = commsdesk("count", "Hi http://test.co 日本 😷", "--json")
    assert out.returncode == 0, out.stderr
    # "Hi " 3 + URL 23 + " " 1 + CJK 2×2 + " " 1 + emoji 2
    assert json.loads(out.stdout) == {"weighted_length": 34, "valid": True}


def test_count_reads_stdin_and_fails_on_too_long():
    out = commsdesk("count", "-", stdin="a" * 281 + "\n")
    assert out.returncode == 1
    assert out.stdout.strip() == "281/280 (not valid)"


def test_thread_json_splits_into_numbered_parts(tmp_path):
    text = "\n\n".join(f"Paragraph {i}: " + "word " * 40 for i in range(4))
    path = tmp_path / "statement.txt"
    path.write_text(text, encoding="utf-8")
    out = commsdesk("thread", str(path), "--json")
    assert out.returncode == 0, out.stderr
    parts = json.loads(out.stdout)
    assert len(parts) >= 2
    assert all(p.endswith(f" {i}/{len(parts)}") for i, p in enumerate(parts, start=1))


def test_thread_without_numbering_from_stdin():
    out = commsdesk("thread", "-", "--no-numbering", "--json", stdin="One. " * 100)
    parts = json.loads(out.stdout)
    assert len(parts) == 2
    assert not any("/2" in p for p in parts)


def test_help_everywhere():
    for args in (
        ["--help"],
        ["count", "--help"],
        ["thread", "--help"],
        ["timeline", "verify", "--help"],
        ["post", "--help"],
        ["incident", "start", "--help"],
        ["statement", "show", "--help"],
        ["obs", "stream", "end", "--help"],
        ["audience", "add-count", "--help"],
    ):
        out = commsdesk(*args)
        assert out.returncode == 0 and "usage: commsdesk" in out.stdout, args


def test_timeline_verify_reports_an_intact_and_an_altered_record(tmp_path):
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity

    data = tmp_path / "desk"
    desk = Desk.open(data)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    desk.create_statement("Ana", incident.id, "First word", "We are investigating.")
    desk.close()

    out = commsdesk("--data-dir", str(data), "timeline", "verify")
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("Timeline intact: 2 events")

    import sqlite3

    with sqlite3.connect(data / "commsdesk.sqlite3") as db:
        db.execute("UPDATE timeline_events SET summary = 'nothing happened' WHERE id = 1")
    out = commsdesk("--data-dir", str(data), "timeline", "verify")
    assert out.returncode == 1
    assert "event #1 (position 1" in out.stdout


def test_post_an_approved_statement_to_the_sandbox_once(tmp_path):
    from commsdesk.desk import Desk
    from commsdesk.incidents.incident import Severity

    data = tmp_path / "desk"
    desk = Desk.open(data)
    incident = desk.start_incident("Ana", "Hot wallet drained", Severity.P1)
    statement = desk.create_statement("Ana", incident.id, "Open", "Withdrawals are open.")
    desk.submit("Ana", statement.id)
    desk.approve("Sam", statement.id)
    draft = desk.create_statement("Ana", incident.id, "Draft", "Not approved.")
    desk.close()

    first = commsdesk("post", "--sandbox", "--statement", str(statement.id), data_dir=data)
    assert first.returncode == 0, first.stderr
    post_id, url = first.stdout.split()
    assert url == f"sandbox://sandbox/{post_id}"
    again = commsdesk("post", "--sandbox", "--statement", str(statement.id), data_dir=data)
    assert again.stdout == first.stdout  # exactly once: the same post, not a new one

    refused = commsdesk("post", "--sandbox", "--statement", str(draft.id), data_dir=data)
    assert refused.returncode == 1
    assert "Only an approved statement can be posted" in refused.stderr


def test_post_a_file_needs_yes_and_splits_like_the_desk(tmp_path):
    path = tmp_path / "update.txt"
    path.write_text("\n\n".join(["Withdrawals stay paused while we verify. " * 5] * 2))
    data = str(tmp_path / "desk")
    refused = commsdesk("--data-dir", data, "post", str(path))
    assert refused.returncode != 0 and "--yes" in refused.stderr
    out = commsdesk("--data-dir", data, "post", str(path), "--yes")
    assert out.returncode == 0, out.stderr
    assert "no X account is set up; posting to the SANDBOX" in out.stderr
    assert len(out.stdout.splitlines()) == 2


def test_post_with_images_sends_them_with_their_descriptions(tmp_path, x_api):
    from tests.publishing.test_publisher_images import png
    from tests.support.x_api_standin import x_env

    slide, chart = tmp_path / "slide.png", tmp_path / "chart.png"
    slide.write_bytes(png(1))
    chart.write_bytes(png(2))
    text = tmp_path / "update.txt"
    text.write_text("Withdrawals are open again. Here is the slide we are showing on air.")
    out = commsdesk("post", str(text), "--yes", "--image", str(slide), "--alt",
                    "Back at 18:30 UTC", "--image", str(chart),
                    data_dir=tmp_path / "desk", env=x_env(x_api.url))
    assert out.returncode == 0, out.stderr
    [post] = x_api.live_posts
    assert [x_api.media[m].data for m in post.media_ids] == [slide.read_bytes(), chart.read_bytes()]
    assert [x_api.media[m].alt_text for m in post.media_ids] == ["Back at 18:30 UTC", None]

    missing = commsdesk("post", str(text), "--yes", "--sandbox", "--image",
                        str(tmp_path / "nope.png"), data_dir=tmp_path / "desk")
    assert missing.returncode != 0
    assert "cannot read the image" in missing.stderr and "nope.png" in missing.stderr


def test_an_argument_that_is_not_utf8_is_one_line_and_exit_2(tmp_path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable.encode(), b"-m", b"commsdesk", b"--data-dir", str(tmp_path).encode(),
         b"count", b"caf\xe9"],
        capture_output=True,
    )
    assert done.returncode == 2
    err = done.stderr.decode()
    assert err.count("\n") == 1 and "is not UTF-8 text" in err and "Traceback" not in err
