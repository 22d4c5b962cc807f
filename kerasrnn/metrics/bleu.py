"""BLEU (Papineni et al., 2002) for translations, with several references per source, via NLTK.

`BLEU = BP * exp(sum_n w_n log p_n)`, `w_n = 1/4` for `n = 1..4`, where `p_n` is
the modified n-gram precision (each hypothesis n-gram counts at most as often
as it appears in one of its references) and `BP = min(1, exp(1 - r / c))` the
brevity penalty (`c` the hypothesis length, `r` the reference length closest
to it). Scores are on the 0-100 scale papers report.

* `corpus_bleu` adds the n-gram counts of the whole corpus before dividing:
  the figure to report. It is not the mean of sentence scores.
* `sentence_bleu` scores one sentence for display. Short sentences often have
  no matching 4-gram, which makes plain BLEU 0; it is smoothed instead (NLTK's
  `SmoothingFunction().method3`, the "exp" smoothing of sacrebleu and NIST:
  the k-th zero precision becomes `1 / (2**k * count)`) and, for hypotheses
  shorter than 4 tokens, averaged over the orders they have.

Both take text already tokenised the way the model sees it (words separated
by spaces, as `kerasrnn.text.normalize_sentence` writes them) or lists of
tokens. With `tokenize="none"`, `sacrebleu` computes the same corpus figure
(a test checks it): both clip counts against the references and pick the
closest reference length, and sacrebleu's smoothing only touches orders with
no match at all, which a corpus of any size does not have.

Reference:
    [Papineni et al., 2002](https://aclanthology.org/P02-1040/),
    "BLEU: a Method for Automatic Evaluation of Machine Translation".
"""

import warnings

from kerasrnn.utils.validation import check_positive_int

MAX_ORDER = 4


def _tokens(text):
    if isinstance(text, str):
        return text.split()
    return [str(token) for token in text]


def _references(references):
    """One source's references: a string (the only reference) or a list of strings or token lists."""
    if isinstance(references, str):
        return [_tokens(references)]
    return [_tokens(reference) for reference in references]


def _check_corpus(references, hypotheses):
    if len(references) != len(hypotheses):
        raise ValueError(
            f"`references` and `hypotheses` must have one entry per source, received {len(references)} "
            f"and {len(hypotheses)}"
        )
    if not hypotheses:
        raise ValueError("`hypotheses` is empty: give at least one translation to score")


def corpus_bleu(references, hypotheses, max_order=MAX_ORDER):
    """Corpus BLEU (0-100) with one or more references per hypothesis.

    Args:
        references: one entry per hypothesis: a list of its references, each
            a string (split on spaces) or a list of tokens; or a bare string,
            the only reference.
        hypotheses: the translations, strings or token lists.
        max_order: the longest n-gram counted. Defaults to 4.

    Returns:
        A float in [0, 100].

    Example:

    >>> corpus_bleu([["the cat is on the mat", "there is a cat on the mat"], ["he reads a book"]],
    ...             ["the cat sat on the mat", "he reads a book"])
    53.89...
    """
    from nltk.translate import bleu_score

    _check_corpus(references, hypotheses)
    _check_order(max_order)
    references = [_references(r) for r in references]
    hypotheses = [_tokens(h) for h in hypotheses]
    weights = (1.0 / max_order,) * max_order
    with warnings.catch_warnings():
        # NLTK warns when an order has no match at all; the score is then 0, which we return.
        warnings.simplefilter("ignore")
        score = bleu_score.corpus_bleu(references, hypotheses, weights=weights)
    return 100.0 * float(score) if score > 1e-30 else 0.0


def sentence_bleu(references, hypothesis, max_order=MAX_ORDER):
    """Smoothed sentence BLEU (0-100) for showing one translation's quality.

    Args:
        references: the sentence's references (strings or token lists), or
            one string.
        hypothesis: the translation, a string or a token list.
        max_order: the longest n-gram counted. Defaults to 4.

    Returns:
        A float in [0, 100]; 100 for an exact match of any length, 0 only
        when no word matches.

    Example:

    >>> sentence_bleu(["va !"], "va !")
    100.0
    >>> round(sentence_bleu(["the cat is on the mat"], "the cat sat on the mat"), 2)
    37.99
    """
    from nltk.translate import bleu_score

    _check_order(max_order)
    references = _references(references)
    hypothesis = _tokens(hypothesis)
    if not hypothesis or not references:
        return 0.0
    order = min(max_order, len(hypothesis))  # a 3-token sentence has no 4-grams to score
    weights = (1.0 / order,) * order
    return 100.0 * float(bleu_score.sentence_bleu(references, hypothesis, weights=weights,
                                                  smoothing_function=bleu_score.SmoothingFunction().method3))


def _check_order(max_order):
    return check_positive_int(max_order, "max_order")
