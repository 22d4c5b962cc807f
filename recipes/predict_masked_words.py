"""Masked-word prediction: ten recurrent models and an echo-state network fill in hidden words.

Cuts a word stream (tiny-shakespeare by default; any text file with
`--data`) into windows of `--sequence-length` words, hides one word per
window behind `<mask>`, and trains the seeds' models to name it from the
words around it: LayerNorm RNNs (1 and 2 layers, and bidirectional), LSTMs and
GRUs (1 and 2 layers, and bidirectional) and an echo-state network (fixed
sparse reservoirs read in both directions, only the readout trained). Each
model outputs a softmax per position; the sample weights train it on the
hidden word only.

The last `--validation-fraction` of the word stream is held out, so the
table reports held-out top-1 accuracy and perplexity of the hidden word (the
seeds reported training accuracy; it is printed next to the held-out one,
measured the same way on training windows), against a most-frequent-word
baseline (whose perplexity is that of the training unigram distribution).
Words outside the `--vocabulary-size` most frequent are read as `<unk>`;
an `<unk>` is never a target (loss and scores skip it). Bidirectional models
see both sides of the gap and must beat their one-directional twins: the
recipe prints each comparison. PASS/FAIL lines show held-out sentences with
the predicted word in brackets, filled with `MaskedWordModel.fill`.

Each finished model leaves `<output-dir>/<model>/result.json` (its table row,
curves and PASS/FAIL lines): running the same command again after an
interruption resumes the model in progress from its last completed epoch and
does not retrain the finished ones (delete a model's folder to retrain it).
The best model by held-out accuracy is saved with its card and training
curve under `saved_models/predict_masked_words/best/` (`kerasrnn.load` it and
call `fill("to be or <mask> to be")`); every model's training curve and the
held-out perplexity and accuracy of all models per epoch are plotted in
`held_out_curves.png`.

    python recipes/predict_masked_words.py --backend tensorflow
    python recipes/predict_masked_words.py --models lstm_1l,bilstm_1l --epochs 10
    python recipes/predict_masked_words.py --data my_book.txt --vocabulary-size 5000
    python recipes/predict_masked_words.py --quick    # seconds: a smoke test
"""

import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MODELS = {
    # table name: (recurrent layer kind, layers, bidirectional), in the seeds' order
    "rnn_1l": ("layernorm_rnn", 1, False),
    "rnn_2l": ("layernorm_rnn", 2, False),
    "birnn_1l": ("layernorm_rnn", 1, True),
    "echo_state": ("echo_state", 1, True),
    "lstm_1l": ("lstm", 1, False),
    "lstm_2l": ("lstm", 2, False),
    "bilstm_1l": ("lstm", 1, True),
    "gru_1l": ("gru", 1, False),
    "gru_2l": ("gru", 2, False),
    "bigru_1l": ("gru", 1, True),
    "bigru_2l": ("gru", 2, True),
}
TWINS = {"birnn_1l": "rnn_1l", "bilstm_1l": "lstm_1l", "bigru_1l": "gru_1l", "bigru_2l": "gru_2l"}
QUICK_MODELS = ["gru_1l", "bigru_1l"]
# Flags that do not change what a model learns (the others must match to reuse a finished model).
NOT_SETTINGS = {"models", "output_dir", "command", "started", "tensorboard", "data_parallel"}


