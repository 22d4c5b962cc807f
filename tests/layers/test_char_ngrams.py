import numpy as np
import pytest

from kerasrnn.layers import CharNgrams
from tests.testing import assert_allclose
from tests.testing import run_layer_test
from tests.testing import to_numpy


def test_output_shape_config_saving_and_training():
    x = np.random.default_rng(0).normal(size=(3, 7, 4)).astype("float32")
    model = run_layer_test(CharNgrams, {"filters": 5, "widths": (2, 3), "name": "ngrams"}, x,
                           expected_output_shape=(3, 10))
    config = model.get_layer("ngrams").get_config()
    assert config["filters"] == 5 and config["widths"] == [2, 3]


def test_padding_does_not_change_the_features():
    layer = CharNgrams(filters=6, widths=(2, 3, 4))
    x = np.random.default_rng(1).normal(size=(2, 5, 3)).astype("float32")
    mask = np.array([[True] * 5, [True, True, False, False, False]])
    padded = np.concatenate([x, np.full((2, 4, 3), 7.0, "float32")], axis=1)  # junk under the mask
    assert_allclose(layer(padded, mask=np.pad(mask, ((0, 0), (0, 4)))), layer(x, mask=mask))
    assert_allclose(layer(x[1:, :2]), layer(x[1:], mask=mask[1:]))


def test_a_width_one_detector_is_the_max_over_real_steps_of_relu_x_w():
    layer = CharNgrams(filters=2, widths=(1,))
    x = np.random.default_rng(2).normal(size=(1, 4, 3)).astype("float32")
    layer.build(x.shape)
    kernel = to_numpy(layer.kernels[0])[0]  # (features, filters)
    expected = np.maximum(x[0, :3] @ kernel, 0).max(axis=0)
    assert_allclose(layer(x, mask=np.array([[True, True, True, False]]))[0], expected)


@pytest.mark.parametrize("kwargs, message", [({"filters": 0}, "filters=0"), ({"widths": ()}, "widths=()"),
                                             ({"widths": (2, -1)}, "widths=-1")])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        CharNgrams(**kwargs)
