"""Decode a `Seq2Seq` model: greedy search, sampling and beam search, each one compiled loop.

The encoder runs once on the padded source batch (its padding is masked, so
a padded source ends in the same state as the unpadded one); then the
decoder's cells step one token at a time inside `keras.ops.while_loop`,
compiled once per shape by `kerasrnn.backend.compile_inference` (`jax.jit` on
JAX, `tf.function` on TensorFlow, eager under `torch.no_grad()` on PyTorch).

Greedy search and sampling share one loop and differ only in how they pick
the next token: the most likely one, or `argmax(logits / T + g)` with Gumbel
noise `g` drawn by NumPy before the loop (temperature, top-k and top-p as in
`kerasrnn.decoding.sampling`). Beam search is `beam_search.beam_search` over
the same step. A loop stops as soon as every sequence has produced the end
token.
"""

import numpy as np
from keras import ops

from kerasrnn.backend import compile_inference
from kerasrnn.decoding.beam_search import beam_search
from kerasrnn.decoding.beam_search import check_beam_arguments
from kerasrnn.decoding.sampling import check_sampling_arguments
from kerasrnn.decoding.sampling import filter_logits
from kerasrnn.decoding.sampling import gumbel_noise

LENGTH_MULTIPLE = 8  # sources are padded to a multiple of this, so few shapes get compiled


def reverse_padded(ids):
    """Reverse each row's tokens before its padding: `[5, 6, 7, 0] -> [7, 6, 5, 0]` (keras.ops)."""
    ids = ops.convert_to_tensor(ids, "int32")
    lengths = ops.sum(ops.cast(ops.not_equal(ids, 0), "int32"), axis=1, keepdims=True)  # (batch, 1)
    positions = ops.expand_dims(ops.arange(ops.shape(ids)[1], dtype="int32"), 0)  # (1, time)
    source_positions = ops.where(positions < lengths, lengths - 1 - positions, positions)
    return ops.take_along_axis(ids, source_positions, axis=1)


def search_loop(step_fn, states, batch_size, start_id, end_id, max_length, pick_fn, logit_bias=None, skip=None):
    """Generate up to `max_length` tokens, choosing each with `pick_fn(i, logits)`.

    Args:
        step_fn: `step_fn(tokens, states) -> (logits, states)` (see `beam_search`).
        states: list of initial states `(batch_size, ...)`.
        batch_size, start_id, end_id, max_length: static ints.
        pick_fn: `pick_fn(i, logits) -> (batch_size,)` token ids; `logits`
            are float32 `(batch_size, vocabulary)`.
        logit_bias: optional `(vocabulary,)` float array added to the logits.
        skip: optional bool tensor `(batch_size,)`, True for rows to leave
            empty (padding rows of a batch).

    Returns:
        `(tokens, log_probs)`: int32 `(batch_size, max_length)`, the tokens up
        to and including the end token, then 0; and the float32
        log-probabilities `(batch_size,)` of the chosen tokens under the model.
    """

    def cond(i, tokens, last, log_probs, finished, states):
        return ops.logical_and(i < max_length, ops.logical_not(ops.all(finished)))

    def body(i, tokens, last, log_probs, finished, states):
        logits, states = step_fn(last, states)
        logits = ops.cast(logits, "float32")  # (batch, vocabulary)
        if logit_bias is not None:
            logits = logits + logit_bias
        chosen = ops.cast(pick_fn(i, logits), "int32")
        chosen = ops.where(finished, 0, chosen)
        token_log_probs = ops.log_softmax(logits, axis=-1)
        picked = ops.squeeze(ops.take_along_axis(token_log_probs, ops.expand_dims(chosen, 1), axis=1), 1)
        log_probs = log_probs + ops.where(finished, 0.0, picked)
        tokens = ops.slice_update(tokens, (0, i), ops.expand_dims(chosen, 1))
        finished = ops.logical_or(finished, ops.equal(chosen, end_id))
        return i + 1, tokens, chosen, log_probs, finished, states

    loop_vars = (
        ops.convert_to_tensor(0, "int32"),
        ops.zeros((batch_size, max_length), "int32"),
        ops.full((batch_size,), start_id, "int32"),
        ops.zeros((batch_size,), "float32"),
        ops.zeros((batch_size,), "bool") if skip is None else ops.cast(skip, "bool"),
        list(states),
    )
    _, tokens, _, log_probs, _, _ = ops.while_loop(cond, body, loop_vars)
    return tokens, log_probs


