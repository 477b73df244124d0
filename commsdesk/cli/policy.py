"""`commsdesk policy`: the team's rules for every desk on this database, each change on the
timeline."""

from __future__ import annotations

import argparse
import json

from commsdesk.cli.common import open_desk


def cmd_policy(args: argparse.Namespace) -> int:
    from commsdesk.publishing.holds import (
        drill_mode,
        max_thread_posts,
        paused,
        set_max_thread_posts,
    )

    desk, actor = open_desk(args)
    try:
        if args.policy_command == "approvals":
            before = desk.approval_policy().required
            desk.set_required_approvals(actor, args.n)
            print(f"Required approvals: {args.n}." if before != args.n
                  else f"Required approvals were already {args.n}.")
            return 0
        if args.policy_command == "thread-limit":
            changed = set_max_thread_posts(desk, actor, args.n)
            print(f"Thread limit: {args.n} posts." if changed
                  else f"The thread limit was already {args.n} posts.")
            return 0
        with desk.reading() as session:
            limit = max_thread_posts(session)
        held = paused(desk)
        state = {
            "required_approvals": desk.approval_policy().required,
            "max_thread_posts": limit,
            "drill": drill_mode(desk),
            "paused": None if held is None else {
                "by": held.by, "reason": held.reason, "since": held.since.isoformat(),
            },
        }
    finally:
        desk.close()
    if args.json:
        print(json.dumps(state, ensure_ascii=False))
        return 0
    print(f"Required approvals: {state['required_approvals']}")
    print(f"Thread limit: {limit} posts")
    print(f"Drill mode: {'ON' if state['drill'] else 'off'}")
    print(f"Posting: {'PAUSED, ' + held.describe() if held else 'not paused'}")
    return 0


def add_policy_commands(commands: argparse._SubParsersAction) -> None:
    policy = commands.add_parser(
        "policy",
        help="the team's rules: approvals, thread limit (and drill mode and pause, shown)",
        description="The rules every desk on this database follows. Each change goes on the "
        "timeline.",
    )
    sub = policy.add_subparsers(dest="policy_command", metavar="COMMAND", required=True)
    show = sub.add_parser("show", help="the rules as they stand")
    show.add_argument(
        "--json", action="store_true",
        help="print required_approvals, max_thread_posts, drill, paused (null or by/reason/since)",
    )
    approvals = sub.add_parser("approvals", help="how many people other than the author approve")
    approvals.add_argument("n", type=int, metavar="N", help="0 to 9")
    limit = sub.add_parser(
        "thread-limit", help="the longest thread posted without an explicit go-ahead"
    )
    limit.add_argument("n", type=int, metavar="N", help="1 to 1000 posts")
    policy.set_defaults(run=cmd_policy)
