"""Training throughput of an attention-free encoder-decoder: kerasrnn's `Seq2Seq` against native PyTorch.

Both train the same network, the shape `recipes/translate_en_fr.py` trains:
source `Embedding(V, E) -> LSTM(H) x L`, whose final states start the target
`Embedding(V, E) -> LSTM(H) x L -> Linear(V)`, with label-smoothed
cross-entropy (0.1, the recipe's) and Adam (learning rate 1e-3), on random
sentence pairs of a fixed length (no padding, so both sides do the same
work). They report sentence pairs per second.

- `ours`: `kerasrnn.models.seq2seq.Seq2Seq` compiled with
  `sequence_loss(0.1)` and trained with `model.fit`, as the recipe does.
- `torch_nn`: `torch.nn.Embedding`, `torch.nn.LSTM(num_layers=L)`,
  `torch.nn.Linear` and `torch.nn.functional.cross_entropy(label_smoothing=0.1)`
  (the same smoothed target: `(1 - s) * onehot + s / V`) in a hand-written loop.
"""

import numpy as np

from measurements.common import timed

LABEL_SMOOTHING = 0.1


def random_pairs(size, seed=0):
    """`(source, target_in, target_out)` int32 arrays `(pairs, length)` of ids in [4, V)."""
    rng = np.random.default_rng(seed)
    pairs, length, vocabulary = size["steps"] * size["batch_size"], size["sequence_length"], size["vocabulary_size"]
    source = rng.integers(4, vocabulary, (pairs, length)).astype("int32")
    target = rng.integers(4, vocabulary, (pairs, length + 1)).astype("int32")
    target[:, 0] = 2  # <s>
    return source, target[:, :-1], target[:, 1:]


class KerasSeq2SeqTraining:
    unit = "pairs/s"

    def __init__(self, size):
        import keras

        from kerasrnn.models.seq2seq import Seq2Seq
        from kerasrnn.models.seq2seq import sequence_loss

        keras.utils.set_random_seed(0)
        self.size = size
        vocabulary = size["vocabulary_size"]
        self.model = Seq2Seq(vocabulary, vocabulary, embedding_dim=size["embedding_dim"],
                             hidden_units=size["hidden_units"], num_layers=size["num_layers"], cell_type="lstm")
        self.model.compile(optimizer=keras.optimizers.Adam(learning_rate=1e-3), loss=sequence_loss(LABEL_SMOOTHING))
        self.source, self.target_in, self.target_out = random_pairs(size)
        self.amount = len(self.source)  # pairs per repeat
        self.label = "kerasrnn.models.seq2seq.Seq2Seq"

    def _dataset(self):
        import tensorflow as tf

        dataset = tf.data.Dataset.from_tensor_slices(((self.source, self.target_in), self.target_out))
        options = tf.data.Options()
        options.autotune.enabled = False  # see measurements/training.py: short epochs, no teardown stalls
        return dataset.batch(self.size["batch_size"]).with_options(options)

    def _epoch(self):
        self.model.fit(self._dataset(), epochs=1, verbose=0)  # returns once every step has finished

    def warm_up(self):
        return timed(self._epoch)

    def run(self):
        return timed(self._epoch)


class TorchSeq2SeqTraining:
    unit = "pairs/s"

    def __init__(self, size):
        import torch

        torch.manual_seed(0)
        self.torch = torch
        vocabulary, embedding, hidden, layers = (size["vocabulary_size"], size["embedding_dim"],
                                                 size["hidden_units"], size["num_layers"])
        self.modules = torch.nn.ModuleDict({
            "source_embedding": torch.nn.Embedding(vocabulary, embedding),
            "encoder": torch.nn.LSTM(embedding, hidden, num_layers=layers, batch_first=True),
            "target_embedding": torch.nn.Embedding(vocabulary, embedding),
            "decoder": torch.nn.LSTM(embedding, hidden, num_layers=layers, batch_first=True),
            "output": torch.nn.Linear(hidden, vocabulary),
        })
        self.optimizer = torch.optim.Adam(self.modules.parameters(), lr=1e-3)
        source, target_in, target_out = random_pairs(size)
        batch = size["batch_size"]
        self.batches = [tuple(torch.from_numpy(a[i:i + batch]).long() for a in (source, target_in, target_out))
                        for i in range(0, len(source), batch)]
        self.amount = len(source)
        self.label = "torch.nn.LSTM encoder-decoder"

    def _epoch(self):
        m, functional = self.modules, self.torch.nn.functional
        for source, target_in, target_out in self.batches:
            self.optimizer.zero_grad(set_to_none=True)
            _, states = m["encoder"](m["source_embedding"](source))
            outputs, _ = m["decoder"](m["target_embedding"](target_in), states)
            logits = m["output"](outputs)  # (batch, time, vocabulary)
            loss = functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target_out.reshape(-1),
                                            label_smoothing=LABEL_SMOOTHING)
            loss.backward()
            self.optimizer.step()
        return float(loss.detach())  # waits for the last step

    def warm_up(self):
        return timed(self._epoch)

    def run(self):
        return timed(self._epoch)
