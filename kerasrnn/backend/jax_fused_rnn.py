"""JAX: recurrences with hand-written backward passes, for training on CPU.

JAX differentiates a `lax.scan` by running a second scan backwards over the
saved steps, and inside it accumulates the recurrent kernel's gradient with
one small product per step (`h_{t-1}^T dz_t`, `(units, batch) @ (batch,
gates * units)`), next to the product that carries the gradient back in
time (`dz_t U^T`). Here the backward scan only carries the gradient in time
and stacks every step's `dz_t`; the kernel's gradient is then a single large
product over all steps, `H_prev^T dZ` with `(units, time * batch)`, which is
what PyTorch's and cuDNN's fused RNN kernels do. Elementwise derivatives use
the saved outputs (`tanh' = 1 - h^2`, `sigmoid' = s (1 - s)`), so nothing is
recomputed.

The functions take the input projection already computed for all steps,
time-major, and return the stacked outputs; callers run them only for the
configurations they support (see `kerasrnn.layers.fused_rnn` and
`kerasrnn.layers.layer_norm_simple_rnn`) and use Keras' generic loop otherwise.
There is no LSTM here: the same construction trained an LSTM language model
at 0.97x the speed of Keras' own scan (benchmarks/RESULTS.md, 40.5k vs 41.9k
tokens/s), so the JAX LSTM runs Keras' loop. Imported only when the JAX
backend is active.
"""

import functools

import jax
import jax.numpy as jnp
import keras


def _shifted(initial, stacked):
    """`[initial, stacked[0], ..., stacked[-2]]`: each step's previous value, `(time, ...)`."""
    return jnp.concatenate([initial[None], stacked[:-1]], axis=0)


def _kernel_gradient(previous_states, step_gradients):
    """`sum_t h_{t-1}^T dz_t` as one product: `(time, batch, units), (time, batch, n) -> (units, n)`."""
    units, n = previous_states.shape[-1], step_gradients.shape[-1]
    return previous_states.reshape(-1, units).T @ step_gradients.reshape(-1, n)


# SimpleRNN, with or without LayerNorm: h_t = tanh(LN(xp_t + h_{t-1} U; gamma, beta)).


def _simple_rnn_forward(projected, initial_state, recurrent_kernel, gamma, beta, epsilon):
    """Stacked `(outputs, normalized, inverse_std)`; the last two are None without LayerNorm."""

    def step(h, x):
        z = x + h @ recurrent_kernel
        if gamma is None:
            h = jnp.tanh(z)
            return h, (h, None, None)
        centered = z - jnp.mean(z, axis=-1, keepdims=True)
        inverse_std = jax.lax.rsqrt(jnp.mean(centered * centered, axis=-1, keepdims=True) + epsilon)
        normalized = centered * inverse_std
        h = jnp.tanh(normalized * gamma + beta)
        return h, (h, normalized, inverse_std)

    _, stacked = jax.lax.scan(step, initial_state, projected)
    return stacked


@functools.partial(jax.custom_vjp, nondiff_argnums=(5,))
def _simple_rnn(projected, initial_state, recurrent_kernel, gamma, beta, epsilon):
    return _simple_rnn_forward(projected, initial_state, recurrent_kernel, gamma, beta, epsilon)[0]


def _simple_rnn_fwd(projected, initial_state, recurrent_kernel, gamma, beta, epsilon):
    outputs, normalized, inverse_std = _simple_rnn_forward(
        projected, initial_state, recurrent_kernel, gamma, beta, epsilon
    )
    return outputs, (initial_state, recurrent_kernel, gamma, beta, outputs, normalized, inverse_std)


def _simple_rnn_bwd(epsilon, residuals, output_gradients):
    del epsilon
    initial_state, recurrent_kernel, gamma, beta, outputs, normalized, inverse_std = residuals
    layer_norm = gamma is not None

    def step(dh_next, inputs):
        if layer_norm:
            dh_out, h, zhat, inv = inputs
        else:
            dh_out, h = inputs
        dy = (dh_out + dh_next) * (1.0 - h * h)  # through tanh
        if not layer_norm:
            return dy @ recurrent_kernel.T, (dy, None)
        dzhat = dy * gamma
        dz = inv * (
            dzhat
            - jnp.mean(dzhat, axis=-1, keepdims=True)
            - zhat * jnp.mean(dzhat * zhat, axis=-1, keepdims=True)
        )
        return dz @ recurrent_kernel.T, (dz, dy)

    inputs = (output_gradients, outputs, normalized, inverse_std) if layer_norm else (output_gradients, outputs)
    d_initial, (dz, dy) = jax.lax.scan(step, jnp.zeros_like(initial_state), inputs, reverse=True)
    d_kernel = _kernel_gradient(_shifted(initial_state, outputs), dz)
    d_gamma = d_beta = None
    if layer_norm:
        d_gamma = jnp.sum(dy * normalized, axis=(0, 1))
        d_beta = jnp.sum(dy, axis=(0, 1))  # `simple_rnn` passes a zero shift when there is none
    return dz, d_initial, d_kernel, d_gamma, d_beta


