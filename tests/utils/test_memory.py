"""Tests for kerasrnn.utils.memory: freed memory kept for reuse (Linux with glibc)."""

import sys

import pytest

from kerasrnn.utils import memory
from tests import testing

# Allocates, touches and frees a 100 MiB block 4 times with the C library's malloc, as a training step
# does with its temporaries, and reports the page faults of the last 3 rounds.
_ROUNDS = """
import ctypes, ctypes.util, json, resource
{setup}
libc = ctypes.CDLL(ctypes.util.find_library("c"))
libc.malloc.restype, libc.malloc.argtypes = ctypes.c_void_p, [ctypes.c_size_t]
libc.free.argtypes = [ctypes.c_void_p]
size = 100 * 2**20
faults = []
for _ in range(4):
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    block = libc.malloc(size)
    ctypes.memset(block, 1, size)
    libc.free(block)
    faults.append(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
print(json.dumps({{"applied": {applied}, "faults": faults[1:]}}))
"""


@pytest.mark.skipif(memory._glibc_mallopt() is None, reason="needs Linux with glibc")
def test_freed_memory_is_reused_without_new_page_faults():
    pages = 100 * 2**20 // 4096
    default = testing.run_json(_ROUNDS.format(setup="", applied="None"), testing.backend())
    reused = testing.run_json(
        _ROUNDS.format(
            setup="from kerasrnn.utils.memory import reuse_freed_memory; applied = reuse_freed_memory()",
            applied="applied",
        ),
        testing.backend(),
    )
    # By default glibc maps a block this large afresh every time: a fault per page (fewer with huge pages).
    assert min(default["faults"]) > pages // 600
    assert reused["applied"] is True
    assert max(reused["faults"]) < 20


def test_elsewhere_nothing_changes(monkeypatch):
    monkeypatch.setattr(sys, "platform", "darwin")
    assert memory._glibc_mallopt() is None
    assert memory.reuse_freed_memory() is False
