"""`commsdesk ...` / `python -m commsdesk ...`: the desk's capabilities for scripts and buttons.

The same domain and store code as the window; no Qt unless the window is asked for. With no
command, the window opens.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from commsdesk import __version__


def _read_text(value: str | None, *, what: str) -> str:
    """TEXT given inline, or '-' / nothing for standard input, or a file path for FILE."""
    if value is None or value == "-":
        if sys.stdin is None or sys.stdin.isatty():
            raise SystemExit(f"commsdesk: give the {what} as an argument or on standard input")
        return sys.stdin.read()
    return value


def cmd_count(args: argparse.Namespace) -> int:
    from commsdesk.publishing.text_count import MAX_WEIGHTED_LENGTH, count

    text = _read_text(args.text, what="text")
    if args.text in (None, "-") and text.endswith("\n"):
        text = text[:-1]  # the newline that ends a piped line is not part of the post
    result = count(text)
    if args.json:
        print(json.dumps({"weighted_length": result.weighted_length, "valid": result.valid}))
    else:
        verdict = "valid" if result.valid else "not valid"
        print(f"{result.weighted_length}/{MAX_WEIGHTED_LENGTH} ({verdict})")
    return 0 if result.valid else 1


def cmd_thread(args: argparse.Namespace) -> int:
    from commsdesk.publishing.thread_splitter import split_thread

    if args.file in (None, "-"):
        text = _read_text(None, what="statement")
    else:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except OSError as exc:
            raise SystemExit(f"commsdesk: cannot read {args.file}: {exc.strerror}") from None
    thread = split_thread(text, numbering=not args.no_numbering)
    if args.json:
        print(json.dumps([p.text for p in thread.parts], ensure_ascii=False))
    else:
        total = len(thread.parts)
        for i, part in enumerate(thread.parts, start=1):
            print(f"--- post {i}/{total} · {part.weighted_length}/280")
            print(part.text)
    for problem in thread.problems:
        print(f"commsdesk: {problem}", file=sys.stderr)
    return 1 if thread.problems else 0


def cmd_timeline_verify(args: argparse.Namespace) -> int:
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.desk import Desk
    from commsdesk.store.database import DatabaseProblem

    try:
        desk = Desk.open(resolve_data_dir(args.data_dir))
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2
    try:
        report = desk.verify_timeline()
    finally:
        desk.close()
    if report.intact:
        print(f"Timeline intact: {report.checked:,} events, every hash matches.")
        return 0
    brk = report.first_break
    print(
        f"Timeline altered at event #{brk.event_id} (position {brk.position:,} of the chain): "
        f"{brk.reason}."
    )
    return 1


def _operator(data_dir: Path) -> str:
    """Who acts from the command line: COMMSDESK_OPERATOR, else the desk's own operator."""
    import os

    from commsdesk.settings import Settings

    return (
        os.environ.get("COMMSDESK_OPERATOR", "").strip()
        or Settings.load(data_dir).get("operator_name")
        or "command line"
    )


def cmd_post(args: argparse.Namespace) -> int:
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.desk import Desk, DeskError
    from commsdesk.publishing.publication import PublicationState
    from commsdesk.publishing.publisher import Publisher
    from commsdesk.keyring_secrets import ENV_ACCOUNT, load_x_credentials
    from commsdesk.store.database import DatabaseProblem

    if args.statement is None and args.source is None:
        raise SystemExit("commsdesk: give --statement ID, a FILE, or - for standard input")
    if args.statement is None and not args.yes:
        raise SystemExit(
            "commsdesk: posting a file skips review and approval; add --yes to post it"
        )
    text = None
    if args.statement is None:
        text = _read_source(args.source)
    attachments = _attachments(args.image, args.alt)

    account, sandbox = args.account, args.sandbox
    credentials = None
    if not sandbox:
        account = account or (ENV_ACCOUNT if load_x_credentials(ENV_ACCOUNT) else None)
        if account is None:
            sandbox = True
            print("commsdesk: no X account is set up; posting to the SANDBOX", file=sys.stderr)
        else:
            credentials = load_x_credentials(account)
            if credentials is None:
                print(f"commsdesk: no credentials for the X account {account!r}", file=sys.stderr)
                return 2
    account = account or "sandbox"

    data_dir = resolve_data_dir(args.data_dir)
    try:
        desk = Desk.open(data_dir)
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2

    def client_for(name: str, in_sandbox: bool):
        if in_sandbox:
            from commsdesk.publishing.x.sandbox_client import SandboxXClient

            return SandboxXClient(desk, name)
        from commsdesk.publishing.x.tweepy_client import TweepyXClient

        return TweepyXClient(credentials)

    actor = _operator(data_dir)
    publisher = Publisher(desk, client_for)
    try:
        if text is None:
            publication = publisher.prepare_statement(
                actor, args.statement, account, sandbox=sandbox, attachments=attachments
            )
        else:
            publication = publisher.prepare_text(
                actor, text, account, sandbox=sandbox, attachments=attachments
            )
        publication = publisher.run(actor, publication.id)
        if publication.state is not PublicationState.POSTED:
            print(f"commsdesk: {publication.error}", file=sys.stderr)
            return 1
        handle = client_for(account, sandbox).me().username if not sandbox else account
    except DeskError as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 1
    finally:
        desk.close()
    for post_id in publication.post_ids:
        where = f"sandbox://{account}" if sandbox else f"https://x.com/{handle}/status"
        print(f"{post_id} {where}/{post_id}")
    return 0


