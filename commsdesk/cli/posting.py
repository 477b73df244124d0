"""`commsdesk post`: an approved statement, or a file's text, to X through the outbox."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commsdesk.cli.common import acting, database_url, read_source


def cmd_post(args: argparse.Namespace) -> int:
    from commsdesk.app import open_services
    from commsdesk.data_dir import resolve_data_dir
    from commsdesk.desk import DeskError
    from commsdesk.keyring_secrets import ENV_ACCOUNT, load_x_credentials
    from commsdesk.publishing.holds import paused
    from commsdesk.publishing.publication import PublicationState
    from commsdesk.publishing.publisher import PublicationTooLong
    from commsdesk.store.database import DatabaseProblem

    if args.statement is None and args.source is None:
        raise SystemExit("commsdesk: give --statement ID, a FILE, or - for standard input")
    if args.statement is None and not args.yes:
        raise SystemExit(
            "commsdesk: posting a file skips review and approval; add --yes to post it"
        )
    text = None
    if args.statement is None:
        text = read_source(args.source)
    attachments = _attachments(args.image, args.alt)

    account, sandbox = args.account, args.sandbox
    no_account = False
    if not sandbox:
        account = account or (ENV_ACCOUNT if load_x_credentials(ENV_ACCOUNT) else None)
        if account is None:
            sandbox = no_account = True
        elif load_x_credentials(account) is None:
            print(f"commsdesk: no credentials for the X account {account!r}", file=sys.stderr)
            return 2
    account = account or "sandbox"

    data_dir = resolve_data_dir(args.data_dir)
    try:
        services = open_services(data_dir, url=database_url())
    except DatabaseProblem as exc:
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 2
    desk, publisher = services.desk, services.publisher
    try:
        actor = acting(desk, data_dir)
    except DeskError as exc:
        desk.close()
        print(f"commsdesk: {exc}", file=sys.stderr)
        return 1
    try:
        publisher.repair(actor)
        held = paused(desk)
        if held is not None and not args.despite_pause:
            print(
                f"commsdesk: all posting is {held.describe()}. Nothing was posted; add "
                "--despite-pause to post anyway (it goes on the timeline).",
                file=sys.stderr,
            )
            return 1
        options = {"attachments": attachments, "allow_long": args.allow_long}
        if text is None:
            publication = publisher.prepare_statement(
                actor, args.statement, account, sandbox=sandbox, **options
            )
        else:
            publication = publisher.prepare_text(actor, text, account, sandbox=sandbox, **options)
        if publication.sandbox and not args.sandbox:  # said once the post is ready to go
            why = "no X account is set up" if no_account else "drill mode is on"
            print(f"commsdesk: {why}; posting to the SANDBOX", file=sys.stderr)
        account, sandbox = publication.account, publication.sandbox
        publication = publisher.run(actor, publication.id, despite_pause=args.despite_pause)
        if publication.state is not PublicationState.POSTED:
            print(f"commsdesk: {publication.error}", file=sys.stderr)
            return 1
        handle = services.x_client(account, sandbox).me().username if not sandbox else account
    except PublicationTooLong as exc:
        print(f"commsdesk: {exc} (--allow-long posts it anyway)", file=sys.stderr)
        return 1
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


def add_post_commands(commands: argparse._SubParsersAction) -> None:
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
    post.add_argument(
        "--despite-pause", action="store_true",
        help="post although all posting is paused (named on the timeline with the pause)",
    )
    post.add_argument(
        "--allow-long", action="store_true",
        help="post a thread longer than the desk's limit (25 posts unless set otherwise)",
    )
    post.set_defaults(run=cmd_post)
