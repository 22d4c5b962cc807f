"""Sampling: each token drawn from `softmax(logits / temperature)`, restricted to top-k / top-p.

The draw is the Gumbel-max trick with noise drawn before the loop:
`argmax(logits / T + g)`, `g = -log(-log(u))`, draws from `softmax(logits / T)`.
The noise is made by NumPy from `seed` and passed to the compiled loop as an
argument, which keeps the loop free of stateful random ops and makes runs
with the same `seed` repeat exactly (the same on every backend for a given
seed and shape).
"""

import numpy as np
from keras import ops

from kerasrnn.decoding.sampler import Sampler
from kerasrnn.utils.validation import check_int_in_range


def check_sampling_arguments(temperature=1.0, top_k=None, top_p=None, vocabulary_size=None):
    """Reject bad sampling settings with one-line errors naming the value."""
    if temperature is None or isinstance(temperature, bool) or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(
            f"`temperature` must be > 0 (use greedy decoding for the most likely tokens), "
            f"received: temperature={temperature!r}"
        )
    if top_k is not None:
        check_int_in_range(top_k, "top_k", 1, allow_none=True)
        if vocabulary_size is not None and top_k > vocabulary_size:
            raise ValueError(
                f"`top_k` must be at most the vocabulary size {vocabulary_size}, received: top_k={top_k}"
            )
    if top_p is not None and not 0 < top_p <= 1:
        raise ValueError(f"`top_p` must be in (0, 1], received: top_p={top_p!r}")


def filter_logits(logits, top_k=None, top_p=None):
    """Set logits outside the top-k / nucleus (top-p) set to a large negative value."""
    very_negative = ops.cast(-1e9, logits.dtype)
    if top_k is not None:
        kth = ops.top_k(logits, top_k, sorted=True)[0][:, -1:]  # (batch, 1)
        logits = ops.where(logits < kth, very_negative, logits)
    if top_p is not None and top_p < 1:
        ordered = ops.top_k(logits, ops.shape(logits)[-1], sorted=True)[0]  # descending
        probabilities = ops.softmax(ordered, axis=-1)
        mass_before = ops.cumsum(probabilities, axis=-1) - probabilities
        kept = ops.where(mass_before < top_p, ordered, ops.cast(np.inf, logits.dtype))
        cutoff = ops.min(kept, axis=-1, keepdims=True)  # smallest kept logit
        logits = ops.where(logits < cutoff, very_negative, logits)
    return logits


def gumbel(uniform):
    """Gumbel(0, 1) noise `-log(-log(u))` from uniform draws `u` (keras.ops or NumPy float32)."""
    uniform = ops.clip(ops.convert_to_tensor(uniform, "float32"), 1e-12, 1.0 - 1e-7)
    return -ops.log(-ops.log(uniform))


def gumbel_noise(shape, seed):
    """Gumbel(0, 1) noise from NumPy, the same on every backend for a given seed and shape."""
    uniform = np.random.default_rng(seed).random(shape, dtype=np.float32)
    uniform = np.clip(uniform, 1e-12, 1.0 - 1e-7)
    return -np.log(-np.log(uniform))


class RandomSampler(Sampler):
    """Draw each token from `softmax(logits / temperature)`, among the top-k / top-p tokens.

    Args:
        temperature: softmax temperature, > 0; below 1 sharpens the
            distribution, above 1 flattens it. Defaults to 1.
        top_k: draw only among the k most likely tokens. Defaults to None.
        top_p: draw only among the most likely tokens whose probability mass
            reaches p (nucleus sampling). Defaults to None.
        seed: int seed of the noise; the same seed repeats the same output.
            Defaults to None (a new draw each call).

    Example:

    ```python
    sampler = RandomSampler(temperature=0.8, top_k=10, seed=0)
    inputs = sampler.sampling_inputs(batch_size, length, vocabulary_size)
    tokens, _ = sampler(stepper.next_fn(), prompt, states, index=prompt_length - 1, inputs=inputs)
    ```

    Reference:
        [Holtzman et al., 2020](https://arxiv.org/abs/1904.09751), "The Curious
        Case of Neural Text Degeneration" (top-p).
    """

    def __init__(self, temperature=1.0, top_k=None, top_p=None, seed=None):
        check_sampling_arguments(temperature, top_k, top_p)
        self.temperature = float(temperature)
        self.top_k = None if top_k is None else int(top_k)
        self.top_p = None if top_p is None else float(top_p)
        self.seed = None if seed is None else int(seed)

    def cache_key(self):
        return (type(self).__name__, self.top_k, self.top_p)

    def sampling_inputs(self, batch_size, length, vocabulary_size):
        """`noise` `(length, batch, vocabulary)` (Gumbel, from `seed`) and `temperature` (a float32 scalar)."""
        check_sampling_arguments(self.temperature, self.top_k, self.top_p, vocabulary_size)
        seed = int(np.random.default_rng().integers(2**31)) if self.seed is None else self.seed
        return {"noise": gumbel_noise((length, batch_size, vocabulary_size), seed),
                "temperature": np.asarray(self.temperature, "float32")}

    def next_token(self, logits, index, inputs):
        logits = filter_logits(logits / inputs["temperature"], self.top_k, self.top_p)
        return ops.argmax(logits + ops.take(inputs["noise"], index, axis=0), axis=-1)
