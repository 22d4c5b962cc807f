import pytest

from kerasrnn.text.word2vec import encode_words
from kerasrnn.text.word2vec import word2vec_tokens
from kerasrnn.text.word2vec import word_vocabulary


def test_tokens_vocabulary_and_ids():
    text = "KING RICHARD III:\nNow is the winter--of our discontent, 'tis answer'd-- o'er ... !"
    assert word2vec_tokens(text) == ["king", "richard", "iii", "now", "is", "the", "winter", "of", "our",
                                     "discontent", "'tis", "answer'd", "o'er"]
    tokens = "a rose is a rose is a rose , and b".split()
    words, counts = word_vocabulary(tokens, min_count=2)
    assert words == ["a", "rose", "is"] and counts.tolist() == [3, 3, 2]  # tie broken alphabetically
    assert word_vocabulary(tokens, min_count=1, max_size=2)[0] == ["a", "rose"]
    assert encode_words(tokens, words).tolist() == [0, 1, 2, 0, 1, 2, 0, 1]  # rare words left out
    with pytest.raises(ValueError, match=r"min_count=9 times \(the most frequent word, 'a', is seen 3 times\)"):
        word_vocabulary(tokens, min_count=9)
    with pytest.raises(ValueError, match="min_count=0"):
        word_vocabulary(tokens, min_count=0)
    with pytest.raises(ValueError, match="max_size=0"):
        word_vocabulary(tokens, min_count=1, max_size=0)
