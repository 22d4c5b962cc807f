"""PyTorch: the echo-state recurrence as a loop of a few in-place torch kernels.

On the torch backend Keras runs a recurrence one Python step at a time, and
each `keras.ops` call of a step pays Keras' dispatch on top of PyTorch's: for
a 500-unit reservoir on one CPU core, about 400 microseconds a step in
`keras.layers.RNN` and 100 in `keras.ops.scan`, where the matrix-vector
product itself takes about 20. The reservoir has no trained weight, so when
no gradient is needed the loop can run on raw tensors with preallocated
outputs:

    pre = drive_t + x_{t-1} W        (torch.addmm, written in place)
    x_t = lerp(x_{t-1}, tanh(pre), a) = (1 - a) x_{t-1} + a tanh(pre)

which costs about 30-50 microseconds a step. On CPU (float32 and float64)
the same loop runs on NumPy views of the tensors, whose calls cost less
Python than torch's (about 16 microseconds of CPU a step for 500 units,
where torch's takes 31). It raises `NotImplementedError`
when autograd would need the graph (a drive or state that requires a
gradient while gradients are enabled); the caller then runs Keras' loop.

Imported only when the torch backend is active (see
`kerasrnn.layers.echo_state`).
"""

import numpy as np
import torch


def leaky_tanh_scan(drives, recurrent_kernel, leak_rate, initial_state):
    """All states of `x_t = (1 - a) x_{t-1} + a tanh(d_t + x_{t-1} W)`.

    Args:
        drives: `(batch, time, units)`, the input drives `u_t W_in + b`.
        recurrent_kernel: `(units, units)`, `W`.
        leak_rate: Python float, `a`.
        initial_state: `(batch, units)`, `x_0`.

    Returns:
        The states `(batch, time, units)`, in the dtype of `drives`.
    """
    if torch.is_grad_enabled() and (drives.requires_grad or initial_state.requires_grad):
        raise NotImplementedError("the in-place loop keeps no autograd graph")
    if drives.device.type == "cpu" and drives.dtype in _NUMPY_DTYPES:
        with torch.no_grad():
            states = _numpy_leaky_tanh_scan(
                drives.detach().transpose(0, 1).contiguous().numpy(),  # (time, batch, units)
                recurrent_kernel.detach().to(drives.dtype).contiguous().numpy(),
                float(leak_rate),
                initial_state.detach().to(drives.dtype).numpy(),
            )
        return torch.from_numpy(states).transpose(0, 1)  # (batch, time, units)
    with torch.no_grad():
        drives = drives.transpose(0, 1).contiguous()  # (time, batch, units)
        recurrent_kernel = recurrent_kernel.to(drives.dtype).detach()
        state = initial_state.to(drives.dtype).detach()
        states = torch.empty_like(drives)  # (time, batch, units)
        pre_activation = torch.empty_like(state)
        for drive, new_state in zip(drives.unbind(0), states.unbind(0)):
            torch.addmm(drive, state, recurrent_kernel, out=pre_activation)
            pre_activation.tanh_()
            state = torch.lerp(state, pre_activation, leak_rate, out=new_state)
        return states.transpose(0, 1)  # (batch, time, units)


_NUMPY_DTYPES = (torch.float32, torch.float64)


def _numpy_leaky_tanh_scan(drives, recurrent_kernel, leak_rate, initial_state):
    """The same loop on NumPy arrays: `drives` `(time, batch, units)` -> the states `(time, batch, units)`.

    A NumPy call costs about a microsecond of Python where an eager torch call
    costs several, and the matrix-vector product is the same BLAS call: about
    16 instead of 31 microseconds of CPU a step for 500 units (one thread).
    """
    states = np.empty_like(drives)
    pre_activation = np.empty_like(initial_state)
    state = initial_state
    for drive, new_state in zip(drives, states):
        np.dot(state, recurrent_kernel, out=pre_activation)
        pre_activation += drive
        np.tanh(pre_activation, out=pre_activation)
        if leak_rate == 1.0:
            new_state[...] = pre_activation
        else:  # x + a (tanh(...) - x)
            pre_activation -= state
            pre_activation *= leak_rate
            np.add(state, pre_activation, out=new_state)
        state = new_state
    return states
