"""A trained sequence-to-sequence translator with its source and target vocabularies."""

import os

import numpy as np

from keras import ops

from kerasrnn.decoding import BeamSampler
from kerasrnn.decoding import Seq2SeqGenerator
from kerasrnn.decoding import get_sampler
from kerasrnn.decoding import normalized_scores
from kerasrnn.tasks.saved_task import load_keras_model
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.task import MODEL_FILE
from kerasrnn.tasks.task import VOCABULARY_FILE
from kerasrnn.tasks.task import Task
from kerasrnn.text.vocabulary import MASK
from kerasrnn.text.vocabulary import START
from kerasrnn.text.vocabulary import Vocabulary
from kerasrnn.utils.validation import check_positive_int

TARGET_VOCABULARY_FILE = "target_vocabulary.json"
SUBWORD_FILES = {"source": "source_subwords.model", "target": "target_subwords.model", "shared": "subwords.model"}


def _is_subword(vocabulary):
    return getattr(vocabulary, "level", None) == "subword"


def _load_vocabulary(directory, name):
    path = os.path.join(directory, name)
    if name.endswith(".model"):
        from kerasrnn.text.subword import SubwordVocabulary

        return SubwordVocabulary.load(path)
    return Vocabulary.load(path)


@register_task("translator")
class Translator(Task):
    """Translate raw sentences with a trained `kerasrnn.models.seq2seq.Seq2Seq`.

    With word vocabularies a sentence is normalised and split into words as
    in training (`kerasrnn.text.normalize_sentence`), words the source
    vocabulary lacks become `<unk>`, and the output ids are turned back into
    lower-cased words (special tokens dropped; an `<unk>` the model generates
    stays visible). With subword vocabularies
    (`kerasrnn.text.subword.SubwordVocabulary`) the raw cased sentence is cut
    into pieces and the output is cased, detokenised text: `"J'ai froid."`.
    Decoding
    is beam search (or greedy search for `beam_width=1`) or sampling, each one
    compiled loop over the decoder (`kerasrnn.decoding.Seq2SeqGenerator` with a
    `kerasrnn.decoding` sampler, chosen here).

    Args:
        model: a `Seq2Seq` model, or a list of them over the same
            vocabularies: an ensemble, decoded together (each step averages
            the members' log-probabilities, one beam search for all).
        source_vocabulary: the word-level `kerasrnn.text.Vocabulary` or the
            `kerasrnn.text.subword.SubwordVocabulary` of the source language.
        target_vocabulary: the target language's vocabulary of the same kind,
            with `<s>` and `</s>` (one subword vocabulary may serve both).
        card: optional dict describing the training run (saved as card.json).

    Example:

    ```python
    translator = kerasrnn.load("saved_models/translate_en_fr")
    translator.translate(["I am cold.", "Where is the station?"], beam_width=4)  # two French strings
    translator.translate("I am cold.", return_scores=True)  # (translation, length-normalised log-probability)
    translator.sample("I am cold.", temperature=0.7, seed=0)
    ```
    """

    def __init__(self, model, source_vocabulary, target_vocabulary, card=None):
        if _is_subword(source_vocabulary) != _is_subword(target_vocabulary):
            raise ValueError(
                f"both vocabularies must be word-level or both subword, received {source_vocabulary!r} and "
                f"{target_vocabulary!r}"
            )
        self.models = list(model) if isinstance(model, (list, tuple)) else [model]
        if not self.models:
            raise ValueError("`model` is an empty list: give a Seq2Seq model or several")
        for member in self.models:
            for side, vocabulary, size in (("source", source_vocabulary, member.encoder.vocabulary_size),
                                           ("target", target_vocabulary, member.decoder.vocabulary_size)):
                if vocabulary.size != size:
                    raise ValueError(
                        f"the model's {side} side has {size} ids but the {side} vocabulary has {vocabulary.size}"
                    )
        super().__init__(self.models[0], vocabulary=source_vocabulary, card=card)  # `model`: the first member
        self.source_vocabulary = source_vocabulary
        self.target_vocabulary = target_vocabulary
        if _is_subword(target_vocabulary):
            suppressed = [target_vocabulary.start_id]
        else:
            specials = target_vocabulary.specials
            suppressed = [target_vocabulary.special_id(token) for token in (MASK, START) if token in specials]
        self.generator = Seq2SeqGenerator(self.models, target_vocabulary.start_id, target_vocabulary.end_id,
                                          suppressed)

    def encode(self, sentences):
        """Raw sentences -> list of source id arrays (unknown words -> `<unk>`, at least one id each)."""
        encoded = []
        for sentence in sentences:
            ids = self.source_vocabulary.encode(sentence)
            encoded.append(ids if len(ids) else np.asarray([self.source_vocabulary.unk_id], "int32"))
        return encoded

    def decode(self, ids):
        """Output ids `(batch, time)` -> list of target sentences."""
        return [self.target_vocabulary.decode(row, skip_special=True, stop_at_end=True) for row in ids]

    def translate(self, sentences, beam_width=4, max_length=None, length_penalty=0.6, batch_size=64,
                  return_scores=False, sampler=None):
        """Translate one sentence or a list of them.

        Args:
            sentences: a string or a list of strings (raw text).
            beam_width: hypotheses kept per sentence; 1 is greedy search.
                Defaults to 4.
            max_length: most tokens (words or subwords) per translation, end
                token included.
                Defaults to twice the source length rounded up to a multiple
                of 8 (decoding stops at the end token anyway).
            length_penalty: GNMT's `alpha` in `((5 + length) / 6) ** alpha`.
                Defaults to 0.6.
            batch_size: sentences decoded together. Defaults to 64.
            return_scores: also return each translation's length-normalised
                log-probability. Defaults to False.
            sampler: `"beam"`, `"greedy"`, `"random"` or a
                `kerasrnn.decoding.Sampler`. Defaults to beam search with
                `beam_width` and `length_penalty` (greedy for `beam_width=1`).

        Returns:
            A string for a string, else a list of strings; with
            `return_scores=True`, `(translation, score)` pairs instead.
        """
        if sampler is None:
            sampler = "greedy" if beam_width == 1 else "beam"
        sampler = get_sampler(sampler, beam_width=beam_width, length_penalty=length_penalty)
        if isinstance(sampler, BeamSampler):
            length_penalty = sampler.length_penalty  # scores as the search ranked them
        results = []
        for sources in self._batches(sentences, batch_size):
            tokens, log_probs = self.generator.generate(sources, sampler, max_length=max_length)
            if tokens.ndim == 3:  # every beam: the best one
                tokens, log_probs = tokens[:, 0], log_probs[:, 0]
            scores = ops.convert_to_numpy(normalized_scores(tokens, log_probs, length_penalty))
            results.extend(zip(self.decode(tokens), (float(s) for s in scores)))
        if not return_scores:
            results = [text for text, _ in results]
        return results[0] if isinstance(sentences, str) else results

    def sample(self, sentences, temperature=1.0, top_k=None, top_p=None, seed=None, max_length=None, batch_size=64):
        """Translate by sampling each word from the model (temperature, top-k, top-p).

        The same `seed` gives the same translations on a backend. Returns a
        string for a string, else a list of strings.
        """
        results = []
        for index, sources in enumerate(self._batches(sentences, batch_size)):
            batch_seed = None if seed is None else int(seed) + index
            sampler = get_sampler("random", temperature=temperature, top_k=top_k, top_p=top_p, seed=batch_seed)
            tokens, _ = self.generator.generate(sources, sampler, max_length=max_length)
            results.extend(self.decode(tokens))
        return results[0] if isinstance(sentences, str) else results

    def _batches(self, sentences, batch_size):
        batch_size = check_positive_int(batch_size, "batch_size")
        sentences = [sentences] if isinstance(sentences, str) else list(sentences)
        if not sentences:
            raise ValueError("`sentences` is empty: give at least one sentence to translate")
        for start in range(0, len(sentences), batch_size):
            yield self.encode(sentences[start:start + batch_size])

    def get_config(self):
        return {"reverse_source": bool(self.model.reverse_source)}  # for readers of task.json; the model holds it

    def save_assets(self, directory):
        """Write the target vocabulary (and a subword source vocabulary), and an ensemble's other members.

        Word vocabularies go to `vocabulary.json` (by `Task.save`) and
        `target_vocabulary.json`; subword vocabularies to
        `source_subwords.model` and `target_subwords.model` (the serialized
        SentencePiece models), or one `subwords.model` when both sides share
        it. An ensemble's members after the first go to `model_1.keras`,
        `model_2.keras`, ... (those of an earlier, larger ensemble are
        removed). Returns the `task.json` entries naming the files.
        """
        entries = {}
        if _is_subword(self.target_vocabulary):
            shared = self.source_vocabulary == self.target_vocabulary
            names = {side: SUBWORD_FILES["shared" if shared else side] for side in ("source", "target")}
            self.source_vocabulary.save(os.path.join(directory, names["source"]))
            self.target_vocabulary.save(os.path.join(directory, names["target"]))
            entries.update(source_vocabulary=names["source"], target_vocabulary=names["target"])
        else:
            self.target_vocabulary.save(os.path.join(directory, TARGET_VOCABULARY_FILE))
            entries.update(source_vocabulary=VOCABULARY_FILE, target_vocabulary=TARGET_VOCABULARY_FILE)
        members = self.save_members(directory, self.models)
        if len(members) > 1:
            entries["members"] = members
        return entries

    @classmethod
    def load_assets(cls, directory, config):
        import kerasrnn.models.seq2seq  # noqa: F401  (registers Seq2Seq and its layers)

        assets = super().load_assets(directory, config)
        assets.pop("vocabulary", None)  # read below, whichever kind it is
        assets["source_vocabulary"] = _load_vocabulary(directory, config.get("source_vocabulary", VOCABULARY_FILE))
        assets["target_vocabulary"] = _load_vocabulary(
            directory, config.get("target_vocabulary", TARGET_VOCABULARY_FILE))
        others = config.get("members", [MODEL_FILE])[1:]
        if others:
            assets["model"] = [assets["model"]] + [load_keras_model(os.path.join(directory, name)) for name in others]
        return assets

    @classmethod
    def from_config(cls, config, **assets):
        return cls(**assets)  # task.json names files (read by load_assets) and records reverse_source
