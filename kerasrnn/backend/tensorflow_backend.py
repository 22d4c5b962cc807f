"""TensorFlow: inference traced once into a graph with `tf.function`."""

import tensorflow as tf


def compile_inference(fn, variables):
    del variables  # tf.function captures Keras variables by reference.
    return tf.function(fn, reduce_retracing=True)
