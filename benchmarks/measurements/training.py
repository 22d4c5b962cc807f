"""Training throughput of a character language model: kerasrnn, Keras built-ins, native PyTorch.

Every subject trains the same network on random token ids,
`Embedding(V, E) -> recurrent layer(H) -> Dense(V)`, with sparse
cross-entropy from logits and Adam (learning rate 1e-3), and reports
tokens per second (`batch_size * sequence_length` per step).

- `ours`: `kerasrnn.models.build_language_model(V, cell_type=kind, ...)`, the model
  the recipes train (its layer comes from `make_recurrent_layer(kind, ...)`),
  compiled and trained with `model.fit` as the recipes do.
- `keras`: the same model with `keras.layers.LSTM` / `GRU` / `SimpleRNN`.
- `fused`: the same model with `kerasrnn.layers.fused_rnn.LSTM` / `GRU` /
  `SimpleRNN` (PyTorch's fused kernels on the torch backend).
- `torch_nn`: plain PyTorch with `torch.nn.LSTM` / `GRU` / `RNN` and a
  hand-written training loop.
- `torch_loop`: plain PyTorch LayerNorm RNN, a Python loop over time steps
  with `torch.nn.LayerNorm` (PyTorch has no built-in LayerNorm RNN).
"""

from measurements.common import class_path
from measurements.common import random_token_batches
from measurements.common import timed

# Kind -> (gates per step, kerasrnn kind, Keras layer name, torch.nn module name).
KINDS = {
    "lstm": (4, "lstm", "LSTM", "LSTM"),
    "gru": (3, "gru", "GRU", "GRU"),
    "simple_rnn": (1, "simple_rnn", "SimpleRNN", "RNN"),
    "layernorm_rnn": (1, "layernorm_rnn", None, None),
}


def matmul_flops_per_token(kind, size):
    """Floating-point operations of the matrix products for one training token.

    Forward: `2 * gates * H * (E + H)` for the input and recurrent products
    and `2 * H * V` for the output layer; the backward pass costs about twice
    the forward one, so a training token costs three times the forward FLOPs.
    Element-wise work (activations, LayerNorm) is left out.
    """
    gates = KINDS[kind][0]
    hidden, embedding, vocabulary = size["hidden_units"], size["embedding_dim"], size["vocabulary_size"]
    forward = 2 * gates * hidden * (embedding + hidden) + 2 * hidden * vocabulary
    return 3 * forward


def keras_layer_class(kind, impl):
    """The recurrent layer class a Keras subject trains (None where it has no such layer)."""
    import keras

    if impl == "ours":
        from kerasrnn.layers.recurrent_factory import recurrent_layer_class

        return recurrent_layer_class(KINDS[kind][1])
    name = KINDS[kind][2]
    if name is None:
        return None
    if impl == "keras":
        return getattr(keras.layers, name)
    if impl == "fused":
        try:
            from kerasrnn.layers import fused_rnn
        except ImportError:
            return None
        return getattr(fused_rnn, name, None)
    raise ValueError(f"unknown Keras implementation {impl!r}; use 'ours', 'keras' or 'fused'")


def describe_layers(kinds=tuple(KINDS)):
    """`{"kind/impl": "module.Class"}` for every Keras subject available in this process."""
    described = {}
    for kind in kinds:
        for impl in ("ours", "keras", "fused"):
            cls = keras_layer_class(kind, impl)
            if cls is not None:
                described[f"{kind}/{impl}"] = class_path(cls)
    return described


class KerasTraining:
    """`model.fit` throughput of a Keras language model on the active backend."""

    unit = "tokens/s"

    def __init__(self, kind, impl, size):
        import keras

        self.size = size
        vocabulary = size["vocabulary_size"]
        if impl == "ours":
            from kerasrnn.models import build_language_model

            self.model = build_language_model(
                vocabulary, cell_type=KINDS[kind][1], embedding_dim=size["embedding_dim"],
                hidden_units=size["hidden_units"],
            )
        else:
            layer_class = keras_layer_class(kind, impl)
            if layer_class is None:
                raise NotImplementedError(f"no {impl} layer for {kind} in this installation")
            inputs = keras.Input(shape=(None,), dtype="int32")
            x = keras.layers.Embedding(vocabulary, size["embedding_dim"])(inputs)
            x = layer_class(size["hidden_units"], return_sequences=True)(x)
            self.model = keras.Model(inputs, keras.layers.Dense(vocabulary)(x))
        self.model.compile(
            optimizer=keras.optimizers.Adam(learning_rate=1e-3),
            loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        )
        self.label = class_path(keras_layer_class(kind, impl))
        self.inputs, self.targets = random_token_batches(
            size["steps"] * size["batch_size"], size["sequence_length"], vocabulary
        )
        self.amount = self.inputs.size  # tokens per repeat

    def _epoch(self):
        # fit() returns once the epoch's losses are read back: every step has finished.
        self.model.fit(self._dataset(), epochs=1, verbose=0)

    def _dataset(self):
        """The batches as a `tf.data.Dataset` (what feeds `fit` on every backend), autotuning off.

        With tf.data's autotuner on (what `fit(numpy_arrays)` builds), tearing
        down a finished epoch's iterator waited ~0.5 s in about half the epochs
        once the steps were fast (measured on TensorFlow with the fused LSTM:
        epochs of 6 steps took 0.75 s or 1.29 s, and a steady 0.71-0.86 s with
        autotuning off). A long training run pays that once per epoch; a
        repeat here is one short epoch, so it would swamp the step time.
        """
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices((self.inputs, self.targets)).batch(self.size["batch_size"])
        options = tf.data.Options()
        options.autotune.enabled = False
        return dataset.with_options(options)

    def warm_up(self):
        return timed(self._epoch)

    def run(self):
        return timed(self._epoch)


