"""--data-parallel: Keras' distribution API on JAX (two virtual CPU devices), tf.distribute on TF."""

from tests import testing
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_data_parallel_flag(tmp_path):
    backend = testing.backend()
    env = {"XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    result = run_recipe("predict_next_char", "--quick", "--models", "lstm", "--data-parallel",
                        "--output-dir", tmp_path, env=env)
    if backend == "torch":
        assert result.returncode == 2
        assert "--data-parallel supports the jax and tensorflow backends" in result.stderr
        return
    out = assert_ok(result)
    if backend == "jax":
        assert "data-parallel on 2 JAX devices" in out
    else:
        assert "data-parallel on" in out and "TensorFlow devices" in out
    assert (tmp_path / "lstm" / "model.keras").exists()
