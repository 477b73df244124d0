"""`commsdesk schedule`: approved statements scheduled, and scheduled posts listed, paused and
resumed, in the database itself; a running desk posts them."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime


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
    from commsdesk.cli.common import open_services
    from commsdesk.desk import DeskError
    from commsdesk.scheduling.scheduler import CHECK_EVERY

    services, actor = open_services(args)
    desk = services.desk
    try:
        scheduler = services.scheduler(posting=False)
        if args.schedule_command == "pause":
            held = scheduler.pause(actor, args.reason)
            print(
                f"All posting paused by {held.by}: {held.reason}\n"
                f"A running desk holds its posts from its next check (within {CHECK_EVERY:.0f} s)."
            )
            return 0
        if args.schedule_command == "resume":
            _resume(services.scheduler(), actor)
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
            f"All posting is PAUSED (by {held.by} since {held.since:%Y-%m-%d %H:%M} UTC: "
            f"{held.reason})"
        )
    if not posts:
        print("No scheduled posts.")
    for post in posts:
        print(_schedule_line(post))
    return 0


def _resume(scheduler, actor: str) -> None:
    """Resume with the desk's publisher: threads the pause stopped mid-way continue here, from
    the part where they stopped, as `commsdesk post` would post them."""
    continued: list[str] = []
    resumed = scheduler.resume(
        actor, on_continued=lambda thread, line: continued.append(f"  {thread.describe()}: {line}")
    )
    print("Scheduled posting resumed.")
    if continued:
        print(f"{len(continued)} thread(s) the pause stopped mid-way continued from there:")
        print("\n".join(continued))
    if resumed:
        print(
            f"{len(resumed)} post(s) fell due while paused and were NOT posted; review "
            "each in the desk (post now, reschedule or cancel):"
        )
        for post in resumed:
            print("  " + _schedule_line(post))


def _local_time(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f'give the day and time as "2026-12-06 18:30", not {value!r}'
        ) from None


def _destination(args: argparse.Namespace) -> tuple[str, bool]:
    """(account, sandbox): --account or --sandbox, else where the window posts (the SANDBOX in
    drill mode or with no X account set up)."""
    if args.sandbox:
        return "sandbox", True
    if args.account:
        return args.account, False
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.settings import Settings

    settings = Settings.load(resolve_data_dir(args.data_dir))
    account = settings.get("x_account")
    if settings.get("drill_mode") or not account:
        return "sandbox", True
    return account, False


def cmd_schedule_at(args: argparse.Namespace) -> int:
    """Schedule through the scheduling policy, as the window's dialog does: a time the clocks
    skip is refused, one they show twice needs --fold."""
    from commsdesk.cli.common import open_services
    from commsdesk.scheduling.policy import AmbiguousTime
    from commsdesk.scheduling.scheduler import CHECK_EVERY

    account, sandbox = _destination(args)
    services, actor = open_services(args)
    desk = services.desk
    try:
        post = services.scheduler(posting=False).schedule_local(
            actor, args.id, args.when.date(), args.when.time(), args.zone, fold=args.fold,
            account=account, sandbox=sandbox,
        )  # fmt: skip
    except AmbiguousTime as twice:
        early, late = twice.choices
        print(
            f"commsdesk: {twice} Add --fold 0 for the first ({early:%H:%M} UTC) or --fold 1 "
            f"for the second ({late:%H:%M} UTC).",
            file=sys.stderr,
        )
        return 1
    finally:
        desk.close()
    where = "the SANDBOX" if post.sandbox else f"X as {post.account}"
    print(
        f"#{post.statement_id} goes to {where} at {post.local_due:%Y-%m-%d %H:%M %Z} "
        f"{post.zone} ({post.due_at:%Y-%m-%d %H:%M} UTC); a running desk picks it up within "
        f"{CHECK_EVERY:.0f} s."
    )
    return 0


def add_schedule_commands(commands: argparse._SubParsersAction) -> None:
    schedule = commands.add_parser(
        "schedule",
        help="scheduled posts: schedule, list, pause, resume",
        description="Scheduled posts, read and changed in the desk's database directly; no "
        "running desk is needed. A running desk follows a pause or resume at its next check "
        "(within 30 s), and reads the pause before posting anything.",
    )
    schedule_commands = schedule.add_subparsers(
        dest="schedule_command", metavar="COMMAND", required=True
    )
    at = schedule_commands.add_parser(
        "at",
        help="schedule an approved statement at a local time",
        description='Schedule approved statement ID at WHEN ("2026-12-06 18:30") on the '
        "clocks of --zone. A time the clocks skip is refused; one they show twice needs --fold "
        "(0 the first, 1 the second). Posts go to --account, --sandbox, or where the window "
        "posts (the SANDBOX in drill mode or with no X account). A running desk posts it. "
        "Exit status 1 when refused.",
    )
    at.add_argument("id", type=int, metavar="ID")
    at.add_argument("when", type=_local_time, metavar="WHEN", help='"YYYY-MM-DD HH:MM"')
    at.add_argument(
        "--zone", required=True, help="the zone WHEN is in (UTC, Europe/Berlin, Asia/Singapore…)"
    )
    at.add_argument(
        "--fold", type=int, choices=(0, 1),
        help="for a time the clocks show twice: 0 the first, 1 the second",
    )  # fmt: skip
    where = at.add_mutually_exclusive_group()
    where.add_argument("--account", metavar="NAME", help="the X account to post as")
    where.add_argument("--sandbox", action="store_true", help="post to the local SANDBOX feed")
    at.set_defaults(run=cmd_schedule_at)

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
        help="resume, continuing stopped threads and listing what fell due meanwhile",
        description="Resume scheduled posting. Threads the pause stopped mid-way continue here, "
        "from the part where they stopped, with the account's X keys as `commsdesk post` uses "
        "them; each is listed with how it ended. Posts that fell due while paused are not "
        "posted: they are marked missed and listed for review. Exit status 1 when not paused.",
    )
    resume.set_defaults(run=cmd_schedule)
