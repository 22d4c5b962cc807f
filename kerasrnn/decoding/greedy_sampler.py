"""Greedy decoding: the most likely token at every step."""

from keras import ops

from kerasrnn.decoding.sampler import Sampler


class GreedySampler(Sampler):
    """Pick the most likely token at every step (see `kerasrnn.decoding.Sampler` for the call).

    Example:

    ```python
    tokens, log_probs = GreedySampler()(stepper.next_fn(), prompt, states, end_token_id=end_id)
    ```
    """

    def next_token(self, logits, index, inputs):
        return ops.argmax(logits, axis=-1)
