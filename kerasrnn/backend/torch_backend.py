"""PyTorch: eager inference without autograd bookkeeping."""

import functools

import torch


def compile_inference(fn, variables, jit_compile=False):
    del variables, jit_compile  # runs eagerly

    @functools.wraps(fn)
    def call(*args):
        with torch.no_grad():
            return fn(*args)

    return call