def parse_args(argv=None):
    parser = harness.make_parser(
        "predict_masked_words", __doc__.splitlines()[0], epochs=5, batch_size=64, text_data=True)
    parser.add_argument("--models", default=None,
                        help=f"comma-separated models to train, from {', '.join(MODELS)} (default: all; "
                             f"with --quick: {','.join(QUICK_MODELS)})")
    parser.add_argument("--sequence-length", type=harness.positive_int, default=10,
                        help="words per window (the context a model reads around the hidden word)")
    parser.add_argument("--vocabulary-size", type=harness.positive_int, default=2000,
                        help="keep this many words (special tokens included); the rest are read as <unk>")
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=64, help="word embedding size")
    parser.add_argument("--hidden-units", type=harness.positive_int, default=128,
                        help="size of the recurrent state, per direction")
    parser.add_argument("--reservoir-units", type=harness.positive_int, default=256,
                        help="echo-state reservoir units, per direction")
    parser.add_argument("--spectral-radius", type=harness.positive_float, default=0.9,
                        help="largest eigenvalue modulus of the echo-state reservoir")
    parser.add_argument("--connectivity", type=harness.fraction, default=0.1,
                        help="fraction of non-zero weights of the echo-state reservoir (sparse)")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout after each recurrent layer")
    parser.add_argument("--validation-fraction", type=harness.fraction, default=0.1,
                        help="share of the word stream (its tail) held out for evaluation")
    parser.add_argument("--steps-per-epoch", type=harness.positive_int, default=None,
                        help="training batches per epoch (default: one pass over the training windows); "
                             "smaller values give more points on the curves and a fixed compute budget")
    parser.add_argument("--held-out-stride", type=harness.positive_int, default=3,
                        help="words between held-out window starts (each window hides one word)")
    parser.add_argument("--num-examples", type=harness.positive_int, default=3,
                        help="PASS/FAIL sentences shown per model")
    parser.set_defaults(learning_rate=5e-3)
    args = harness.parse_args(parser, argv)
    if args.models is None:
        args.models = QUICK_MODELS if args.quick else list(MODELS)
    else:
        args.models = [m.strip() for m in args.models.split(",") if m.strip()]
        unknown = [m for m in args.models if m not in MODELS]
        if unknown or not args.models:
            parser.error(f"unknown model(s) {unknown or args.models}; choose from {', '.join(MODELS)}")
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), received {args.dropout}")
    if args.vocabulary_size < 10:
        parser.error(f"--vocabulary-size must be at least 10 (5 special tokens and some words), "
                     f"received {args.vocabulary_size}")
    if args.quick:
        args.epochs, args.hidden_units, args.reservoir_units, args.embedding_dim = 1, 16, 32, 16
        args.vocabulary_size, args.num_examples = min(args.vocabulary_size, 300), 2
    return args


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import shutil
    import warnings

    import keras
    import numpy as np

    import kerasrnn
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.models.masked_word_model import build_masked_word_model
    from kerasrnn.tasks.masked_word_model import MaskedWordModel, evaluate_masked_words
    from kerasrnn.training import check_no_nan, plot_history, recurrent_optimizer, restore_best, standard_callbacks

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    text, source = harness.load_text(args)
    words = kerasrnn.text.split_words(text)
    if args.quick:
        words = words[:12_000]
    cut = int(round(len(words) * (1 - args.validation_fraction)))
    train_words, held_out_words = words[:cut], words[cut:]  # a contiguous tail: no shared window
    vocabulary = kerasrnn.text.Vocabulary.build([" ".join(train_words)], level="word",
                                                max_size=args.vocabulary_size)
    train_ids, held_out_ids = vocabulary.encode(train_words), vocabulary.encode(held_out_words)
    unk = vocabulary.unk_id
    print(f"{source}: {len(words):,} words, {vocabulary}; {len(train_words):,} for training, "
          f"{len(held_out_words):,} held out ({np.mean(held_out_ids == unk):.1%} of them <unk>)")
    length = args.sequence_length
    # Training windows do not overlap; their hidden word is drawn anew every epoch.
    train = kerasrnn.data.make_masked_token_dataset(
        train_ids, length, vocabulary.mask_id, args.batch_size, shuffle=True, seed=args.seed)
    # Held-out windows overlap (one every --held-out-stride words) and always hide the same word.
    held_out = kerasrnn.data.make_masked_token_dataset(
        held_out_ids, length, vocabulary.mask_id, args.batch_size, shuffle=False, seed=args.seed,
        stride=args.held_out_stride)
    # Training accuracy is measured like the held-out one: fixed hidden words, as many windows.
    num_held_out_windows = (len(held_out_ids) - length) // args.held_out_stride + 1
    train_probe = kerasrnn.data.make_masked_token_dataset(
        train_ids[: num_held_out_windows * length], length, vocabulary.mask_id, args.batch_size,
        shuffle=False, seed=args.seed + 1)

    # The baseline names the most frequent training word every time; its perplexity is the unigram one.
    num_special = 2 + len(vocabulary.specials)  # <pad>, <unk> and the special tokens: never an answer
    counts = np.bincount(train_ids, minlength=vocabulary.size).astype("float64")
    counts[:num_special] = 0
    unigram = counts + 1  # add-one smoothing over the ordinary words
    unigram[:num_special] = 0
    unigram /= unigram.sum()
    targets = np.concatenate([y[w > 0] for _, y, w in held_out.as_numpy_iterator()])
    targets = targets[targets != unk]
    most_frequent = int(counts.argmax())
    baseline = {"model": f"most frequent ({vocabulary.id_to_token[most_frequent]!r})", "params": 0,
                "train_accuracy": None, "accuracy": float(np.mean(targets == most_frequent)),
                "perplexity": float(np.exp(-np.mean(np.log(unigram[targets]))))}
    print(f"{len(targets):,} held-out hidden words to predict (<unk> skipped); baseline: always "
          f"{vocabulary.id_to_token[most_frequent]!r}, accuracy {baseline['accuracy']:.4f}")

    # The PASS/FAIL sentences: held-out windows whose middle word is an ordinary, known word.
    examples = []
    for start in np.linspace(0, len(held_out_words) - length, 40 * args.num_examples).astype(int):
        window = held_out_words[start : start + length]
        middle = window[length // 2]
        if middle in vocabulary and middle.isalpha() and len(examples) < args.num_examples:
            masked = window[: length // 2] + ["<mask>"] + window[length // 2 + 1 :]
            examples.append((" ".join(masked), middle))

    results, histories = [baseline], {}
    best_accuracy, best_dir = -1.0, os.path.join(args.output_dir, "best")
    steps_per_epoch = int(train.cardinality())
    if args.steps_per_epoch:  # an endless stream of windows, each pass shuffled and masked anew
        train, steps_per_epoch = train.repeat(), args.steps_per_epoch
    # A model finished by an earlier run of the same settings is not trained again (delete its folder to retrain).
    settings = {key: value for key, value in vars(args).items() if key not in NOT_SETTINGS}
    strategy_scope = harness.setup_distribution(args)
    for name in args.models:
        output_dir = os.path.join(args.output_dir, name)
        finished = read_finished(os.path.join(output_dir, "result.json"), settings)
        if finished:
            print(f"\nModel: {name}: finished by an earlier run with these settings, "
                  f"read from {os.path.join(output_dir, 'result.json')}")
            print("\n".join(finished["lines"]))
            results.append(finished["row"])
            histories[name] = finished["history"]
            best_accuracy = max(best_accuracy, finished["row"]["accuracy"])  # best/ holds the best so far
            continue
        cell, num_layers, bidirectional = MODELS[name]
        echo_state = cell == "echo_state"
        # ------------------------------------------------------------- Model
        with strategy_scope:
            model = build_masked_word_model(
                vocabulary.size, cell=cell, embedding_dim=args.embedding_dim,
                hidden_units=args.reservoir_units if echo_state else args.hidden_units,
                num_layers=num_layers, bidirectional=bidirectional, dropout=args.dropout,
                connectivity=args.connectivity, spectral_radius=args.spectral_radius, seed=args.seed, name=name)
            model.compile(
                optimizer=recurrent_optimizer(args.learning_rate, decay_steps=args.epochs * steps_per_epoch),
                # Mean over the hidden words only (the sample weights), <unk> targets skipped.
                loss=keras.losses.SparseCategoricalCrossentropy(
                    from_logits=True, ignore_class=unk, reduction="mean_with_sample_weight"),
                weighted_metrics=[keras.metrics.SparseCategoricalAccuracy(name="accuracy")],
            )
        print(f"\nModel: {name} ({model.count_params():,} params)")

        # ------------------------------------------------------------- Train
        callbacks = standard_callbacks(output_dir, tensorboard=args.tensorboard)
        history = model.fit(train, validation_data=held_out, epochs=args.epochs, callbacks=callbacks,
                            steps_per_epoch=args.steps_per_epoch,
                            verbose="auto" if sys.stdout.isatty() and not args.quick else 2)  # one line per epoch in logs
        check_no_nan(callbacks, output_dir)
        restore_best(model, output_dir)  # the epoch with the best held-out loss

        # ---------------------------------------------------------- Evaluate
        scores = evaluate_masked_words(model, held_out, ignore_ids=(unk,))
        train_scores = evaluate_masked_words(model, train_probe, ignore_ids=(unk,))
        row = {"model": name, "params": model.count_params(), "train_accuracy": train_scores["accuracy"],
               "accuracy": scores["accuracy"], "perplexity": scores["perplexity"]}
        results.append(row)
        histories[name] = history.history
        lines = [f"held-out accuracy {row['accuracy']:.4f}, perplexity {row['perplexity']:.1f} "
                 f"(training accuracy {row['train_accuracy']:.4f})"]

        # ----------------------------------------------------------- Predict
        filler = MaskedWordModel(model, vocabulary, length, bidirectional=bidirectional)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rare context words read as <unk> are expected here
            for masked, expected in examples:
                ((predicted, _),) = filler.fill(masked, top_k=1)[0]
                verdict = "PASS" if predicted == expected else "FAIL"
                lines.append(f"Test sequence: {verdict} | {masked.replace('<mask>', f'[{predicted}]')}"
                             + ("" if verdict == "PASS" else f"  (expected: {expected})"))
        print("\n".join(lines))

        # -------------------------------------------------------------- Save
        plot_history(history, os.path.join(output_dir, "training_curve.png"), title=f"{name} on {source}")
        if row["accuracy"] > best_accuracy:
            best_accuracy = row["accuracy"]
            filler.card = {
                "task": "masked-word prediction",
                "model": name, "cell": cell, "num_layers": num_layers, "bidirectional": bidirectional,
                "parameters": model.count_params(), "embedding_dim": args.embedding_dim,
                "hidden_units": args.reservoir_units if echo_state else args.hidden_units,
                "dropout": args.dropout, "data": source, "words": len(words),
                "vocabulary_size": vocabulary.size, "sequence_length": length,
                "held_out_fraction": args.validation_fraction, "held_out_stride": args.held_out_stride,
                "batch_size": args.batch_size, "steps_per_epoch": steps_per_epoch, "learning_rate": args.learning_rate,
                "epochs": len(history.history["loss"]), "backend": keras.backend.backend(), "seed": args.seed,
                "held_out": {"accuracy": scores["accuracy"], "perplexity": scores["perplexity"],
                             "hidden_words": scores["count"]},
                "train_accuracy": train_scores["accuracy"],
                "baseline": {k: baseline[k] for k in ("model", "accuracy", "perplexity")},
                "command": args.command,
            }
            filler.save(best_dir)
            plot_history(history, os.path.join(best_dir, "training_curve.png"), title=f"{name} on {source}")
        shutil.rmtree(os.path.join(output_dir, "checkpoints"), ignore_errors=True)  # the best is evaluated
        logs = {key: [float(v) for v in values] for key, values in history.history.items()}
        atomic_write_json(os.path.join(output_dir, "result.json"),
                          {"settings": settings, "row": row, "history": logs, "lines": lines})

    # ----------------------------------------------------------- Comparison
    print(f"\nmodel                    params  train acc  held-out acc  perplexity   "
          f"({len(targets):,} held-out hidden words)")
    for row in results:
        train_accuracy = "" if row["train_accuracy"] is None else f"{row['train_accuracy']:.4f}"
        print(f"{row['model']:<21}{row['params']:>10,}  {train_accuracy:>9}  {row['accuracy']:12.4f}  "
              f"{row['perplexity']:10.1f}")
    by_name = {row["model"]: row for row in results}
    for bi, uni in TWINS.items():
        if bi in by_name and uni in by_name:
            better = by_name[bi]["accuracy"] > by_name[uni]["accuracy"]
            print(f"{bi} {'beats' if better else 'DOES NOT BEAT'} {uni}: held-out accuracy "
                  f"{by_name[bi]['accuracy']:.4f} vs {by_name[uni]['accuracy']:.4f}")
    plot_held_out_curves(histories, os.path.join(args.output_dir, "held_out_curves.png"))
    best = max(results[1:], key=lambda r: r["accuracy"])
    card_path = os.path.join(best_dir, "card.json")
    with open(card_path, encoding="utf-8") as f:
        card = json.load(f)
    card["comparison"] = results  # the whole table, baseline first
    atomic_write_json(card_path, card)
    print(f"best: {best['model']} (held-out accuracy {best['accuracy']:.4f}), saved to {best_dir}")
    print(f"done in {harness.elapsed(args)} s")
    return results


def read_finished(path, settings):
    """The saved result of a model trained with `settings`, or None (not run, other settings, unreadable)."""
    try:
        with open(path, encoding="utf-8") as f:
            finished = json.load(f)
    except (OSError, ValueError):
        return None
    return finished if finished.get("settings") == json.loads(json.dumps(settings)) else None


def plot_held_out_curves(histories, path):
    """One line per model and epoch: held-out perplexity and accuracy of the hidden word."""
    import math

    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from kerasrnn.io_utils import save_figure

    figure, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    colors = plt.get_cmap("tab20").colors
    for index, (name, logs) in enumerate(histories.items()):
        epochs = range(1, len(logs["val_loss"]) + 1)
        style = {"marker": "o", "color": colors[2 * (index % 10) + index // 10],
                 "linestyle": "-" if MODELS[name][2] else "--", "label": name}
        left.plot(epochs, [math.exp(loss) for loss in logs["val_loss"]], **style)
        right.plot(epochs, logs["val_accuracy"], **style)
    left.set_yscale("log")
    left.set_ylabel("held-out perplexity (<unk> skipped)")
    right.set_ylabel("held-out accuracy (<unk> counted as a miss)")
    for axis in (left, right):
        axis.set_xlabel("epoch")
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.grid(alpha=0.3)
    right.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.suptitle("bidirectional: solid, one direction: dashed")
    save_figure(figure, path)


if __name__ == "__main__":
    harness.run(main)