class Seq2SeqStepper:
    """A `Seq2Seq` model split into `encode` (once per batch) and `step` (once per token).

    Args:
        model: a `kerasrnn.models.seq2seq.Seq2Seq` (trained or loaded).

    Example:

    ```python
    stepper = Seq2SeqStepper(model)
    states = stepper.encode(np.array([[5, 6, 7, 0]]))     # natural order; reversed here if the model wants
    logits, states = stepper.step(np.array([3]), states)  # (1, target_vocabulary)
    ```
    """

    def __init__(self, model):
        for attribute in ("encoder", "decoder", "reverse_source"):
            if not hasattr(model, attribute):
                raise ValueError(
                    f"Seq2SeqStepper needs a kerasrnn.models.seq2seq.Seq2Seq model; {model.name!r} has no "
                    f"`{attribute}`"
                )
        self.model = model
        self.vocabulary_size = model.decoder.vocabulary_size

    @property
    def variables(self):
        return list(self.model.variables)

    def encode(self, source_ids):
        """Final encoder states for right-padded sources `(batch, time)` in natural order."""
        source_ids = ops.convert_to_tensor(source_ids, "int32")
        if self.model.reverse_source:
            source_ids = reverse_padded(source_ids)
        return self.model.encoder(source_ids, training=False)

    def step(self, tokens, states):
        """Feed target tokens `(batch,)`; return logits `(batch, vocabulary)` and the new states."""
        return self.model.decoder.step(tokens, states)


