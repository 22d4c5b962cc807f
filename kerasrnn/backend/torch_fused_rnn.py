"""PyTorch: Keras LSTM, GRU and SimpleRNN recurrences run by PyTorch's fused kernels.

`torch._VF.lstm`, `torch._VF.gru` and `torch._VF.rnn_tanh` / `rnn_relu` are the
kernels `torch.nn.LSTM`, `GRU` and `RNN` call: one C++ (oneDNN on CPU, cuDNN
on CUDA) loop over the whole sequence instead of one Python step per time
step. They take the weights as a list of tensors, so the Keras variables go in
directly (transposed and, for the GRU, with the gates reordered) and autograd
flows back into them.

Each function here returns what Keras' `RNN.inner_loop` returns,
`(last_output, outputs, states)`, with Keras' semantics for `go_backwards`
(outputs in processing order, i.e. reversed time) and for masks (a masked
step keeps the previous state and repeats the previous output, or outputs
zeros with `zero_output_for_mask`). A right-padded mask is run as a packed
sequence, so the final states are those after each sequence's last real step.

They raise `NotImplementedError` for what the kernels cannot compute exactly
like Keras (a mask that is not right-padded, a fully masked sequence, a
dtype the device has no kernel for); the caller then runs Keras' generic loop.

Imported only when the torch backend is active (see `kerasrnn.layers.fused_rnn`).
"""

import keras
import torch
from torch.nn.utils import rnn as rnn_utils

_ALWAYS_SUPPORTED_DTYPES = (torch.float32, torch.float64)
_CUDA_ONLY_DTYPES = (torch.float16, torch.bfloat16)


def fused_lstm(inputs, initial_state_h, initial_state_c, kernel, recurrent_kernel, bias, **options):
    """Keras' LSTM recurrence (tanh, sigmoid gates) with `torch._VF.lstm`.

    Keras' gate order `i, f, c, o` is PyTorch's `i, f, g, o`; the single Keras
    bias becomes PyTorch's input bias, with a zero recurrent bias.

    Args:
        inputs: `(batch, time, features)`, dropout already applied.
        initial_state_h, initial_state_c: `(batch, units)`.
        kernel: `(features, 4 * units)`; recurrent_kernel: `(units, 4 * units)`;
            bias: `(4 * units,)` or None.
        **options: `mask` (`(batch, time)` booleans, default None),
            `go_backwards` (False), `return_sequences` (True) and
            `zero_output_for_mask` (False), as in Keras.

    Returns:
        `(last_output, outputs, [h, c])` as Keras' `RNN.inner_loop` does.

    Example:

    ```python
    last, outputs, (h, c) = fused_lstm(x, h0, c0, cell.kernel, cell.recurrent_kernel, cell.bias)
    ```
    """
    weights = _torch_weights(kernel, recurrent_kernel, bias)
    return _run("lstm", inputs, [initial_state_h, initial_state_c], weights, **options)


def fused_gru(inputs, initial_state, kernel, recurrent_kernel, bias, **options):
    """Keras' GRU recurrence with `reset_after=True` (tanh, sigmoid gates) with `torch._VF.gru`.

    Keras' `reset_after=True` GRU is PyTorch's GRU formula,
    `h' = z * h + (1 - z) * tanh(x W_h + b_xh + r * (h U_h + b_hh))`; only the
    gate order differs (Keras `z, r, h`, PyTorch `r, z, n`). Row 0 of Keras'
    `(2, 3 * units)` bias is the input bias, row 1 the recurrent bias.

    Args:
        inputs: `(batch, time, features)`, dropout already applied.
        initial_state: `(batch, units)`.
        kernel: `(features, 3 * units)`; recurrent_kernel: `(units, 3 * units)`;
            bias: `(2, 3 * units)` or None.
        **options: `mask`, `go_backwards`, `return_sequences`, `zero_output_for_mask`: as in `fused_lstm`.

    Returns:
        `(last_output, outputs, [h])`.

    Example:

    ```python
    last, outputs, (h,) = fused_gru(x, h0, cell.kernel, cell.recurrent_kernel, cell.bias, mask=mask)
    ```
    """
    weights = _torch_weights(kernel, recurrent_kernel, bias, reorder=_gru_gates_to_torch)
    return _run("gru", inputs, [initial_state], weights, **options)


