"""TensorFlow: inference traced once into a graph with `tf.function`."""

import tensorflow as tf


def compile_inference(fn, variables, jit_compile=False):
    del variables  # tf.function captures Keras variables by reference.
    return tf.function(fn, reduce_retracing=True, jit_compile=jit_compile)


def list_devices():
    devices = tf.config.list_logical_devices()  # names like "/device:CPU:0"
    return [f"{device.device_type.lower()}:{device.name.rsplit(':', 1)[-1]}" for device in devices]
