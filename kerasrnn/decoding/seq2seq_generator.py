"""Decode a `Seq2Seq` model with any sampler: the encoder once, then the sampler's loop over the decoder.

The encoder runs once on the padded source batch (its padding is masked, so
a padded source ends in the same state as the unpadded one); then the
decoder steps one token at a time (`kerasrnn.decoding.RecurrentStepper`)
inside the sampler's `keras.ops.while_loop`, compiled once per sampler
setting and shape by `kerasrnn.backend.compile_inference`. The caller (the
`Translator` task) chooses the strategy.
"""

import numpy as np
from keras import ops

from kerasrnn.backend import compile_inference
from kerasrnn.decoding.stepper import RecurrentStepper
from kerasrnn.utils.validation import check_int_in_range
from kerasrnn.utils.validation import check_positive_int

LENGTH_MULTIPLE = 8  # sources are padded to a multiple of this, so few shapes get compiled


def reverse_padded(ids):
    """Reverse each row's tokens before its padding: `[5, 6, 7, 0] -> [7, 6, 5, 0]` (keras.ops)."""
    ids = ops.convert_to_tensor(ids, "int32")
    lengths = ops.sum(ops.cast(ops.not_equal(ids, 0), "int32"), axis=1, keepdims=True)  # (batch, 1)
    positions = ops.expand_dims(ops.arange(ops.shape(ids)[1], dtype="int32"), 0)  # (1, time)
    source_positions = ops.where(positions < lengths, lengths - 1 - positions, positions)
    return ops.take_along_axis(ids, source_positions, axis=1)


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


