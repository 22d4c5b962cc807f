"""Batched beam search as one `keras.ops.while_loop`, for any step function.

Each source keeps `beam_width` hypotheses. At every step each unfinished
hypothesis is extended by every token, a finished one (it produced the end
token) is carried over unchanged — *frozen*, with its score — and the
`beam_width` best of all these candidates survive. Candidates are ranked by
the length-normalised log-probability of GNMT (Wu et al., 2016):

`score(y) = log P(y | x) / lp(|y|)`, `lp(n) = ((5 + n) / 6) ** alpha`,

where `|y|` counts the generated tokens, the end token included. `alpha = 0`
ranks by plain log-probability (which favours short outputs); larger values
favour longer ones. The loop stops when every hypothesis of every source has
finished, or after `max_length` steps.

Everything is a `keras.ops` tensor carried by the loop (no Python-side
state), so the search compiles with `jax.jit`, `tf.function` (and exports in a
TensorFlow graph) and runs eagerly on PyTorch.
"""

import numpy as np
from keras import ops

NEGATIVE = -1e9  # the score of impossible candidates (finite, so no inf - inf = nan)


def length_penalty(lengths, alpha):
    """GNMT's length penalty `((5 + lengths) / 6) ** alpha` (float32)."""
    lengths = ops.cast(lengths, "float32")
    return ops.power((5.0 + lengths) / 6.0, alpha)


def check_beam_arguments(beam_width, max_length, alpha, vocabulary_size=None):
    """Reject bad beam-search settings with one-line errors naming the value."""
    if isinstance(beam_width, bool) or not isinstance(beam_width, (int, np.integer)) or beam_width <= 0:
        raise ValueError(f"`beam_width` must be a positive integer, received: beam_width={beam_width!r}")
    if vocabulary_size is not None and beam_width >= vocabulary_size:
        raise ValueError(
            f"`beam_width` must be smaller than the vocabulary size {vocabulary_size}, "
            f"received: beam_width={beam_width}"
        )
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or max_length <= 0:
        raise ValueError(f"`max_length` must be a positive integer, received: max_length={max_length!r}")
    if alpha is None or isinstance(alpha, bool) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"`length_penalty` (alpha) must be a number >= 0, received: {alpha!r}")


