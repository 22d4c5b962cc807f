"""Keeping freed memory for reuse: `reuse_freed_memory()` (Linux with glibc).

A training step on the CPU allocates large temporary buffers and frees them
at the end of the step: XLA's temporaries for a whole JAX train step (one
~100 MB block for a 256-unit LSTM language model at batch 64 x 100), PyTorch's
per-step activations and gradients. glibc's `malloc` hands blocks that large
(above 32 MB, or any size from a thread's own arena above 64 MB) straight to
the kernel with `mmap` and gives them back with `munmap` when freed, so every
step touches fresh pages: the kernel zeroes each 4 KiB page on first touch.
Measured on this project's 2-core machine (batch 64 x 100, 256 units, Adam):
the JAX step of a `keras.layers.LSTM` language model took ~24,800 page faults
and 66-75 ms of kernel time per step, a plain PyTorch `nn.LSTM` loop ~16,000
to 19,000 and 48-54 ms.

`reuse_freed_memory()` tells glibc (`mallopt`) to serve every thread from the
main heap (`M_ARENA_MAX=1`), never to `mmap` a block (`M_MMAP_MAX=0`) and not
to give freed memory back to the kernel (`M_TRIM_THRESHOLD` at its maximum), so
the next step reuses the same pages: page faults fell to ~2 a step, and the
plain PyTorch loop ran at 87 instead of 111 ms a step. The price: the process
keeps its peak memory until it exits, and threads share one allocator lock.
It applies from the call on, to threads that have not allocated yet, so call
it first thing, before Keras picks its backend (the recipes'
`--reuse-freed-memory` does, see `recipes/harness.py`). Elsewhere (macOS,
Windows, musl) it does nothing.
"""

import ctypes
import ctypes.util
import sys

# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
_M_ARENA_MAX = -8
_INT_MAX = 2**31 - 1


def _glibc_mallopt():
    """glibc's `mallopt`, or None where the C library is not glibc."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.gnu_get_libc_version  # glibc only: musl has mallopt but no such symbol
        return libc.mallopt
    except (OSError, AttributeError):
        return None


def reuse_freed_memory():
    """Makes glibc's `malloc` keep freed memory for reuse instead of returning it to the kernel.

    Returns:
        True where the settings were applied (Linux with glibc), False
        elsewhere (nothing changes).

    Example:

    ```python
    from kerasrnn.utils.memory import reuse_freed_memory

    reuse_freed_memory()  # before importing keras
    import keras
    ```
    """
    mallopt = _glibc_mallopt()
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    settings = ((_M_ARENA_MAX, 1), (_M_MMAP_MAX, 0), (_M_TRIM_THRESHOLD, _INT_MAX))
    return all(mallopt(parameter, value) == 1 for parameter, value in settings)
