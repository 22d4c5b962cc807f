"""Training speed of recurrent layers on the torch backend: Keras' loop, our fused layers, native PyTorch.

A character language model (Embedding -> recurrent layer -> Dense over the
vocabulary, sparse cross-entropy, Adam) trained on random tokens, three ways:

- `keras`: `keras.layers.LSTM` / `GRU` / `SimpleRNN` on the torch backend
  (on CPU, a Python loop over time steps),
- `kerasrnn`: `kerasrnn.layers.fused_rnn.LSTM` / ... (PyTorch's fused kernels),
- `torch`: the same model in plain PyTorch with `torch.nn.LSTM` / ... and a
  hand-written training loop (the speed to match).

Keras models train with `model.fit`. The implementations run interleaved,
round after round (in alternating order), so a busy machine slows them alike:
compare ratios from one run.

    python benchmarks/torch_fused_rnn.py --kind lstm gru --steps 3 --rounds 6 --threads 1

(The script always runs on the torch backend. `--threads 1` keeps PyTorch
from spinning a second thread on a machine other jobs keep busy.)

`measure(kind, ...)` returns the tokens per second of each implementation.
"""

import argparse
import json
import os
import statistics
import time

IMPLEMENTATIONS = ("keras", "kerasrnn", "torch")
KINDS = ("lstm", "gru", "simple_rnn")


def _random_batches(steps, batch, seq, vocab, seed=0):
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocab, size=(steps * batch, seq + 1))
    return tokens[:, :-1], tokens[:, 1:]  # inputs, next-token targets


def _keras_trainer(layer_class, batch, seq, hidden, embedding, vocab):
    import keras

    model = keras.Sequential(
        [
            keras.Input((seq,), dtype="int32"),
            keras.layers.Embedding(vocab, embedding),
            layer_class(hidden, return_sequences=True),
            keras.layers.Dense(vocab),
        ]
    )
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)

    def train(inputs, targets):
        model.fit(inputs, targets, batch_size=batch, epochs=1, shuffle=False, verbose=0)

    return train


def _torch_trainer(kind, batch, seq, hidden, embedding, vocab):
    import torch

    recurrent = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "simple_rnn": torch.nn.RNN}[kind]

    class LanguageModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = torch.nn.Embedding(vocab, embedding)
            self.recurrent = recurrent(embedding, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, vocab)

        def forward(self, tokens):
            sequences, _ = self.recurrent(self.embedding(tokens))  # (batch, seq, hidden)
            return self.head(sequences)

    model = LanguageModel()
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def train(inputs, targets):
        inputs, targets = torch.as_tensor(inputs), torch.as_tensor(targets)
        for start in range(0, len(inputs), batch):
            logits = model(inputs[start : start + batch])  # (batch, seq, vocab)
            batch_targets = targets[start : start + batch]
            loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocab), batch_targets.reshape(-1))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    return train


def measure(
    kind,
    batch=64,
    seq=100,
    hidden=256,
    embedding=64,
    vocab=65,
    steps=10,
    rounds=3,
    implementations=("kerasrnn", "torch"),
    threads=None,
):
    """Training tokens per second of each implementation, `{name: median over rounds}`.

    Needs the torch backend (`KERAS_BACKEND=torch` before Keras is imported).
    Each round trains `steps` batches with every implementation in turn, after
    one warm-up batch each.

    Args:
        kind: "lstm", "gru" or "simple_rnn".
        batch, seq, hidden, embedding, vocab: the model and batch sizes
            (defaults 64, 100, 256, 64, 65).
        steps: batches per round (default 10); rounds: rounds (default 3).
        implementations: names from `IMPLEMENTATIONS` (default the fused layers and native PyTorch).
        threads: PyTorch intra-op threads while measuring (default None: PyTorch's own choice).
            One thread gives steadier ratios on a machine shared with other jobs.
    """
    import keras
    import torch

    if keras.backend.backend() != "torch":
        raise ValueError(
            f"measure() times the torch backend, but Keras runs on {keras.backend.backend()!r}; "
            "set KERAS_BACKEND=torch before importing keras"
        )
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; choose one of {', '.join(KINDS)}")
    unknown = sorted(set(implementations) - set(IMPLEMENTATIONS))
    if unknown:
        raise ValueError(f"unknown implementations {unknown}; choose from {', '.join(IMPLEMENTATIONS)}")
    for name, value in (("steps", steps), ("rounds", rounds), ("threads", 1 if threads is None else threads)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"`{name}` must be a positive integer, received: {name}={value!r}")
    previous_threads = torch.get_num_threads()
    if threads is not None:
        torch.set_num_threads(threads)
    try:
        return _measure(kind, (batch, seq, hidden, embedding, vocab), steps, rounds, implementations)
    finally:
        torch.set_num_threads(previous_threads)


def _measure(kind, sizes, steps, rounds, implementations):
    import keras

    from kerasrnn.layers import fused_rnn

    batch, seq, _, _, vocab = sizes
    class_name = {"lstm": "LSTM", "gru": "GRU", "simple_rnn": "SimpleRNN"}[kind]
    trainers = {
        "keras": lambda: _keras_trainer(getattr(keras.layers, class_name), *sizes),
        "kerasrnn": lambda: _keras_trainer(getattr(fused_rnn, class_name), *sizes),
        "torch": lambda: _torch_trainer(kind, *sizes),
    }
    trainers = {name: trainers[name]() for name in implementations}
    inputs, targets = _random_batches(steps, batch, seq, vocab)
    for train in trainers.values():  # warm-up: build, compile, first allocations
        train(inputs[:batch], targets[:batch])

    seconds = {name: [] for name in trainers}
    for round_index in range(rounds):
        order = list(trainers.items())
        for name, train in order if round_index % 2 == 0 else order[::-1]:  # alternate, so drift cancels
            start = time.perf_counter()
            train(inputs, targets)
            seconds[name].append(time.perf_counter() - start)
    tokens = steps * batch * seq
    return {name: tokens / statistics.median(times) for name, times in seconds.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kind", choices=KINDS, nargs="+", default=["lstm", "gru"])
    parser.add_argument("--steps", type=int, default=10, help="batches per round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the median is reported")
    parser.add_argument("--implementations", nargs="+", choices=IMPLEMENTATIONS, default=list(IMPLEMENTATIONS))
    parser.add_argument("--threads", type=int, default=None, help="PyTorch threads (default: PyTorch's choice)")
    args = parser.parse_args()
    os.environ["KERAS_BACKEND"] = "torch"  # before Keras is imported

    for kind in args.kind:
        speeds = measure(
            kind, steps=args.steps, rounds=args.rounds, implementations=args.implementations, threads=args.threads
        )
        ratios = {f"{name}/torch": speed / speeds["torch"] for name, speed in speeds.items() if "torch" in speeds}
        report = {"kind": kind, "threads": args.threads, "tokens_per_second": speeds, "ratio_to_torch": ratios}
        print(json.dumps(report), flush=True)


if __name__ == "__main__":
    main()