def fused_simple_rnn(inputs, initial_state, kernel, recurrent_kernel, bias, activation="tanh", **options):
    """Keras' SimpleRNN recurrence `h' = act(x W + b + h U)` with `torch._VF.rnn_tanh` or `rnn_relu`.

    Args:
        inputs: `(batch, time, features)`, dropout already applied.
        initial_state: `(batch, units)`.
        kernel: `(features, units)`; recurrent_kernel: `(units, units)`; bias: `(units,)` or None.
        activation: `"tanh"` (default) or `"relu"`.
        **options: `mask`, `go_backwards`, `return_sequences`, `zero_output_for_mask`: as in `fused_lstm`.

    Returns:
        `(last_output, outputs, [h])`.

    Example:

    ```python
    last, outputs, (h,) = fused_simple_rnn(x, h0, cell.kernel, cell.recurrent_kernel, cell.bias, activation="relu")
    ```
    """
    if activation not in ("tanh", "relu"):
        raise ValueError(
            f"`activation` must be 'tanh' or 'relu' for the fused SimpleRNN, received: activation={activation!r}"
        )
    weights = _torch_weights(kernel, recurrent_kernel, bias)
    return _run(f"rnn_{activation}", inputs, [initial_state], weights, **options)


# One-token steps of the same recurrences, for decoding (`kerasrnn.decoding.RecurrentStepper`): the
# kernels behind `torch.nn.LSTMCell` and `GRUCell`, with the weights converted once per decoding run.


def fused_lstm_step(kernel, recurrent_kernel, bias):
    """Keras' LSTM step with `torch._VF.lstm_cell`: returns `step(inputs, [h, c]) -> (h, [h, c])`.

    The weights are read and put in PyTorch's layout once, here; `step`
    then costs one kernel call. For inference (run it under `torch.no_grad`).

    Example:

    ```python
    step = fused_lstm_step(cell.kernel, cell.recurrent_kernel, cell.bias)
    h, (h, c) = step(x, [h, c])  # x (batch, features), h and c (batch, units)
    ```
    """
    w_ih, w_hh, b_ih, b_hh = _step_weights(kernel, recurrent_kernel, bias)

    def step(inputs, states):
        h, c = torch._VF.lstm_cell(inputs, (states[0], states[1]), w_ih, w_hh, b_ih, b_hh)
        return h, [h, c]

    return step


def fused_gru_step(kernel, recurrent_kernel, bias):
    """Keras' GRU step (`reset_after=True`) with `torch._VF.gru_cell`: `step(inputs, [h]) -> (h, [h])`.

    As `fused_lstm_step`, with the gates reordered as in `fused_gru`.
    """
    w_ih, w_hh, b_ih, b_hh = _step_weights(kernel, recurrent_kernel, bias, reorder=_gru_gates_to_torch)

    def step(inputs, states):
        h = torch._VF.gru_cell(inputs, states[0], w_ih, w_hh, b_ih, b_hh)
        return h, [h]

    return step


def fused_decoding_step(embeddings, layer_steps, state_counts, kernel, bias):
    """`next_fn(tokens, states, index) -> (logits, states)` of `Embedding -> recurrent steps -> Dense`, in torch ops.

    `layer_steps` are `fused_lstm_step` / `fused_gru_step` functions, one per
    layer, taking `state_counts[k]` states each from the flat list `states`;
    `embeddings`, `kernel` and `bias` are the Embedding's table and the Dense
    layer's weights (linear activation). The same products as the Keras
    layers (`torch.matmul`, then the bias), with no Keras call per token.
    """
    convert = keras.ops.convert_to_tensor
    embeddings, kernel = convert(embeddings).detach(), convert(kernel).detach()
    bias = None if bias is None else convert(bias).detach()

    def next_fn(tokens, states, index):
        x = torch.nn.functional.embedding(convert(tokens).long(), embeddings)  # (batch, embedding_dim)
        new_states, start = [], 0
        for step, count in zip(layer_steps, state_counts):
            x, updated = step(x, states[start:start + count])
            new_states.extend(updated)
            start += count
        logits = torch.matmul(x, kernel)
        return (logits if bias is None else logits + bias), new_states

    return next_fn


