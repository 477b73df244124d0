"""Word-level differences between two versions of a statement."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from enum import StrEnum

_TOKENS = re.compile(r"\s+|[^\s]+")


class Op(StrEnum):
    SAME = "same"
    ADDED = "added"
    REMOVED = "removed"


@dataclass(frozen=True)
class Chunk:
    op: Op
    text: str


def diff_words(old: str, new: str) -> list[Chunk]:
    """Chunks that read `old` into `new`: joining SAME+REMOVED gives old, SAME+ADDED gives new."""
    a = _TOKENS.findall(old)
    b = _TOKENS.findall(new)
    chunks: list[Chunk] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            chunks.append(Chunk(Op.SAME, "".join(a[i1:i2])))
            continue
        if i2 > i1:
            chunks.append(Chunk(Op.REMOVED, "".join(a[i1:i2])))
        if j2 > j1:
            chunks.append(Chunk(Op.ADDED, "".join(b[j1:j2])))
    return chunks


def summary(chunks: list[Chunk]) -> str:
    """'+12 words, −3 words' for a version list."""
    added = sum(len(c.text.split()) for c in chunks if c.op is Op.ADDED)
    removed = sum(len(c.text.split()) for c in chunks if c.op is Op.REMOVED)
    if not added and not removed:
        return "no change"
    return f"+{added} words, −{removed} words"
