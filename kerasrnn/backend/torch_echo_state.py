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

which costs about 30-50 microseconds a step. It raises `NotImplementedError`
when autograd would need the graph (a drive or state that requires a
gradient while gradients are enabled); the caller then runs Keras' loop.

Imported only when the torch backend is active (see
`kerasrnn.layers.echo_state`).
"""

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
