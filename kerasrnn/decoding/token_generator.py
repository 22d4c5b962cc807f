"""Continue prompts with a recurrent language model: a sampler's loop, compiled per shape."""

import numpy as np
from keras import ops

from kerasrnn.backend import compile_inference
from kerasrnn.utils.validation import check_positive_int


class TokenGenerator:
    """Generate continuations of prompts with a `RecurrentStepper` and any `kerasrnn.decoding.Sampler`.

    The whole run (feeding the prompt, then picking and feeding each new
    token) is one loop compiled by `kerasrnn.backend.compile_inference`
    (`jax.jit` on JAX, `tf.function` with XLA on TensorFlow, eager under
    `torch.no_grad()` on PyTorch, where LSTM and GRU stacks step with fused
    kernels), once per sampler setting and shape.

    Args:
        stepper: a `kerasrnn.decoding.RecurrentStepper`.
        suppress_ids: token ids never to generate (padding, special tokens).
            Defaults to none.

    Example:

    >>> generator = TokenGenerator(RecurrentStepper(model))
    >>> ids = generator.generate(prompt_ids, 100, RandomSampler(temperature=0.8, seed=1))
    """

    def __init__(self, stepper, suppress_ids=()):
        self.stepper = stepper
        self.logit_bias = np.zeros((stepper.vocabulary_size,), "float32")
        self.logit_bias[sorted(int(i) for i in suppress_ids)] = -1e9
        self._compiled = {}

    def generate(self, prompt_ids, num_steps, sampler):
        """Continue each prompt by `num_steps` tokens.

        Args:
            prompt_ids: int array `(batch, prompt_length)` (or 1-D for one
                prompt), `prompt_length >= 1`. All prompts share one length.
            num_steps: tokens to generate after the prompt.
            sampler: a `kerasrnn.decoding.Sampler` (greedy, random, beam).

        Returns:
            int32 NumPy array `(batch, num_steps)` (1-D for a 1-D prompt).
        """
        prompt = np.asarray(prompt_ids, dtype="int32")
        single = prompt.ndim == 1
        if single:
            prompt = prompt[None, :]
        if prompt.ndim != 2 or prompt.shape[1] < 1:
            raise ValueError(f"`prompt_ids` must hold at least one token per prompt, received shape {prompt.shape}")
        num_steps = check_positive_int(num_steps, "num_steps")
        vocabulary_size = self.stepper.vocabulary_size
        if prompt.min() < 0 or prompt.max() >= vocabulary_size:
            raise ValueError(f"prompt ids must be in [0, {vocabulary_size}), received [{prompt.min()}, {prompt.max()}]")
        batch, prompt_length = prompt.shape
        buffer = np.zeros((batch, prompt_length + num_steps), "int32")  # (batch, length)
        buffer[:, :prompt_length] = prompt
        inputs = sampler.sampling_inputs(batch, buffer.shape[1], vocabulary_size)
        key = (sampler.cache_key(), buffer.shape, prompt_length)
        if key not in self._compiled:
            self._compiled[key] = compile_inference(self._loop_fn(sampler, prompt_length), self.stepper.variables,
                                                    jit_compile=True)
        tokens = self._compiled[key](buffer, inputs)
        tokens = np.asarray(ops.convert_to_numpy(tokens))[:, prompt_length:]
        return tokens[0] if single else tokens

    def _loop_fn(self, sampler, prompt_length):
        stepper, logit_bias = self.stepper, self.logit_bias

        def run(buffer, inputs):
            buffer = ops.convert_to_tensor(buffer, "int32")
            states = stepper.initial_states(ops.shape(buffer)[0])
            tokens, _ = sampler(stepper.next_fn(), buffer, states, index=prompt_length - 1, logit_bias=logit_bias,
                                inputs=inputs, track_log_probs=False)
            return tokens

        return run