def beam_search(step_fn, states, batch_size, start_id, end_id, beam_width, max_length, alpha=0.6,
                logit_bias=None, skip=None):
    """Beam search from `states`; every argument but `states` is static.

    Args:
        step_fn: `step_fn(tokens, states) -> (logits, states)`, with tokens
            `(rows,)`, logits `(rows, vocabulary)` and states a list of
            `(rows, ...)` tensors.
        states: a list of initial states `(batch_size, ...)`, one row per
            source (e.g. the encoder's final states).
        batch_size: number of sources.
        start_id: the token fed first (`<s>`).
        end_id: the token that ends a hypothesis (`</s>`).
        beam_width: hypotheses kept per source.
        max_length: most tokens generated per hypothesis (end token included).
        alpha: length-penalty exponent (see the module docstring).
            Defaults to 0.6.
        logit_bias: optional float array `(vocabulary,)` added to the logits,
            e.g. `-1e9` for tokens that must never be generated. Token 0 is
            never generated: it pads finished hypotheses.
        skip: optional bool tensor `(batch_size,)`, True for rows to leave
            empty (e.g. padding rows of a batch), so they do not keep the
            loop running.

    Returns:
        `(tokens, scores, log_probs)`: tokens `(batch_size, beam_width,
        max_length)` int32, each hypothesis' tokens up to and including the
        end token, then 0; `scores` `(batch_size, beam_width)` the normalised
        scores, best first; `log_probs` the un-normalised log-probabilities.

    Example:

    ```python
    tokens, scores, _ = beam_search(decoder.step, encoder_states, 8, start_id=3, end_id=4,
                                    beam_width=4, max_length=20)
    best = tokens[:, 0]  # (8, 20)
    ```
    """
    rows = batch_size * beam_width
    states = [ops.repeat(state, beam_width, axis=0) for state in states]  # (rows, ...), beam-major per source
    # Only the first hypothesis of each source is alive at the start, so the first step does not
    # pick the same token beam_width times.
    # Built with keras.ops (not NumPy) so that `batch_size` may be a symbolic tensor in an exported graph.
    first = ops.where(ops.arange(beam_width) == 0, 0.0, NEGATIVE)  # (beam,)
    first = ops.zeros((batch_size, beam_width), "float32") + ops.cast(first, "float32")
    row_offsets = ops.expand_dims(ops.arange(batch_size, dtype="int32") * beam_width, 1)  # (batch, 1)
    finished = ops.zeros((batch_size, beam_width), "bool")
    if skip is not None:
        finished = ops.logical_or(finished, ops.expand_dims(ops.cast(skip, "bool"), 1))

    def cond(i, tokens, last, log_probs, lengths, finished, states):
        return ops.logical_and(i < max_length, ops.logical_not(ops.all(finished)))

    def body(i, tokens, last, log_probs, lengths, finished, states):
        logits, new_states = step_fn(last, states)
        logits = ops.cast(logits, "float32")  # (rows, vocabulary)
        if logit_bias is not None:
            logits = logits + logit_bias
        vocabulary_size = ops.shape(logits)[-1]
        token_log_probs = ops.log_softmax(logits, axis=-1)
        token_log_probs = ops.reshape(token_log_probs, (batch_size, beam_width, -1))  # (batch, beam, vocabulary)
        is_padding = ops.equal(ops.arange(vocabulary_size), 0)  # (vocabulary,)
        # An unfinished hypothesis grows by one token (never padding).
        extended = ops.expand_dims(log_probs, -1) + token_log_probs
        extended = ops.where(is_padding, NEGATIVE, extended)
        extended_scores = extended / ops.expand_dims(length_penalty(lengths + 1, alpha), -1)
        # A finished hypothesis has one candidate, itself, in the padding slot.
        kept = ops.where(is_padding, ops.expand_dims(log_probs, -1), NEGATIVE)
        kept_scores = ops.where(is_padding, ops.expand_dims(log_probs / length_penalty(lengths, alpha), -1), NEGATIVE)
        done = ops.expand_dims(finished, -1)
        candidates = ops.reshape(ops.where(done, kept, extended), (batch_size, -1))  # (batch, beam * vocabulary)
        candidate_scores = ops.reshape(ops.where(done, kept_scores, extended_scores), (batch_size, -1))

        _, best = ops.top_k(candidate_scores, beam_width, sorted=True)  # (batch, beam)
        parents = best // vocabulary_size
        chosen = ops.cast(best % vocabulary_size, "int32")
        parent_rows = ops.reshape(parents + row_offsets, (rows,))
        parent_finished = ops.take_along_axis(finished, parents, axis=1)

        log_probs = ops.take_along_axis(candidates, best, axis=1)
        lengths = ops.take_along_axis(lengths, parents, axis=1) + ops.cast(ops.logical_not(parent_finished), "int32")
        finished = ops.logical_or(parent_finished, ops.equal(chosen, end_id))
        last = ops.reshape(chosen, (rows,))
        tokens = ops.take(tokens, parent_rows, axis=0)  # (rows, max_length)
        tokens = ops.slice_update(tokens, (0, i), ops.expand_dims(last, 1))
        states = [ops.take(state, parent_rows, axis=0) for state in new_states]
        return i + 1, tokens, last, log_probs, lengths, finished, states

    loop_vars = (
        ops.convert_to_tensor(0, "int32"),
        ops.zeros((rows, max_length), "int32"),
        ops.full((rows,), start_id, "int32"),
        ops.convert_to_tensor(first),
        ops.zeros((batch_size, beam_width), "int32"),
        finished,
        list(states),
    )
    _, tokens, _, log_probs, lengths, _, _ = ops.while_loop(cond, body, loop_vars)

    # Hypotheses cut at max_length are scored at that length; sort best first.
    scores = log_probs / length_penalty(ops.maximum(lengths, 1), alpha)
    scores, order = ops.top_k(scores, beam_width, sorted=True)
    log_probs = ops.take_along_axis(log_probs, order, axis=1)
    tokens = ops.take(tokens, ops.reshape(order + row_offsets, (rows,)), axis=0)
    return ops.reshape(tokens, (batch_size, beam_width, max_length)), scores, log_probs
