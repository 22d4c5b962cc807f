"""Fill in masked words with a trained masked-word model: `fill("to be or <mask> to be")`.

How a text is read (`MaskedWordModel.fill`):

* The text is normalised and split into words as in training
  (`kerasrnn.text.split_words`: lower case, punctuation split off), so
  `"<MASK>"` and `"<mask>"` are the same token. `<mask>` must stand as a word
  of its own (`"a <mask>."` is fine, `"a<mask>"` is not).
* Words never seen in training are read as `<unk>`; a warning gives their
  count (`unknown_words` lists them).
* Each mask is predicted from a window of at most `sequence_length` words,
  the length the model was trained on: for a bidirectional model the window
  is centred on the mask, for a unidirectional one (which reads left to
  right) it ends at the mask. Words outside the window are not read, so a
  text longer than the window is fine; a shorter text is read whole.
* Several masks are filled all at once, each from its own window, in which
  the other masks stay hidden (`<mask>`): the answers do not depend on each
  other or on their order.
* The answer is the likeliest ordinary word: `<pad>`, `<unk>`, `<mask>`,
  `<s>` and `</s>` are never proposed, and probabilities are renormalised
  over the ordinary words.
"""

import warnings

import numpy as np

from kerasrnn.metrics.masked_words import log_softmax
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.task import Task
from kerasrnn.text.vocabulary import MASK
from kerasrnn.utils.validation import check_int_in_range
from kerasrnn.utils.validation import check_positive_int


def _preview(text, limit=60):
    return repr(text if len(text) <= limit else text[:limit] + "...")


