"""The jinja2 sandbox for templates the team writes (slide templates, statement bodies), bounded
in time and size.

jinja's own sandbox keeps templates away from Python's internals, but not from running for hours
(`{% for a in range(10**5) %}{% for b in range(10**5) %}...`) or building gigabytes
(`{{ 'x' * 10**9 }}`). Inside `bounds()`, BoundedSandbox also:
- stops at a deadline, checked at every loop step, call, lookup and piece of output;
- caps the text a rendering produces (what macros, blocks and imports build counts as it is made);
- caps every value the template builds (literals, `~`, `+`, `*`, `%`, filters, calls) at the same
  size, refusing before building where one step could make a big one from small parts
  (`*`, formatting widths, `replace`, `join`, `indent`...);
- keeps whole numbers under MAX_INT_BITS bits and `range()` under jinja's MAX_RANGE; no `lipsum`.
A crossed bound raises LimitExceeded, which no template can catch; callers turn it into a message.
Used by commsdesk.slides.templates and commsdesk.statements.templates.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterable, Iterator, MappingView
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from string import Formatter
from typing import Any

from jinja2 import nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import MAX_RANGE, ImmutableSandboxedEnvironment
from jinja2.utils import Namespace

MAX_SECONDS = 2.0  # one rendering; a slide or a statement takes milliseconds
MAX_OUTPUT = 256 * 1024  # characters produced by one rendering, and the size of any value it builds
MAX_INT_BITS = 4096  # whole numbers a template computes (about 1,200 digits)


class LimitExceeded(Exception):
    """A template crossed a bound; the message completes "the template ..."."""


@dataclass
class _Budget:
    deadline: float
    seconds: float
    max_output: int
    produced: int = 0


_budget: ContextVar[_Budget | None] = ContextVar("template_budget", default=None)


@contextmanager
def bounds(seconds: float | None = None, max_output: int | None = None) -> Iterator[None]:
    """Render inside this: the deadline starts now (defaults: MAX_SECONDS, MAX_OUTPUT)."""
    seconds = MAX_SECONDS if seconds is None else seconds
    budget = _Budget(time.monotonic() + seconds, seconds, max_output or MAX_OUTPUT)
    token = _budget.set(budget)
    try:
        yield
    finally:
        _budget.reset(token)


def _tick() -> None:
    budget = _budget.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise LimitExceeded(f"took longer than {budget.seconds:g} s to render, so it was stopped")


def _max_output() -> int:
    budget = _budget.get()
    return budget.max_output if budget is not None else MAX_OUTPUT


def _printed_size(value: Any, limit: int) -> int:
    """About how many characters `value` prints as; counting stops once past `limit`."""
    total, pending = 0, [value]
    while pending and total <= limit:
        item = pending.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, int):
            total += item.bit_length() // 3 + 1  # at least its digits
        elif isinstance(item, list | tuple | set | frozenset | dict | MappingView):
            total += 2 + len(item)
            if total <= limit:
                pending.extend(item.items() if isinstance(item, dict) else item)
        elif isinstance(item, Namespace):
            pending.append(item._Namespace__attrs)  # what it prints
        else:
            total += 1
    return total


def _too_big() -> LimitExceeded:
    return LimitExceeded(f"builds a text or list longer than {_max_output():,} characters")


def _checked(value: Any) -> Any:
    if _printed_size(value, _max_output()) > _max_output():
        raise _too_big()
    return value


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# --- steps that can build something big from small parts -----------------------------------------

# Filters and str methods whose result can repeat a text argument (or, second set, an int
# argument's worth of characters) once per character, line or item of the value.
_REPEATS_TEXT = frozenset(
    {"replace", "join", "indent", "wordwrap", "translate", "batch", "slice", "tojson"}
)
_REPEATS_WIDTH = frozenset({"indent", "expandtabs", "tojson"})
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_UNBOUNDED = float("inf")


def _format_size(fmt: str, arguments: int, *, braces: bool) -> float:
    """An upper bound of `fmt % ...` (or `fmt.format(...)`) with arguments printing `arguments`
    characters in all: every field may print all of them, padded to its width."""
    if braces:
        try:
            specs = [spec or "" for _, name, spec, _ in Formatter().parse(fmt) if name is not None]
        except ValueError:
            return len(fmt)  # formatting raises the same error
        widths = [w for spec in specs for w in re.findall(r"\d+|\{", spec)]
    else:
        fields = _PERCENT_FIELD.findall(fmt)
        specs, widths = fields, [w for field in fields for w in field if w]
    width = max(
        (_UNBOUNDED if w in ("*", "{") or len(w) > 9 else int(w) for w in widths), default=0
    )
    return len(fmt) + len(specs) * (arguments + width)


def _before(name: str, value: Any, arguments: list[Any], *, braces: bool) -> None:
    """Refuse filter (or str method) `name` on `value` when its result could be too big.
    `braces`: a `format` here formats with `{}` (str.format), not `%` (the filter)."""
    limit = _max_output()
    if name in ("format", "format_map") and isinstance(value, str):
        given = sum(_printed_size(a, limit) for a in arguments)
        estimate = _format_size(value, given, braces=braces)
    else:
        base = _printed_size(value, limit)
        texts = max((_printed_size(a, limit) for a in arguments if not _is_int(a)), default=0)
        width = max((abs(a) for a in arguments if _is_int(a)), default=0)
        repeated = max(texts if name in _REPEATS_TEXT else 0,
                       width if name in _REPEATS_WIDTH else 0)  # fmt: skip
        estimate = base + (base + 1) * repeated + width
    if estimate > limit:
        raise _too_big()


def _bounded_filter(name: str, func: Callable) -> Callable:
    skip = 1 if getattr(func, "jinja_pass_arg", None) else 0  # context or environment comes first

    @functools.wraps(func)  # keeps jinja_pass_arg
    def bounded(*args: Any, **kwargs: Any) -> Any:
        _tick()
        if len(args) > skip:
            _before(name, args[skip], [*args[skip + 1 :], *kwargs.values()], braces=False)
            if name == "sum":  # list concatenation: step through it so the deadline can stop it
                args = (*args[:skip], _stepped(args[skip]), *args[skip + 1 :])
        return _checked(func(*args, **kwargs))

    return bounded


def _stepped(iterable: Iterable[Any]) -> Iterator[Any]:
    for item in iterable:
        _tick()
        yield item


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(f"asks for a range of more than {MAX_RANGE:,} numbers")
    return numbers


# --- the environment ------------------------------------------------------------------------------


class _BoundedCodeGenerator(CodeGenerator):
    """jinja's compiler, with every loop step, piece of output and literal passed through the
    environment's checks."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._loop_iterables: set[int] = set()  # ids of the For nodes' `iter` being compiled

    def visit_For(self, node: nodes.For, frame: Frame) -> None:
        self._loop_iterables.add(id(node.iter))
        try:
            super().visit_For(node, frame)
        finally:
            self._loop_iterables.discard(id(node.iter))

    def visit(self, node: nodes.Node, *args: Any, **kwargs: Any) -> Any:
        if id(node) not in self._loop_iterables:
            return super().visit(node, *args, **kwargs)
        self.write("environment.stepped(")
        super().visit(node, *args, **kwargs)
        self.write(")")
        return None

    def _output_const_repr(self, group: Iterable[Any]) -> str:
        return f"environment.produced({super()._output_const_repr(group)})"

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        self.write("environment.produced(")
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        super()._output_child_post(node, frame, finalize)
        self.write(")")

    def visit_List(self, node: nodes.List, frame: Frame) -> None:
        self._wrapped("environment.built", node, frame, super().visit_List)

    def visit_Dict(self, node: nodes.Dict, frame: Frame) -> None:
        self._wrapped("environment.built", node, frame, super().visit_Dict)

    def visit_Tuple(self, node: nodes.Tuple, frame: Frame) -> None:
        if node.ctx != "load":  # an assignment target: `{% for a, b in ... %}`
            super().visit_Tuple(node, frame)
        else:
            self._wrapped("environment.built", node, frame, super().visit_Tuple)

    def visit_Concat(self, node: nodes.Concat, frame: Frame) -> None:
        self._wrapped("environment.built", node, frame, super().visit_Concat)

    def _wrapped(self, function: str, node: nodes.Node, frame: Frame, visit: Callable) -> None:
        self.write(f"{function}(")
        visit(node, frame)
        self.write(")")


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """ImmutableSandboxedEnvironment with the bounds above; render inside `bounds()`."""

    code_generator_class = _BoundedCodeGenerator
    intercepted_binops = frozenset({"+", "*", "**", "%"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.globals["range"] = _range
        self.globals.pop("lipsum", None)  # makes any amount of text in one call
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    # Called from compiled templates (see _BoundedCodeGenerator).

    def stepped(self, iterable: Iterable[Any]) -> Iterator[Any]:
        return _stepped(iterable)

    def produced(self, text: str) -> str:
        _tick()
        budget = _budget.get()
        if budget is not None:
            budget.produced += len(text)
            if budget.produced > budget.max_output:
                raise LimitExceeded(f"produces more than {budget.max_output // 1024} KB of text")
        return text

    def built(self, value: Any) -> Any:
        return _checked(value)

    # jinja's sandbox hooks.

    def getattr(self, obj: Any, attribute: str) -> Any:
        _tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _tick()
        return super().getitem(obj, argument)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
        _tick()
        method = getattr(__obj, "__wrapped__", __obj)  # the sandbox wraps str.format
        owner = getattr(method, "__self__", None)
        if isinstance(owner, str | bytes):
            _before(getattr(method, "__name__", ""), owner, [*args, *kwargs.values()], braces=True)
        return _checked(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _tick()
        if _is_int(left) and _is_int(right):
            bits = {
                "*": left.bit_length() + right.bit_length(),
                "**": left.bit_length() * right if right > 0 else 0,
            }.get(operator, 0)
            if bits > MAX_INT_BITS:
                raise LimitExceeded(f"builds a number longer than {MAX_INT_BITS} bits")
        elif operator == "*":
            sized, count = (left, right) if _is_int(right) else (right, left)
            if _is_int(count) and _printed_size(sized, _max_output()) * count > _max_output():
                raise _too_big()
        elif operator == "%" and isinstance(left, str | bytes):
            fmt = left if isinstance(left, str) else left.decode("latin-1")
            if _format_size(fmt, _printed_size(right, _max_output()), braces=False) > _max_output():
                raise _too_big()
        return _checked(super().call_binop(context, operator, left, right))
