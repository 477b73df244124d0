"""What the editor shows beside a statement: its rendering, its count and its thread.

One pure function so the editor can run it off the UI thread and tests can call it directly.
The counter, the splitter and jinja2 are imported on first use: they take a while to load and
the window must not wait for them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from commsdesk.incidents.incident import Incident

if TYPE_CHECKING:
    from commsdesk.publishing.text_count import Count
    from commsdesk.publishing.thread_splitter import Thread

# Above this many characters the whole-text count is left out: the thread says enough.
WHOLE_COUNT_LIMIT = 20_000


@dataclass(frozen=True)
class Preview:
    rendered: str | None
    problem: str | None  # the template problem's message, with its line and name
    problem_line: int | None
    count: Count | None
    thread: Thread | None
    limit: int = 280  # the weighted length one post may have
    thread_limit: int | None = None  # the desk's most posts in a thread without a go-ahead

    @property
    def posts(self) -> int:
        return len(self.thread.parts) if self.thread else 0

    @property
    def over_thread_limit(self) -> str | None:
        """Why a thread this long will not simply post, or None."""
        if self.thread_limit is None or self.posts <= self.thread_limit:
            return None
        return (
            f"{self.posts} posts: more than this desk's limit of {self.thread_limit} posts in a "
            "thread. Posting it is refused unless someone allows a long thread explicitly; "
            "shorten it or split it into statements."
        )


def preview_statement(
    body: str,
    incident: Incident | None,
    *,
    numbering: bool = True,
    now: datetime | None = None,
    thread_limit: int | None = None,
) -> Preview:
    from commsdesk.publishing.text_count import MAX_WEIGHTED_LENGTH, fast_count
    from commsdesk.publishing.thread_splitter import split_thread
    from commsdesk.statements.templates import TemplateProblem, render

    try:
        rendered = render(body, incident, now=now)
    except TemplateProblem as problem:
        return Preview(
            None, problem.message, problem.line, None, None, MAX_WEIGHTED_LENGTH, thread_limit
        )
    whole = fast_count(rendered) if len(rendered) <= WHOLE_COUNT_LIMIT else None
    thread = split_thread(rendered, numbering=numbering)
    return Preview(rendered, None, None, whole, thread, MAX_WEIGHTED_LENGTH, thread_limit)
