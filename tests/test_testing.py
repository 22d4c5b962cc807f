"""The shared test helpers check what they claim: `run_layer_test` passes a sound layer and fails broken ones."""

import keras
import numpy as np
import pytest

from tests import testing


@keras.saving.register_keras_serializable(package="kerasrnn_tests")
class ScaledDense(keras.layers.Layer):
    """`scale * (x W + b)`: a layer with an argument that changes its outputs."""

    def __init__(self, units, scale=1.0, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.scale = scale

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.bias = self.add_weight(shape=(self.units,), name="bias", initializer="zeros")

    def call(self, inputs):
        return self.scale * (keras.ops.matmul(inputs, self.kernel) + self.bias)

    def get_config(self):
        return {**super().get_config(), "units": self.units, "scale": self.scale}


@keras.saving.register_keras_serializable(package="kerasrnn_tests")
class ForgetfulDense(ScaledDense):
    """Forgets `scale` in its config: rebuilt from it, it computes something else."""

    def get_config(self):
        config = super().get_config()
        del config["scale"]
        return config


@keras.saving.register_keras_serializable(package="kerasrnn_tests")
class FrozenBiasDense(ScaledDense):
    """A bias that no gradient reaches: one training step cannot move it."""

    def call(self, inputs):
        return self.scale * keras.ops.matmul(inputs, self.kernel) + keras.ops.stop_gradient(self.bias)


def _inputs():
    return np.random.default_rng(0).normal(size=(4, 3)).astype("float32")


def test_a_sound_layer_passes(tmp_path):
    model = testing.run_layer_test(ScaledDense, {"units": 2, "scale": 3.0}, _inputs(),
                                   expected_output_shape=(4, 2), saved_cases_dir=tmp_path)
    assert isinstance(model, keras.Model)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scaleddense_model.keras", "scaleddense_model.npz"]
    # The cross-backend check in one fresh process on one other backend, the quickest to start
    # (tests/test_cross_backend.py runs the harness on all of them).
    quickest = [name for name in ("jax", "torch", "tensorflow") if name != testing.backend()][:1]
    testing.check_saved_cases_on_backends(tmp_path, backends=quickest, modules=[__name__])


def test_a_config_that_forgets_an_argument_fails_the_round_trip():
    with pytest.raises(AssertionError, match=r"forgets the arguments \['scale'\]"):
        testing.run_layer_test(ForgetfulDense, {"units": 2, "scale": 3.0}, _inputs())
    # Even when the test does not name the argument, the rebuilt layer's outputs differ.
    layer = ForgetfulDense(2, scale=3.0)
    layer(_inputs())
    with pytest.raises(AssertionError, match="rebuilt from its config"):
        testing.check_config_round_trip(layer, _inputs())


def test_a_weight_that_does_not_train_fails_the_training_step():
    with pytest.raises(AssertionError, match="left these weights unchanged.*bias"):
        testing.run_layer_test(FrozenBiasDense, {"units": 2}, _inputs())


def test_a_wrong_output_shape_fails():
    with pytest.raises(AssertionError, match=r"output shape \(4, 2\), expected \(4, 3\)"):
        testing.run_layer_test(ScaledDense, {"units": 2}, _inputs(), expected_output_shape=(4, 3))