def _step_weights(kernel, recurrent_kernel, bias, reorder=None):
    weights = [weight.detach() for weight in _torch_weights(kernel, recurrent_kernel, bias, reorder)]
    if weights[0].dtype not in _ALWAYS_SUPPORTED_DTYPES and not (
            weights[0].is_cuda and weights[0].dtype in _CUDA_ONLY_DTYPES):
        raise NotImplementedError(f"no fused recurrent step for {weights[0].dtype} on {weights[0].device.type}")
    return weights + [None] * (4 - len(weights))


def _torch_weights(kernel, recurrent_kernel, bias, reorder=None):
    """Keras' weights -> the `[w_ih, w_hh(, b_ih, b_hh)]` list PyTorch's kernels take.

    The Keras variables become their torch tensors (Parameters), so autograd
    reaches them. A `(gates * units,)` bias (LSTM, SimpleRNN) is the input bias,
    with a zero recurrent bias; a `(2, gates * units)` bias (GRU) holds both.
    `reorder` maps Keras' gate blocks (along the last axis) to PyTorch's order;
    the kernels are then transposed to PyTorch's `(gates * units, inputs)`.
    """
    convert = keras.ops.convert_to_tensor
    weights = [convert(kernel), convert(recurrent_kernel)]
    if bias is not None:
        bias = convert(bias)
        weights += [bias[0], bias[1]] if bias.ndim == 2 else [bias, torch.zeros_like(bias)]
    if reorder is not None:
        weights = [reorder(weight) for weight in weights]
    weights[:2] = [weight.t().contiguous() for weight in weights[:2]]
    return weights


def _gru_gates_to_torch(weights):
    """Keras' GRU gate blocks `z, r, h` along the last axis -> PyTorch's `r, z, n`."""
    z, r, h = torch.chunk(weights, 3, dim=-1)
    return torch.cat([r, z, h], dim=-1)


def _check_supported(inputs):
    device_ok = inputs.dtype in _ALWAYS_SUPPORTED_DTYPES or (inputs.is_cuda and inputs.dtype in _CUDA_ONLY_DTYPES)
    if not device_ok:
        raise NotImplementedError(f"no fused recurrent kernel for {inputs.dtype} on {inputs.device.type}")
    if torch.jit.is_tracing():
        # Tracing (TorchScript / ONNX export) would freeze the data-dependent mask checks.
        raise NotImplementedError("the fused recurrent kernels are not used under torch.jit tracing")


def _sequence_lengths(mask, time_steps):
    """Per-sequence lengths of a right-padded mask, or None when nothing is masked.

    Raises NotImplementedError for masks the packed kernels cannot follow:
    holes or left padding, or a fully masked sequence.
    """
    mask = keras.ops.convert_to_tensor(mask).to(torch.bool)
    if mask.ndim != 2:
        raise NotImplementedError(f"the fused kernels take a (batch, time) mask, not shape {tuple(mask.shape)}")
    lengths = mask.sum(dim=1)  # (batch,)
    right_padded = torch.arange(time_steps, device=mask.device)[None, :] < lengths[:, None]
    bad_mask, shortest = torch.stack([torch.any(mask != right_padded).long(), lengths.min()]).tolist()
    if bad_mask:
        raise NotImplementedError("the mask is not right-padded (True then False along time)")
    if shortest == 0:
        raise NotImplementedError("the mask hides a whole sequence")
    if shortest == time_steps:
        return None
    return lengths


