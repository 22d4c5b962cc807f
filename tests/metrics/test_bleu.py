"""Corpus and sentence BLEU: a value computed by hand, and agreement with sacrebleu."""

import math

import pytest

from kerasrnn.metrics.bleu import corpus_bleu
from kerasrnn.metrics.bleu import sentence_bleu

REFERENCES = [["the cat is on the mat", "there is a cat on the mat"], ["he reads a book"]]
HYPOTHESES = ["the cat sat on the mat", "he reads a book"]


def test_corpus_bleu_by_hand():
    # Counts are added over the corpus, each hypothesis n-gram clipped by its most generous reference:
    #   1-grams: (the x2, cat, on, mat) 5/6 + 4/4 = 9/10     2-grams: (the cat, on the, the mat) 3/5 + 3/3 = 6/8
    #   3-grams: (on the mat) 1/4 + 2/2 = 3/6                4-grams: 0/3 + 1/1 = 1/4
    # Lengths: 6 + 4 = 10 hypothesis words, closest references 6 + 4 = 10: no brevity penalty.
    expected = 100 * (9 / 10 * 6 / 8 * 3 / 6 * 1 / 4) ** (1 / 4)
    assert corpus_bleu(REFERENCES, HYPOTHESES) == pytest.approx(expected, abs=1e-9)  # 53.896
    # Token lists work the same as space-separated strings.
    token_references = [[r.split() for r in refs] for refs in REFERENCES]
    assert corpus_bleu(token_references, [h.split() for h in HYPOTHESES]) == pytest.approx(expected, abs=1e-9)


def test_brevity_penalty_and_zero_matches():
    # 4 words against a closest reference of 6: BP = exp(1 - 6 / 4), all precisions 1.
    assert corpus_bleu(["the cat is on the mat"], ["the cat is on"]) == pytest.approx(100 * math.exp(1 - 6 / 4))
    assert corpus_bleu(["a b c d e"], ["a x b y c"]) == 0.0  # no matching bigram at all
    assert corpus_bleu(["a b c d"], ["a b c d"]) == pytest.approx(100.0)


def test_corpus_bleu_agrees_with_sacrebleu():
    sacrebleu = pytest.importorskip("sacrebleu")
    references = REFERENCES + [
        ["je suis fatigué .", "je suis fatiguée ."],
        ["où est la gare ?", "où se trouve la gare ?", "la gare est où ?"],
        ["il fait froid ."],
    ]
    hypotheses = HYPOTHESES + ["je suis fatigué .", "où est la gare ?", "il fait très froid ."]
    # sacrebleu takes one stream per reference slot; None pads the sources that have fewer references.
    slots = max(len(r) for r in references)
    streams = [[r[i] if i < len(r) else None for r in references] for i in range(slots)]
    theirs = sacrebleu.corpus_bleu(hypotheses, streams, tokenize="none").score
    # Same counts, same clipping, same closest-reference length: equal up to float rounding.
    assert corpus_bleu(references, hypotheses) == pytest.approx(theirs, abs=1e-9)


def test_sentence_bleu_is_smoothed_for_short_sentences():
    assert sentence_bleu(["va !"], "va !") == pytest.approx(100.0)  # shorter than 4 words, exact
    assert sentence_bleu("je suis ici .", "je suis là") > 10  # no 4-gram, still not 0
    # No matching 4-gram: p4 = 0/3 becomes 1 / (2 * 3) (the "exp" smoothing).
    expected = 100 * (5 / 6 * 3 / 5 * 1 / 4 * 1 / 6) ** (1 / 4)
    assert sentence_bleu(["the cat is on the mat"], "the cat sat on the mat") == pytest.approx(expected)
    assert sentence_bleu(["je suis ici ."], "") == 0.0
    assert sentence_bleu(["je suis ici ."], "tu es là") == 0.0


def test_sentence_bleu_agrees_with_sacrebleu():
    sacrebleu = pytest.importorskip("sacrebleu")
    for references, hypothesis in [
        (["il mange une pomme rouge .", "il a mangé une pomme ."], "il a mangé une pomme rouge ."),
        (["je suis ici ."], "je suis là"),
        (["the cat is on the mat"], "the cat sat on the mat"),
    ]:
        theirs = sacrebleu.sentence_bleu(hypothesis, references, tokenize="none").score
        assert sentence_bleu(references, hypothesis) == pytest.approx(theirs, abs=1e-9)


def test_bleu_argument_errors():
    with pytest.raises(ValueError, match="one entry per source"):
        corpus_bleu([["a b"]], ["a b", "c d"])
    with pytest.raises(ValueError, match="empty"):
        corpus_bleu([], [])
    with pytest.raises(ValueError, match="max_order=0"):
        sentence_bleu(["a b"], "a b", max_order=0)
