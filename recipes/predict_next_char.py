"""Next-character language models on tiny-shakespeare: LayerNorm RNN vs LSTM vs GRU.

Trains the seeds' three character models with the same pipeline and budget.
The text is cut into three contiguous parts: the first 80% trains, the next
10% (validation) picks each model's best epoch and the best model, and the
last 10% (test) is scored once at the end. Prints one comparison table
(parameters, validation and test nats/char), samples from a prompt and from a
random character, and saves every model (with its vocabulary, card, history
and training curve) under `<output-dir>/<model>/`, the comparison in
`<output-dir>/comparison.json`; with several models the best one is also
copied to `<output-dir>/best/`.

With no `--data`, the text is the copy of tiny-shakespeare shipped inside the
package, so this runs with no network.

    python recipes/predict_next_char.py --backend jax
    python recipes/predict_next_char.py --models lstm --epochs 20 --hidden-units 512
    python recipes/predict_next_char.py --demo     # LSTM only, about two minutes on a CPU
    python recipes/predict_next_char.py --quick    # seconds: a smoke test
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MODELS = {
    # table name: recurrent layer kind (kerasrnn.layers.RECURRENT_KINDS)
    "rnn_layernorm": "layernorm_rnn",
    "lstm": "lstm",
    "gru": "gru",
}


def parse_args(argv=None):
    parser = harness.make_parser(
        "predict_next_char", __doc__.splitlines()[0], epochs=10, batch_size=64, text_data=True)
    parser.add_argument("--models", default="rnn_layernorm,lstm,gru",
                        help=f"comma-separated models to train, from {', '.join(MODELS)}")
    parser.add_argument("--hidden-units", type=harness.positive_int, default=512,
                        help="size of the recurrent state")
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=64, help="character embedding size")
    parser.add_argument("--num-layers", type=harness.positive_int, default=1, help="stacked recurrent layers")
    parser.add_argument("--dropout", type=float, default=0.0, help="dropout between layers")
    parser.add_argument("--sequence-length", type=harness.positive_int, default=100,
                        help="characters per training window (backpropagation through time)")
    parser.add_argument("--random-offset", action="store_true",
                        help="cut the training text into windows at a new random offset every epoch "
                             "(default: the same cut every epoch)")
    harness.add_split_flags(parser, "share of the text (before the test tail) that picks epochs and models",
                            "share of the text (its tail) scored once at the end")
    parser.add_argument("--weight-decay", type=float, default=0.0, help="decoupled weight decay (AdamW); 0 for Adam")
    parser.add_argument("--prompt", default="ROMEO:", help="text to continue when sampling")
    parser.add_argument("--num-chars", type=harness.positive_int, default=300, help="characters to sample")
    parser.add_argument("--temperature", type=harness.positive_float, default=0.8, help="sampling temperature")
    parser.add_argument("--top-k", type=harness.positive_int, default=None, help="sample among the k likeliest")
    parser.add_argument("--demo", action="store_true",
                        help="the README demo: LSTM 256 only, 4 epochs on the embedded corpus (about 2-3 min on 2 CPU cores)")
    args = harness.parse_args(parser, argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown or not args.models:
        parser.error(f"unknown model(s) {unknown or args.models}; choose from {', '.join(MODELS)}")
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), received {args.dropout}")
    if not 0 <= args.weight_decay < 1:
        parser.error(f"--weight-decay must be in [0, 1), received {args.weight_decay}")
    if args.demo:
        args.models, args.epochs, args.hidden_units, args.batch_size = ["lstm"], 4, 256, 32
        args.learning_rate = 3e-3
    if args.quick:
        args.epochs, args.hidden_units, args.sequence_length, args.num_chars = 1, 32, 32, 60
    return args


TEST_SLICE_CHARS = 5_000
SCORED_WINDOW = 100  # characters per scored window, each from a zero state


def split_text(text, fractions):
    """The three contiguous parts of the text: train head, validation middle, test tail."""
    from kerasrnn.data.splits import contiguous_split

    return contiguous_split(text, fractions)


def nats_per_char(model, vocabulary, text, window=SCORED_WINDOW, batch_size=64):
    """Mean next-character cross-entropy of `text` (nats), scored in `window`-character windows from a zero state.

    The text is cut into non-overlapping windows of `window + 1` characters
    (the remainder is dropped), as the training pipeline cuts it; each
    window predicts its last `window` characters from its first `window`.
    """
    import numpy as np
    from keras import ops

    ids = np.asarray(vocabulary.encode(text), dtype="int32")
    count = len(ids) // (window + 1)
    if count < 1:
        raise ValueError(f"the text is too short to score: {len(ids)} characters, one window needs {window + 1}")
    windows = ids[: count * (window + 1)].reshape(count, window + 1)
    total = 0.0
    for start in range(0, count, batch_size):
        batch = windows[start : start + batch_size]
        logits = ops.cast(model(batch[:, :-1], training=False), "float32")
        log_probs = ops.convert_to_numpy(ops.log_softmax(logits, axis=-1))
        picked = np.take_along_axis(log_probs, batch[:, 1:, None].astype("int64"), axis=-1)
        total -= float(picked.sum(dtype="float64"))
    return total / (count * window)


def score_test_slice(task, card):
    """The card's `test_slice`: nats/char of the first 5,000 test characters, rebuilt from the default text."""
    import kerasrnn
    from kerasrnn.data.splits import fingerprint

    settings = card["training"]
    if settings.get("data_file"):
        raise ValueError("this model was trained on --data; its test slice is rebuilt from that file only")
    text = kerasrnn.datasets.load_embedded_shakespeare()
    if settings.get("quick"):
        text = text[:30_000]
    test = split_text(text, settings["fractions"])[2][:TEST_SLICE_CHARS]
    return {"size": len(test), "unit": "characters", "metric": "nats_per_char", "window": SCORED_WINDOW,
            "value": nats_per_char(task.model, task.vocabulary, test), "sha256": fingerprint(test)}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras
    import numpy as np

    import kerasrnn
    from kerasrnn.cards import make_card, training_record
    from kerasrnn.data.splits import describe_splits
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.training import (EpochTimer, check_no_nan, full_history, plot_history, recurrent_optimizer,
                                   restore_best, standard_callbacks)

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    text, source = harness.load_text(args)
    if args.quick:
        text = text[:30_000]
    train_text, validation_text, test_text = split_text(text, args.fractions)
    vocabulary = kerasrnn.text.Vocabulary.build(train_text, level="char")
    print(f"{source}: {len(text):,} characters, {vocabulary}; train {len(train_text):,}, "
          f"validation {len(validation_text):,}, test {len(test_text):,} (contiguous)")
    train = kerasrnn.data.make_language_model_dataset(
        vocabulary.encode(train_text), args.sequence_length, args.batch_size, shuffle=True, seed=args.seed,
        random_offset=args.random_offset)
    validation = kerasrnn.data.make_language_model_dataset(
        vocabulary.encode(validation_text), args.sequence_length, args.batch_size, shuffle=False,
        drop_remainder=False)
    splits = describe_splits("characters", "contiguous text (train head, validation, test tail)", args.fractions,
                             train=train_text, validation=validation_text, test=test_text)

    steps_per_epoch = int(train.cardinality())
    results, tasks = [], {}
    strategy_scope = harness.setup_distribution(args)
    for name in args.models:
        output_dir = os.path.join(args.output_dir, name)
        # ------------------------------------------------------------- Model
        with strategy_scope:
            model = kerasrnn.models.build_language_model(
                vocabulary.size, cell_type=MODELS[name], embedding_dim=args.embedding_dim,
                hidden_units=args.hidden_units, num_layers=args.num_layers, dropout=args.dropout, name=name)
            model.compile(
                optimizer=recurrent_optimizer(args.learning_rate, decay_steps=args.epochs * steps_per_epoch,
                                              weight_decay=args.weight_decay),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            )
        print(f"\nModel: {name} ({model.count_params():,} params)")

        # ------------------------------------------------------------- Train
        timer = EpochTimer(os.path.join(output_dir, "backup"))  # every epoch's time, those before a resume too
        callbacks = standard_callbacks(output_dir, tensorboard=args.tensorboard, train_data=train) + [timer]
        history = model.fit(train, validation_data=validation, epochs=args.epochs, callbacks=callbacks,
                            verbose=2 if args.quick else "auto")
        check_no_nan(callbacks, output_dir)
        restore_best(model, output_dir)  # the epoch with the best validation loss, not the last
        history = full_history(history, output_dir)  # with the epochs before a resume
        plot_history(history, os.path.join(output_dir, "training_curve.png"), title=f"{name} on {source}")
        nats = nats_per_char(model, vocabulary, validation_text)
        results.append({"model": name, "parameters": model.count_params(), "epochs": len(history["loss"]),
                        "training_s": round(sum(timer.seconds), 1),
                        "validation": {"nats_per_char": nats, "bits_per_char": nats / np.log(2)}})
        tasks[name] = kerasrnn.tasks.LanguageModel(model, vocabulary)
        print(f"{name}: validation {nats:.4f} nats/char")

    # -------------------------------------- Choose on validation, then test
    best = min(results, key=lambda row: row["validation"]["nats_per_char"])
    for row in results:  # each trained model is scored on the test text once, after the choice
        nats = nats_per_char(tasks[row["model"]].model, vocabulary, test_text)
        row["test"] = {"nats_per_char": nats, "bits_per_char": nats / np.log(2), "perplexity": float(np.exp(nats))}
        row["validation"]["perplexity"] = float(np.exp(row["validation"]["nats_per_char"]))

    print(f"\nmodel            params  validation  test   (nats/char, {SCORED_WINDOW}-char windows from a zero state)")
    for row in results:
        print(f"{row['model']:<14}{row['parameters']:>9,}  {row['validation']['nats_per_char']:9.4f}  "
              f"{row['test']['nats_per_char']:6.4f}{'   <- chosen on validation' if row is best else ''}")

    # ------------------------------------------------------- Sample and save
    for row in results:
        name, lm = row["model"], tasks[row["model"]]
        from_prompt = lm.generate(args.prompt, args.num_chars, args.temperature, top_k=args.top_k, seed=args.seed)
        from_random = lm.generate(None, args.num_chars, args.temperature, top_k=args.top_k, seed=args.seed + 1)
        print(f"\n{name}, sampling (temperature {args.temperature}) " + "-" * 40)
        print(f"-> [{args.prompt}] {from_prompt}")
        print(f"-> [random char] {from_random}")
        training = training_record(
            args.command, harness.elapsed(args), seed=args.seed, epochs=row["epochs"], batch_size=args.batch_size,
            learning_rate=args.learning_rate, weight_decay=args.weight_decay, sequence_length=args.sequence_length,
            random_offset=args.random_offset, training_s=row["training_s"],
            fractions=args.fractions, quick=args.quick, data_file=bool(args.data), models_trained=args.models,
            chosen_on_validation=best["model"])
        card_fields = dict(
            task="next-character language model",
            model={"name": name, "architecture": f"embedding {args.embedding_dim} -> {args.num_layers} x "
                                                 f"{MODELS[name]} {args.hidden_units} -> dense softmax",
                   "parameters": row["parameters"], "cell": MODELS[name], "hidden_units": args.hidden_units,
                   "embedding_dim": args.embedding_dim, "num_layers": args.num_layers, "dropout": args.dropout,
                   "vocabulary_size": vocabulary.size},
            data={"source": source, "url": kerasrnn.datasets.shakespeare.SHAKESPEARE_URL,
                  "licence": "public domain (tiny-shakespeare, karpathy/char-rnn)", "splits": splits},
            training=training,
            metrics={"validation": row["validation"], "test": row["test"],
                     "protocol": f"non-overlapping {SCORED_WINDOW}-character windows, each scored from a zero state"},
            headline={"metric": "nats_per_char", "split": "test", "value": row["test"]["nats_per_char"],
                      "better": "lower"},
            test_slice=None,
            samples=[{"prompt": args.prompt, "temperature": args.temperature, "text": from_prompt},
                     {"prompt": None, "temperature": args.temperature, "text": from_random}],
            intended_use="generating Shakespeare-like text and scoring text in that style; a teaching model",
            limitations=["character-level: no notion of words beyond what 100 characters of context carry",
                         "trained on one author's plays; other text scores poorly",
                         "the vocabulary is the training text's characters; others are read as <unk>"],
        )
        lm.card = make_card(**card_fields)
        if not args.data:
            card_fields["test_slice"] = {k: v for k, v in score_test_slice(lm, lm.card).items()}
            lm.card = make_card(**card_fields)
        output_dir = os.path.join(args.output_dir, name)
        lm.save(output_dir)
        print(f"saved to {output_dir}")

    atomic_write_json(os.path.join(args.output_dir, "comparison.json"),
                      {"chosen_on_validation": best["model"], "command": args.command, "rows": results})
    if len(results) > 1:
        from kerasrnn.training import copy_best_model

        best_dir = copy_best_model(args.output_dir, best["model"])
        print(f"best on validation: {best['model']}, copied to {best_dir}")
    print(f"done in {harness.elapsed(args)} s")
    return results


if __name__ == "__main__":
    harness.run(main)
