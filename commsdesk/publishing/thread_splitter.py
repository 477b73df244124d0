"""Splitting a statement too long for one post into a thread of posts.

The text is cut into leaves (words, or pieces of words) that know their weight and how strong the
boundary before them is: paragraph, sentence, word, atom (grapheme or entity inside a long word),
or grapheme inside an entity too long for any post. Packing is greedy: a part takes whole
paragraphs while they fit; a paragraph that cannot fit in any part is taken sentence by sentence,
a sentence that cannot fit word by word, a word that cannot fit atom by atom.

Weights come from `fast_count`, cached per word. X's count is additive across whitespace (URLs,
emoji and NFC never reach over a space), so a part's weight is the sum of its words and gaps, with
one catch: at the very start of a post, twitter-text may read a first non-ASCII letter as the
character before a link ("éexample.com" is é + a link, but " éexample.com" is one link). So a word
weighs what it weighs after a space, and a part adds the difference (`lead`) for its first word.
A part holding pieces of one word is counted again as a whole, in case joining them changes a count.
"""

from __future__ import annotations

import operator
import re
import string
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, compress, repeat

import regex
from twitter_text import extract_urls_with_indices
from twitter_text.regexp.invalid_chars import invalid_chars as _INVALID
from twitter_text.regexp.spaces_group import spaces_group

from commsdesk.publishing.text_count import MAX_WEIGHTED_LENGTH, emoji_spans, fast_count

SPLIT_MARKER = "---"


@dataclass(frozen=True)
class Part:
    """One post of a thread: its text as posted and the span of its content in the original."""

    text: str
    start: int
    end: int
    weighted_length: int


@dataclass(frozen=True)
class Thread:
    """The posts for a statement; `problems` says in words what could not be split cleanly."""

    parts: tuple[Part, ...]
    numbered: bool
    problems: tuple[str, ...]


_PARAGRAPH, _SENTENCE, _WORD, _ATOM, _GRAPHEME = range(5)  # boundary strengths, strongest first
_Atom = tuple[int, int, int, int, int]  # start, end, weight, lead, level of the boundary before
_Entity = tuple[int, int, str]  # start, end, kind

_MARKER_LINE = re.compile(rf"^[ \t]*{re.escape(SPLIT_MARKER)}[ \t]*\r?$", re.MULTILINE)

# Whitespace is what both Python and twitter-text call a space, so URLs never reach across it.
_TWITTER_SPACE = re.compile(f"[{spaces_group}]")
_SPACES = "".join(
    f"\\u{c:04x}" for c in range(0x3001) if chr(c).isspace() and _TWITTER_SPACE.match(chr(c))
)
_WORD_RE = re.compile(f"[^{_SPACES}]+")
_LINE_BREAK = re.compile(r"\r\n|[\n\r\v\f\x85\u2028\u2029]")

_CLOSERS = "\"'”’»)\\]」』）】〕》〉"
_SENTENCE_END = re.compile(f"[.!?…。！？][{_CLOSERS}]*\\Z")
_CJK_STOP = re.compile(f"[。！？]+[{_CLOSERS}]*")  # ends a sentence even with no space after
_CLUSTER = regex.compile(r"\X")  # an extended grapheme cluster (UAX #29)

# Entities modelled on twitter-text's extractor, slightly generous so nothing linkable is cut.
_MENTION = re.compile(
    r"(?:(?<![A-Za-z0-9_!#$%&*@＠])|(?<=[Rr][Tt])|(?<=[Rr][Tt]:))"
    r"[@＠][A-Za-z0-9_]{1,15}(?:/[A-Za-z][A-Za-z0-9_-]{0,24})?"
)
_CASHTAG = re.compile(r"(?<![A-Za-z0-9_$])\$[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?(?![A-Za-z0-9_])")
_HASH = re.compile("[#＃](?![\ufe0f\u20e3])")
_HASHTAG_EXTRA = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)