def _run(
    kernel_name, inputs, states, weights, mask=None, go_backwards=False, return_sequences=True,
    zero_output_for_mask=False,
):
    """Runs `torch._VF.<kernel_name>` as Keras' `RNN.inner_loop` would; the part all kinds share."""
    kernel_fn = getattr(torch._VF, kernel_name)  # looked up per call: tests spy on torch._VF
    dtype = weights[0].dtype
    states = [keras.ops.convert_to_tensor(state).to(dtype).unsqueeze(0) for state in states]  # (1, batch, units)
    inputs = keras.ops.convert_to_tensor(inputs).to(dtype)
    _check_supported(inputs)
    time_steps = inputs.shape[1]
    lengths = None if mask is None else _sequence_lengths(mask, time_steps)
    has_biases = len(weights) == 4
    # Positional arguments after the weights: has_biases, num_layers, dropout, train, bidirectional.
    settings = (has_biases, 1, 0.0, torch.is_grad_enabled(), False)
    initial_states = states if len(states) == 2 else states[0]  # the LSTM takes (h, c), the others h

    if lengths is None:
        if go_backwards:
            inputs = torch.flip(inputs, dims=[1])
        outputs, *final_states = kernel_fn(inputs, initial_states, weights, *settings, True)  # batch_first
        final_states = [state.squeeze(0) for state in final_states]
        last_output = outputs[:, -1]
    else:
        outputs, final_states = _run_packed(kernel_fn, inputs, states, weights, settings, lengths, go_backwards)
        last_state = final_states[0]  # h
        outputs, last_output = _keras_masked_outputs(outputs, last_state, lengths, go_backwards, zero_output_for_mask)

    if not return_sequences:
        outputs = last_output[:, None, :]
    return last_output, outputs, final_states


def _run_packed(kernel_fn, inputs, states, weights, settings, lengths, go_backwards):
    """Run each sequence over its own length; outputs `(batch, time, units)` are zero past it."""
    time_steps = inputs.shape[1]
    if go_backwards:
        # Reverse each sequence within its length: step k reads x[length - 1 - k].
        steps = torch.arange(time_steps, device=inputs.device)[None, :]  # (1, time)
        source = torch.where(steps < lengths[:, None], lengths[:, None] - 1 - steps, steps)  # (batch, time)
        inputs = torch.gather(inputs, 1, source[:, :, None].expand(-1, -1, inputs.shape[2]))
    packed = rnn_utils.pack_padded_sequence(inputs, lengths.cpu(), batch_first=True, enforce_sorted=False)
    sorted_states = [state.index_select(1, packed.sorted_indices) for state in states]
    initial_states = sorted_states if len(sorted_states) == 2 else sorted_states[0]
    data, *final_states = kernel_fn(packed.data, packed.batch_sizes, initial_states, weights, *settings)
    final_states = [state.index_select(1, packed.unsorted_indices).squeeze(0) for state in final_states]
    packed_outputs = rnn_utils.PackedSequence(data, packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)
    outputs, _ = rnn_utils.pad_packed_sequence(packed_outputs, batch_first=True, total_length=time_steps)
    # outputs: (batch, time, units), zeros past each length
    return outputs, final_states


def _keras_masked_outputs(outputs, last_state, lengths, go_backwards, zero_output_for_mask):
    """Packed outputs -> the outputs Keras' masked loop produces, and its last output.

    Forward, a masked step repeats the last real output (or gives zeros with
    `zero_output_for_mask`). Backward, Keras walks the flipped sequence, whose
    masked steps come first: they output zeros, and the real outputs follow.
    """
    time_steps = outputs.shape[1]
    steps = torch.arange(time_steps, device=outputs.device)[None, :]  # (1, time)
    if go_backwards:
        shift = (time_steps - lengths)[:, None]  # masked steps before the real ones
        source = (steps - shift).clamp(min=0)
        shifted = torch.gather(outputs, 1, source[:, :, None].expand(-1, -1, outputs.shape[2]))
        outputs = torch.where((steps >= shift)[:, :, None], shifted, torch.zeros_like(shifted))
        return outputs, last_state
    if zero_output_for_mask:
        last_output = torch.where((lengths == time_steps)[:, None], last_state, torch.zeros_like(last_state))
        return outputs, last_output
    real = (steps < lengths[:, None])[:, :, None]  # (batch, time, 1)
    return torch.where(real, outputs, last_state[:, None, :]), last_state


# LayerNorm SimpleRNN: torch has no fused kernel for it; a loop of three fused ops per step
# (addmm, native_layer_norm, tanh) with a hand-written backward pass.