def _attachments(images: list[str], alts: list[str]) -> list:
    from commsdesk.publishing.publication import Attachment

    if len(alts) > len(images):
        raise SystemExit("commsdesk: more --alt descriptions than --image files")
    attachments = []
    for index, name in enumerate(images):
        try:
            data = Path(name).read_bytes()
        except OSError as exc:
            raise SystemExit(f"commsdesk: cannot read the image {name}: {exc.strerror}") from exc
        alt = alts[index] if index < len(alts) else ""
        attachments.append(Attachment(data, alt, part=0, name=Path(name).name))
    return attachments


def _open_desk(args: argparse.Namespace):
    """The desk of --data-dir (or the default one) and who acts; exits 2 when it cannot open."""
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.desk import Desk
    from commsdesk.store.database import DatabaseProblem

    data_dir = resolve_data_dir(args.data_dir)
    try:
        return Desk.open(data_dir), _operator(data_dir)
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def _schedule_line(post) -> str:
    local = post.local_due
    account = f"{post.account} (SANDBOX)" if post.sandbox else post.account
    return (
        f"{post.due_at:%Y-%m-%d %H:%M} UTC  {local:%Y-%m-%d %H:%M %Z} {post.zone}  "
        f"{post.state}  {account}  #{post.statement_id} {post.title}"
    )


def cmd_schedule(args: argparse.Namespace) -> int:
    """List, pause or resume scheduled posts in the database itself: no running desk needed.
    A running desk follows a pause or resume at its next check (within 30 s); before posting,
    its jobs read the pause from the database, so nothing goes out once this has paused."""
    from commsdesk.desk import DeskError
    from commsdesk.scheduling.scheduler import CHECK_EVERY, PostScheduler

    desk, actor = _open_desk(args)
    try:
        scheduler = PostScheduler(desk, None)
        if args.schedule_command == "pause":
            held = scheduler.pause(actor, args.reason)
            print(
                f"Scheduled posting paused by {held.by}: {held.reason}\n"
                f"A running desk holds its posts from its next check (within {CHECK_EVERY:.0f} s)."
            )
            return 0
        if args.schedule_command == "resume":
            missed = scheduler.resume(actor)
            print("Scheduled posting resumed.")
            if missed:
                print(
                    f"{len(missed)} post(s) fell due while paused and were NOT posted; review "
                    "each in the desk (post now, reschedule or cancel):"
                )
                for post in missed:
                    print("  " + _schedule_line(post))
            return 0
        posts, held = scheduler.upcoming(), scheduler.paused()
    except DeskError as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 1
    finally:
        desk.close()
    if args.json:
        listing = [
            {
                "statement_id": post.statement_id,
                "title": post.title,
                "due_at": post.due_at.isoformat(),
                "zone": post.zone,
                "state": str(post.state),
                "account": post.account,
                "sandbox": post.sandbox,
            }
            for post in posts
        ]
        print(json.dumps(listing, ensure_ascii=False))
        return 0
    if held is not None:
        print(
            f"Scheduled posting is PAUSED (by {held.by} since {held.since:%Y-%m-%d %H:%M} UTC: "
            f"{held.reason})"
        )
    if not posts:
        print("No scheduled posts.")
    for post in posts:
        print(_schedule_line(post))
    return 0