def split_thread(text: str, *, numbering: bool = True, limit: int = 280) -> Thread:
    """Split `text` into posts of at most `limit` (and never over 280, X's own limit).

    Text that fits in one post, with no split marker line, is one unnumbered part. Otherwise, with
    `numbering`, every part of a thread of two or more ends in " k/n", counted in its length.
    A part is only over the limit, or invalid, when `problems` names it. Raises ValueError for a
    limit under 10.
    """
    if limit < 10:
        raise ValueError(f"limit {limit} is too small to split a thread")
    cap = min(limit, MAX_WEIGHTED_LENGTH)
    markers = list(_MARKER_LINE.finditer(text))
    edges = [0, *(x for m in markers for x in m.span()), len(text)]
    # Any word over this, in any pass, may need cutting: parts never outnumber characters.
    expand_over = cap - (_reserve(len(str(len(text)))) if numbering else 0)
    blocks = [
        _tokenize(text, s, e, expand_over) for s, e in zip(edges[::2], edges[1::2], strict=True)
    ]
    blocks = [b for b in blocks if b.size]
    if not blocks:
        return Thread(parts=(), numbered=False, problems=())

    if len(blocks) == 1 and blocks[0].total() <= 2 * cap:
        whole = blocks[0]
        start, end = whole.starts[0], whole.ends[-1]
        one = fast_count(text[start:end])
        if one.valid and one.weighted_length <= cap:
            return Thread((Part(text[start:end], start, end, one.weighted_length),), False, ())

    digits = len(str(max(1, sum(b.total() for b in blocks) // cap // 2)))
    while True:
        budget = cap - (_reserve(digits) if numbering else 0)
        spans = [span for block in blocks for span in _Packer(text, block, budget).pack()]
        if not numbering or len(spans) < 2 or len(str(len(spans))) <= digits:
            break
        digits = len(str(len(spans)))
    return _assemble(text, blocks, spans, numbering and len(spans) > 1, limit)


def _reserve(digits: int) -> int:
    return _weight(f" {'9' * digits}/{'9' * digits}")


_CACHED_LENGTH = 256  # longer strings are rarely seen twice and would only fill the caches


def _weight(text: str) -> int:
    return _short_weight(text) if len(text) <= _CACHED_LENGTH else fast_count(text).weighted_length


@lru_cache(maxsize=1 << 16)
def _short_weight(text: str) -> int:
    return fast_count(text).weighted_length


_CONTEXT_FREE_START = frozenset(string.ascii_letters + string.digits + "@＠$#＃")


def _weights(text: str) -> tuple[int, int]:
    """Weight of `text` after whitespace, and what it weighs more at the start of a post."""
    # No link without a dot; and a first character twitter-text cannot take for the one before a
    # link (an ASCII letter or digit, @, $, #) reads the same after a space as at the start.
    if "." not in text or (text[0] in _CONTEXT_FREE_START and text[1:2].isascii()):
        return _weight(text), 0
    after_space = _weight(" " + text) - 1
    return after_space, _weight(text) - after_space


def _heaviest(weights: tuple[int, int]) -> int:
    after_space, lead = weights
    return max(after_space, after_space + lead)


class _Leaves:
    """Parallel lists for one block (text between split markers), plus prefix sums."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.weights: list[int] = []
        self.gaps: list[int] = []  # weight of the whitespace before each leaf (0 for the first)
        self.leads: list[int] = []  # extra weight of each leaf when it starts a part
        self.levels: list[int] = []  # strength of the boundary before each leaf
        self.long_entities: list[_Entity] = []  # entities cut into graphemes

    @property
    def size(self) -> int:
        return len(self.starts)

    def finish(self) -> _Leaves:
        """Prefix sums and boundary lists, once all leaves are in."""
        n = self.size
        # Weight of leaves [0, j) with the gaps before each.
        self.prefix = [0, *accumulate(map(operator.add, self.gaps, self.weights))]
        # Boundaries with no whitespace, before leaves [1, j).
        glued = map(operator.eq, self.starts[1:], self.ends)
        self.joins = [0, 0, *accumulate(glued)] if n else [0]
        levels = self.levels
        # Per level, the leaves a boundary of that strength or stronger comes before; n closes.
        self.bounds = [
            [*compress(range(1, n), map(operator.ge, repeat(level), levels[1:])), n]
            for level in range(_GRAPHEME)
        ]
        return self

    def total(self) -> int:
        return self.prefix[-1] + self.leads[0]

    def weight(self, a: int, b: int) -> int:
        """Weight of leaves [a, b) and the gaps between them, as a post of their own."""
        return self.prefix[b] - self.prefix[a] - self.gaps[a] + self.leads[a]


def _tokenize(text: str, start: int, end: int, expand_over: int) -> _Leaves:
    leaves = _Leaves()
    # The common case (a whole word as one leaf) appends straight to the lists: this loop runs
    # once per word of the paste.
    add_start, add_end = leaves.starts.append, leaves.ends.append
    add_weight, add_lead = leaves.weights.append, leaves.leads.append
    add_gap, add_level = leaves.gaps.append, leaves.levels.append
    prev_end = -1
    sentence_ended = False
    for match in _WORD_RE.finditer(text, start, end):
        word_start, word_end = match.span()
        if prev_end < 0:
            level, gap = _PARAGRAPH, 0
        else:
            level, gap = _gap_info(text[prev_end:word_start])
            if level == _WORD and sentence_ended:
                level = _SENTENCE
        word = match.group()
        info = _word_info if len(word) <= _CACHED_LENGTH else _word_info.__wrapped__
        (weight, lead), pieces, sentence_ended = info(word, expand_over)
        if pieces is None:
            add_start(word_start)
            add_end(word_end)
            add_weight(weight)
            add_lead(lead)
            add_gap(gap)
            add_level(level)
        else:
            for piece_start, atoms, entities in pieces:
                base = word_start + piece_start
                starts, ends, weights, leads, levels = zip(*atoms, strict=True)
                leaves.starts.extend(base + s for s in starts)
                leaves.ends.extend(base + e for e in ends)
                leaves.weights.extend(weights)
                leaves.leads.extend(leads)
                leaves.gaps.extend((gap, *repeat(0, len(atoms) - 1)))
                leaves.levels.extend((level, *levels[1:]))
                leaves.long_entities.extend((base + s, base + e, kind) for s, e, kind in entities)
                level, gap = _SENTENCE, 0
        prev_end = word_end
    return leaves.finish()


@lru_cache(maxsize=1 << 10)
def _gap_info(gap: str) -> tuple[int, int]:
    """Level and weight of the whitespace between two words."""
    paragraph = len(_LINE_BREAK.findall(gap)) >= 2 or "\u2029" in gap
    return (_PARAGRAPH if paragraph else _WORD), _weight(gap)


@lru_cache(maxsize=1 << 16)
def _word_info(
    word: str, expand_over: int
) -> tuple[
    tuple[int, int], tuple[tuple[int, tuple[_Atom, ...], tuple[_Entity, ...]], ...] | None, bool
]:
    """The word's weights (see `_weights`); its pieces (start, atoms, entities cut), or None
    when it is one leaf; and whether it ends a sentence.

    Pieces come from cutting after CJK full stops; a piece is one atom unless it weighs over
    `expand_over`, when it is cut into graphemes and entities."""
    sentence_end = _SENTENCE_END.search(word) is not None
    weights = _weights(word)
    cuts = _cjk_pieces(word)
    if len(cuts) == 1 and _heaviest(weights) <= expand_over:
        return weights, None, sentence_end
    pieces = []
    for start, end in cuts:
        piece = word[start:end]
        piece_weights = _weights(piece)
        if _heaviest(piece_weights) > expand_over:
            pieces.append((start, *_atoms(piece, expand_over)))
        else:
            pieces.append((start, ((0, end - start, *piece_weights, _ATOM),), ()))
    return weights, tuple(pieces), sentence_end


def _cjk_pieces(word: str) -> list[tuple[int, int]]:
    # Only where a grapheme ends (not before a mark or joiner). Before the cut is a stop or a
    # closer, which no rule joins to what follows by looking further back: matching from it tells.
    cuts = [
        m.end()
        for m in _CJK_STOP.finditer(word)
        if m.end() < len(word) and _CLUSTER.match(word, m.end() - 1).end() == m.end()
    ]
    if cuts:
        entities = _entity_spans(word)
        cuts = [c for c in cuts if not any(s < c < e for s, e, _ in entities)]
    edges = [0, *cuts, len(word)]
    return list(zip(edges, edges[1:], strict=False))


def _atoms(piece: str, expand_over: int) -> tuple[tuple[_Atom, ...], tuple[_Entity, ...]]:
    """Graphemes of a piece, with entities kept whole unless they alone weigh over `expand_over`."""
    graphemes = _grapheme_bounds(piece)
    level = dict.fromkeys(graphemes, _ATOM)
    cut_entities = []
    for start, end, kind in _entity_spans(piece):
        inner = graphemes[bisect_right(graphemes, start) : bisect_left(graphemes, end)]
        if _heaviest(_weights(piece[start:end])) > expand_over:
            cut_entities.append((start, end, kind))
            level.update(dict.fromkeys(inner, _GRAPHEME))
        else:
            for p in inner:
                del level[p]
    bounds = sorted(level)
    weights: dict[str, tuple[int, int]] = {}  # a long word repeats its graphemes
    atoms = []
    for s, e in zip(bounds, bounds[1:], strict=False):
        atom = piece[s:e]
        if (w := weights.get(atom)) is None:
            w = weights[atom] = _weights(atom)
        atoms.append((s, e, *w, level[s]))
    return tuple(atoms), tuple(cut_entities)


def _entity_spans(text: str) -> list[_Entity]:
    """Links, mentions, hashtags, cashtags and emoji; overlapping ones merged.

    Links are looked for after a space, as the word sits in the text (see the module docstring).
    """
    links = extract_urls_with_indices(" " + text)
    found = [(u["indices"][0] - 1, u["indices"][1] - 1, "link") for u in links]
    found += [(m.start(), m.end(), "mention") for m in _MENTION.finditer(text)]
    found += [(m.start(), m.end(), "cashtag") for m in _CASHTAG.finditer(text)]
    found += [(s, e, "hashtag") for s, e in _hashtag_spans(text)]
    found += [(s, e, "emoji") for s, e in emoji_spans(text)]
    merged: list[_Entity] = []
    for start, end, kind in sorted(found):
        if merged and start < merged[-1][1]:
            prev_start, prev_end, prev_kind = merged[-1]
            merged[-1] = (prev_start, max(prev_end, end), prev_kind)
        else:
            merged.append((start, end, kind))
    return merged


def _is_hashtag_char(c: str) -> bool:
    category = unicodedata.category(c)
    return category[0] in "LM" or category == "Nd" or c in _HASHTAG_EXTRA


def _hashtag_spans(text: str) -> list[tuple[int, int]]:
    """`#` plus letters, marks, digits and joiners, at least one letter or mark (twitter-text)."""
    spans = []
    for match in _HASH.finditer(text):
        start = match.start()
        if start > 0:
            before = text[start - 1]
            if before not in "\ufe0e\ufe0f" and (before == "&" or _is_hashtag_char(before)):
                continue
        end = start + 1
        lettered = False
        while end < len(text) and _is_hashtag_char(text[end]):
            lettered = lettered or unicodedata.category(text[end])[0] in "LM"
            end += 1
        if lettered:
            spans.append((start, end))
    return spans


def _grapheme_bounds(text: str) -> list[int]:
    """Positions where a grapheme cluster ends, 0 and len(text) included."""
    return [0, *(m.end() for m in _CLUSTER.finditer(text))]


class _Packer:
    """Greedy packing of one block's leaves into parts of at most `budget`."""

    def __init__(self, text: str, leaves: _Leaves, budget: int) -> None:
        self.text = text
        self.leaves = leaves
        self.budget = budget

    def exact(self, a: int, b: int) -> int:
        """Weight of the part [a, b): the sum, unless it holds pieces of a word glued together."""
        if self.leaves.joins[b] - self.leaves.joins[a + 1] == 0:
            return self.leaves.weight(a, b)
        return _weight(self.text[self.leaves.starts[a] : self.leaves.ends[b - 1]])

    def pack(self) -> list[tuple[int, int, int]]:
        """Parts as (first character, end character, weighted length of the content)."""
        self.parts: list[tuple[int, int, int]] = []
        n = self.leaves.size
        levels, weight = self.leaves.levels, self.leaves.weight
        j, cur = 0, -1  # next leaf to place; first leaf of the open part, -1 if none
        while True:
            if j >= n:
                if cur < 0:
                    break
                j, cur = self._close(cur, n), -1
                continue
            for level in range(levels[j], _GRAPHEME + 1):
                if level == _GRAPHEME:
                    k = j + 1
                else:
                    bounds = self.leaves.bounds[level]
                    k = bounds[bisect_right(bounds, j)]
                if cur >= 0 and weight(cur, k) <= self.budget:
                    j = self._furthest(cur, k, level)
                    break
                if weight(j, k) <= self.budget:
                    if cur >= 0:
                        closed_at = self._close(cur, j)
                        if closed_at < j:
                            j, cur = closed_at, -1
                            break
                    j, cur = self._furthest(j, k, level), j
                    break
            else:  # leaf j alone is over the budget: it stands alone, and is reported
                if cur >= 0:
                    j, cur = self._close(cur, j), -1
                    continue
                j = self._close(j, j + 1)
        return self.parts

    def _furthest(self, cur: int, k: int, level: int) -> int:
        """The part [cur, k) fits; add the following units of the same level while they fit.

        Same result as adding them one by one (weights only grow), in one binary search: this
        is what keeps a long sentence or a long word from costing a step per word or grapheme.
        """
        leaves = self.leaves
        # The run of same-level units ends where a stronger boundary comes.
        stronger = leaves.bounds[level - 1] if level > 0 else [leaves.size]
        end = stronger[bisect_left(stronger, k)]
        room = self.budget + leaves.prefix[cur] + leaves.gaps[cur] - leaves.leads[cur]
        last = bisect_right(leaves.prefix, room, k, end + 1) - 1
        if level == _GRAPHEME:
            return last
        bounds = leaves.bounds[level]
        return bounds[bisect_right(bounds, last) - 1]

    def _close(self, a: int, b: int) -> int:
        """Record the part [a, b), giving back leaves at its end if its exact count is over."""
        weight = self.exact(a, b)
        while weight > self.budget and b - a > 1:
            b -= 1
            weight = self.exact(a, b)
        self.parts.append((self.leaves.starts[a], self.leaves.ends[b - 1], weight))
        return b


def _assemble(
    text: str,
    blocks: list[_Leaves],
    spans: list[tuple[int, int, int]],
    numbered: bool,
    limit: int,
) -> Thread:
    n = len(spans)
    parts = []
    problems = []
    for k, (start, end, weight) in enumerate(spans, 1):
        content = text[start:end]
        suffix = f" {k}/{n}" if numbered else ""
        weighted = weight + _weight(suffix)
        valid = weighted <= MAX_WEIGHTED_LENGTH
        if _INVALID.search(content):
            counted = fast_count(content + suffix)
            weighted, valid = counted.weighted_length, counted.valid
            bad = sorted({f"U+{ord(c):04X}" for c in _INVALID.findall(content)})
            problems.append(f"Part {k} contains a character X does not accept ({', '.join(bad)}).")
        elif weighted > limit or not valid:
            problems.append(
                f"Part {k} is {weighted} long, over the limit of {limit}: "
                f"{_snippet(content)} cannot be split further."
            )
        parts.append(Part(content + suffix, start, end, weighted))
    starts = [p.start for p in parts]
    for block in blocks:
        for start, end, kind in block.long_entities:
            first = bisect_right(starts, start) - 1
            last = bisect_right(starts, end - 1) - 1
            if first != last:
                problems.append(
                    f"The {kind} {_snippet(text[start:end])} is too long for one post "
                    f"and is split across parts {first + 1} to {last + 1}."
                )
    return Thread(parts=tuple(parts), numbered=numbered, problems=tuple(problems))


def _snippet(text: str, size: int = 24) -> str:
    return repr(text if len(text) <= size else text[: size - 1] + "…")
