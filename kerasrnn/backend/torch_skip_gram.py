"""PyTorch: the block loop of `kerasrnn.training.SkipGramTrainer` in plain tensor calls.

The same arithmetic as the trainer's `keras.ops` loop, which JAX and
TensorFlow compile with XLA. Eager PyTorch runs that loop one operation at
a time, and `keras.ops`' argument conversions, padded copies and
copy-then-add scatters cost more than the block's arithmetic; here the
tables are updated in place (`index_add_`), per-position updates are added
into one buffer, and the products are batched matrix products (on CPU
NumPy's stacked `matmul`, which for these (2r x dim) by (dim x 1 + K)
matrices costs a third to a half of `torch.bmm`, whose per-matrix BLAS calls
dominate): 2.5x faster than the keras.ops loop on one CPU thread with
`torch.bmm`, with the same results. Imported only when the torch backend is
active.
"""

import numpy as np
import torch


def _bmm(a, b):
    """`torch.bmm(a, b)`; on CPU by NumPy's stacked matmul, 2-3x faster for these small matrices."""
    if a.device.type == "cpu" and a.dtype in (torch.float32, torch.float64):
        return torch.from_numpy(np.matmul(a.detach().numpy(), b.detach().numpy()))
    return torch.bmm(a, b)


def train_skip_gram_blocks(target, context, ids, outputs, weights, radius, num_blocks, rate, end_rate, compute_loss):
    """Update `target` and `context` in place, block by block; return the summed loss (0 without it).

    Args:
        target, context: float `(vocabulary_size, dim)` tables, updated in place.
        ids, outputs, weights, radius: the fields of a `SkipGramBlocks`, as tensors.
        num_blocks: int, blocks to train.
        rate, end_rate: floats, the learning rate at the first block and after the last one.
        compute_loss: bool, whether to sum the loss.

    On CPU it runs with one intra-op thread (restored after): its operations
    are too small to share, and with two threads on a 2-core machine running
    anything else the threads wait for each other (5x slower at load 2).
    """
    threads = torch.get_num_threads()
    single_thread = target.device.type == "cpu" and threads > 1
    if single_thread:
        torch.set_num_threads(1)
    try:
        with torch.no_grad():
            return _train_blocks(
                target, context, ids, outputs, weights, radius, num_blocks, rate, end_rate, compute_loss
            )
    finally:
        if single_thread:
            torch.set_num_threads(threads)


def _train_blocks(target, context, ids, outputs, weights, radius, num_blocks, rate, end_rate, compute_loss):
    num_positions, width = weights.shape
    window, size, dim = width // 2, num_positions // radius.shape[0], target.shape[1]
    ids, outputs = ids.long(), outputs.long()
    sign = torch.ones(outputs.shape[1], dtype=target.dtype, device=target.device)
    sign[1:] = -1.0
    loss = torch.zeros((), dtype=target.dtype, device=target.device)
    position_updates = torch.empty(size + 2 * window, dim, dtype=target.dtype, device=target.device)
    for index, r in enumerate(radius[:num_blocks].tolist()):
        offsets = [o for o in range(-r, r + 1) if o]
        start = index * size
        span = ids[start : start + size + 2 * window]
        rows = target.index_select(0, span)  # (C + 2W, dim)
        block_outputs = outputs[start : start + size]  # (C, 1 + K)
        output_vectors = context.index_select(0, block_outputs.reshape(-1)).view(size, -1, dim)  # (C, 1 + K, dim)
        learning_rate = rate + (end_rate - rate) * index / num_blocks
        slots = weights[start : start + size, window - r : window + r]  # (C, 2r)
        inputs = torch.stack([rows[window + o : window + o + size] for o in offsets], dim=1)  # (C, 2r, dim)
        signed_logits = _bmm(inputs, output_vectors.transpose(1, 2)) * sign  # (C, 2r, 1 + K)
        if compute_loss:
            loss += (torch.nn.functional.softplus(-signed_logits) * slots[:, :, None]).sum()
        errors = sign * torch.sigmoid(-signed_logits) * (slots * learning_rate)[:, :, None]
        input_updates = _bmm(errors, output_vectors)  # (C, 2r, dim)
        output_updates = _bmm(errors.transpose(1, 2), inputs)  # (C, 1 + K, dim)
        position_updates.zero_()
        for m, o in enumerate(offsets):
            position_updates[window + o : window + o + size] += input_updates[:, m]
        target.index_add_(0, span, position_updates)
        context.index_add_(0, block_outputs.reshape(-1), output_updates.reshape(-1, dim))
    return loss
