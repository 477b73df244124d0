"""The weighted count against X's own conformance suite, and a few cases of our own."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from twitter_text import extract_emojis_with_indices
from twitter_text.regexp.emoji import emoji_list

from commsdesk.publishing.text_count import (
    MAX_WEIGHTED_LENGTH,
    Count,
    count,
    emoji_spans,
    fast_count,
)

VALIDATE = Path(__file__).resolve().parents[3] / "shared/reference/twitter-text/validate.yml"
SECTIONS = {
    "WeightedTweetsWithDiscountedEmojiCounterTest": 22,
    "UnicodeDirectionalMarkerCounterTest": 2,
}
COUNTERS = [pytest.param(count, id="count"), pytest.param(fast_count, id="fast_count")]


def load_suite() -> dict[str, list[dict]] | None:
    if not VALIDATE.is_file():
        return None
    tests = yaml.safe_load(VALIDATE.read_text(encoding="utf-8"))["tests"]
    return {section: tests[section] for section in SECTIONS}


SUITE = load_suite()

if SUITE is None:

    def test_conformance_suite(reference_dir):
        """Skips where the reference material is absent; under CI the fixture fails instead."""
        pytest.fail(f"{reference_dir} exists but {VALIDATE} does not")

else:

    @pytest.mark.parametrize("counter", COUNTERS)
    @pytest.mark.parametrize(
        "case",
        [
            pytest.param(case, id=f"{section}-{i:02d}-{case['description']}")
            for section, cases in SUITE.items()
            for i, case in enumerate(cases)
        ],
    )
    def test_conformance_suite(counter, case):
        result = counter(case["text"])
        assert result.weighted_length == case["expected"]["weightedLength"]
        assert result.valid is case["expected"]["valid"]

    def test_conformance_sections_are_complete(reference_dir):
        assert reference_dir / "twitter-text" / "validate.yml" == VALIDATE
        assert {section: len(cases) for section, cases in SUITE.items()} == SECTIONS


def test_plain_ascii_counts_one_per_character():
    assert count("Service is restored.") == Count(weighted_length=20, valid=True)


def test_a_url_counts_23_however_long():
    url = "https://status.example.com/incidents/2024/outage-in-the-eu-west-region-and-more"
    assert len(url) > 23
    assert count(f"Details: {url}").weighted_length == len("Details: ") + 23


def test_cjk_counts_two_per_character():
    assert count("障害が復旧しました").weighted_length == 2 * 9


def test_an_emoji_zwj_family_counts_two():
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"
    assert len(family) == 7
    assert count(family).weighted_length == 2
    assert count(f"We {family}").weighted_length == 5


def test_exactly_280_is_valid_and_281_is_not():
    full = count("a" * MAX_WEIGHTED_LENGTH)
    over = count("a" * (MAX_WEIGHTED_LENGTH + 1))
    assert (full.weighted_length, full.valid, full.remaining) == (280, True, 0)
    assert (over.weighted_length, over.valid, over.remaining) == (281, False, -1)


def test_empty_text_is_not_a_valid_post():
    assert count("") == Count(weighted_length=0, valid=False)
    assert count("").remaining == MAX_WEIGHTED_LENGTH


def test_remaining_reflects_weights():
    assert count("日本 https://example.com").remaining == 280 - (4 + 1 + 23)


def test_emoji_spans_match_the_library_on_every_listed_emoji():
    every = " ".join(entry.emoji for entry in emoji_list) + "".join(e.emoji for e in emoji_list)
    expected = [tuple(e["indices"]) for e in extract_emojis_with_indices(every)]
    assert len(expected) >= 2 * len(emoji_list) - 50  # really found the emoji, not nothing
    assert emoji_spans(every) == expected


PIECES = [
    "hello", "Status", " ", "  ", "\n", "\r\n", "\r", ".", ",", "!", "#", "*", "1", "2024",
    "https://example.com/a?b=c", "example.com", "t.co/abc", "http://t.co/" + "a" * 45,
    "日本語.jp", "東京", "。", "障害", "@desk_news", "#outage", "$EXMP", "$BRK.B", "é",
    "e\u0301", "A\u030a", "\u212b", "\u0301", "\u200d", "\ufe0f", "\u20e3", "\ufeff", "\u202e",
    "\U0001f600", "\U0001f44d\U0001f3fd", "\U0001f1ec\U0001f1e7", "#\ufe0f\u20e3", "1\ufe0f\u20e3",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466", "\u00a9", "\u26a0\ufe0f",
    "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f", "\U00020000",
    "\u2014", "\u3000", "x" * 40,
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=50).map("".join))
def test_fast_count_agrees_with_parse_tweet(text):
    assert fast_count(text) == count(text)
    expected = [tuple(e["indices"]) for e in extract_emojis_with_indices(text)]
    assert emoji_spans(text) == expected


def test_fast_count_agrees_on_long_text():
    text = " ".join(PIECES) * 20
    assert len(text) > 5000
    assert fast_count(text) == count(text)
