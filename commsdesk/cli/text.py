"""`commsdesk count` and `commsdesk thread`: X's counting and the desk's thread split."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from commsdesk.cli.common import read_text


def cmd_count(args: argparse.Namespace) -> int:
    from commsdesk.publishing.text_count import MAX_WEIGHTED_LENGTH, count

    text = read_text(args.text, what="text")
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
        text = read_text(None, what="statement")
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


def add_text_commands(commands: argparse._SubParsersAction) -> None:
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