_simple_rnn.defvjp(_simple_rnn_fwd, _simple_rnn_bwd)


def simple_rnn(projected, initial_state, recurrent_kernel, gamma=None, beta=None, epsilon=1e-3):
    """`tanh(LN(xp_t + h_{t-1} U; gamma, beta))` over time, or `tanh(xp_t + h_{t-1} U)` with `gamma=None`.

    Args:
        projected: `(time, batch, units)`, the input projection of every step
            (with the bias when there is no LayerNorm).
        initial_state: `(batch, units)`.
        recurrent_kernel: `(units, units)`.
        gamma, beta: `(units,)` LayerNorm gain and shift, or None (no LayerNorm;
            `beta` may also be None with a gain: no shift).
        epsilon: float added to the variance.

    Returns:
        The hidden states `(time, batch, units)`.
    """
    if gamma is not None and beta is None:
        beta = jnp.zeros_like(gamma)
    return _simple_rnn(projected, initial_state, recurrent_kernel, gamma, beta, float(epsilon))


# GRU, Keras' `reset_after=True` (gate order z, r, h; sigmoid gates, tanh candidate):
# h_t = z * h_{t-1} + (1 - z) * tanh(xp_h + r * (h_{t-1} U_h + b_h)).


def _gru_forward(projected, initial_state, recurrent_kernel, recurrent_bias):
    """The hidden states and, stacked over time, what the backward pass needs.

    Saved per step: the update and reset gates as one `(batch, 2 * units)`
    block, the candidate and `h_{t-1} U_h + b_h`, as separate arrays (written
    straight into their stacks, with no per-step concatenation).
    """
    units = initial_state.shape[-1]

    def step(h, x):
        inner = h @ recurrent_kernel + recurrent_bias
        gates = jax.nn.sigmoid(x[:, : 2 * units] + inner[:, : 2 * units])  # z, r
        z, r = gates[:, :units], gates[:, units:]
        recurrent_h = inner[:, 2 * units :]
        candidate = jnp.tanh(x[:, 2 * units :] + r * recurrent_h)
        h = z * h + (1.0 - z) * candidate
        return h, (h, gates, candidate, recurrent_h)

    _, (outputs, gates, candidate, recurrent_h) = jax.lax.scan(step, initial_state, projected)
    return outputs, (gates, candidate, recurrent_h)


@jax.custom_vjp
def _gru(projected, initial_state, recurrent_kernel, recurrent_bias):
    return _gru_forward(projected, initial_state, recurrent_kernel, recurrent_bias)[0]


def _gru_fwd(projected, initial_state, recurrent_kernel, recurrent_bias):
    outputs, saved = _gru_forward(projected, initial_state, recurrent_kernel, recurrent_bias)
    return outputs, (initial_state, recurrent_kernel, outputs, saved)


def _gru_bwd(residuals, d_outputs):
    initial_state, recurrent_kernel, outputs, saved = residuals
    units = initial_state.shape[-1]

    def step(dh_next, inputs):
        dh_out, h_previous, gates, candidate, recurrent_h = inputs
        z, r = gates[:, :units], gates[:, units:]
        dh = dh_out + dh_next
        d_candidate = dh * (1.0 - z) * (1.0 - candidate * candidate)  # before the tanh
        dz = dh * (h_previous - candidate) * z * (1.0 - z)
        dr = d_candidate * recurrent_h * r * (1.0 - r)
        d_inner = jnp.concatenate([dz, dr, d_candidate * r], axis=-1)  # d(h U + b_h)
        return dh * z + d_inner @ recurrent_kernel.T, (d_inner, d_candidate)

    previous = _shifted(initial_state, outputs)
    d_initial, (d_inner, d_candidate) = jax.lax.scan(
        step, jnp.zeros_like(initial_state), (d_outputs, previous, *saved), reverse=True
    )
    # d(x W + b_x) shares the gates' part with d_inner; only the candidate's differs (no factor r).
    # Assembled once here rather than stacked per step: ~8% off the recurrence (64 x 100, 256 units).
    d_projected = jnp.concatenate([d_inner[..., : 2 * units], d_candidate], axis=-1)
    return d_projected, d_initial, _kernel_gradient(previous, d_inner), jnp.sum(d_inner, axis=(0, 1))


_gru.defvjp(_gru_fwd, _gru_bwd)


def gru(projected, initial_state, recurrent_kernel, recurrent_bias):
    """Keras' GRU recurrence with `reset_after=True` over time.

    Args:
        projected: `(time, batch, 3 * units)`, `x_t W + b_x` for every step.
        initial_state: `(batch, units)`.
        recurrent_kernel: `(units, 3 * units)`.
        recurrent_bias: `(3 * units,)`, added to `h U` (zeros without a bias).

    Returns:
        The hidden states `(time, batch, units)`.
    """
    return _gru(projected, initial_state, recurrent_kernel, recurrent_bias)