class _LayerNormSimpleRNN(torch.autograd.Function):
    """`h_t = tanh(LN(xp_t + h_{t-1} U; gamma, beta))` over time (no LayerNorm when `gamma` is None).

    Forward saves `z_t` and the normalization's mean and inverse standard
    deviation; backward walks back in time with `native_layer_norm_backward`
    and one `dz_t U^T` per step, then forms the gradients of `U`, `gamma` and
    `beta` as single products over all steps.
    """

    @staticmethod
    def forward(ctx, projected, initial_state, recurrent_kernel, gamma, beta, epsilon):
        steps, units = projected.shape[0], projected.shape[-1]
        layer_norm = gamma is not None
        outputs = torch.empty_like(projected)
        pre_activations = torch.empty_like(projected) if layer_norm else None
        means, inverse_stds = [], []
        h = initial_state
        for t in range(steps):
            z = torch.addmm(projected[t], h, recurrent_kernel)
            if layer_norm:
                pre_activations[t] = z
                z, mean, inverse_std = torch.native_layer_norm(z, [units], gamma, beta, epsilon)
                means.append(mean)
                inverse_stds.append(inverse_std)
            h = torch.tanh(z, out=outputs[t])
        means = torch.stack(means) if layer_norm else None  # (time, batch, 1)
        inverse_stds = torch.stack(inverse_stds) if layer_norm else None
        ctx.save_for_backward(initial_state, recurrent_kernel, gamma, beta, outputs, pre_activations, means, inverse_stds)
        ctx.units = units
        return outputs

    @staticmethod
    def backward(ctx, d_outputs):
        initial_state, recurrent_kernel, gamma, beta, outputs, pre_activations, means, inverse_stds = ctx.saved_tensors
        layer_norm = gamma is not None
        tanh_derivative = 1.0 - outputs * outputs
        d_pre = torch.empty_like(outputs)  # d(z_t), the gradient of the projected inputs
        d_normalized = torch.empty_like(outputs) if layer_norm else None  # d(LN output) for gamma and beta
        kernel_t = recurrent_kernel.t()
        dh_next = torch.zeros_like(initial_state)
        for t in reversed(range(outputs.shape[0])):
            dy = (d_outputs[t] + dh_next) * tanh_derivative[t]
            if layer_norm:
                d_normalized[t] = dy
                dy = torch.ops.aten.native_layer_norm_backward(
                    dy, pre_activations[t], [ctx.units], means[t], inverse_stds[t], gamma, beta,
                    [True, False, False],
                )[0]
            d_pre[t] = dy
            dh_next = dy @ kernel_t
        previous = torch.cat([initial_state[None], outputs[:-1]], dim=0)
        d_kernel = previous.reshape(-1, ctx.units).t() @ d_pre.reshape(-1, ctx.units)
        d_gamma = d_beta = None
        if layer_norm:
            normalized = (pre_activations - means) * inverse_stds
            d_gamma = (d_normalized * normalized).sum(dim=(0, 1))
            d_beta = d_normalized.sum(dim=(0, 1)) if beta is not None else None
        return d_pre, dh_next, d_kernel, d_gamma, d_beta, None


def layer_norm_simple_rnn(
    projected, initial_state, recurrent_kernel, gamma, beta, epsilon, mask=None, go_backwards=False,
    return_sequences=True,
):
    """`kerasrnn.layers.LayerNormSimpleRNN`'s recurrence (tanh) on its projected inputs.

    Same arguments and returns as `kerasrnn.backend.jax_fused_rnn.layer_norm_simple_rnn`;
    raises NotImplementedError for a mask or a dtype with no kernel.
    """
    if mask is not None:
        raise NotImplementedError("the torch LayerNorm recurrence takes no mask")
    convert = keras.ops.convert_to_tensor
    projected, initial_state, recurrent_kernel = convert(projected), convert(initial_state), convert(recurrent_kernel)
    gamma = None if gamma is None else convert(gamma)
    beta = None if beta is None else convert(beta)
    _check_supported(projected)
    sequences = projected.transpose(0, 1)  # (time, batch, units)
    if go_backwards:
        sequences = torch.flip(sequences, dims=[0])
    outputs = _LayerNormSimpleRNN.apply(
        sequences.contiguous(), initial_state.to(projected.dtype), recurrent_kernel, gamma, beta, float(epsilon)
    )
    last_output = outputs[-1]
    outputs = outputs.transpose(0, 1) if return_sequences else last_output[:, None, :]
    return last_output, outputs, [last_output]
