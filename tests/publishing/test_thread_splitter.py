"""Splitting long statements into threads: worked examples, then properties over generated text."""

from __future__ import annotations

import re
import string
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import extract_emojis_with_indices, extract_urls_with_indices

from commsdesk.publishing.text_count import count
from commsdesk.publishing.thread_splitter import SPLIT_MARKER, Part, Thread, split_thread

FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
FLAG_GB = "\U0001f1ec\U0001f1e7"
MARKER_LINE = re.compile(r"^[ \t]*---[ \t]*\r?$", re.MULTILINE)


def sentence(i: int, length: int = 40) -> str:
    """A sentence of exactly `length` ASCII characters, distinct per `i`."""
    head = f"Update {i} says"
    return (
        head
        + " more" * ((length - len(head) - 1) // 5)
        + "x" * ((length - len(head) - 1) % 5)
        + "."
    )


def contents(thread: Thread) -> list[str]:
    return [p.text.rsplit(" ", 1)[0] if thread.numbered else p.text for p in thread.parts]


def check_parts(text: str, thread: Thread, limit: int = 280) -> None:
    """What every thread must satisfy: exact counts, under the limit, spans faithful."""
    n = len(thread.parts)
    for k, part in enumerate(thread.parts, 1):
        counted = count(part.text)
        assert part.weighted_length == counted.weighted_length
        assert counted.valid and counted.weighted_length <= limit, part
        suffix = f" {k}/{n}" if thread.numbered else ""
        assert part.text == text[part.start : part.end] + suffix


# -- one post ----------------------------------------------------------------------------------


def test_text_that_fits_is_one_unnumbered_part():
    thread = split_thread("  Service is restored.\n")
    assert thread == Thread(
        parts=(Part("Service is restored.", 2, 22, 20),), numbered=False, problems=()
    )


def test_exactly_280_is_one_part_and_281_is_two():
    words = ("abcd " * 56).strip()  # 279 characters
    assert len(split_thread(words + "e").parts) == 1
    thread = split_thread(words + "ef")
    assert len(thread.parts) == 2 and thread.numbered
    check_parts(words + "ef", thread)


@pytest.mark.parametrize("text", ["", " ", "\n\n\t  \r\n", "\u3000\u00a0"])
def test_whitespace_only_gives_no_parts(text):
    assert split_thread(text) == Thread(parts=(), numbered=False, problems=())


def test_only_a_marker_gives_no_parts():
    assert split_thread("\n---\n").parts == ()


# -- paragraphs, sentences, words --------------------------------------------------------------


@pytest.mark.parametrize("blank", ["\n\n", "\r\n\r\n", "\n \t\n", "\n\n\n\n"])
def test_paragraph_boundary_is_preferred_over_filling_the_part(blank):
    first = " ".join(sentence(i) for i in range(4))  # 163
    second = " ".join(sentence(i) for i in range(10, 14))  # 163; a sentence of it would fit
    text = f"{first}{blank}{second}"
    thread = split_thread(text)
    assert [p.text for p in thread.parts] == [f"{first} 1/2", f"{second} 2/2"]
    assert thread.parts[1].start == len(first) + len(blank)
    check_parts(text, thread)


def test_a_single_line_break_is_not_a_paragraph():
    first = " ".join(sentence(i) for i in range(4))
    second = " ".join(sentence(i) for i in range(10, 14))
    thread = split_thread(f"{first}\n{second}")
    assert contents(thread)[0] == first + "\n" + " ".join(sentence(i) for i in range(10, 12))


def test_several_short_paragraphs_share_a_part():
    paragraphs = [sentence(i, 60) for i in range(9)]  # 9 x 60 with blank lines between
    text = "\n\n".join(paragraphs)
    thread = split_thread(text)
    assert contents(thread) == [
        "\n\n".join(paragraphs[0:4]),
        "\n\n".join(paragraphs[4:8]),
        paragraphs[8],
    ]
    check_parts(text, thread)


def test_a_long_paragraph_splits_at_sentences_greedily():
    sentences = [sentence(i, 50) for i in range(12)]
    text = " ".join(sentences)
    thread = split_thread(text)
    check_parts(text, thread)
    # 5 sentences take 254 + " k/3": the sixth would not fit.
    assert contents(thread) == [
        " ".join(sentences[0:5]),
        " ".join(sentences[5:10]),
        " ".join(sentences[10:12]),
    ]


def test_a_long_paragraph_shares_parts_with_its_neighbours():
    short = sentence(0, 100)
    long = " ".join(sentence(i, 60) for i in range(1, 7))  # 365: cannot fit anywhere whole
    text = f"{short}\n\n{long}"
    thread = split_thread(text)
    check_parts(text, thread)
    assert len(thread.parts) == 2
    first = contents(thread)[0]
    assert first.startswith(short + "\n\n" + sentence(1, 60))  # its sentences join the short one
    assert first.endswith(".")


@pytest.mark.parametrize("ender", ["!", "?", "…", ".)", '."'])
def test_sentence_enders(ender):
    sentences = [sentence(i, 90)[:-1] + ender for i in range(5)]
    thread = split_thread(" ".join(sentences))
    assert contents(thread) == [" ".join(sentences[0:3]), " ".join(sentences[3:5])]


def test_a_long_sentence_splits_at_words_greedily():
    words = [f"word{i}" for i in range(100)]
    text = " ".join(words)
    thread = split_thread(text)
    check_parts(text, thread)
    assert " ".join(contents(thread)).split() == words  # no word cut, none lost
    for part, nxt in zip(thread.parts, thread.parts[1:], strict=False):
        first_next_word = text[nxt.start :].split()[0]
        grown = text[part.start : part.end] + " " + first_next_word + f" 1/{len(thread.parts)}"
        assert count(grown).weighted_length > 280  # greedy: the next word really did not fit


def test_newlines_inside_a_part_are_kept():
    text = "Line one\nLine two\n\n" + "x " * 200
    thread = split_thread(text)
    assert thread.parts[0].text.startswith("Line one\nLine two\n\nx x")


def test_a_word_longer_than_a_post_is_cut_hard():
    text = "a" * 600
    thread = split_thread(text)
    check_parts(text, thread)
    assert [len(c) for c in contents(thread)] == [276, 276, 48]
    assert thread.problems == ()


# -- entities ----------------------------------------------------------------------------------


def test_a_url_counts_23_and_is_never_cut():
    url = "https://example.com/" + "p" * 200
    text = "word " * 40 + url + " tail" * 20
    thread = split_thread(text)
    check_parts(text, thread)
    holding = [p for p in thread.parts if url in p.text]
    assert len(holding) == 1
    assert len(holding[0].text) > 280  # only possible because the URL weighs 23
    assert holding[0].weighted_length == len(holding[0].text) - len(url) + 23


def test_a_link_behind_an_accented_letter_weighs_as_it_will_when_posted():
    # twitter-text reads "éexample.com" as é + link at the start of a post, as one link after a
    # space: each part must be weighed as the post it will be.
    text = "éexample.com est en panne. " * 12 + "Voir éexample.com. " * 20
    thread = split_thread(text)
    check_parts(text, thread)
    assert count(" éexample.com").weighted_length == 24 == count("éexample.com").weighted_length
    assert thread.parts[0].text.startswith("éexample.com")


def test_a_url_glued_into_a_long_word_is_not_cut():
    url = "https://example.com/incident/2024/status"
    text = "a" * 260 + "," + url + "," + "b" * 100
    thread = split_thread(text)
    check_parts(text, thread)
    assert sum(url in p.text for p in thread.parts) == 1


@pytest.mark.parametrize(
    "entity",
    ["@desk_news_team", "#IncidentUpdate", "#障害情報", "$EXMP", "$BRK.B", FAMILY, FLAG_GB],
)
@pytest.mark.parametrize("offset", range(266, 280))
def test_entities_in_a_long_word_are_never_cut(entity, offset):
    text = "a" * offset + "," + entity + "," + "b" * 100
    thread = split_thread(text)
    check_parts(text, thread)
    start = offset + 1
    assert any(p.start <= start and start + len(entity) <= p.end for p in thread.parts)
    assert thread.problems == ()


def test_mentions_hashtags_cashtags_stay_whole_at_word_level():
    text = " ".join(["@desk_news", "#outage", "$EXMP", "word"] * 40)
    thread = split_thread(text)
    check_parts(text, thread)
    for part in thread.parts:
        for token in text[part.start : part.end].split():
            assert token in {"@desk_news", "#outage", "$EXMP", "word"}


def test_an_entity_too_long_for_any_post_is_cut_and_reported():
    tag = "#" + "a" * 400
    text = f"Follow {tag} now"
    thread = split_thread(text)
    check_parts(text, thread)
    assert len(thread.parts) >= 2
    assert len(thread.problems) == 1
    assert "hashtag" in thread.problems[0] and "too long" in thread.problems[0]


def test_a_grapheme_too_heavy_for_a_post_stands_alone_and_is_reported():
    zalgo = "e" + "\u0301" * 300  # one grapheme cluster weighing 300
    text = f"Before. {zalgo} After."
    thread = split_thread(text)
    assert contents(thread) == ["Before.", zalgo, "After."]
    assert thread.parts[1].weighted_length == count(thread.parts[1].text).weighted_length > 280
    assert len(thread.problems) == 1 and thread.problems[0].startswith("Part 2 is 304 long")


def test_an_invalid_character_is_reported():
    text = "Statement \ufeff" + " word" * 80
    thread = split_thread(text)
    assert any("U+FEFF" in problem and "Part 1" in problem for problem in thread.problems)
    assert not count(thread.parts[0].text).valid
    assert thread.parts[0].weighted_length == count(thread.parts[0].text).weighted_length


# -- manual split ------------------------------------------------------------------------------


@pytest.mark.parametrize("marker", ["---", "  ---  ", "\t---"])
def test_a_marker_line_forces_a_split(marker):
    text = f"Short one.\n{marker}\nShort two."
    thread = split_thread(text)
    assert [p.text for p in thread.parts] == ["Short one. 1/2", "Short two. 2/2"]
    assert text[thread.parts[0].end : thread.parts[1].start].strip() == SPLIT_MARKER


def test_a_marker_with_windows_line_endings():
    text = "Short one.\r\n---\r\nShort two.\r\n"
    assert contents(split_thread(text)) == ["Short one.", "Short two."]


@pytest.mark.parametrize("text", ["Short one. --- Short two.", "Short one.\n----\nShort two."])
def test_dashes_that_are_not_a_marker_line_do_not_split(text):
    assert [p.text for p in split_thread(text).parts] == [text]


def test_a_marker_splits_even_a_long_text_there():
    first = " ".join(sentence(i) for i in range(3))
    rest = " ".join(sentence(i) for i in range(10, 20))
    text = f"{first}\n---\n{rest}"
    thread = split_thread(text)
    check_parts(text, thread)
    assert contents(thread)[0] == first


# -- numbering ---------------------------------------------------------------------------------


def test_numbering_is_counted_and_correct():
    text = " ".join(sentence(i, 70) for i in range(20))
    thread = split_thread(text)
    n = len(thread.parts)
    assert thread.numbered and n > 2
    for k, part in enumerate(thread.parts, 1):
        assert part.text.endswith(f" {k}/{n}")
        assert part.weighted_length == count(part.text).weighted_length <= 280


def test_numbering_off():
    sentences = [sentence(i, 69) for i in range(20)]  # four take 279: room for no " k/n"
    text = " ".join(sentences)
    plain = split_thread(text, numbering=False)
    assert not plain.numbered
    check_parts(text, plain)
    assert [p.text for p in plain.parts] == [
        " ".join(sentences[i : i + 4]) for i in (0, 4, 8, 12, 16)
    ]
    assert {p.weighted_length for p in plain.parts} == {279}
    numbered = split_thread(text)
    assert numbered.numbered and len(numbered.parts) == 7  # three sentences and " k/7" each


def test_paragraphs_that_fit_only_with_a_one_digit_count():
    paragraph = "a" * 136 + ". " + "b" * 137 + "."  # 276: room for " k/9", not for " k/10"
    nine = split_thread("\n\n".join([paragraph] * 9))
    assert len(nine.parts) == 9
    assert all(p.weighted_length == 280 for p in nine.parts)
    assert nine.parts[8].text.endswith(" 9/9")

    text = "\n\n".join([paragraph] * 10)
    ten = split_thread(text)
    check_parts(text, ten)
    assert len(ten.parts) == 20  # each paragraph now splits at its sentence
    assert ten.parts[0].text == "a" * 136 + ". 1/20"
    assert ten.parts[19].text == "b" * 137 + ". 20/20"


def test_limit_below_280():
    text = " ".join(sentence(i, 45) for i in range(10))
    thread = split_thread(text, limit=100)
    check_parts(text, thread, limit=100)
    assert len(contents(thread)[0]) == 91  # two sentences and " 1/n"


def test_limit_above_280_still_respects_x():
    text = "word " * 200
    thread = split_thread(text, limit=500)
    check_parts(text, thread)


def test_a_tiny_limit_is_refused():
    with pytest.raises(ValueError):
        split_thread("hello", limit=5)


# -- CJK and emoji -----------------------------------------------------------------------------


def test_cjk_splits_after_full_stops_without_spaces():
    sentences = ["東京で停電が発生しました。", "現在復旧作業中です！", "ご迷惑をおかけしています？"]
    text = "".join(sentences * 15)
    thread = split_thread(text)
    check_parts(text, thread)
    assert len(thread.parts) > 2
    for c in contents(thread):
        assert c.endswith(("。", "！", "？"))
        assert c.startswith(("東", "現", "ご"))
    assert "".join(contents(thread)) == text
    suffix = f" 1/{len(thread.parts)}"
    assert thread.parts[0].weighted_length == 2 * len(contents(thread)[0]) + len(suffix)


def test_cjk_without_stops_is_cut_between_characters():
    text = "障害" * 200
    thread = split_thread(text)
    check_parts(text, thread)
    assert [len(c) for c in contents(thread)] == [138, 138, 124]


def test_emoji_sequences_are_never_cut():
    text = FAMILY * 300
    thread = split_thread(text)
    check_parts(text, thread)
    for c in contents(thread):
        assert c == FAMILY * (len(c) // len(FAMILY))
    assert thread.parts[0].weighted_length == 280


def test_flags_and_skin_tones_are_never_cut():
    thumbs = "\U0001f44d\U0001f3fd"
    text = (FLAG_GB + thumbs + "e\u0301") * 100
    thread = split_thread(text)
    check_parts(text, thread)
    assert len(thread.parts) == 2
    # The second part starts on a grapheme: not a flag's second half, a skin tone or an accent.
    assert text[thread.parts[1].start] not in ("\U0001f1e7", "\U0001f3fd", "\u0301")


def test_conjuncts_and_hangul_jamo_are_never_cut():
    conjunct = "\u0915\u094d\u0937"  # क्ष: one grapheme cluster (Unicode 15.1)
    jamo = "\u1100\u1161\u11a8"  # 각 spelled as three jamo
    for text in ("x" + conjunct * 200, "x" + jamo * 200):
        thread = split_thread(text)
        check_parts(text, thread)
        assert len(thread.parts) >= 2
        assert all((part.start - 1) % 3 == 0 for part in thread.parts[1:])


def test_emoji_count_two_each():
    text = " ".join(["\u2705"] * 200)
    thread = split_thread(text)
    check_parts(text, thread)
    assert contents(thread)[0] == " ".join(["\u2705"] * 92)  # 92 * 2 + 91 spaces + " 1/3" = 279
    assert thread.parts[0].weighted_length == 279


# -- properties --------------------------------------------------------------------------------

LETTERS = string.ascii_letters + "éüßçñ"
words = st.text(LETTERS, min_size=1, max_size=10).map(lambda w: w + ("," if len(w) % 4 else ""))
long_words = st.text(LETTERS + "-", min_size=60, max_size=400)
urls = st.text(string.ascii_lowercase + string.digits + "/-_", max_size=80).map(
    lambda path: f"https://example.com/{path}"
)
bare_urls = st.sampled_from(["example.com", "status.example.org/x", "t.co/abc"])
mentions = st.text(string.ascii_letters + string.digits + "_", min_size=1, max_size=15).map(
    lambda name: "@" + name
)
hashtags = st.text(LETTERS + "日本_0", min_size=1, max_size=20).map(lambda t: "#a" + t)
cashtags = st.text(string.ascii_uppercase, min_size=1, max_size=6).map(lambda t: "$" + t)
emoji = st.sampled_from(
    [
        FAMILY,
        FLAG_GB,
        "\U0001f600",
        "\U0001f44d\U0001f3fd",
        "\u26a0\ufe0f",
        "1\ufe0f\u20e3",
        "\u2705",
    ]
)
cjk = st.text("東京大阪障害復旧中ですがの", min_size=1, max_size=40).map(
    lambda t: t + ("。" if len(t) % 3 else "")
)
marks = st.sampled_from(["e\u0301", "n\u0303", "a\u0308\u0304"])
enders = st.sampled_from([".", "!", "?", "…"])
tokens = st.one_of(
    words, words, words, long_words, urls, bare_urls, mentions, hashtags, cashtags, emoji, cjk,
    marks, enders,
)  # fmt: skip
separators = st.sampled_from(
    [" ", " ", " ", " ", "  ", "\n", "\n\n", "\n \n", "\r\n", "\r\n\r\n", "", "\n---\n", "\t"]
)
texts = st.lists(st.tuples(tokens, separators), max_size=60).map(
    lambda pairs: "".join(t + s for t, s in pairs)
)
limits = st.sampled_from([40, 100, 140, 280])

MENTION = re.compile(r"(?<![A-Za-z0-9_!#$%&*@＠])@[A-Za-z0-9_]{1,15}")
HASHTAG = re.compile(r"(?<![&\w\u0300-\u036f\u20e3])#\w*[^\W\d_]\w*")
CASHTAG = re.compile(r"(?<!\S)\$[A-Za-z]{1,6}(?:[._][A-Za-z]{1,2})?(?=$|\s|[!-/:-@\[-`{-~])")


def entities(text: str) -> list[tuple[int, int]]:
    """Everything X would link or draw as one thing, found independently of the splitter."""
    found = [tuple(u["indices"]) for u in extract_urls_with_indices(text)]
    found += [tuple(e["indices"]) for e in extract_emojis_with_indices(text)]
    found += [m.span() for pattern in (MENTION, HASHTAG, CASHTAG) for m in pattern.finditer(text)]
    return found


def joins_grapheme(before: str, after: str) -> bool:
    return (
        unicodedata.category(after).startswith("M")
        or after in "\u200d\u200c"
        or before == "\u200d"
        or 0x1F3FB <= ord(after) <= 0x1F3FF
    )


@settings(max_examples=200, deadline=None)
@given(texts, limits, st.booleans())
def test_property_parts_fit_and_are_valid(text, limit, numbering):
    thread = split_thread(text, numbering=numbering, limit=limit)
    flagged = " ".join(thread.problems)
    for k, part in enumerate(thread.parts, 1):
        counted = count(part.text)
        assert part.weighted_length == counted.weighted_length
        if f"Part {k} " not in flagged:
            assert counted.valid, part
            assert counted.weighted_length <= limit, part
    assert thread.numbered == (numbering and len(thread.parts) > 1)
    if not MARKER_LINE.search(text) and text.strip():
        whole = count(text.strip())
        if whole.valid and whole.weighted_length <= limit:
            assert [p.text for p in thread.parts] == [text.strip()]
        else:
            assert len(thread.parts) >= 2


@settings(max_examples=200, deadline=None)
@given(texts, limits, st.booleans())
def test_property_no_entity_or_grapheme_is_cut(text, limit, numbering):
    thread = split_thread(text, numbering=numbering, limit=limit)
    reserve = len(f" {len(thread.parts)}/{len(thread.parts)}") if thread.numbered else 0
    for start, end in entities(text):
        if not any(p.start <= start and end <= p.end for p in thread.parts):
            # Only an entity that could not fit in any post may be cut, and it is reported.
            assert count(text[start:end]).weighted_length > limit - reserve - 2
            assert any("too long for one post" in problem for problem in thread.problems)
    for part, nxt in zip(thread.parts, thread.parts[1:], strict=False):
        if part.end == nxt.start:  # cut inside a word
            assert not joins_grapheme(text[part.end - 1], text[part.end])


@settings(max_examples=200, deadline=None)
@given(texts, limits, st.booleans())
def test_property_text_is_preserved(text, limit, numbering):
    thread = split_thread(text, numbering=numbering, limit=limit)
    pieces = []
    position = 0
    for k, part in enumerate(thread.parts, 1):
        gap = text[position : part.start]
        assert MARKER_LINE.sub("", gap).strip() == ""
        content = text[part.start : part.end]
        assert content and content == content.strip()
        assert part.text.startswith(content)
        assert part.text == content + (f" {k}/{len(thread.parts)}" if thread.numbered else "")
        assert not MARKER_LINE.search(content)
        pieces += [gap, content]
        position = part.end
    assert MARKER_LINE.sub("", text[position:]).strip() == ""
    assert "".join(pieces) + text[position:] == text
    assert (thread.parts == ()) == (MARKER_LINE.sub("", text).strip() == "")