@register_task("masked_word_model")
class MaskedWordModel(Task):
    """Predict masked words with a trained masked-word model.

    See the module docstring for how a text is read. The model is one built by
    `kerasrnn.models.masked_word_model.build_masked_word_model` (any model
    mapping word ids `(batch, time)` to logits `(batch, time, vocabulary)`).

    Args:
        model: the Keras model.
        vocabulary: the word `kerasrnn.text.Vocabulary` it was trained with
            (it must hold the `<mask>` special token).
        sequence_length: the training window length, in words.
        bidirectional: whether the model reads both directions (it decides
            where the window sits around a mask). Defaults to True.
        card: optional dict describing the training run (saved as card.json).

    Example:

    >>> filler = kerasrnn.load("saved_models/predict_masked_words/best")  # the shipped bigru_2l
    >>> filler.fill("Good <mask>, sweet prince")
    'good lord , sweet prince'
    >>> filler.fill("my lord , i <mask> you", top_k=3)
    [[('have', 0.12...), ('am', 0.11...), ('do', 0.06...)]]
    """

    required_config = ("sequence_length",)

    def __init__(self, model, vocabulary, sequence_length, bidirectional=True, card=None):
        if vocabulary.level != "word" or MASK not in vocabulary.specials:
            raise ValueError(
                f"`vocabulary` must be a word vocabulary with the {MASK} token, received: {vocabulary!r} "
                f"with specials {vocabulary.specials}"
            )
        if model.output_shape[-1] != vocabulary.size:
            raise ValueError(
                f"the model predicts {model.output_shape[-1]} words but the vocabulary has {vocabulary.size}"
            )
        super().__init__(model, vocabulary=vocabulary, card=card)
        self.sequence_length = check_positive_int(sequence_length, "sequence_length")
        self.bidirectional = bool(bidirectional)
        self._special_ids = np.arange(2 + len(vocabulary.specials))  # <pad>, <unk> and the specials

    @property
    def num_words(self):
        """How many ordinary words the model can propose."""
        return self.vocabulary.size - len(self._special_ids)

    def split(self, text):
        """The words of `text` as the model reads them; `ValueError` unless it is a string with a `<mask>`."""
        if not isinstance(text, str):
            raise ValueError(
                f"`text` must be a string with at least one {MASK}, received: {text!r} ({type(text).__name__})"
            )
        words = self.vocabulary.split(text)
        if MASK not in words:
            raise ValueError(
                f"`text` must contain at least one {MASK} standing as a word of its own (the word to predict), "
                f"received: text={_preview(text)}"
            )
        return words

    def unknown_words(self, text):
        """The words of `text` that are not in the vocabulary (they are read as `<unk>`)."""
        return [word for word in self.split(text) if word not in self.vocabulary]

    def windows(self, words):
        """The `(masks, window)` int32 ids that predict each `<mask>` of `words`, and the mask's column."""
        ids = self.vocabulary.encode(words)
        length = min(self.sequence_length, len(ids))
        positions = np.flatnonzero(ids == self.vocabulary.mask_id)
        if self.bidirectional:
            starts = positions - length // 2  # the mask in the middle: context on both sides
        else:
            starts = positions - (length - 1)  # the mask last: all the context a left-to-right model uses
        starts = np.clip(starts, 0, len(ids) - length)
        windows = ids[starts[:, None] + np.arange(length)[None, :]]  # (masks, length)
        return windows.astype("int32"), positions - starts

    def probabilities(self, text):
        """P(word) for each `<mask>` of `text`: a `(masks, vocabulary.size)` float64 array.

        Special tokens get probability 0; each row sums to 1 over the
        ordinary words.
        """
        words = self.split(text)
        self._warn_unknown(words)
        return self._probabilities(words)

    def _warn_unknown(self, words):
        unknown = sum(1 for word in words if word not in self.vocabulary)
        if unknown:
            warnings.warn(
                f"{unknown} word(s) of the text are not in the vocabulary and were read as <unk>", stacklevel=3
            )

    def _probabilities(self, words):
        windows, columns = self.windows(words)
        batch = -(-len(windows) // 8) * 8  # a multiple of 8, so compiled predict functions are reused
        padded = np.zeros((batch, windows.shape[1]), "int32")
        padded[: len(windows)] = windows
        logits = np.asarray(self.model.predict_on_batch(padded))[: len(windows)]  # (masks, time, vocabulary)
        logits = logits[np.arange(len(windows)), columns].astype("float64")  # (masks, vocabulary)
        logits[:, self._special_ids] = -np.inf
        return np.exp(log_softmax(logits))

    def fill(self, text, top_k=None, highlight=False):
        """Fill every `<mask>` of `text` with the likeliest word, or list the `top_k` candidates.

        Args:
            text: a string holding one or more `<mask>` words.
            top_k: `None` to return the filled text, or an integer from 1 to
                `num_words` to return the `top_k` likeliest words of each mask.
                Defaults to None.
            highlight: put the filled words in brackets (`"to be or [not] to be"`).
                Defaults to False.

        Returns:
            With `top_k=None`, the text as the model reads it (see `split`)
            with each `<mask>` replaced. Otherwise a list with, for each mask
            in order, a list of `(word, probability)` pairs in decreasing
            probability.

        Raises:
            ValueError: `text` is not a string or holds no `<mask>`, or `top_k`
                is out of range.

        Example:

        >>> filler.fill("what is your <mask> ?", highlight=True)
        'what is your [son] ?'
        >>> filler.fill("what is your <mask> ?", top_k=2)
        [[('son', 0.035...), ('hands', 0.024...)]]
        """
        top_k = check_int_in_range(top_k, "top_k", 1, self.num_words, allow_none=True)
        words = self.split(text)
        self._warn_unknown(words)
        probabilities = self._probabilities(words)
        tokens = self.vocabulary.id_to_token
        if top_k is not None:
            order = np.argsort(-probabilities, axis=-1, kind="stable")[:, :top_k]
            return [[(tokens[k], float(row[k])) for k in best] for row, best in zip(probabilities, order)]
        best = iter(probabilities.argmax(axis=-1).tolist())
        filled = []
        for word in words:
            if word == MASK:
                word = tokens[next(best)]
                word = f"[{word}]" if highlight else word
            filled.append(word)
        return " ".join(filled)

    def get_config(self):
        return {"sequence_length": self.sequence_length, "bidirectional": self.bidirectional}
