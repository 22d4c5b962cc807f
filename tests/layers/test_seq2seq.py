"""Seq2SeqEncoder / Seq2SeqDecoder layers and the Seq2Seq model."""

import json
import warnings
import zipfile

import numpy as np
import pytest

import keras

from kerasrnn.decoding import RecurrentStepper
from kerasrnn.layers.seq2seq import Seq2SeqDecoder
from kerasrnn.layers.seq2seq import Seq2SeqEncoder
from kerasrnn.models.seq2seq import Seq2Seq
from kerasrnn.models.seq2seq import SparseLabelSmoothingCrossentropy
from kerasrnn.models.seq2seq import sequence_loss
from tests import testing

SOURCE = np.array([[5, 6, 7, 8, 0, 0], [9, 10, 0, 0, 0, 0]], "int32")
TARGET_IN = np.array([[3, 11, 12, 13], [3, 14, 15, 0]], "int32")


@pytest.mark.parametrize("cell_type", ["lstm", "layernorm_gru"])
def test_padding_does_not_change_the_encoder_states(cell_type):
    encoder = Seq2SeqEncoder(20, embedding_dim=4, hidden_units=6, num_layers=2, cell_type=cell_type)
    padded = encoder(SOURCE)  # row 0: 4 tokens + 2 pads, row 1: 2 tokens + 4 pads
    assert len(padded) == (4 if cell_type.endswith("lstm") else 2) and tuple(padded[0].shape) == (2, 6)
    shorter = encoder(SOURCE[:, :4])  # row 0: no padding, row 1: 2 pads
    for state, state_shorter in zip(padded, shorter):
        testing.assert_allclose(state, state_shorter, atol=1e-5)


@pytest.mark.parametrize("cell_type", ["gru", "layernorm_lstm"])
def test_decoder_step_matches_teacher_forcing(cell_type):
    encoder = Seq2SeqEncoder(20, embedding_dim=4, hidden_units=6, num_layers=2, cell_type=cell_type)
    decoder = Seq2SeqDecoder(16, embedding_dim=5, hidden_units=6, num_layers=2, cell_type=cell_type)
    states = encoder(SOURCE)
    full = testing.to_numpy(decoder(TARGET_IN, states))  # (batch, time, vocabulary)
    assert full.shape == (2, 4, 16)
    stepper = RecurrentStepper(decoder)
    for t in range(TARGET_IN.shape[1]):
        logits, states = stepper.step(TARGET_IN[:, t], states)
        testing.assert_allclose(logits, full[:, t], atol=1e-5)


def test_seq2seq_saves_loads_and_records_its_settings(tmp_path):
    model = Seq2Seq(20, 16, embedding_dim=4, hidden_units=6, num_layers=2, cell_type="gru", dropout=0.1,
                    reverse_source=True)
    expected = testing.to_numpy(model([SOURCE, TARGET_IN]))
    path = str(tmp_path / "seq2seq.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert isinstance(loaded, Seq2Seq) and loaded.reverse_source and loaded.cell_type == "gru"
    assert isinstance(loaded.encoder, Seq2SeqEncoder) and isinstance(loaded.decoder, Seq2SeqDecoder)
    testing.assert_allclose(loaded([SOURCE, TARGET_IN]), expected, atol=1e-6)
    config = model.get_config()
    assert config["num_layers"] == 2 and config["dropout"] == 0.1 and config["name"] == "gru_seq2seq"


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
def test_sequence_loss_is_the_mean_over_real_tokens(label_smoothing):
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 3, 7)).astype("float32")
    labels = rng.integers(1, 7, (2, 3))
    weights = np.ones((2, 3), "float32")
    loss = sequence_loss(label_smoothing)
    plain = testing.to_numpy(loss(labels, logits, sample_weight=weights))
    # Padding positions (weight 0) change neither the value nor its scale.
    padded_logits = np.concatenate([logits, rng.normal(size=(2, 4, 7)).astype("float32")], axis=1)
    padded_labels = np.pad(labels, ((0, 0), (0, 4)))
    padded = loss(padded_labels, padded_logits, sample_weight=np.pad(weights, ((0, 0), (0, 4))))
    testing.assert_allclose(padded, plain, atol=1e-6)


