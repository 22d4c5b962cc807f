"""A trained next-character (or next-word) language model with its vocabulary."""

import math
import warnings

import numpy as np
from keras import ops

from kerasrnn.backend import compile_inference
from kerasrnn.decoding import RecurrentStepper
from kerasrnn.decoding import TokenGenerator
from kerasrnn.decoding import get_sampler
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.task import Task


@register_task("language_model")
class LanguageModel(Task):
    """Generate and score text with a trained recurrent language model.

    Args:
        model: a model built by `kerasrnn.models.build_language_model`.
        vocabulary: the `kerasrnn.text.Vocabulary` it was trained with.
        card: optional dict describing the training run (saved as card.json).

    Example:

    >>> lm = kerasrnn.load("saved_models/predict_next_char/lstm")
    >>> lm.generate("ROMEO:", num_chars=100, temperature=0.8, seed=0)
    >>> lm.generate("ROMEO:", num_chars=100, sampler="greedy")  # or sampler=kerasrnn.decoding.BeamSampler(4)
    >>> lm.score("To be, or not to be")["bits_per_char"]
    """

    def __init__(self, model, vocabulary, card=None):
        if model.output_shape[-1] != vocabulary.size:
            raise ValueError(
                f"the model predicts {model.output_shape[-1]} tokens but the vocabulary has {vocabulary.size}"
            )
        super().__init__(model, vocabulary=vocabulary, card=card)
        self.stepper = RecurrentStepper(model)
        # <pad>, <unk> and the special tokens are never generated.
        self.generator = TokenGenerator(self.stepper, suppress_ids=range(2 + len(vocabulary.specials)))
        self._scorers = {}

    def generate(self, prompt=None, num_chars=200, temperature=1.0, top_k=None, top_p=None, seed=None, greedy=False,
                 sampler=None, beam_width=4, length_penalty=0.6):
        """Continue `prompt` by `num_chars` tokens (characters for a char model).

        An empty or `None` prompt starts from one token drawn from the
        vocabulary with `seed`. Characters never seen in training map to
        `<unk>` (a warning says how many). The state is carried across the
        whole prompt, however long.

        Args:
            prompt: the text to continue. Defaults to None.
            num_chars: tokens to generate. Defaults to 200.
            temperature, top_k, top_p, seed: sampling settings (see
                `kerasrnn.decoding.RandomSampler`).
            greedy: the most likely token each step (same as
                `sampler="greedy"`). Defaults to False.
            sampler: `"random"`, `"greedy"`, `"beam"` or a
                `kerasrnn.decoding.Sampler`. Defaults to `"greedy"` with
                `greedy=True`, else `"random"` with the settings above.
            beam_width, length_penalty: settings of `sampler="beam"`.

        Returns:
            The generated text, without the prompt.
        """
        if sampler is None:
            sampler = "greedy" if greedy else "random"
        sampler = get_sampler(sampler, temperature=temperature, top_k=top_k, top_p=top_p, seed=seed,
                              beam_width=beam_width, length_penalty=length_penalty)
        if prompt is None or prompt == "":
            rng = np.random.default_rng(seed)
            prompt = self.vocabulary.tokens[int(rng.integers(len(self.vocabulary.tokens)))]
        unknown = self.vocabulary.count_unknown(prompt)
        if unknown:
            warnings.warn(f"{unknown} prompt token(s) are not in the vocabulary and were read as <unk>", stacklevel=2)
        ids = self.vocabulary.encode(prompt)
        generated = self.generator.generate(ids, num_chars, sampler)
        return self.vocabulary.decode(generated, skip_special=True, stop_at_end=False)

    def score(self, text):
        """Per-token cross-entropy of `text`, state carried across the whole text.

        Returns a dict with `nats_per_char`, `bits_per_char`, `perplexity`
        (over the predicted tokens, i.e. all but the first) and
        `unknown_chars` (tokens not in the vocabulary: they are read as
        `<unk>` and their predictions are still scored).
        """
        ids = self.vocabulary.encode(text)
        if len(ids) < 2:
            raise ValueError(f"`text` must hold at least 2 tokens to score, received {len(ids)}")
        length = len(ids)
        if length not in self._scorers:
            self._scorers[length] = compile_inference(self._score_fn(length), self.stepper.variables)
        total = float(ops.convert_to_numpy(self._scorers[length](ids[None, :])))
        nats = total / (length - 1)
        return {
            "nats_per_char": nats,
            "bits_per_char": nats / math.log(2),
            "perplexity": math.exp(nats),
            "unknown_chars": self.vocabulary.count_unknown(text),
        }

    def _score_fn(self, length):
        stepper = self.stepper

        def run(ids):
            ids = ops.convert_to_tensor(ids, "int32")
            states = stepper.initial_states(1)
            next_fn = stepper.next_fn()

            def body(i, carry):
                total, states = carry
                logits, states = next_fn(ops.take(ids, i, axis=1), states, i)
                log_probs = ops.log_softmax(ops.cast(logits, "float32"), axis=-1)  # (1, vocabulary)
                target = ops.take(ids, i + 1, axis=1)
                picked = ops.take_along_axis(log_probs, ops.expand_dims(target, 1), axis=1)
                return total - ops.sum(picked), states

            total, _ = ops.fori_loop(0, length - 1, body, (ops.zeros((), "float32"), states))
            return total

        return run
