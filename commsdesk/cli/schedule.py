"""`commsdesk schedule`: scheduled posts listed, paused and resumed in the database itself."""

from __future__ import annotations

import argparse
import json
import sys

from commsdesk.cli.common import open_desk


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

    desk, actor = open_desk(args)
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


def add_schedule_commands(commands: argparse._SubParsersAction) -> None:
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
