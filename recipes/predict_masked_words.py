"""Masked-word prediction: ten recurrent models and an echo-state network fill in hidden words.

Cuts a word stream (tiny-shakespeare by default; any text file with
`--data`) into windows of `--sequence-length` words, hides one word per
window behind `<mask>`, and trains the seeds' models to name it from the
words around it: LayerNorm RNNs (1 and 2 layers, and bidirectional), LSTMs and
GRUs (1 and 2 layers, and bidirectional) and an echo-state network (fixed
sparse reservoirs read in both directions, only the readout trained). Each
model outputs a softmax per position; the sample weights train it on the
hidden word only.

The word stream is cut into three contiguous parts (`kerasrnn.data.splits.
contiguous_split`): the first 80% trains, the next 10% (validation) picks each
model's best epoch (validation loss) and the best model (validation accuracy),
and the last 10% (test) is scored once, at the end, on the chosen model; no
window straddles two parts. Scores are top-1 accuracy and perplexity of the
hidden word, against a most-frequent-word baseline (whose perplexity is that
of the training unigram distribution); training accuracy is printed next to
the validation one, measured the same way on training windows. Words outside
the `--vocabulary-size` most frequent training words are read as `<unk>`; an
`<unk>` is never a target (loss and scores skip it). Bidirectional models
see both sides of the gap and must beat their one-directional twins: the
recipe prints each comparison on validation. PASS/FAIL lines show validation
sentences with the predicted word in brackets, filled with
`MaskedWordModel.fill`.

Each finished model leaves `<output-dir>/<model>/result.json` (its table row,
curves and PASS/FAIL lines) and its best checkpoint: running the same command
again after an interruption resumes the model in progress from its last
completed epoch and does not retrain the finished ones (delete a model's
folder to retrain it). The chosen model is saved with its card and training
curve under `<output-dir>/best/` (`kerasrnn.load` it and call
`fill("to be or <mask> to be")`); the table of all models is written to
`comparison.json`, and the validation perplexity and accuracy of every model
per epoch are plotted in `validation_curves.png`.

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
QUICK_WORDS = 12_000  # --quick reads the first words of the text only
TEST_SLICE_WINDOWS = 200  # the card's test_slice: accuracy on the first test windows
# Flags that do not change what a model learns (the others must match to reuse a finished model).
NOT_SETTINGS = {"models", "output_dir", "command", "started", "tensorboard", "data_parallel", "overwrite",
                "reuse_freed_memory"}


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
    harness.add_split_flags(parser, "share of the word stream (before the test tail) that picks epochs and the model",
                            "share of the word stream (its tail) scored once, at the end, on the chosen model")
    parser.add_argument("--steps-per-epoch", type=harness.positive_int, default=None,
                        help="training batches per epoch (default: one pass over the training windows); "
                             "smaller values give more points on the curves and a fixed compute budget")
    parser.add_argument("--held-out-stride", type=harness.positive_int, default=3,
                        help="words between validation (and test) window starts (each window hides one word)")
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


def split_words(text, fractions, quick=False):
    """The word stream of `text` cut into contiguous train / validation / test parts (lists of words)."""
    import kerasrnn
    from kerasrnn.data.splits import contiguous_split

    words = kerasrnn.text.split_words(text)
    if quick:
        words = words[:QUICK_WORDS]
    return contiguous_split(words, fractions)


def held_out_dataset(ids, vocabulary, training):
    """Validation or test windows: one every `held_out_stride` words, the hidden word fixed by the seed."""
    import kerasrnn

    return kerasrnn.data.make_masked_token_dataset(
        ids, training["sequence_length"], vocabulary.mask_id, training["batch_size"], shuffle=False,
        seed=training["seed"], stride=training["held_out_stride"])


def score_test_slice(task, card):
    """The card's `test_slice`: accuracy of the hidden word on the first 200 test windows (<unk> skipped).

    The test words are rebuilt from the embedded tiny-shakespeare with the
    card's fractions (and `--quick`'s cut), encoded with the task's
    vocabulary and windowed as in training.
    """
    import numpy as np

    import kerasrnn
    from kerasrnn.data.splits import fingerprint
    from kerasrnn.metrics.masked_words import evaluate_masked_words

    training = card["training"]
    if training.get("data_file"):
        raise ValueError("this model was trained on --data; its test slice can be rebuilt from that file only")
    test_words = split_words(kerasrnn.datasets.load_embedded_shakespeare(), training["fractions"],
                             quick=training.get("quick", False))[2]
    vocabulary = task.vocabulary
    windows = held_out_dataset(vocabulary.encode(test_words), vocabulary, training)
    windows = windows.unbatch().take(TEST_SLICE_WINDOWS).batch(training["batch_size"])
    x, y, weight = (np.concatenate(parts) for parts in zip(*windows.as_numpy_iterator()))
    scores = evaluate_masked_words(task.model, windows, ignore_ids=(vocabulary.unk_id,))
    return {"size": len(x), "unit": "windows", "metric": "accuracy", "value": scores["accuracy"],
            "hidden_words": scores["count"], "sha256": fingerprint([x, y, weight])}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import shutil
    import warnings

    import keras
    import numpy as np

    import kerasrnn
    from kerasrnn.cards import make_card, training_record
    from kerasrnn.data.splits import describe_splits
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.models.masked_word_model import build_masked_word_model
    from kerasrnn.metrics.masked_words import evaluate_masked_words
    from kerasrnn.tasks.masked_word_model import MaskedWordModel
    from kerasrnn.tasks.saved_task import load_keras_model
    from kerasrnn.training import check_no_nan, plot_history, recurrent_optimizer, restore_best, standard_callbacks

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    text, source = harness.load_text(args)
    train_words, validation_words, test_words = split_words(text, args.fractions, quick=args.quick)
    vocabulary = kerasrnn.text.Vocabulary.build([" ".join(train_words)], level="word",
                                                max_size=args.vocabulary_size)
    train_ids, validation_ids = vocabulary.encode(train_words), vocabulary.encode(validation_words)
    unk = vocabulary.unk_id
    splits = describe_splits("words", "contiguous text (train head, validation, test tail)", args.fractions,
                             train=train_words, validation=validation_words, test=test_words)
    print(f"{source}: {len(train_words) + len(validation_words) + len(test_words):,} words, {vocabulary} "
          f"(from the training words); train {len(train_words):,}, validation {len(validation_words):,} "
          f"({np.mean(validation_ids == unk):.1%} <unk>), test {len(test_words):,} (contiguous)")
    length = args.sequence_length
    windows = {"sequence_length": length, "batch_size": args.batch_size, "seed": args.seed,
               "held_out_stride": args.held_out_stride}
    # Training windows do not overlap; their hidden word is drawn anew every epoch.
    train = kerasrnn.data.make_masked_token_dataset(
        train_ids, length, vocabulary.mask_id, args.batch_size, shuffle=True, seed=args.seed)
    # Validation windows overlap (one every --held-out-stride words) and always hide the same word.
    validation = held_out_dataset(validation_ids, vocabulary, windows)
    # Training accuracy is measured like the validation one: fixed hidden words, as many windows.
    num_validation_windows = (len(validation_ids) - length) // args.held_out_stride + 1
    train_probe = kerasrnn.data.make_masked_token_dataset(
        train_ids[: num_validation_windows * length], length, vocabulary.mask_id, args.batch_size,
        shuffle=False, seed=args.seed + 1)

    # The baseline names the most frequent training word every time; its perplexity is the unigram one.
    num_special = 2 + len(vocabulary.specials)  # <pad>, <unk> and the special tokens: never an answer
    counts = np.bincount(train_ids, minlength=vocabulary.size).astype("float64")
    counts[:num_special] = 0
    unigram = counts + 1  # add-one smoothing over the ordinary words
    unigram[:num_special] = 0
    unigram /= unigram.sum()
    most_frequent = int(counts.argmax())

    def baseline_scores(dataset):
        targets = np.concatenate([y[w > 0] for _, y, w in dataset.as_numpy_iterator()])
        targets = targets[targets != unk]
        return {"accuracy": float(np.mean(targets == most_frequent)),
                "perplexity": float(np.exp(-np.mean(np.log(unigram[targets])))), "hidden_words": len(targets)}

    baseline = {"model": f"most frequent ({vocabulary.id_to_token[most_frequent]!r})", "parameters": 0,
                "train_accuracy": None, "validation": baseline_scores(validation)}
    print(f"{baseline['validation']['hidden_words']:,} validation hidden words to predict (<unk> skipped); "
          f"baseline: always {vocabulary.id_to_token[most_frequent]!r}, "
          f"accuracy {baseline['validation']['accuracy']:.4f}")

    def pick_examples(words, count):
        """Windows of `words` whose middle word is an ordinary, known word: (masked text, hidden word)."""
        found = []
        for start in np.linspace(0, len(words) - length, 40 * count).astype(int):
            window = words[start : start + length]
            middle = window[length // 2]
            if middle in vocabulary and middle.isalpha() and len(found) < count:
                found.append((" ".join(window[: length // 2] + ["<mask>"] + window[length // 2 + 1 :]), middle))
        return found

    def fill_examples(filler, examples):
        results = []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # rare context words read as <unk> are expected here
            for masked, expected in examples:
                ((predicted, probability),) = filler.fill(masked, top_k=1)[0]
                results.append({"masked": masked, "predicted": predicted, "probability": round(probability, 4),
                                "expected": expected})
        return results

    def verdict_line(split, example):
        verdict = "PASS" if example["predicted"] == example["expected"] else "FAIL"
        filled = example["masked"].replace("<mask>", f"[{example['predicted']}]")
        return (f"{split} sentence: {verdict} | {filled}"
                + ("" if verdict == "PASS" else f"  (expected: {example['expected']})"))

    validation_examples = pick_examples(validation_words, args.num_examples)
    steps_per_epoch = int(train.cardinality())
    if args.steps_per_epoch:  # an endless stream of windows, each pass shuffled and masked anew
        train, steps_per_epoch = train.repeat(), args.steps_per_epoch
    settings = {key: value for key, value in vars(args).items() if key not in NOT_SETTINGS}
    strategy_scope = harness.setup_distribution(args)

    def train_model(name):
        """Train one model; its best epoch (validation loss) stays in `<name>/checkpoints/best.keras`."""
        output_dir = os.path.join(args.output_dir, name)
        cell_type, num_layers, bidirectional = MODELS[name]
        echo_state = cell_type == "echo_state"
        # ------------------------------------------------------------- Model
        with strategy_scope:
            model = build_masked_word_model(
                vocabulary.size, cell_type=cell_type, embedding_dim=args.embedding_dim,
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
        verbose = "auto" if sys.stdout.isatty() and not args.quick else 2  # 2: one line per epoch in logs
        history = model.fit(train, validation_data=validation, epochs=args.epochs, callbacks=callbacks,
                            steps_per_epoch=args.steps_per_epoch, verbose=verbose)
        check_no_nan(callbacks, output_dir)
        restore_best(model, output_dir)  # the epoch with the best validation loss

        # ---------------------------------------------------------- Evaluate
        scores = evaluate_masked_words(model, validation, ignore_ids=(unk,))
        train_scores = evaluate_masked_words(model, train_probe, ignore_ids=(unk,))
        row = {"model": name, "parameters": model.count_params(), "epochs": len(history.history["loss"]),
               "train_accuracy": train_scores["accuracy"],
               "validation": {"accuracy": scores["accuracy"], "perplexity": scores["perplexity"],
                              "hidden_words": scores["count"]}}
        lines = [f"validation accuracy {scores['accuracy']:.4f}, perplexity {scores['perplexity']:.1f} "
                 f"(training accuracy {row['train_accuracy']:.4f})"]

        # ----------------------------------------------------------- Predict
        filler = MaskedWordModel(model, vocabulary, length, bidirectional=bidirectional)
        lines += [verdict_line("Validation", example) for example in fill_examples(filler, validation_examples)]
        print("\n".join(lines))
        plot_history(history, os.path.join(output_dir, "training_curve.png"), title=f"{name} on {source}")
        logs = {key: [float(v) for v in values] for key, values in history.history.items()}
        atomic_write_json(os.path.join(output_dir, "result.json"),
                          {"settings": settings, "row": row, "history": logs, "lines": lines})
        return row, logs

    # A model finished by an earlier run of the same settings is not trained again (delete its folder to retrain).
    results, histories = [], {}
    for name in args.models:
        result_path = os.path.join(args.output_dir, name, "result.json")
        finished = read_finished(result_path, settings)
        if finished:
            print(f"\nModel: {name}: finished by an earlier run with these settings, read from {result_path}")
            print("\n".join(finished["lines"]))
            row, histories[name] = finished["row"], finished["history"]
        else:
            row, histories[name] = train_model(name)
        results.append(row)

    # -------------------------------------------------- Choose on validation
    print(f"\nmodel                    params  train acc  validation acc  perplexity   "
          f"({baseline['validation']['hidden_words']:,} validation hidden words)")
    for row in [baseline] + results:
        train_accuracy = "" if row["train_accuracy"] is None else f"{row['train_accuracy']:.4f}"
        print(f"{row['model']:<21}{row['parameters']:>10,}  {train_accuracy:>9}  "
              f"{row['validation']['accuracy']:14.4f}  {row['validation']['perplexity']:10.1f}")
    by_name = {row["model"]: row for row in results}
    for bi, uni in TWINS.items():
        if bi in by_name and uni in by_name:
            better = by_name[bi]["validation"]["accuracy"] > by_name[uni]["validation"]["accuracy"]
            print(f"{bi} {'beats' if better else 'DOES NOT BEAT'} {uni}: validation accuracy "
                  f"{by_name[bi]['validation']['accuracy']:.4f} vs {by_name[uni]['validation']['accuracy']:.4f}")
    plot_validation_curves(histories, os.path.join(args.output_dir, "validation_curves.png"))
    best = max(results, key=lambda row: row["validation"]["accuracy"])
    name = best["model"]
    cell_type, num_layers, bidirectional = MODELS[name]
    print(f"chosen on validation: {name} (validation accuracy {best['validation']['accuracy']:.4f})")

    # The chosen model's weights: its checkpoint, the best/ of an earlier run of it, or trained again.
    best_dir = os.path.join(args.output_dir, "best")
    checkpoint = os.path.join(args.output_dir, name, "checkpoints", "best.keras")
    if os.path.exists(checkpoint):
        model = load_keras_model(checkpoint)
    elif saved_model_matches(best_dir, best):
        model = kerasrnn.load(best_dir).model
    else:
        print(f"{name}: its weights were not kept by the earlier run; training it again")
        best, histories[name] = train_model(name)
        results[[row["model"] for row in results].index(name)] = best
        model = load_keras_model(checkpoint)
    filler = MaskedWordModel(model, vocabulary, length, bidirectional=bidirectional)

    # ------------------------------------------------------ Test, once
    test = held_out_dataset(vocabulary.encode(test_words), vocabulary, windows)
    scores = evaluate_masked_words(model, test, ignore_ids=(unk,))
    best["test"] = {"accuracy": scores["accuracy"], "perplexity": scores["perplexity"],
                    "hidden_words": scores["count"]}
    baseline["test"] = baseline_scores(test)
    for split in ("validation", "test"):
        best[split]["most_frequent_word_accuracy"] = baseline[split]["accuracy"]
    test_examples = fill_examples(filler, pick_examples(test_words, max(args.num_examples, 3)))
    print(f"test ({best['test']['hidden_words']:,} hidden words): accuracy {best['test']['accuracy']:.4f}, "
          f"perplexity {best['test']['perplexity']:.1f} (most frequent word: {baseline['test']['accuracy']:.4f})")
    print("\n".join(verdict_line("Test", example) for example in test_examples))

    # ------------------------------------------------------------------ Save
    units = args.reservoir_units if cell_type == "echo_state" else args.hidden_units
    if cell_type == "echo_state":
        architecture = (f"fixed random word embedding {args.embedding_dim} -> fixed sparse echo-state reservoirs "
                        f"of {units} units read in both directions (spectral radius {args.spectral_radius:g}, "
                        f"connectivity {args.connectivity:g}) -> trained dense softmax per position")
    else:
        architecture = (f"word embedding {args.embedding_dim} -> {num_layers} x "
                        f"{'bidirectional ' if bidirectional else ''}{cell_type} {units} -> dense softmax per position")
    card_fields = dict(
        task="masked-word prediction: name the word hidden behind <mask> from the words around it",
        model={"name": name, "architecture": architecture, "parameters": best["parameters"], "cell": cell_type,
               "num_layers": num_layers, "bidirectional": bidirectional, "embedding_dim": args.embedding_dim,
               "hidden_units": units, "dropout": args.dropout, "vocabulary_size": vocabulary.size,
               "sequence_length": length},
        data={"source": source if not args.data else f"local file {os.path.basename(args.data)}",
              "url": kerasrnn.datasets.shakespeare.SHAKESPEARE_URL if not args.data else "none (a local file)",
              "licence": "public domain (tiny-shakespeare, karpathy/char-rnn)" if not args.data else "unknown",
              "splits": splits},
        training=training_record(
            args.command, harness.elapsed(args), seed=args.seed, epochs=best["epochs"],
            batch_size=args.batch_size, learning_rate=args.learning_rate, steps_per_epoch=steps_per_epoch,
            sequence_length=length, held_out_stride=args.held_out_stride, fractions=args.fractions,
            quick=args.quick, data_file=bool(args.data), models_compared=args.models,
            chosen_on_validation=name,
            selection="best epoch by validation loss; best model by validation accuracy"),
        metrics={"validation": best["validation"], "test": best["test"],
                 "protocol": f"one hidden word per {length}-word window, a window every {args.held_out_stride} "
                             "words; <unk> targets skipped; perplexity over the whole vocabulary"},
        headline={"metric": "accuracy", "split": "test", "value": best["test"]["accuracy"], "better": "higher"},
        test_slice=None,
        samples=test_examples,
        intended_use="filling in a missing word of Shakespeare-like English; a teaching comparison of recurrent "
                     "cells, depth and directions",
        limitations=[f"a vocabulary of {vocabulary.size:,} words (the most frequent training words); any other "
                     "word is read as <unk> and is never proposed",
                     f"reads at most {length} words around the gap",
                     "trained on one author's plays: early-modern English only",
                     "accuracy counts exact words only: a synonym is a miss"],
    )
    filler.card = make_card(**card_fields)
    filler.save(best_dir)
    plot_history(histories[name], os.path.join(best_dir, "training_curve.png"), title=f"{name} on {source}")
    if not args.data:  # the number anyone can recompute from the saved model
        card_fields["test_slice"] = score_test_slice(kerasrnn.load(best_dir), filler.card)
        atomic_write_json(os.path.join(best_dir, "card.json"), make_card(**card_fields))
    atomic_write_json(os.path.join(args.output_dir, "comparison.json"),
                      {"chosen_on_validation": name, "command": args.command, "baseline": baseline,
                       "rows": results})
    for row in results:  # the chosen model is saved: drop the checkpoints
        shutil.rmtree(os.path.join(args.output_dir, row["model"], "checkpoints"), ignore_errors=True)
    print(f"saved {name} to {best_dir}, the comparison to {os.path.join(args.output_dir, 'comparison.json')}")
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


def saved_model_matches(directory, row):
    """Whether `directory` holds the saved model of `row` (same name and the same validation scores)."""
    try:
        with open(os.path.join(directory, "card.json"), encoding="utf-8") as f:
            card = json.load(f)
        return (card["model"]["name"] == row["model"]
                and all(card["metrics"]["validation"][key] == value for key, value in row["validation"].items()))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def plot_validation_curves(histories, path):
    """One line per model and epoch: validation perplexity and accuracy of the hidden word."""
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
    left.set_ylabel("validation perplexity (<unk> skipped)")
    right.set_ylabel("validation accuracy (<unk> counted as a miss)")
    for axis in (left, right):
        axis.set_xlabel("epoch")
        axis.xaxis.get_major_locator().set_params(integer=True)
        axis.grid(alpha=0.3)
    right.legend(fontsize=8, loc="center left", bbox_to_anchor=(1.02, 0.5))
    figure.suptitle("bidirectional: solid, one direction: dashed")
    save_figure(figure, path)


if __name__ == "__main__":
    harness.run(main)
