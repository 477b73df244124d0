"""Any JSON URL with an RFC 6901 JSON pointer to the number, for platforms without an API of
their own (or a team's own counter). The value may be a number or a numeric string."""

from __future__ import annotations

from collections.abc import Mapping

from commsdesk.audience.sources.http_source import HttpSource, Refusal
from commsdesk.audience.sources.reading import Reading, SourceState
from commsdesk.audience.validation import Rejected, parse_count, shown

_MISSING = object()


class PointerError(ValueError):
    pass


def resolve_pointer(document: object, pointer: str) -> object:
    """RFC 6901: '' is the whole document; '/a/0/b~1c' walks keys and array indexes ('~1' is
    '/', '~0' is '~'). Raises PointerError saying where it stopped."""
    if pointer == "":
        return document
    if not pointer.startswith("/"):
        raise PointerError(f"a JSON pointer starts with '/': {pointer!r}")
    node = document
    walked = ""
    for raw in pointer[1:].split("/"):
        token = raw.replace("~1", "/").replace("~0", "~")
        walked += "/" + raw
        if isinstance(node, Mapping):
            node = node.get(token, _MISSING)
        elif isinstance(node, list):
            if token == "-" or not token.isdigit() or (len(token) > 1 and token[0] == "0"):
                raise PointerError(f"{walked} is not an index of the list there")
            index = int(token)
            node = node[index] if index < len(node) else _MISSING
        else:
            raise PointerError(f"{walked} goes inside a value that is neither object nor list")
        if node is _MISSING:
            raise PointerError(f"nothing at {walked}")
    return node


class JsonUrlSource(HttpSource):
    platform = "The JSON URL"  # replaced by the label

    def __init__(
        self, label: str, url: str, pointer: str, *, interval: float = 15.0,
        headers: Mapping[str, str] | None = None, bound_platform: str = "", **kwargs,
    ) -> None:
        super().__init__(label, interval, **kwargs)
        self.platform = label
        self.bound_platform = bound_platform
        self.url = url
        self.pointer = pointer
        self.headers = dict(headers or {})

    def _fetch(self) -> Reading:
        response = self._send("GET", self.url, headers=self.headers)
        self._common_refusals(response)
        if response.status_code in (401, 403):
            raise Refusal(
                self._gap(
                    SourceState.CREDENTIALS_REFUSED,
                    f"{self.platform} refused the request (HTTP {response.status_code})",
                )
            )
        if response.status_code != 200:
            raise Refusal(
                self._gap(
                    SourceState.FAILED, f"{self.platform} answered HTTP {response.status_code}"
                )
            )
        body = self._json(response)
        try:
            value = resolve_pointer(body, self.pointer)
        except PointerError as exc:
            raise self._malformed(f"has no number at the pointer: {exc}") from None
        if value is None:
            return self._gap(SourceState.HIDDEN, f"no number at {self.pointer} (null)")
        if isinstance(value, bool):
            raise self._malformed(f"has {value!r} at {self.pointer}, not a number")
        if isinstance(value, str):
            try:
                value = parse_count(value, self.bound_platform)
            except Rejected as exc:
                return self._gap(SourceState.REJECTED, f"{self.platform} answered {exc}")
        elif not isinstance(value, int | float):
            raise self._malformed(f"has {shown(value)} at {self.pointer}, not a number")
        return self._ok(value)