class _TorchTrainer:
    """A plain PyTorch training loop over random next-token batches."""

    unit = "tokens/s"

    def __init__(self, size, recurrent):
        import torch

        torch.manual_seed(0)
        self.torch = torch
        vocabulary, hidden = size["vocabulary_size"], size["hidden_units"]
        self.embedding = torch.nn.Embedding(vocabulary, size["embedding_dim"])
        self.recurrent = recurrent
        self.output = torch.nn.Linear(hidden, vocabulary)
        self.modules = torch.nn.ModuleList([self.embedding, self.recurrent, self.output])
        self.optimizer = torch.optim.Adam(self.modules.parameters(), lr=1e-3)
        inputs, targets = random_token_batches(
            size["steps"] * size["batch_size"], size["sequence_length"], vocabulary
        )
        batch = size["batch_size"]
        self.batches = [
            (torch.from_numpy(inputs[i : i + batch]).long(), torch.from_numpy(targets[i : i + batch]).long())
            for i in range(0, len(inputs), batch)
        ]
        self.amount = inputs.size

    def forward(self, inputs):
        raise NotImplementedError

    def _epoch(self):
        functional = self.torch.nn.functional
        for inputs, targets in self.batches:
            self.optimizer.zero_grad(set_to_none=True)
            logits = self.output(self.forward(self.embedding(inputs)))  # (batch, time, vocabulary)
            loss = functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), targets.reshape(-1))
            loss.backward()
            self.optimizer.step()
        return float(loss.detach())  # waits for the last step

    def warm_up(self):
        return timed(self._epoch)

    def run(self):
        return timed(self._epoch)


class TorchNativeTraining(_TorchTrainer):
    """`torch.nn.LSTM` / `GRU` / `RNN` (PyTorch's fused recurrent kernels)."""

    def __init__(self, kind, size):
        import torch

        module_name = KINDS[kind][3]
        if module_name is None:
            raise NotImplementedError(f"PyTorch has no built-in {kind} module")
        recurrent = getattr(torch.nn, module_name)(size["embedding_dim"], size["hidden_units"], batch_first=True)
        super().__init__(size, recurrent)
        self.label = f"torch.nn.{module_name}"

    def forward(self, embedded):
        return self.recurrent(embedded)[0]


class TorchLayerNormRNNTraining(_TorchTrainer):
    """A LayerNorm SimpleRNN written the plain PyTorch way: `h = tanh(LN(x W + h U))` step by step.

    The input projection of the whole sequence is one matrix product before
    the loop (as `kerasrnn.layers.LayerNormSimpleRNN` does); the loop then
    computes `h U`, `torch.nn.LayerNorm` (epsilon 1e-3, as ours) and `tanh`.
    """

    def __init__(self, size):
        import torch

        hidden = size["hidden_units"]
        recurrent = torch.nn.ModuleDict({
            "input": torch.nn.Linear(size["embedding_dim"], hidden, bias=False),
            "recurrent": torch.nn.Linear(hidden, hidden, bias=False),
            "norm": torch.nn.LayerNorm(hidden, eps=1e-3),
        })
        super().__init__(size, recurrent)
        self.label = "PyTorch loop with torch.nn.LayerNorm"

    def forward(self, embedded):
        torch = self.torch
        projected = self.recurrent["input"](embedded)  # (batch, time, hidden)
        state = projected.new_zeros(projected.shape[0], projected.shape[2])
        outputs = []
        for step in range(projected.shape[1]):
            state = torch.tanh(self.recurrent["norm"](projected[:, step] + self.recurrent["recurrent"](state)))
            outputs.append(state)
        return torch.stack(outputs, dim=1)  # (batch, time, hidden)