def _read_source(source: str) -> str:
    if source == "-":
        return _read_text(None, what="statement")
    try:
        return Path(source).read_text(encoding="utf-8")
    except OSError as exc:
        raise SystemExit(f"commsdesk: cannot read {source}: {exc.strerror}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commsdesk",
        description="CommsDesk: crisis communications desk. With no command, opens the window.",
    )
    parser.add_argument("--version", action="version", version=f"CommsDesk {__version__}")
    parser.add_argument(
        "--data-dir",
        help="folder of the desk's database (default: COMMSDESK_DATA_DIR, "
        "else the user data folder)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    count = commands.add_parser(
        "count",
        help="weighted length of a post, exactly as X counts it",
        description="Print the weighted length of TEXT as X counts it (URLs 23, CJK 2, emoji 2) "
        "and whether it is a valid post. Exit status 1 when it is not.",
    )
    count.add_argument("text", nargs="?", metavar="TEXT", help="the text, or - for standard input")
    count.add_argument(
        "--json", action="store_true", help='print {"weighted_length": int, "valid": bool}'
    )
    count.set_defaults(run=cmd_count)

    thread = commands.add_parser(
        "thread",
        help="split a statement into posts as the desk would",
        description="Split FILE (or standard input) into a thread of posts within 280 each: at "
        "paragraphs, then sentences, then words; never inside a link, @mention, #hashtag or "
        "$cashtag. A line with only --- forces a split.",
    )
    thread.add_argument("file", nargs="?", metavar="FILE", help="the statement, or - for stdin")
    thread.add_argument("--no-numbering", action="store_true", help="leave out the 1/n numbers")
    thread.add_argument("--json", action="store_true", help="print the parts as a JSON list")
    thread.set_defaults(run=cmd_thread)

    post = commands.add_parser(
        "post",
        help="post an approved statement (or a file) to X, exactly once",
        description="Post an approved statement, or a file's text split into a thread as the desk "
        "would split it, through the desk's outbox: asked twice, it posts once; interrupted, it "
        "resumes where it stopped. Prints each post's id and URL, one per line. With no X "
        "account set up (keyring, or the COMMSDESK_X_* variables), posts go to the SANDBOX.",
    )
    post.add_argument("source", nargs="?", metavar="FILE", help="a text file, or - for stdin")
    post.add_argument("--statement", type=int, metavar="ID", help="an approved statement's id")
    post.add_argument("--account", metavar="NAME", help="the X account to post as")
    post.add_argument("--sandbox", action="store_true", help="post to the local SANDBOX feed")
    post.add_argument(
        "--yes", action="store_true",
        help="confirm posting a file, which has had no review or approval",
    )
    post.add_argument(
        "--image", action="append", default=[], metavar="FILE",
        help="an image (PNG, JPEG, GIF, WebP) for the first post; up to 4",
    )
    post.add_argument(
        "--alt", action="append", default=[], metavar="TEXT",
        help="the description of the image given at the same place (first --alt, first --image)",
    )
    post.set_defaults(run=cmd_post)

    schedule = commands.add_parser(
        "schedule",
        help="scheduled posts: list, pause, resume",
        description="Scheduled posts, read and changed in the desk's database directly; no "
        "running desk is needed. A running desk follows a pause or resume at its next check "
        "(within 30 s), and reads the pause before posting anything.",
    )
    schedule_commands = schedule.add_subparsers(
        dest="schedule_command", metavar="COMMAND", required=True
    )
    schedule_list = schedule_commands.add_parser(
        "list",
        help="posts waiting, missed or failed, by due time",
        description="One line per post: due time in UTC, in the zone it was scheduled in, "
        "state, account, statement id and title.",
    )
    schedule_list.add_argument(
        "--json",
        action="store_true",
        help="print a list of objects: statement_id, title, due_at (ISO, UTC), zone, state, "
        "account, sandbox",
    )
    schedule_list.set_defaults(run=cmd_schedule)
    pause = schedule_commands.add_parser(
        "pause",
        help="hold every scheduled post until resumed",
        description="Hold every scheduled post, for everyone using this database, until "
        "resumed. The reason goes on the timeline.",
    )
    pause.add_argument("--reason", required=True, metavar="TEXT", help="why posting is paused")
    pause.set_defaults(run=cmd_schedule)
    resume = schedule_commands.add_parser(
        "resume",
        help="resume, listing what fell due meanwhile",
        description="Resume scheduled posting. Posts that fell due while paused are not posted: "
        "they are marked missed and listed for review. Exit status 1 when not paused.",
    )
    resume.set_defaults(run=cmd_schedule)

    timeline = commands.add_parser(
        "timeline",
        help="the incident timeline",
        description="Work with the desk's append-only timeline.",
    )
    timeline_commands = timeline.add_subparsers(
        dest="timeline_command", metavar="COMMAND", required=True
    )
    verify = timeline_commands.add_parser(
        "verify",
        help="check the hash chain and report the first break",
        description="Walk every event and check its hash and its link to the one before. "
        "Exit status 0 when intact, 1 at the first altered event, 2 when the database "
        "cannot be opened.",
    )
    verify.set_defaults(run=cmd_timeline_verify)
    from commsdesk.cli.audience import add_audience_commands

    add_audience_commands(commands)
    from commsdesk.cli.slides import add_slide_commands

    add_slide_commands(commands)
    from commsdesk.cli.obs import add_obs_commands

    add_obs_commands(commands)
    return parser


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        from commsdesk.app import main as open_window

        window_args = ["--data-dir", args.data_dir] if args.data_dir else []
        sys.exit(open_window(window_args))
    sys.exit(args.run(args))
