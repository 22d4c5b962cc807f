"""Cased subword vocabularies with SentencePiece (Kudo & Richardson, 2018): raw text <-> ids <-> raw text.

A `SubwordVocabulary` wraps a trained SentencePiece model (unigram language
model or BPE). It reads raw, cased text: SentencePiece's own normaliser
(`nmt_nfkc`: NFKC, so the non-breaking and narrow spaces French puts before
`?`, `!`, `:` and `;` become plain spaces, and runs of spaces one) is part of
the model, so the Python side here and the TensorFlow twin in
`kerasrnn.text.tf_text.tf_sentencepiece_tokenizer` split a sentence the same
way. Decoding joins the pieces back into cased, detokenised text:
`"J'ai froid."`, `"Où est la gare ?"` (the space before `?` kept, as in the
references).

The ids are the model's ids: 0 is padding, 1 `<unk>`, 2 `<s>` and 3 `</s>`,
so a `Seq2Seq` model, `kerasrnn.tasks.Translator` and the SavedModel export
use them as they are. The serialized model (a few hundred kB) is the whole
vocabulary: `save` writes it as a `.model` file next to a task's `task.json`.

This module imports `sentencepiece` and NumPy only (never TensorFlow), so a
translator decodes on JAX and PyTorch without starting TensorFlow.
"""

import contextlib
import io
import os
import warnings

import numpy as np

from kerasrnn.io_utils import atomic_path
from kerasrnn.utils.validation import check_choice
from kerasrnn.utils.validation import check_positive_int

PAD_ID, UNK_ID, START_ID, END_ID = 0, 1, 2, 3
MODEL_TYPES = ("unigram", "bpe")


