"""JAX: jit-compiled inference with the weights passed as arguments."""

import jax
import keras


def compile_inference(fn, variables, jit_compile=False):
    del jit_compile  # jax.jit always compiles with XLA

    def pure(values, *args):
        with keras.StatelessScope(state_mapping=list(zip(variables, values))):
            return fn(*args)

    jitted = jax.jit(pure)

    def call(*args):
        return jitted([variable.value for variable in variables], *args)

    return call


def list_devices():
    return [f"{device.platform}:{device.id}" for device in jax.devices()]