def pad_sources(sources, length_multiple=LENGTH_MULTIPLE):
    """A list of 1-D id arrays (or a 2-D array padded with 0) -> an int32 array `(batch, time)`.

    `time` is the longest source rounded up to `length_multiple` (at least
    one token of room), so batches of similar lengths share one compiled loop.
    """
    if isinstance(sources, np.ndarray) and sources.ndim == 2:
        rows = [row[row != 0] for row in sources.astype("int32")]
    else:
        rows = [np.asarray(source, "int32").reshape(-1) for source in sources]
    if not rows:
        raise ValueError("`sources` is empty: give at least one source sequence")
    for row in rows:
        if np.any(row == 0):
            raise ValueError("source ids must not contain 0 (padding) before the end of a source")
    longest = max(len(row) for row in rows)
    width = max(length_multiple, -(-longest // length_multiple) * length_multiple)
    padded = np.zeros((len(rows), width), "int32")
    for index, row in enumerate(rows):
        padded[index, : len(row)] = row
    return padded


class Seq2SeqGenerator:
    """Greedy search, sampling and beam search for a `Seq2Seq` model, compiled per shape.

    Sources are padded to a multiple of 8 tokens and the batch to a power of
    two, so a few compiled loops serve all batches. Results are NumPy arrays.

    Args:
        model: a `kerasrnn.models.seq2seq.Seq2Seq` (or a `Seq2SeqStepper`).
        start_id: the target vocabulary's `<s>` id.
        end_id: the target vocabulary's `</s>` id.
        suppress_ids: target ids never to generate (padding 0 always is;
            add `<s>`, `<mask>`...). Defaults to none.

    Example:

    ```python
    generator = Seq2SeqGenerator(model, start_id=3, end_id=4, suppress_ids=(2, 3))
    tokens, log_probs = generator.greedy([np.array([5, 6, 7]), np.array([8, 9])], max_length=20)
    tokens, scores = generator.beam_search(sources, beam_width=4, max_length=20)  # best beam per source
    ```
    """

    def __init__(self, model, start_id, end_id, suppress_ids=()):
        self.stepper = model if isinstance(model, Seq2SeqStepper) else Seq2SeqStepper(model)
        vocabulary_size = self.stepper.vocabulary_size
        for name, value in (("start_id", start_id), ("end_id", end_id)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 < value < vocabulary_size:
                raise ValueError(f"`{name}` must be a token id in [1, {vocabulary_size}), received: {name}={value!r}")
        self.start_id = int(start_id)
        self.end_id = int(end_id)
        self.suppress_ids = tuple(sorted({0, *(int(i) for i in suppress_ids)} - {self.end_id}))
        self.logit_bias = np.zeros((vocabulary_size,), "float32")
        self.logit_bias[list(self.suppress_ids)] = -1e9
        self._compiled = {}

    # ------------------------------------------------------------ strategies
    def greedy(self, sources, max_length=None):
        """The most likely token at every step.

        Args:
            sources: list of 1-D int arrays (no start/end tokens, natural
                order) or a 2-D array padded with 0.
            max_length: most tokens per output, end token included.
                Defaults to twice the padded source length.

        Returns:
            `(tokens, log_probs)`: int32 `(batch, max_length)` ending with the
            end token then 0, and float32 `(batch,)` log-probabilities.
        """
        return self._search(sources, max_length, greedy=True)

    def sample(self, sources, max_length=None, temperature=1.0, top_k=None, top_p=None, seed=None):
        """Draw each token from `softmax(logits / temperature)`, restricted to top-k / top-p.

        The same `seed` repeats the same outputs on a backend. Arguments and
        returns as in `greedy`, with the sampling settings of
        `kerasrnn.decoding.TokenSampler.generate`.
        """
        check_sampling_arguments(temperature, top_k, top_p, self.stepper.vocabulary_size)
        seed = int(np.random.default_rng().integers(2**31)) if seed is None else int(seed)
        return self._search(sources, max_length, greedy=False, temperature=temperature, top_k=top_k,
                            top_p=top_p, seed=seed)

    def beam_search(self, sources, beam_width=4, max_length=None, length_penalty=0.6, return_all_beams=False):
        """Beam search with GNMT length normalisation (see `kerasrnn.decoding.beam_search`).

        Args:
            sources: as in `greedy`.
            beam_width: hypotheses kept per source. Defaults to 4.
            max_length: as in `greedy`.
            length_penalty: the exponent `alpha` of `((5 + length) / 6) ** alpha`;
                0 ranks by log-probability alone. Defaults to 0.6.
            return_all_beams: return every hypothesis, best first, not only
                the best. Defaults to False.

        Returns:
            `(tokens, scores)`: int32 `(batch, max_length)` and float32
            `(batch,)` normalised scores of the best hypotheses, or
            `(batch, beam_width, max_length)` and `(batch, beam_width)` with
            `return_all_beams=True`.
        """
        padded = pad_sources(sources)
        max_length = self._max_length(max_length, padded)
        check_beam_arguments(beam_width, max_length, length_penalty, self.stepper.vocabulary_size)
        batch, rows = self._pad_batch(padded)
        key = ("beam", rows.shape[0], rows.shape[1], max_length, int(beam_width), float(length_penalty))
        if key not in self._compiled:
            self._compiled[key] = compile_inference(
                self._beam_fn(rows.shape[0], max_length, int(beam_width), float(length_penalty)),
                self.stepper.variables)
        tokens, scores, _ = self._compiled[key](rows)
        tokens = np.asarray(ops.convert_to_numpy(tokens))[:batch]
        scores = np.asarray(ops.convert_to_numpy(scores))[:batch]
        return (tokens, scores) if return_all_beams else (tokens[:, 0], scores[:, 0])

    # ------------------------------------------------------------- internals
    def _max_length(self, max_length, padded):
        if max_length is None:
            return 2 * padded.shape[1]
        if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length <= 0:
            raise ValueError(f"`max_length` must be a positive integer, received: max_length={max_length!r}")
        return int(max_length)

    @staticmethod
    def _pad_batch(padded):
        """Pad the batch with empty sources to a power of two; returns (real batch, padded rows)."""
        batch = padded.shape[0]
        size = 1 << (batch - 1).bit_length()
        rows = np.zeros((size, padded.shape[1]), "int32")
        rows[:batch] = padded
        return batch, rows

    def _search(self, sources, max_length, greedy, temperature=1.0, top_k=None, top_p=None, seed=None):
        padded = pad_sources(sources)
        max_length = self._max_length(max_length, padded)
        batch, rows = self._pad_batch(padded)
        size = rows.shape[0]
        if greedy:
            noise = np.zeros((1, 1, 1), "float32")
        else:
            noise = gumbel_noise((max_length, size, self.stepper.vocabulary_size), seed)
        key = ("search", size, rows.shape[1], max_length, top_k, top_p, greedy)
        if key not in self._compiled:
            self._compiled[key] = compile_inference(
                self._search_fn(size, max_length, top_k, top_p, greedy), self.stepper.variables)
        tokens, log_probs = self._compiled[key](rows, noise, np.asarray(temperature, "float32"))
        tokens = np.asarray(ops.convert_to_numpy(tokens))[:batch]
        return tokens, np.asarray(ops.convert_to_numpy(log_probs))[:batch]

    def _search_fn(self, batch, max_length, top_k, top_p, greedy):
        stepper, start_id, end_id, logit_bias = self.stepper, self.start_id, self.end_id, self.logit_bias

        def run(source_ids, noise, temperature):
            def pick(i, logits):
                if greedy:
                    return ops.argmax(logits, axis=-1)
                logits = filter_logits(logits / temperature, top_k, top_p)
                return ops.argmax(logits + ops.take(noise, i, axis=0), axis=-1)

            states = stepper.encode(source_ids)
            return search_loop(stepper.step, states, batch, start_id, end_id, max_length, pick, logit_bias,
                               skip=_empty_rows(source_ids))

        return run

    def _beam_fn(self, batch, max_length, beam_width, alpha):
        stepper, start_id, end_id, logit_bias = self.stepper, self.start_id, self.end_id, self.logit_bias

        def run(source_ids):
            states = stepper.encode(source_ids)
            return beam_search(stepper.step, states, batch, start_id, end_id, beam_width, max_length, alpha,
                               logit_bias, skip=_empty_rows(source_ids))

        return run


def _empty_rows(source_ids):
    return ops.all(ops.equal(ops.convert_to_tensor(source_ids, "int32"), 0), axis=1)  # (batch,)


def normalized_scores(tokens, log_probs, alpha=0.6):
    """Beam-search scores of greedy outputs: `log_probs / ((5 + length) / 6) ** alpha` (NumPy).

    `length` counts the generated tokens, the end token included (the
    non-zero entries of `tokens`), as `beam_search` does.
    """
    lengths = np.maximum(np.count_nonzero(np.asarray(tokens), axis=-1), 1)
    return np.asarray(log_probs) / ((5.0 + lengths) / 6.0) ** alpha