@contextlib.contextmanager
def _sentencepiece():
    """The `sentencepiece` module, for use inside the block with its SWIG DeprecationWarnings ignored.

    Its SWIG wrapper warns "builtin type SwigPyPacked has no __module__
    attribute" from C code on first use; where DeprecationWarning is an
    error (`-W error`, pytest's `filterwarnings`), raising there crashes the
    interpreter.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import sentencepiece

        yield sentencepiece


def _processor(model_proto):
    with _sentencepiece() as sentencepiece:
        return sentencepiece.SentencePieceProcessor(model_proto=model_proto)


class SubwordVocabulary:
    """A SentencePiece subword vocabulary over cased raw text.

    Build one with `SubwordVocabulary.train` (on the training split only);
    `encode` turns a raw sentence into ids, `decode` turns ids into cased,
    detokenised text.

    Args:
        model_proto: the serialized SentencePiece model (`bytes`), trained
            with the ids above (`train` does so).

    Example:

    ```python
    vocabulary = SubwordVocabulary.train(french_training_sentences, vocabulary_size=8000)
    ids = vocabulary.encode("J'ai froid.")      # int32 array, no <s> or </s>
    vocabulary.decode(ids)                       # "J'ai froid."
    vocabulary.save("target_subwords.model")
    ```

    Reference:
        [Kudo & Richardson, 2018](https://arxiv.org/abs/1808.06226),
        "SentencePiece: A simple and language independent subword tokenizer
        and detokenizer for Neural Text Processing";
        [Kudo, 2018](https://arxiv.org/abs/1804.10959), "Subword
        Regularization" (the unigram model);
        [Sennrich et al., 2016](https://arxiv.org/abs/1508.07909), "Neural
        Machine Translation of Rare Words with Subword Units" (BPE).
    """

    level = "subword"

    def __init__(self, model_proto):
        if not isinstance(model_proto, bytes) or not model_proto:
            raise ValueError(
                f"`model_proto` must be the bytes of a serialized SentencePiece model, received "
                f"{type(model_proto).__name__}"
            )
        self.model_proto = model_proto
        self.processor = _processor(model_proto)
        ids = (self.processor.pad_id(), self.processor.unk_id(), self.processor.bos_id(), self.processor.eos_id())
        if ids != (PAD_ID, UNK_ID, START_ID, END_ID):
            raise ValueError(
                f"the SentencePiece model has pad, unk, bos, eos ids {ids}; a SubwordVocabulary needs "
                f"{(PAD_ID, UNK_ID, START_ID, END_ID)}: train it with SubwordVocabulary.train"
            )

    @classmethod
    def train(cls, sentences, vocabulary_size, model_type="unigram", character_coverage=1.0, seed=0):
        """Train a SentencePiece model on raw, cased `sentences`.

        Args:
            sentences: an iterable of strings (the training split only).
            vocabulary_size: ids in all, the four special ids included. On a
                small corpus SentencePiece may find fewer pieces; the
                vocabulary is then smaller (`size` says how big).
            model_type: `"unigram"` or `"bpe"`. Defaults to `"unigram"`.
            character_coverage: share of the characters kept as pieces of
                their own; the rarest others read as `<unk>`. Defaults to 1.
            seed: SentencePiece's random seed. Defaults to 0.

        Returns:
            A `SubwordVocabulary`.
        """
        vocabulary_size = check_positive_int(vocabulary_size, "vocabulary_size")
        check_choice(model_type, "model_type", MODEL_TYPES)
        sentences = [s for s in sentences if s and s.strip()]
        if not sentences:
            raise ValueError("`sentences` holds no text to train a subword vocabulary on")
        model = io.BytesIO()
        with _sentencepiece() as sentencepiece:
            sentencepiece.set_random_generator_seed(int(seed))
            sentencepiece.SentencePieceTrainer.train(
                sentence_iterator=iter(sentences), model_writer=model, vocab_size=vocabulary_size,
                model_type=model_type, character_coverage=float(character_coverage),
                normalization_rule_name="nmt_nfkc", pad_id=PAD_ID, unk_id=UNK_ID, bos_id=START_ID, eos_id=END_ID,
                hard_vocab_limit=False, num_threads=1, minloglevel=2, input_sentence_size=0,
            )
        return cls(model.getvalue())

    @property
    def size(self):
        """Number of ids, special ids included: the model's input or softmax size."""
        return self.processor.get_piece_size()

    def __len__(self):
        return self.size

    pad_id = property(lambda self: PAD_ID)
    unk_id = property(lambda self: UNK_ID)
    start_id = property(lambda self: START_ID)
    end_id = property(lambda self: END_ID)

    @property
    def special_ids(self):
        """Ids that never stand for text: padding, `<s>` and `</s>`."""
        return (PAD_ID, START_ID, END_ID)

    def __eq__(self, other):
        return isinstance(other, SubwordVocabulary) and other.model_proto == self.model_proto

    def __repr__(self):
        return f"SubwordVocabulary(size={self.size})"

    def pieces(self, text):
        """The pieces `text` splits into: `"J'ai froid."` -> `["▁J", "'", "ai", "▁froid", "."]` (say)."""
        return self.processor.encode(text, out_type=str)

    def encode(self, text):
        """A raw sentence -> int32 ids (no `<s>` or `</s>`)."""
        return np.asarray(self.processor.encode(text), "int32")

    def count_unknown(self, text):
        """How many `<unk>` ids `text` encodes to."""
        return int(np.sum(self.encode(text) == UNK_ID))

    def decode(self, ids, skip_special=True, stop_at_end=True):
        """Ids -> cased, detokenised text.

        Args:
            ids: a 1-D sequence of ids.
            skip_special: drop padding and `<s>` (special ids cannot be
                detokenised; this is always done). Defaults to True.
            stop_at_end: stop at the first `</s>`. Defaults to True.
        """
        ids = [int(i) for i in np.asarray(ids).reshape(-1)]
        if stop_at_end and END_ID in ids:
            ids = ids[:ids.index(END_ID)]
        return self.processor.decode([i for i in ids if i not in self.special_ids])

    def save(self, path):
        """Write the serialized model to `path` (atomically)."""
        with atomic_path(os.fspath(path)) as tmp:
            with open(tmp, "wb") as f:
                f.write(self.model_proto)

    @classmethod
    def load(cls, path):
        path = os.fspath(path)
        if not os.path.isfile(path):
            raise FileNotFoundError(f"subword model not found: {path}")
        with open(path, "rb") as f:
            return cls(f.read())
