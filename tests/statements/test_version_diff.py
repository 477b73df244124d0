from hypothesis import given
from hypothesis import strategies as st

from commsdesk.statements.version_diff import Op, diff_words, summary


def test_changed_word_is_removed_then_added():
    chunks = diff_words("Withdrawals are paused.", "Withdrawals are open.")
    assert [(c.op, c.text) for c in chunks] == [
        (Op.SAME, "Withdrawals are "),
        (Op.REMOVED, "paused."),
        (Op.ADDED, "open."),
    ]
    assert summary(chunks) == "+1 words, −1 words"


def test_identical_texts_have_no_change():
    assert summary(diff_words("same text", "same text")) == "no change"


texts = st.text(alphabet=st.sampled_from(list("ab c\n.é😷")), max_size=60)


@given(texts, texts)
def test_both_sides_are_reconstructed(old, new):
    chunks = diff_words(old, new)
    assert "".join(c.text for c in chunks if c.op is not Op.ADDED) == old
    assert "".join(c.text for c in chunks if c.op is not Op.REMOVED) == new
