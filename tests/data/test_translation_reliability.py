"""Sentence pairs before batching: the length limit counts what it drops, the split never leaks a sentence."""

import collections

import pytest

from kerasrnn import datasets
from kerasrnn.data.translation import limit_pair_length
from kerasrnn.data.translation import split_pairs_by_source
from kerasrnn.datasets import DataFileError
from kerasrnn.text.normalization import normalize_sentence


def _pair(english, french):
    return english.split(), french.split()


PAIRS = [
    _pair("go .", "va !"),  # 2 / 2 tokens
    _pair("i am cold .", "j'ai froid ."),  # 4 / 3: source too long
    _pair("hi .", "salut , mon ami !"),  # 2 / 5: target too long
    _pair("we are so very tired .", "nous sommes très fatigués ."),  # 6 / 5: both too long
    _pair("run !", "cours !"),  # 2 / 2
    _pair("who ran ?", "qui a couru ?"),  # 3 / 4: target one over
    _pair("he ran .", "il a couru"),  # 3 / 3: exactly at the limit, kept
]


def test_long_pairs_are_dropped_and_counted():
    kept, num_long = limit_pair_length(PAIRS, 3)
    assert num_long == 4
    assert kept == [PAIRS[0], PAIRS[4], PAIRS[6]]
    kept, num_long = limit_pair_length(PAIRS, 4)
    assert num_long == 2 and kept == [PAIRS[0], PAIRS[1], PAIRS[4], PAIRS[5], PAIRS[6]]
    assert limit_pair_length(PAIRS, 6) == (PAIRS, 0)


def test_long_pairs_are_truncated_and_counted():
    cut, num_long = limit_pair_length(PAIRS, 3, truncate=True)
    assert num_long == 4 and len(cut) == len(PAIRS)
    assert cut[1] == (["i", "am", "cold"], ["j'ai", "froid", "."])
    assert cut[3] == (["we", "are", "so"], ["nous", "sommes", "très"])
    assert cut[0] == PAIRS[0] and cut[6] == PAIRS[6]
    assert all(len(english) <= 3 and len(french) <= 3 for english, french in cut)
    assert PAIRS[1] == _pair("i am cold .", "j'ai froid .")  # the input is not modified


@pytest.mark.parametrize("max_length", [0, -2, 2.5, None])
def test_bad_max_length_is_rejected(max_length):
    message = rf"`max_length` must be a positive integer, received: max_length={max_length}"
    with pytest.raises(ValueError, match=message):
        limit_pair_length(PAIRS, max_length)


def _pairs_with_duplicates():
    pairs = [
        ("go .", "va !"), ("go .", "marche ."), ("go .", "va !"),  # an exact duplicate and a second translation
        ("hi .", "salut !"), ("hi .", "salut !"),
        ("run !", "cours !"), ("who ?", "qui ?"), ("wow !", "ça alors !"), ("fire !", "au feu !"),
        ("help !", "à l'aide !"), ("jump .", "saute ."), ("stop !", "arrête-toi !"), ("wait !", "attends !"),
    ]
    return [_pair(english, french) for english, french in pairs]


@pytest.mark.parametrize("seed", range(8))
def test_split_never_puts_a_source_sentence_on_both_sides(seed):
    pairs = _pairs_with_duplicates()
    train, held_out, held_out_sources = split_pairs_by_source(pairs, 0.3, rng=seed)
    train_sources = {" ".join(english) for english, _ in train}
    assert not train_sources & set(held_out_sources)
    assert {" ".join(english) for english, _ in held_out} == set(held_out_sources)
    assert len(held_out_sources) == len(set(held_out_sources)) == 3  # 0.3 of the 10 distinct sentences
    # Every pair lands on exactly one side, duplicates included, each side in the original order.
    assert collections.Counter(map(repr, train + held_out)) == collections.Counter(map(repr, pairs))
    assert train == [pair for pair in pairs if pair in train] and held_out == [p for p in pairs if p in held_out]
    for duplicate in (_pair("go .", "va !"), _pair("hi .", "salut !")):
        assert (train.count(duplicate), held_out.count(duplicate)) in ((2, 0), (0, 2))


def test_split_is_deterministic_under_a_seed_and_takes_string_pairs():
    pairs = _pairs_with_duplicates()
    assert split_pairs_by_source(pairs, 0.3, rng=5) == split_pairs_by_source(pairs, 0.3, rng=5)
    as_text = [(" ".join(english), " ".join(french)) for english, french in pairs]
    train, held_out, sources = split_pairs_by_source(as_text, 0.3, rng=5)
    assert sources == split_pairs_by_source(pairs, 0.3, rng=5)[2]
    assert {english for english, _ in held_out} == set(sources)
    assert not {english for english, _ in train} & set(sources)


def test_split_keeps_one_sentence_on_each_side():
    pairs = [_pair("go .", "va !"), _pair("go .", "marche ."), _pair("hi .", "salut !")]
    train, held_out, sources = split_pairs_by_source(pairs, 0.9, rng=0)  # round(0.9 * 2) = 2, capped at 1
    assert len(sources) == 1 and train and held_out
    with pytest.raises(ValueError, match="1 distinct source sentence"):
        split_pairs_by_source(pairs[:2], 0.5, rng=0)
    with pytest.raises(ValueError, match=r"`held_out_fraction` must be in \(0, 1\), received: held_out_fraction=1"):
        split_pairs_by_source(pairs, 1, rng=0)


def test_recipe_split_of_the_real_pairs_leaks_no_sentence(shared_data):
    """The recipe's steps on the first 20,000 fra-eng pairs (as --quick): normalise, limit, split."""
    raw = datasets.load_fra_eng(shared_data / "fra-eng.zip")[:20_000]
    pairs = [(normalize_sentence(english).split(), normalize_sentence(french).split()) for english, french in raw]
    pairs, num_long = limit_pair_length(pairs, 5)
    assert len(pairs) + num_long == 20_000
    assert all(max(len(english), len(french)) <= 5 for english, french in pairs)
    counts = collections.Counter((" ".join(e), " ".join(f)) for e, f in pairs)
    assert max(counts.values()) > 1  # normalising makes some pairs identical: they are kept
    train, held_out, sources = split_pairs_by_source(pairs, 0.05, rng=0)
    assert len(train) + len(held_out) == len(pairs)
    assert not {" ".join(e) for e, _ in train} & set(sources)
    assert {" ".join(e) for e, _ in held_out} == set(sources)


# Raw lines of fra.txt (lines without a tab and empty French sides: tests/datasets/test_loaders.py)


def test_lines_with_an_empty_or_blank_english_side_are_skipped_and_counted(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("\tVa !\n \t Salut !\nRun!\tCours !\n\t\n", encoding="utf-8")  # a lone tab is a blank line
    with pytest.warns(UserWarning, match=r"skipped 2 of 3 lines in .*fra\.txt"):
        assert datasets.load_fra_eng(path) == [("Run!", "Cours !")]


def test_a_file_without_pairs_is_a_one_line_error(tmp_path):
    path = tmp_path / "fra.txt"
    path.write_text("Go. Va !\nno tab here\n\tonly French\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="holds no 'English<TAB>French' lines") as info:
        datasets.load_fra_eng(path)
    assert str(path) in str(info.value) and "\n" not in str(info.value)
