"""RNN basics, runnable: the seed notebooks' teaching points, each with a number to look at.

1. Input order matters: the same three inputs in another order leave another
   final state (the notebook's `run([0, 1, 2])` vs `run([1, 0, 2])`).
2. The from-scratch Elman cell, `h_t = tanh(x_t Wx + h_{t-1} Wh + b)`,
   computes exactly what `keras.layers.SimpleRNN` computes with the same
   weights.
3. The shapes of sequence tasks, each a tiny model trained on a toy task:
   many-to-one (sequence -> its sum), one-to-many (frequency -> a sine wave),
   aligned many-to-many (running maximum) and unaligned many-to-many, an
   encoder-decoder (6 inputs -> their first 3 values reversed).
4. Hidden versus output recurrence: Elman (hidden -> hidden), Jordan
   (output -> hidden) and output -> output (trained with teacher forcing,
   then run free) on two toy tasks. A running sum only needs the previous
   output; an echo of the previous input needs a memory that the output does
   not hold, so only hidden recurrence learns it.
5. Vanishing gradients: the norm of the gradient of the last output with
   respect to each input step, SimpleRNN versus LSTM, plotted on a log scale.

    python recipes/rnn_basics.py --backend jax
    python recipes/rnn_basics.py --quick
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def parse_args(argv=None):
    parser = harness.make_parser("rnn_basics", __doc__.splitlines()[0], epochs=20, batch_size=64)
    parser.add_argument("--hidden-units", type=harness.positive_int, default=16,
                        help="size of the recurrent state of the toy models")
    parser.add_argument("--examples", type=harness.positive_int, default=1024,
                        help="training sequences per toy task (a quarter as many are held out)")
    parser.add_argument("--gradient-steps", type=harness.positive_int, default=100,
                        help="sequence length of the vanishing-gradient measurement")
    parser.set_defaults(learning_rate=1e-2)  # tiny toy tasks train well with a faster Adam
    args = harness.parse_args(parser, argv)
    # The models are tiny: PyTorch's pool of spinning CPU threads costs far more than it gives.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    if args.quick:
        args.epochs, args.examples, args.gradient_steps = 5, 512, 40
    return args


def section(title):
    print(f"\n{'=' * 8} {title} {'=' * max(4, 70 - len(title))}")


def input_gradients(model, inputs):
    """d sum(model(inputs)) / d inputs with the active backend's automatic differentiation.

    Keras has no backend-neutral gradient function outside `fit`, so this
    helper takes the one of each backend: `jax.grad`, `tf.GradientTape` or
    `torch.autograd`. The model itself is plain Keras.
    """
    import keras
    import numpy as np

    def objective(x):
        return keras.ops.sum(model(x))

    backend = keras.backend.backend()
    if backend == "jax":
        import jax

        gradients = jax.grad(objective)(inputs)
    elif backend == "tensorflow":
        import tensorflow as tf

        x = tf.convert_to_tensor(inputs)
        with tf.GradientTape() as tape:
            tape.watch(x)
            value = objective(x)
        gradients = tape.gradient(value, x)
    else:
        import torch

        x = torch.tensor(inputs, requires_grad=True)
        objective(x).backward()
        gradients = x.grad
    return np.asarray(keras.ops.convert_to_numpy(gradients))


def plot_gradient_norms(path, norms_by_model, title):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    from kerasrnn.io_utils import save_figure

    figure, axis = plt.subplots(figsize=(7, 4))
    for name, norms in norms_by_model.items():
        steps_back = np.arange(len(norms))[::-1]  # 0 = the last step
        axis.semilogy(steps_back, norms, marker=".", markersize=3, label=name)
    axis.set_xlabel("k, steps before the last one")
    axis.set_ylabel("mean ||d sum(h_T) / d x_(T-k)||")
    axis.set_title(title)
    axis.grid(alpha=0.3, which="both")
    axis.legend()
    save_figure(figure, path)


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras
    import numpy as np

    from kerasrnn.layers.teaching_cells import ElmanCell, JordanCell, OutputFeedbackCell, teacher_forcing_inputs

    keras.utils.set_random_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    print(harness.describe_devices())
    os.makedirs(args.output_dir, exist_ok=True)
    results = {}

    def train(model, x, y, x_held_out, y_held_out):
        """Adam on the MSE; returns the held-out MSE."""
        model.compile(optimizer=keras.optimizers.Adam(args.learning_rate), loss="mse")
        model.fit(x, y, epochs=args.epochs, batch_size=args.batch_size, verbose=0)
        return float(model.evaluate(x_held_out, y_held_out, batch_size=1024, verbose=0))

    def split(x, y):
        held_out = len(x) // 5
        return x[held_out:], y[held_out:], x[:held_out], y[:held_out]

    # ------------------------------------------------ 1. Input order matters
    section("1. Input order changes the final state")
    x = rng.random((3, 3)).astype("float32")  # three inputs of 3 features, as in the notebook
    weights = [rng.random((3, 2)), rng.random((2, 2)), np.zeros(2)]  # Wx, Wh, b
    elman = keras.layers.RNN(ElmanCell(2), return_sequences=True)
    elman.build((None, 3, 3))
    elman.set_weights(weights)
    final_states = {}
    for order in ([0, 1, 2], [1, 0, 2]):
        states = keras.ops.convert_to_numpy(elman(x[None, order]))[0]  # (3, 2): h_1, h_2, h_3
        final_states[str(order)] = states[-1]
        print(f"order {order}: h = " + "  ".join(np.array2string(h, precision=4) for h in states))
    difference = float(np.abs(final_states["[0, 1, 2]"] - final_states["[1, 0, 2]"]).max())
    print(f"same inputs, other order: the final states differ by up to {difference:.4f}")
    results["order_final_state_difference"] = difference

    # ------------------------------------------- 2. ElmanCell equals SimpleRNN
    section("2. The from-scratch ElmanCell equals keras.layers.SimpleRNN")
    x = rng.normal(size=(4, 10, 8)).astype("float32")  # (batch, time, features)
    simple_rnn = keras.layers.SimpleRNN(args.hidden_units, return_sequences=True)
    reference = keras.ops.convert_to_numpy(simple_rnn(x))  # (4, 10, units)
    scratch = keras.layers.RNN(ElmanCell(args.hidden_units), return_sequences=True)
    scratch.build(x.shape)
    scratch.set_weights(simple_rnn.get_weights())  # kernel, recurrent_kernel, bias -> Wx, Wh, b
    ours = keras.ops.convert_to_numpy(scratch(x))
    difference = float(np.abs(ours - reference).max())
    print(f"outputs {ours.shape}; max |ElmanCell - SimpleRNN| = {difference:.2e}")
    results["elman_vs_simple_rnn"] = difference

    # ---------------------------------------------- 3. Shapes of sequence tasks
    section("3. Many-to-one, one-to-many, aligned and unaligned many-to-many")
    n = args.examples + args.examples // 4
    units = args.hidden_units
    tasks = {}
    x = rng.uniform(-1, 1, (n, 8, 1)).astype("float32")
    tasks["many-to-one: sum of 8 values"] = (
        keras.Sequential([keras.Input((8, 1)), keras.layers.SimpleRNN(units), keras.layers.Dense(1)]),
        x, x.sum(axis=1),  # (n, 1)
    )
    frequency = rng.uniform(0.2, 0.6, (n, 1)).astype("float32")
    tasks["one-to-many: frequency -> 10-step sine"] = (
        keras.Sequential([keras.Input((1,)), keras.layers.RepeatVector(10),
                          keras.layers.SimpleRNN(units, return_sequences=True), keras.layers.Dense(1)]),
        frequency, np.sin(frequency[:, None, :] * np.arange(1, 11)[None, :, None]),  # (n, 10, 1)
    )
    tasks["aligned many-to-many: running maximum"] = (
        keras.Sequential([keras.Input((8, 1)), keras.layers.SimpleRNN(units, return_sequences=True),
                          keras.layers.Dense(1)]),
        x, np.maximum.accumulate(x, axis=1),  # (n, 8, 1)
    )
    x6 = x[:, :6]
    tasks["unaligned many-to-many: 6 in -> first 3 reversed"] = (
        keras.Sequential([keras.Input((6, 1)), keras.layers.SimpleRNN(units),  # encoder: a summary vector
                          keras.layers.RepeatVector(3),
                          keras.layers.SimpleRNN(units, return_sequences=True),  # decoder: 3 steps
                          keras.layers.Dense(1)]),
        x6, x6[:, 2::-1],  # (n, 3, 1)
    )
    print(f"{'task':<52}{'input':>12}{'output':>12}{'params':>8}  held-out MSE (predicting the mean)")
    for name, (model, inputs, targets) in tasks.items():
        x_train, y_train, x_held_out, y_held_out = split(inputs, targets.astype("float32"))
        baseline = float(np.mean((y_held_out - y_train.mean(axis=0)) ** 2))
        mse = train(model, x_train, y_train, x_held_out, y_held_out)
        shape_in, shape_out = model.input_shape[1:], model.output_shape[1:]
        print(f"{name:<52}{str(shape_in):>12}{str(shape_out):>12}{model.count_params():>8}  "
              f"{mse:.4f} ({baseline:.4f})")
        results[name] = {"mse": mse, "baseline": baseline}

    # ------------------------------------------ 4. Hidden vs output recurrence
    section("4. Hidden versus output recurrence")
    x = rng.uniform(-1, 1, (n, 10, 1)).astype("float32")
    toy_tasks = {
        "running sum y_t = x_1 + ... + x_t": np.cumsum(x, axis=1),
        "echo y_t = x_{t-1}": np.concatenate([np.zeros_like(x[:, :1]), x[:, :-1]], axis=1),
    }
    print(f"{'recurrence':<40}" + "".join(f"{name:>36}" for name in toy_tasks) + "   (held-out MSE)")
    recurrence_results = {}
    cells = {
        "hidden -> hidden (Elman)": lambda: ElmanCell(units, stddev=0.1, seed=args.seed),
        "output -> hidden (Jordan)": lambda: JordanCell(units, output_units=1, stddev=0.1, seed=args.seed),
        "output -> output, teacher-forced": None,
    }
    for label in cells:
        row = []
        for task, y in toy_tasks.items():
            x_train, y_train, x_held_out, y_held_out = split(x, y.astype("float32"))
            if label.startswith("hidden"):
                model = keras.Sequential([keras.Input((10, 1)),
                                          keras.layers.RNN(cells[label](), return_sequences=True),
                                          keras.layers.Dense(1)])
                mse = train(model, x_train, y_train, x_held_out, y_held_out)
            elif label.startswith("output -> hidden"):
                model = keras.Sequential([keras.Input((10, 1)),
                                          keras.layers.RNN(cells[label](), return_sequences=True)])
                mse = train(model, x_train, y_train, x_held_out, y_held_out)
            else:
                # Train with the true previous output as an input (parallel over time), then run free:
                # the same weights, each step fed the cell's own previous output.
                forced = keras.Sequential([keras.Input((10, 2)), keras.layers.RNN(
                    OutputFeedbackCell(units, output_units=1, teacher_forcing=True, stddev=0.1, seed=args.seed),
                    return_sequences=True)])
                def with_previous_targets(inputs, targets):  # (n, 10, 1 + 1): x_t next to y*_{t-1}
                    return keras.ops.convert_to_numpy(teacher_forcing_inputs(inputs, targets))

                train(forced, with_previous_targets(x_train, y_train), y_train,
                      with_previous_targets(x_held_out, y_held_out), y_held_out)
                free = keras.Sequential([keras.Input((10, 1)), keras.layers.RNN(
                    OutputFeedbackCell(units, output_units=1), return_sequences=True)])
                free.set_weights(forced.get_weights())
                predictions = free.predict(x_held_out, batch_size=1024, verbose=0)
                mse = float(np.mean((predictions - y_held_out) ** 2))
            row.append(mse)
        recurrence_results[label] = dict(zip(toy_tasks, row))
        print(f"{label:<40}" + "".join(f"{mse:>36.4f}" for mse in row))
    variances = [float(np.var(y[: len(y) // 5])) for y in toy_tasks.values()]
    print(f"{'(variance of the targets)':<40}" + "".join(f"{v:>36.4f}" for v in variances))
    results["recurrence"] = recurrence_results

    # -------------------------------------------------- 5. Vanishing gradients
    section("5. Gradient norm through time: SimpleRNN vs LSTM")
    steps = args.gradient_steps
    x = rng.normal(size=(16, steps, 8)).astype("float32")  # (batch, time, features)
    norms_by_model = {}
    for name, layer in (("SimpleRNN", keras.layers.SimpleRNN(32)), ("LSTM", keras.layers.LSTM(32))):
        model = keras.Sequential([keras.Input((steps, 8)), layer])  # the last output h_T, (batch, 32)
        gradients = input_gradients(model, x)  # d sum(h_T) / d x: (batch, time, features)
        norms = np.linalg.norm(gradients, axis=-1).mean(axis=0)  # (time,)
        norms_by_model[name] = norms
        per_step = (norms[0] / norms[-1]) ** (1 / (steps - 1))
        print(f"{name:<10} |grad| at the last step {norms[-1]:.2e}, {steps - 1} steps earlier {norms[0]:.2e}: "
              f"x{per_step:.3f} per step back")
    ratio = (norms_by_model["LSTM"][0] / norms_by_model["LSTM"][-1]) / (
        norms_by_model["SimpleRNN"][0] / norms_by_model["SimpleRNN"][-1])
    print(f"after {steps - 1} steps the LSTM keeps {ratio:.1e} times more of its gradient than the SimpleRNN "
          "(untrained, 32 units, N(0, 1) inputs)")
    plot_path = os.path.join(args.output_dir, "gradient_norms.png")
    plot_gradient_norms(plot_path, norms_by_model,
                        f"Gradient of the last output w.r.t. each input ({keras.backend.backend()})")
    print(f"plot: {plot_path}")
    results["gradient_norms"] = {name: norms.tolist() for name, norms in norms_by_model.items()}

    print(f"\ndone in {harness.elapsed(args)} s")
    return results


if __name__ == "__main__":
    harness.run(main)