def test_label_smoothing_matches_keras_categorical_crossentropy():
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(2, 3, 7)).astype("float32")
    labels = rng.integers(0, 7, (2, 3))
    ours = SparseLabelSmoothingCrossentropy(0.2)(labels, logits)
    reference = keras.losses.CategoricalCrossentropy(from_logits=True, label_smoothing=0.2)(
        np.eye(7, dtype="float32")[labels], logits)
    testing.assert_allclose(ours, reference, atol=1e-5)
    restored = SparseLabelSmoothingCrossentropy.from_config(SparseLabelSmoothingCrossentropy(0.2).get_config())
    assert restored.label_smoothing == 0.2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"hidden_units": 0}, "hidden_units=0"),
        ({"num_layers": 1.5}, "num_layers=1.5"),
        ({"cell_type": "transformer"}, "cell_type='transformer'"),
        ({"dropout": 1.0}, "dropout=1.0"),
        ({"reverse_source": "yes"}, "reverse_source='yes'"),
    ],
)
def test_bad_arguments_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        Seq2Seq(20, 16, **kwargs)


def test_wrong_number_of_states_is_rejected():
    decoder = Seq2SeqDecoder(16, embedding_dim=4, hidden_units=6, num_layers=2)
    with pytest.raises(ValueError, match="takes 4 states"):
        decoder(TARGET_IN, [np.zeros((2, 6), "float32")] * 2)


OPTIONS = [
    {"context_every_step": True},
    {"bidirectional_encoder": True, "bridge": True, "decoder_hidden_units": 10},
    {"residual": True, "num_layers": 3, "tie_embeddings": True},
    {"context_every_step": True, "bidirectional_encoder": True, "bridge": True, "residual": True, "num_layers": 3,
     "tie_embeddings": True},
]


@pytest.mark.parametrize("options", OPTIONS, ids=lambda options: "+".join(options))
def test_options_step_by_step_equal_teacher_forcing(options):
    from kerasrnn.decoding import GreedySampler
    from kerasrnn.decoding import Seq2SeqGenerator
    from kerasrnn.decoding import Seq2SeqStepper

    keras.utils.set_random_seed(0)
    model = Seq2Seq(20, 16, embedding_dim=4, hidden_units=6, **{"num_layers": 2, **options})
    full = testing.to_numpy(model([SOURCE, TARGET_IN]))  # (batch, time, vocabulary)
    stepper = Seq2SeqStepper(model)
    states = stepper.encode(SOURCE)
    assert len(states) == len(model.decoder.state_sizes) + bool(options.get("context_every_step"))
    for t in range(TARGET_IN.shape[1]):
        logits, states = stepper.step(TARGET_IN[:, t], states)
        testing.assert_allclose(logits, full[:, t], atol=1e-5)
    # Greedy decoding through the sampler loop picks the argmax of the teacher-forced logits of its own output.
    tokens, _ = Seq2SeqGenerator(model, start_id=3, end_id=4).generate(SOURCE, GreedySampler(), max_length=5)
    target_in = np.concatenate([np.full((2, 1), 3, "int32"), tokens[:, :-1]], axis=1)
    forced = testing.to_numpy(model([SOURCE, target_in]))
    forced[..., 0] = -np.inf  # padding is never generated
    for row in range(2):
        length = list(tokens[row]).index(4) + 1 if 4 in tokens[row] else tokens.shape[1]
        np.testing.assert_array_equal(forced[row, :length].argmax(-1), tokens[row, :length])


@pytest.mark.parametrize("cell_type", ["lstm", "gru"])
def test_bidirectional_encoder_ignores_padding(cell_type):
    encoder = Seq2SeqEncoder(20, embedding_dim=4, hidden_units=6, num_layers=2, cell_type=cell_type,
                             bidirectional=True, residual=True)
    padded = encoder(SOURCE)
    assert len(padded) == (6 if cell_type == "lstm" else 3)  # both directions of layer 0, then layer 1
    for state, state_shorter in zip(padded, encoder(SOURCE[:, :4])):
        testing.assert_allclose(state, state_shorter, atol=1e-5)
    assert tuple(encoder.summary_vector(padded).shape) == (2, 6)
    single = Seq2SeqEncoder(20, embedding_dim=4, hidden_units=6, cell_type=cell_type, bidirectional=True)
    assert tuple(single.summary_vector(single(SOURCE)).shape) == (2, 12)  # forward and backward h


