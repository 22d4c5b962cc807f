"""Next-character language models on tiny-shakespeare: LayerNorm RNN vs LSTM vs GRU.

Trains the seeds' three character models with the same pipeline and budget,
prints one comparison table (parameters, held-out nats/char, bits/char and
perplexity), samples from a prompt and from a random character, and saves
every model (with its vocabulary, card and training curve) under
`saved_models/predict_next_char/<model>/`; the best one is also copied to
`saved_models/predict_next_char/best/`.

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
    parser.add_argument("--validation-fraction", type=harness.fraction, default=0.1,
                        help="share of the text (its tail) held out for evaluation")
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
    if args.demo:
        if args.output_dir == parser.get_default("output_dir"):
            args.output_dir = os.path.join("saved_models", "demo", "predict_next_char")  # keep the shipped model
        args.models, args.epochs, args.hidden_units, args.batch_size = ["lstm"], 4, 256, 32
        args.learning_rate = 3e-3
    if args.quick:
        args.epochs, args.hidden_units, args.sequence_length, args.num_chars = 1, 32, 32, 60
    return args


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras
    import numpy as np

    import kerasrnn
    from kerasrnn.training import check_no_nan, plot_history, recurrent_optimizer, restore_best, standard_callbacks

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    text, source = harness.load_text(args)
    if args.quick:
        text = text[:30_000]
    vocabulary = kerasrnn.text.Vocabulary.build(text, level="char")
    ids = vocabulary.encode(text)
    train_ids, held_out_ids = kerasrnn.data.split_token_stream(ids, args.validation_fraction)
    print(f"{source}: {len(text):,} characters, {vocabulary}, "
          f"{len(train_ids):,} for training, {len(held_out_ids):,} held out")
    train = kerasrnn.data.make_language_model_dataset(
        train_ids, args.sequence_length, args.batch_size, shuffle=True, seed=args.seed)
    held_out = kerasrnn.data.make_language_model_dataset(
        held_out_ids, args.sequence_length, args.batch_size, shuffle=False, drop_remainder=False)

    steps_per_epoch = int(train.cardinality())
    results = []
    strategy_scope = harness.setup_distribution(args)
    for name in args.models:
        output_dir = os.path.join(args.output_dir, name)
        # ------------------------------------------------------------- Model
        with strategy_scope:
            model = kerasrnn.models.build_language_model(
                vocabulary.size, cell=MODELS[name], embedding_dim=args.embedding_dim,
                hidden_units=args.hidden_units, num_layers=args.num_layers, dropout=args.dropout, name=name)
            model.compile(
                optimizer=recurrent_optimizer(args.learning_rate, decay_steps=args.epochs * steps_per_epoch),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
            )
        print(f"\nModel: {name} ({model.count_params():,} params)")

        # ------------------------------------------------------------- Train
        callbacks = standard_callbacks(output_dir, tensorboard=args.tensorboard, train_data=train)
        history = model.fit(train, validation_data=held_out, epochs=args.epochs, callbacks=callbacks,
                            verbose=2 if args.quick else "auto")
        check_no_nan(callbacks, output_dir)
        restore_best(model, output_dir)  # evaluate and ship the best held-out epoch, not the last

        # ---------------------------------------------------------- Evaluate
        nats = float(model.evaluate(held_out, verbose=0))
        row = {"model": name, "params": model.count_params(), "nats_per_char": nats,
               "bits_per_char": nats / np.log(2), "perplexity": float(np.exp(nats))}
        results.append(row)

        # ------------------------------------------------------------ Sample
        lm = kerasrnn.tasks.LanguageModel(model, vocabulary)
        from_prompt = lm.generate(args.prompt, args.num_chars, args.temperature, top_k=args.top_k, seed=args.seed)
        from_random = lm.generate(None, args.num_chars, args.temperature, top_k=args.top_k, seed=args.seed + 1)
        print(f"Sampling (temperature {args.temperature}) " + "-" * 40)
        print(f"-> [{args.prompt}] {from_prompt}")
        print(f"-> [random char] {from_random}")

        # -------------------------------------------------------------- Save
        lm.card = {
            "task": "next-character language model",
            "model": name, "cell": MODELS[name], "parameters": model.count_params(),
            "hidden_units": args.hidden_units, "embedding_dim": args.embedding_dim, "num_layers": args.num_layers,
            "data": source, "characters": len(text), "held_out_fraction": args.validation_fraction,
            "sequence_length": args.sequence_length, "batch_size": args.batch_size,
            "learning_rate": args.learning_rate, "epochs": len(history.history["loss"]),
            "backend": keras.backend.backend(), "seed": args.seed, "wall_time_s": harness.elapsed(args),
            "held_out": {k: v for k, v in row.items() if k not in ("model", "params")},
            "sample": {"prompt": args.prompt, "temperature": args.temperature, "text": from_prompt},
            "command": args.command,
        }
        lm.save(output_dir)
        plot_history(history, os.path.join(output_dir, "training_curve.png"), title=f"{name} on {source}")
        print(f"saved to {output_dir}")

    # ----------------------------------------------------------- Comparison
    print("\nmodel            params  nats/char  bits/char  perplexity   (held-out)")
    for row in results:
        print(f"{row['model']:<14}{row['params']:>9,}  {row['nats_per_char']:9.4f}  "
              f"{row['bits_per_char']:9.4f}  {row['perplexity']:10.4f}")
    best = min(results, key=lambda r: r["nats_per_char"])
    if len(results) > 1:
        from kerasrnn.training import copy_best_model

        best_dir = copy_best_model(args.output_dir, best["model"])
        print(f"best: {best['model']} ({best['nats_per_char']:.4f} nats/char), copied to {best_dir}")
    print(f"done in {harness.elapsed(args)} s")
    return results


if __name__ == "__main__":
    harness.run(main)
