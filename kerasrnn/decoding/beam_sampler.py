"""Batched beam search with GNMT length normalisation, finished hypotheses kept apart from live ones.

Each row keeps `beam_width` *live* hypotheses and up to `beam_width`
*finished* ones (they produced the end token). At every step the live ones
are extended by every token and the `beam_width` best extensions (by
log-probability: live hypotheses all have the same length) are chosen, as
in plain beam search; a chosen extension that is the end token moves to the
finished pool, and its place among the live ones goes to the next best
extension that does not end. The finished pool keeps its `beam_width` best
by the length-normalised score of GNMT (Wu et al., 2016):

`score(y) = log P(y | x) / lp(|y|)`, `lp(n) = ((5 + n) / 6) ** alpha`,

where `|y|` counts the generated tokens, the end token included. `alpha = 0`
ranks by plain log-probability (which favours short outputs); larger values
favour longer ones. A finished hypothesis leaves the pool only for a better
finished one, never for live ones that score better for a while and then end
worse. A row is done when its pool is full and no live hypothesis scores
better than the pool's worst (its live hypotheses are then dropped); the loop
stops when every row is done, or when the buffer is full. Then the live
hypotheses of rows not done, cut there and scored at that length, compete
with the finished ones, and the `beam_width` best are returned, best first.

With one beam this is greedy search: the live hypothesis is the most likely
token each step, and once the most likely token ends it, the search stops.
"""

import warnings

import numpy as np

from keras import ops

from kerasrnn.decoding.sampler import NEGATIVE
from kerasrnn.decoding.sampler import Sampler
from kerasrnn.decoding.sampler import prefill
from kerasrnn.decoding.sampler import write_column
from kerasrnn.utils.validation import check_positive_int

_VALID = NEGATIVE / 2  # log-probabilities above this belong to real hypotheses


def length_normalizer(lengths, alpha):
    """GNMT's length normaliser `((5 + lengths) / 6) ** alpha` (float32), the divisor of a hypothesis' log-probability.

    `alpha` is what the samplers and tasks call `length_penalty`.
    """
    lengths = ops.cast(lengths, "float32")
    return ops.power((5.0 + lengths) / 6.0, alpha)


def length_penalty(lengths, alpha):
    """Deprecated name of `length_normalizer` (the argument `length_penalty` keeps its name)."""
    warnings.warn("kerasrnn.decoding.length_penalty() is deprecated; use length_normalizer()",
                  DeprecationWarning, stacklevel=2)
    return length_normalizer(lengths, alpha)


def normalized_scores(tokens, log_probs, alpha=0.6):
    """GNMT scores `log_probs / ((5 + length) / 6) ** alpha` of generated tokens (keras.ops).

    `tokens` `(..., length)` are the generated tokens only (no prompt),
    padded with 0 after the end token; `length` counts the non-zero ones,
    the end token included, as `BeamSampler` does. Works for the outputs of
    every sampler, so greedy and beam search report comparable scores.
    """
    lengths = ops.maximum(ops.sum(ops.cast(ops.not_equal(tokens, 0), "int32"), axis=-1), 1)
    return ops.cast(log_probs, "float32") / length_normalizer(lengths, alpha)


def check_beam_arguments(beam_width, alpha, vocabulary_size=None):
    """Reject bad beam-search settings with one-line errors naming the value."""
    check_positive_int(beam_width, "beam_width")
    if vocabulary_size is not None and beam_width >= vocabulary_size:
        raise ValueError(
            f"`beam_width` must be smaller than the vocabulary size {vocabulary_size}, "
            f"received: beam_width={beam_width}"
        )
    if alpha is None or isinstance(alpha, bool) or not np.isfinite(alpha) or alpha < 0:
        raise ValueError(f"`length_penalty` (alpha) must be a number >= 0, received: {alpha!r}")