def test_options_save_load_and_old_configs_keep_the_old_model(tmp_path):
    model = Seq2Seq(20, 16, embedding_dim=4, hidden_units=6, **OPTIONS[-1])
    expected = testing.to_numpy(model([SOURCE, TARGET_IN]))
    path = str(tmp_path / "options.keras")
    model.save(path)
    loaded = keras.saving.load_model(path)
    assert loaded.context_every_step and loaded.bidirectional_encoder and loaded.tie_embeddings
    testing.assert_allclose(loaded([SOURCE, TARGET_IN]), expected, atol=1e-6)
    # A config saved before the options existed builds the plain model.
    config = Seq2Seq(20, 16, embedding_dim=4, hidden_units=6).get_config()
    for key in ("decoder_hidden_units", "bidirectional_encoder", "bridge", "context_every_step", "residual",
                "tie_embeddings"):
        config.pop(key)
    plain = Seq2Seq.from_config(config)
    assert plain.bridge_layer is None and plain.decoder.context_dim == 0 and plain.decoder.output_projection


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"bidirectional_encoder": True}, "pass bridge=True"),
        ({"decoder_hidden_units": 8}, "pass bridge=True"),
        ({"context_every_step": 1}, "context_every_step=1"),
        ({"tie_embeddings": "no"}, "tie_embeddings='no'"),
        ({"residual": None}, "residual=None"),
    ],
)
def test_bad_options_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        Seq2Seq(20, 16, embedding_dim=4, hidden_units=6, **kwargs)


def test_decoder_with_context_needs_it():
    decoder = Seq2SeqDecoder(16, embedding_dim=4, hidden_units=6, context_dim=5)
    with pytest.raises(ValueError, match="context_dim=5"):
        decoder(TARGET_IN, [np.zeros((2, 6), "float32")] * 2)


@pytest.mark.parametrize("make", [
    lambda **kind: Seq2Seq(20, 16, embedding_dim=4, hidden_units=6, **kind),
    lambda **kind: Seq2SeqEncoder(20, embedding_dim=4, hidden_units=6, **kind),
    lambda **kind: Seq2SeqDecoder(16, embedding_dim=4, hidden_units=6, **kind),
], ids=["Seq2Seq", "Seq2SeqEncoder", "Seq2SeqDecoder"])
def test_cell_is_a_deprecated_alias_of_cell_type(make):
    with pytest.warns(DeprecationWarning, match="`cell` is deprecated .*use `cell_type`"):
        old = make(cell="gru")
    assert old.cell_type == "gru" and old.get_config()["cell_type"] == "gru" and "cell" not in old.get_config()
    with pytest.raises(ValueError, match="pass only `cell_type`, received: cell_type='gru', cell='lstm'"):
        make(cell_type="gru", cell="lstm")
    with pytest.raises(ValueError, match="cell_type='transformer'"):
        with pytest.warns(DeprecationWarning):
            make(cell="transformer")


@pytest.mark.parametrize("cls, args", [(Seq2Seq, (20, 16)), (Seq2SeqEncoder, (20,)), (Seq2SeqDecoder, (16,))],
                         ids=["Seq2Seq", "Seq2SeqEncoder", "Seq2SeqDecoder"])
def test_config_with_the_old_cell_key_round_trips_without_a_warning(cls, args):
    config = cls(*args, embedding_dim=4, hidden_units=6, cell_type="gru").get_config()
    old = {("cell" if key == "cell_type" else key): value for key, value in config.items()}  # saved before the rename
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        restored = cls.from_config(old)
    assert restored.cell_type == "gru" and restored.get_config() == config


def test_keras_file_saved_with_the_old_cell_key_loads_without_a_warning(tmp_path):
    model = Seq2Seq(20, 16, embedding_dim=4, hidden_units=6, num_layers=2, cell_type="gru", reverse_source=True)
    expected = testing.to_numpy(model([SOURCE, TARGET_IN]))
    path, old_path = tmp_path / "new.keras", tmp_path / "old.keras"
    model.save(str(path))
    # The same file as written before the rename: the model config's "cell_type" key reads "cell".
    with zipfile.ZipFile(path) as new, zipfile.ZipFile(old_path, "w") as old:
        for item in new.infolist():
            data = new.read(item)
            if item.filename == "config.json":
                config = json.loads(data)
                config["config"]["cell"] = config["config"].pop("cell_type")
                data = json.dumps(config).encode()
            old.writestr(item, data)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        loaded = keras.saving.load_model(str(old_path))
    assert loaded.cell_type == "gru" and loaded.get_config()["cell_type"] == "gru"
    testing.assert_allclose(loaded([SOURCE, TARGET_IN]), expected, atol=1e-6)
