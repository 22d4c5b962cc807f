"""The decoding loop every strategy shares: one `keras.ops.while_loop` over a step function.

A *sampler* (the keras-hub idea) fills a token buffer `(batch, length)`: it
feeds the token at position `i` to `next_fn(tokens, state, index) -> (logits,
state)` and writes the token it picks at position `i + 1`, until the buffer is
full or every row has produced the end token (then 0 pads it). Strategies
differ only in `next_token(logits, index, inputs)`: the most likely token
(`GreedySampler`), a draw (`RandomSampler`); `BeamSampler` keeps several
hypotheses per row and replaces the loop body.

Everything the loop carries is a `keras.ops` tensor, so one sampler runs under
`jax.jit`, in a `tf.function` (and a SavedModel: `kerasrnn.export` traces the
same samplers) and eagerly on PyTorch. Settings that change the computation
(top-k, beam width...) are attributes; values that may change from call to
call without recompiling (temperature, random noise) are `inputs`, arrays
made by `sampling_inputs()` and passed to the compiled loop as arguments.
"""

import functools

import keras
from keras import ops

NEGATIVE = -1e9  # the log-probability of impossible tokens (finite, so no inf - inf = nan)


class Sampler:
    """Base class of the decoding strategies: the loop, with the choice of each token left to subclasses.

    Subclasses implement `next_token(logits, index, inputs)`; those that need
    per-call arrays (noise, temperature) also implement `sampling_inputs`.

    Call arguments:
        next_fn: `next_fn(tokens, state, index) -> (logits, state)`, with
            tokens `(batch,)` int32, logits `(batch, vocabulary)` and state
            any structure of `(batch, ...)` tensors (e.g. a recurrent model's
            states, `kerasrnn.decoding.RecurrentStepper.next_fn`).
        prompt: int tensor `(batch, length)`: the given tokens at the start
            of each row, then anything (it is overwritten).
        state: the state before `prompt[:, 0]` is fed (e.g. zeros, or the
            encoder's final states).
        index: how many prompt tokens are fed before the first token is
            picked: the loop feeds `prompt[:, index]` and fills position
            `index + 1` onwards. `prompt[:, :index]` only updates the state.
            A static int. Defaults to 0.
        mask: optional bool tensor `(batch, length)`, True where a token is
            given and kept rather than picked (the rest of prompts of
            different lengths). Defaults to None.
        end_token_id: a row stops after producing this token; the rest of it
            is 0. Defaults to None (every row runs to `length`).
        logit_bias: optional float `(vocabulary,)` added to the logits, e.g.
            `-1e9` for tokens never to generate. Defaults to None.
        done: optional bool tensor `(batch,)`, True for rows to leave empty
            (padding rows of a batch). Defaults to None.
        inputs: the arrays `sampling_inputs()` made. Defaults to none.
        track_log_probs: sum the log-probabilities of the picked tokens.
            Defaults to True; False saves a few operations per step (then
            `log_probs` is None; `BeamSampler` always tracks them).

    Returns:
        `(tokens, log_probs)`: the filled buffer `(batch, length)` int32 and
        the float32 log-probabilities `(batch,)` of the picked tokens under
        the model (given tokens not counted).

    Example:

    ```python
    sampler = GreedySampler()
    prompt = np.zeros((2, 21), "int32"); prompt[:, 0] = start_id
    tokens, log_probs = sampler(stepper.next_fn(), prompt, encoder_states, end_token_id=end_id)
    ```
    """

    def cache_key(self):
        """The settings that change the traced loop (a hashable): one compiled loop per key and shape."""
        return (type(self).__name__,)

    def sampling_inputs(self, batch_size, length, vocabulary_size):
        """NumPy arrays the loop reads, made per call (noise, temperature). None by default."""
        return {}

    def next_token(self, logits, index, inputs):
        """Token ids `(batch,)` from float32 logits `(batch, vocabulary)` at loop step `index`."""
        raise NotImplementedError(f"{type(self).__name__} must implement next_token()")

    def __call__(self, next_fn, prompt, state, index=0, mask=None, end_token_id=None, logit_bias=None, done=None,
                 inputs=None, track_log_probs=True):
        inputs = inputs or {}
        tokens = ops.convert_to_tensor(prompt, "int32")
        length = ops.shape(tokens)[1]  # a tensor in an exported graph, where prompts vary in length
        state = prefill(next_fn, tokens, state, index)
        positions = ops.expand_dims(ops.arange(length, dtype="int32"), 0)  # (1, length)
        if logit_bias is not None:
            logit_bias = ops.convert_to_tensor(logit_bias, "float32")
        batch_size = ops.shape(tokens)[0]
        finished = ops.zeros((batch_size,), "bool") if done is None else ops.cast(done, "bool")
        stops = end_token_id is not None or done is not None

        def cond(i, fed, tokens, log_probs, finished, state):
            more = i < length - 1
            return ops.logical_and(more, ops.logical_not(ops.all(finished))) if stops else more

        def body(i, fed, tokens, log_probs, finished, state):
            # `fed` is `tokens[:, i]`, carried rather than read back from the buffer: one gather less per step.
            logits, state = next_fn(fed, state, i)
            following = i + 1
            if needs_cast(logits, "float32"):
                logits = ops.cast(logits, "float32")  # (batch, vocabulary)
            if logit_bias is not None:
                logits = logits + logit_bias
            chosen = self.next_token(logits, i, inputs)  # (batch,)
            if needs_cast(chosen, "int32"):
                chosen = ops.cast(chosen, "int32")
            picked = ops.logical_not(finished) if track_log_probs or end_token_id is not None else None
            if mask is not None:
                column = ops.minimum(following, length - 1)
                given = ops.take(mask, column, axis=1)
                chosen = ops.where(given, ops.take(tokens, column, axis=1), chosen)
                picked = None if picked is None else ops.logical_and(picked, ops.logical_not(given))
            if stops:
                chosen = ops.where(finished, 0, chosen)
            if track_log_probs:
                token_log_probs = ops.log_softmax(logits, axis=-1)
                chosen_log_probs = ops.take_along_axis(token_log_probs, ops.expand_dims(chosen, 1), axis=1)[:, 0]
                log_probs = log_probs + ops.where(picked, chosen_log_probs, 0.0)
            tokens = write_column(tokens, positions, following, chosen)
            if end_token_id is not None:
                finished = ops.logical_or(finished, ops.logical_and(picked, ops.equal(chosen, end_token_id)))
            return following, chosen, tokens, log_probs, finished, state

        start = ops.convert_to_tensor(index, "int32")
        loop_vars = (start, ops.take(tokens, start, axis=1), tokens, ops.zeros((batch_size,), "float32"), finished,
                     state)
        _, _, tokens, log_probs, _, _ = ops.while_loop(cond, body, loop_vars)
        return tokens, (log_probs if track_log_probs else None)


def prefill(next_fn, tokens, state, index):
    """Feed `tokens[:, :index]` (a static count) through `next_fn`; returns the state."""
    if not index:
        return state

    def body(i, state):
        return next_fn(ops.take(tokens, i, axis=1), state, i)[1]

    return ops.fori_loop(0, index, body, state)


@functools.lru_cache(maxsize=None)
def _standard_dtype(dtype):
    return keras.backend.standardize_dtype(dtype)


def needs_cast(x, dtype):
    """Whether tensor `x` is not of `dtype` (a Keras dtype name); memoised, as eager PyTorch asks at every step."""
    return _standard_dtype(x.dtype) != dtype


def write_column(tokens, positions, column, values):
    """`tokens` `(batch, length)` with `values` `(batch,)` written at `column` (a scalar tensor).

    `positions` is `arange(length)` of shape `(1, length)`.

    A `where` over the row rather than `slice_update`: as cheap on every
    backend, and eager PyTorch needs no index tensors built per step.
    """
    return ops.where(ops.equal(positions, column), ops.expand_dims(values, 1), tokens)