class BeamSampler(Sampler):
    """Beam search (see the module docstring); called like every `kerasrnn.decoding.Sampler`.

    Token 0 is never generated: it pads finished hypotheses. `mask` is not
    supported (every row's prompt has the same length, `index + 1`).

    Args:
        beam_width: hypotheses kept per row. Defaults to 4.
        length_penalty: GNMT's `alpha`; 0 ranks by log-probability alone.
            Defaults to 0.6.
        return_all_beams: return every hypothesis, best first:
            `(batch, beam_width, length)` tokens and `(batch, beam_width)`
            log-probabilities. Defaults to False (the best only).

    Example:

    ```python
    sampler = BeamSampler(beam_width=4, length_penalty=0.6)
    tokens, log_probs = sampler(stepper.next_fn(), prompt, encoder_states, end_token_id=end_id)
    scores = normalized_scores(tokens[:, 1:], log_probs, sampler.length_penalty)
    ```

    Reference:
        [Wu et al., 2016](https://arxiv.org/abs/1609.08144), "Google's Neural
        Machine Translation System" (length normalisation).
    """

    def __init__(self, beam_width=4, length_penalty=0.6, return_all_beams=False):
        check_beam_arguments(beam_width, length_penalty)
        self.beam_width = int(beam_width)
        self.length_penalty = float(length_penalty)
        self.return_all_beams = bool(return_all_beams)

    def cache_key(self):
        return (type(self).__name__, self.beam_width, self.length_penalty, self.return_all_beams)

    def sampling_inputs(self, batch_size, length, vocabulary_size):
        check_beam_arguments(self.beam_width, self.length_penalty, vocabulary_size)
        return {}

    def __call__(self, next_fn, prompt, state, index=0, mask=None, end_token_id=None, logit_bias=None, done=None,
                 inputs=None, track_log_probs=True):
        if mask is not None:
            raise ValueError("BeamSampler takes prompts of one length (`index`), not a `mask`")
        beam, alpha = self.beam_width, self.length_penalty
        prompt = ops.convert_to_tensor(prompt, "int32")
        if logit_bias is not None:
            logit_bias = ops.convert_to_tensor(logit_bias, "float32")
        state = prefill(next_fn, prompt, state, index)
        batch_size, length = ops.shape(prompt)[0], ops.shape(prompt)[1]
        positions = ops.expand_dims(ops.arange(length, dtype="int32"), 0)  # (1, length)
        # Rows are beam-major per source: row b * beam + k is hypothesis k of source b.
        tokens = ops.repeat(prompt, beam, axis=0)  # (rows, length)
        state = _map(lambda s: ops.repeat(s, beam, axis=0), state)
        row_offsets = ops.expand_dims(ops.arange(batch_size, dtype="int32") * beam, 1)  # (batch, 1)
        # Only the first hypothesis is alive at the start, so the first step does not pick the same token
        # beam times. Built with keras.ops so that `batch_size` may be symbolic in an exported graph.
        first = ops.cast(ops.where(ops.arange(beam) == 0, 0.0, NEGATIVE), "float32")
        alive_log_probs = ops.zeros((batch_size, beam), "float32") + first  # (batch, beam)
        finished_tokens = ops.zeros_like(tokens)  # (rows, length)
        finished_log_probs = ops.full((batch_size, beam), NEGATIVE, "float32")
        finished_scores = ops.full((batch_size, beam), NEGATIVE, "float32")
        row_done = ops.zeros((batch_size,), "bool") if done is None else ops.cast(done, "bool")
        alive_log_probs = ops.where(ops.expand_dims(row_done, 1), NEGATIVE, alive_log_probs)

        def cond(i, tokens, alive_log_probs, finished_tokens, finished_log_probs, row_done, finished_scores, state):
            return ops.logical_and(i < length - 1, ops.logical_not(ops.all(row_done)))

        def body(i, tokens, alive_log_probs, finished_tokens, finished_log_probs, row_done, finished_scores, state):
            logits, new_state = next_fn(ops.take(tokens, i, axis=1), state, i)
            logits = ops.cast(logits, "float32")  # (rows, vocabulary)
            if logit_bias is not None:
                logits = logits + logit_bias
            vocabulary_size = ops.shape(logits)[-1]
            token_log_probs = ops.reshape(ops.log_softmax(logits, axis=-1), (batch_size, beam, vocabulary_size))
            vocabulary = ops.arange(vocabulary_size, dtype="int32")
            token_log_probs = ops.where(ops.equal(vocabulary, 0), NEGATIVE, token_log_probs)  # never padding
            candidates = ops.expand_dims(alive_log_probs, -1) + token_log_probs  # (batch, beam, vocabulary)
            candidates = ops.reshape(candidates, (batch_size, -1))  # (batch, beam * vocabulary)
            generated = i + 1 - index  # tokens generated so far by every live hypothesis, this one included

            live_candidates = candidates
            if end_token_id is not None:
                # The extensions plain beam search would keep; those that end go to the finished pool.
                top_log_probs, top = ops.top_k(candidates, beam, sorted=True)  # (batch, beam)
                ends = ops.logical_and(ops.equal(top % vocabulary_size, end_token_id), top_log_probs > _VALID)
                ends = ops.logical_and(ends, ops.logical_not(ops.expand_dims(row_done, 1)))
                end_log_probs = ops.where(ends, top_log_probs, NEGATIVE)
                end_scores = ops.where(ends, top_log_probs / length_normalizer(generated, alpha), NEGATIVE)
                end_tokens = ops.take(tokens, ops.reshape(top // vocabulary_size + row_offsets, (-1,)), axis=0)
                end_column = ops.full_like(ops.reshape(top, (-1,)), end_token_id, dtype="int32")  # (rows,)
                end_tokens = write_column(end_tokens, positions, i + 1, end_column)
                finished_tokens, finished_log_probs, finished_scores = _best(
                    beam, row_offsets, [finished_tokens, end_tokens], [finished_log_probs, end_log_probs],
                    [finished_scores, end_scores])
                is_end = ops.equal(ops.reshape(ops.tile(ops.expand_dims(vocabulary, 0), (beam, 1)), (-1,)),
                                   end_token_id)  # (beam * vocabulary,)
                live_candidates = ops.where(is_end, NEGATIVE, candidates)

            alive_log_probs, best = ops.top_k(live_candidates, beam, sorted=True)  # (batch, beam)
            parent_rows = ops.reshape(best // vocabulary_size + row_offsets, (-1,))  # (rows,)
            chosen = ops.reshape(ops.cast(best % vocabulary_size, "int32"), (-1,))
            tokens = write_column(ops.take(tokens, parent_rows, axis=0), positions, i + 1, chosen)
            state = _map(lambda s: ops.take(s, parent_rows, axis=0), new_state)

            if end_token_id is not None:
                # Done: a full pool that no live hypothesis outscores. Its live hypotheses are dropped.
                full = ops.all(finished_scores > _VALID, axis=1)
                best_live = ops.max(alive_log_probs, axis=1) / length_normalizer(generated, alpha)
                row_done = ops.logical_or(row_done, ops.logical_and(full, best_live <= ops.min(finished_scores, 1)))
            alive_log_probs = ops.where(ops.expand_dims(row_done, 1), NEGATIVE, alive_log_probs)
            return i + 1, tokens, alive_log_probs, finished_tokens, finished_log_probs, row_done, finished_scores, state

        loop_vars = (ops.convert_to_tensor(index, "int32"), tokens, alive_log_probs, finished_tokens,
                     finished_log_probs, row_done, finished_scores, state)
        i, tokens, alive_log_probs, finished_tokens, finished_log_probs, _, finished_scores, _ = ops.while_loop(
            cond, body, loop_vars)

        # Live hypotheses of rows cut at the end of the buffer, scored at that length, join the finished ones.
        alive_scores = ops.where(alive_log_probs > _VALID,
                                 alive_log_probs / length_normalizer(ops.maximum(i - index, 1), alpha), NEGATIVE)
        tokens, log_probs, _ = _best(beam, row_offsets, [finished_tokens, tokens],
                                     [finished_log_probs, alive_log_probs], [finished_scores, alive_scores])
        tokens = ops.reshape(tokens, (batch_size, beam, length))
        if self.return_all_beams:
            return tokens, log_probs
        return tokens[:, 0], log_probs[:, 0]


def _best(beam, row_offsets, tokens, log_probs, scores):
    """The `beam` best hypotheses per row, best first, of two pools of `beam` each.

    tokens: two `(rows, length)`; log_probs, scores: two `(batch, beam)`.
    Returns `(tokens (rows, length), log_probs (batch, beam), scores (batch, beam))`.
    """
    scores = ops.concatenate(scores, axis=1)  # (batch, 2 * beam)
    scores, best = ops.top_k(scores, beam, sorted=True)
    log_probs = ops.take_along_axis(ops.concatenate(log_probs, axis=1), best, axis=1)
    # Row k of pool p for source b sits at (b * 2 + p) * beam + k in the interleaved stack below.
    length = ops.shape(tokens[0])[-1]
    stacked = ops.reshape(ops.stack([ops.reshape(t, (-1, beam, length)) for t in tokens], axis=1), (-1, length))
    rows = ops.reshape(best + 2 * row_offsets, (-1,))
    return ops.take(stacked, rows, axis=0), log_probs, scores


def _map(fn, state):
    if isinstance(state, (list, tuple)):
        return [_map(fn, s) for s in state]
    return fn(state)
