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


def list_devices():
    devices = [f"cuda:{index}" for index in range(torch.cuda.device_count())]
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        devices.append("mps:0")
    return devices + ["cpu:0"]


def accelerator_name():
    """The name of the first CUDA device, or `"none"`."""
    return torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