# Keras `RNN.inner_loop` interface (same as `kerasrnn.backend.torch_fused_rnn`).


def _time_major(sequences, go_backwards):
    sequences = jnp.swapaxes(sequences, 0, 1)  # (time, batch, features)
    return sequences[::-1] if go_backwards else sequences


def _arrays(*tensors):
    """Keras variables (and anything array-like) -> JAX arrays; None stays None."""
    return [None if tensor is None else keras.ops.convert_to_tensor(tensor) for tensor in tensors]


def _check_supported(mask, *tensors):
    if mask is not None:
        # Under jit the mask's values are unknown, so a masked sequence runs Keras' loop.
        raise NotImplementedError("the JAX fused recurrences take no mask")
    dtypes = {jnp.result_type(tensor) for tensor in tensors if tensor is not None}
    if len(dtypes) != 1 or not jnp.issubdtype(dtypes.pop(), jnp.floating):
        raise NotImplementedError("the JAX fused recurrences need one floating dtype for inputs and weights")


def _keras_outputs(outputs, states, return_sequences):
    """Time-major hidden states -> `(last_output, outputs, states)` as Keras' `RNN.inner_loop` returns them."""
    last_output = outputs[-1]
    outputs = jnp.swapaxes(outputs, 0, 1) if return_sequences else last_output[:, None, :]
    return last_output, outputs, states


def _project(inputs, kernel, bias, go_backwards):
    """`x_t W + b` for every step, time-major: `(time, batch, gates * units)`."""
    projected = _time_major(inputs, go_backwards) @ kernel
    return projected if bias is None else projected + bias


def fused_gru(inputs, initial_state, kernel, recurrent_kernel, bias, *, mask=None, go_backwards=False,
              return_sequences=True, zero_output_for_mask=False):
    """Keras' GRU recurrence with `reset_after=True` (tanh, sigmoid gates) with `gru`.

    Same arguments and returns as `kerasrnn.backend.torch_fused_rnn.fused_gru`
    (`bias` is `(2, 3 * units)`: input bias, recurrent bias); raises
    NotImplementedError for a mask or mixed dtypes.
    """
    del zero_output_for_mask
    inputs, initial_state, kernel, recurrent_kernel, bias = _arrays(inputs, initial_state, kernel, recurrent_kernel, bias)
    _check_supported(mask, inputs, kernel, recurrent_kernel, bias, initial_state)
    projected = _project(inputs, kernel, None if bias is None else bias[0], go_backwards)
    recurrent_bias = jnp.zeros_like(recurrent_kernel[0]) if bias is None else bias[1]
    outputs = gru(projected, initial_state, recurrent_kernel, recurrent_bias)
    return _keras_outputs(outputs, [outputs[-1]], return_sequences)


def fused_simple_rnn(inputs, initial_state, kernel, recurrent_kernel, bias, activation="tanh", *, mask=None,
                     go_backwards=False, return_sequences=True, zero_output_for_mask=False):
    """Keras' SimpleRNN recurrence `h' = tanh(x W + b + h U)` with `simple_rnn`.

    Same arguments and returns as `kerasrnn.backend.torch_fused_rnn.fused_simple_rnn`;
    raises NotImplementedError for `relu`, a mask or mixed dtypes.
    """
    del zero_output_for_mask
    if activation != "tanh":
        raise NotImplementedError(f"the JAX fused SimpleRNN runs tanh only, not {activation!r}")
    inputs, initial_state, kernel, recurrent_kernel, bias = _arrays(inputs, initial_state, kernel, recurrent_kernel, bias)
    _check_supported(mask, inputs, kernel, recurrent_kernel, bias, initial_state)
    outputs = simple_rnn(_project(inputs, kernel, bias, go_backwards), initial_state, recurrent_kernel)
    return _keras_outputs(outputs, [outputs[-1]], return_sequences)


def layer_norm_simple_rnn(
    projected,
    initial_state,
    recurrent_kernel,
    gamma,
    beta,
    epsilon,
    mask=None,
    go_backwards=False,
    return_sequences=True,
):
    """`kerasrnn.layers.LayerNormSimpleRNN`'s recurrence (tanh) on its projected inputs.

    Args:
        projected: `(batch, time, units)`, the cell's `project_inputs(sequences)`.
        initial_state: `(batch, units)`.
        recurrent_kernel: `(units, units)`.
        gamma, beta: `(units,)` or None (see `simple_rnn`).
        epsilon: float.
        mask, go_backwards, return_sequences: as in `fused_gru`.

    Returns:
        `(last_output, outputs, [h])`.
    """
    projected, initial_state, recurrent_kernel, gamma, beta = _arrays(
        projected, initial_state, recurrent_kernel, gamma, beta
    )
    _check_supported(mask, projected, recurrent_kernel, gamma, beta, initial_state)
    outputs = simple_rnn(_time_major(projected, go_backwards), initial_state, recurrent_kernel, gamma, beta, epsilon)
    return _keras_outputs(outputs, [outputs[-1]], return_sequences)