class Seq2SeqStepper(RecurrentStepper):
    """A `Seq2Seq` model as `encode` (once per batch) and the decoder's `RecurrentStepper` steps.

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
        for attribute in ("encoder", "decoder", "reverse_source", "encode"):
            if not hasattr(model, attribute):
                raise ValueError(
                    f"Seq2SeqStepper needs a kerasrnn.models.seq2seq.Seq2Seq model; {model.name!r} has no "
                    f"`{attribute}`"
                )
        super().__init__(model.decoder)
        self.model = model

    @property
    def variables(self):
        return list(self.model.variables)

    def encode(self, source_ids):
        """The decoder's initial state (a flat list) for right-padded sources `(batch, time)` in natural order.

        The encoder's final states (through the model's bridge, if it has one),
        then the encoder summary when the decoder reads it at every step.
        """
        source_ids = ops.convert_to_tensor(source_ids, "int32")
        if self.model.reverse_source:
            source_ids = reverse_padded(source_ids)
        states, context = self.model.encode(source_ids, training=False)
        return list(states) + ([context] if context is not None else [])


class Seq2SeqEnsembleStepper:
    """Several `Seq2Seq` models over one target vocabulary, decoded together as one model.

    Each step feeds the same token to every member and returns the mean of
    their log-probabilities, `log p(y) = (1/M) sum_m log p_m(y)` (a sampler's
    softmax renormalises it): one beam search ranks hypotheses by the whole
    ensemble. The state is the members' flat state lists one after the other;
    each member encodes (and reverses, if it was trained so) the source
    itself, so members may differ in size, options and direction.

    Args:
        models: a list of `Seq2Seq` models (or `Seq2SeqStepper`s) with the
            same target vocabulary size.

    Example:

    ```python
    generator = Seq2SeqGenerator([model_a, model_b], start_id=3, end_id=4)
    tokens, log_probs = generator.generate(sources, BeamSampler(beam_width=4))
    ```

    Reference:
        [Sutskever et al., 2014](https://arxiv.org/abs/1409.3215), section 3.6
        (an ensemble of 5 LSTMs with a beam of size 12).
    """

    def __init__(self, models):
        models = list(models)
        if not models:
            raise ValueError("`models` is empty: give at least one Seq2Seq model")
        self.members = [m if isinstance(m, Seq2SeqStepper) else Seq2SeqStepper(m) for m in models]
        sizes = [member.vocabulary_size for member in self.members]
        if len(set(sizes)) != 1:
            raise ValueError(f"ensemble members must share one target vocabulary, received sizes {sizes}")
        self.vocabulary_size = sizes[0]
        # States per member: its layers' states, then its context if it reads one at every step.
        self.state_counts = [sum(member.state_counts) + member.uses_context for member in self.members]

    @property
    def variables(self):
        return [v for member in self.members for v in member.variables]

    def encode(self, source_ids):
        """Every member's initial state, concatenated (member 0's first)."""
        return [state for member in self.members for state in member.encode(source_ids)]

    def _split(self, states):
        states, per_member, start = list(states), [], 0
        for count in self.state_counts:
            per_member.append(states[start:start + count])
            start += count
        return per_member

    def step(self, tokens, states):
        """Feed `tokens` `(batch,)`; return the mean log-probabilities `(batch, vocabulary)` and the new states."""
        return self._combine([member.step for member in self.members], tokens, states)

    def next_fn(self):
        """A sampler's step function over the members' own (possibly fused) step functions."""
        steps = [member.next_fn() for member in self.members]
        return lambda tokens, states, index: self._combine(
            [lambda t, s, fn=fn: fn(t, s, index) for fn in steps], tokens, states)

    def _combine(self, step_fns, tokens, states):
        log_probs, new_states = [], []
        for step_fn, member_states in zip(step_fns, self._split(states)):
            logits, updated = step_fn(tokens, member_states)
            log_probs.append(ops.log_softmax(ops.cast(logits, "float32"), axis=-1))  # (batch, vocabulary)
            new_states.extend(updated)
        return ops.mean(ops.stack(log_probs), axis=0), new_states


class Seq2SeqGenerator:
    """Decode sources with a `Seq2Seq` model and a `kerasrnn.decoding.Sampler`, compiled per shape.

    Sources are padded to a multiple of 8 tokens and the batch to a power of
    two (empty rows that stop at once), so a few compiled loops serve all
    batches. Results are NumPy arrays.

    Args:
        model: a `kerasrnn.models.seq2seq.Seq2Seq` (or a `Seq2SeqStepper`),
            or a list of them: an ensemble (`Seq2SeqEnsembleStepper`).
        start_id: the target vocabulary's `<s>` id.
        end_id: the target vocabulary's `</s>` id.
        suppress_ids: target ids never to generate (padding 0 always is;
            add `<s>`, `<mask>`...). Defaults to none.

    Example:

    ```python
    generator = Seq2SeqGenerator(model, start_id=3, end_id=4, suppress_ids=(2, 3))
    tokens, log_probs = generator.generate([np.array([5, 6, 7]), np.array([8, 9])], GreedySampler(), max_length=20)
    tokens, log_probs = generator.generate(sources, BeamSampler(beam_width=4))  # the best beam per source
    ```
    """

    def __init__(self, model, start_id, end_id, suppress_ids=()):
        if isinstance(model, (list, tuple)):
            self.stepper = Seq2SeqEnsembleStepper(model) if len(model) > 1 else Seq2SeqStepper(model[0])
        elif isinstance(model, (Seq2SeqStepper, Seq2SeqEnsembleStepper)):
            self.stepper = model
        else:
            self.stepper = Seq2SeqStepper(model)
        vocabulary_size = self.stepper.vocabulary_size
        self.start_id = check_int_in_range(start_id, "start_id", 1, vocabulary_size - 1)  # a token id, not 0
        self.end_id = check_int_in_range(end_id, "end_id", 1, vocabulary_size - 1)
        self.suppress_ids = tuple(sorted({0, *(int(i) for i in suppress_ids)} - {self.end_id}))
        self.logit_bias = np.zeros((vocabulary_size,), "float32")
        self.logit_bias[list(self.suppress_ids)] = -1e9
        self._compiled = {}

    def generate(self, sources, sampler, max_length=None):
        """Decode `sources` with `sampler`.

        Args:
            sources: list of 1-D int arrays (no start/end tokens, natural
                order) or a 2-D array padded with 0.
            sampler: a `kerasrnn.decoding.Sampler`.
            max_length: most tokens per output, end token included.
                Defaults to twice the padded source length.

        Returns:
            `(tokens, log_probs)`: int32 `(batch, max_length)` ending with the
            end token then 0 (`(batch, beam_width, max_length)` for a
            `BeamSampler` with `return_all_beams=True`), and the float32
            log-probabilities `(batch,)` (or `(batch, beam_width)`).
        """
        padded = pad_sources(sources)
        max_length = 2 * padded.shape[1] if max_length is None else check_positive_int(max_length, "max_length")
        batch = padded.shape[0]
        size = 1 << (batch - 1).bit_length()  # the batch padded with empty sources to a power of two
        rows = np.zeros((size, padded.shape[1]), "int32")
        rows[:batch] = padded
        inputs = sampler.sampling_inputs(size, 1 + max_length, self.stepper.vocabulary_size)
        key = (sampler.cache_key(), rows.shape, max_length)
        if key not in self._compiled:
            self._compiled[key] = compile_inference(self._loop_fn(sampler, max_length), self.stepper.variables)
        tokens, log_probs = self._compiled[key](rows, inputs)
        tokens = np.asarray(ops.convert_to_numpy(tokens))[:batch, ..., 1:]
        return tokens, np.asarray(ops.convert_to_numpy(log_probs))[:batch]

    def decode_fn(self, sampler, max_length):
        """`fn(source_ids) -> (tokens, log_probs)` on tensors, batch size free (for export; no padding rows)."""
        loop = self._loop_fn(sampler, max_length)
        return lambda source_ids, inputs=None: loop(source_ids, inputs or {}, skip_empty=False)

    def _loop_fn(self, sampler, max_length):
        stepper, start_id, end_id, logit_bias = self.stepper, self.start_id, self.end_id, self.logit_bias

        def run(source_ids, inputs, skip_empty=True):
            source_ids = ops.convert_to_tensor(source_ids, "int32")
            batch_size = ops.shape(source_ids)[0]
            prompt = ops.concatenate([ops.full((batch_size, 1), start_id, "int32"),
                                      ops.zeros((batch_size, max_length), "int32")], axis=1)  # (batch, 1 + length)
            done = ops.all(ops.equal(source_ids, 0), axis=1) if skip_empty else None  # padding rows
            return sampler(stepper.next_fn(), prompt, stepper.encode(source_ids), end_token_id=end_id,
                           logit_bias=logit_bias, done=done, inputs=inputs)

        return run
