"""Invent plant names with a character LSTM trained on the USDA list of plant names.

The seed notebook's char-RNN (embedding -> 3-layer LSTM -> dense) on UCI
plant names. Names are joined by newlines, so the model learns where a name
ends; generation starts after a newline and stops at the next one. A tenth of
the distinct names is held out: we report held-out nats/char and the share of
generated names that are new (not in the training list).

    python recipes/generate_plant_names.py --backend jax
    python recipes/generate_plant_names.py --quick
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def parse_args(argv=None):
    parser = harness.make_parser("generate_plant_names", __doc__.splitlines()[0], epochs=12, batch_size=64)
    parser.add_argument("--hidden-units", type=harness.positive_int, default=256, help="size of each LSTM state")
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=32, help="character embedding size")
    parser.add_argument("--num-layers", type=harness.positive_int, default=3, help="stacked LSTM layers (seed: 3)")
    parser.add_argument("--sequence-length", type=harness.positive_int, default=64,
                        help="characters per training window")
    parser.add_argument("--validation-fraction", type=harness.fraction, default=0.1,
                        help="share of distinct names held out")
    parser.add_argument("--num-samples", type=harness.positive_int, default=200,
                        help="names to generate for the novelty figure")
    parser.add_argument("--temperature", type=harness.positive_float, default=0.8, help="sampling temperature")
    args = harness.parse_args(parser, argv)
    if args.quick:
        args.hidden_units, args.num_layers, args.num_samples = 32, 1, 20
        args.epochs = args.epochs if harness.flag_given("--epochs", argv) else 1
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
    names = kerasrnn.datasets.load_plants(args.data)
    names = sorted({name.lower() for name in names})  # distinct names, one spelling each
    rng = np.random.default_rng(args.seed)
    rng.shuffle(names)
    if args.quick:
        names = names[:3000]
    held_out_count = max(1, int(len(names) * args.validation_fraction))
    train_names, held_out_names = names[held_out_count:], names[:held_out_count]
    separator = kerasrnn.tasks.name_generator.NAME_SEPARATOR
    train_text = separator + separator.join(train_names) + separator
    held_out_text = separator + separator.join(held_out_names) + separator
    vocabulary = kerasrnn.text.Vocabulary.build(train_text, level="char")
    print(f"{len(names):,} distinct plant names ({len(train_names):,} for training, "
          f"{len(held_out_names):,} held out), {vocabulary}")
    train = kerasrnn.data.make_language_model_dataset(
        vocabulary.encode(train_text), args.sequence_length, args.batch_size, seed=args.seed)
    held_out = kerasrnn.data.make_language_model_dataset(
        vocabulary.encode(held_out_text), args.sequence_length, args.batch_size, shuffle=False,
        drop_remainder=False)

    # ----------------------------------------------------------------- Model
    model = kerasrnn.models.build_language_model(
        vocabulary.size, cell="lstm", embedding_dim=args.embedding_dim, hidden_units=args.hidden_units,
        num_layers=args.num_layers, name="plant_name_lstm")
    steps = int(train.cardinality()) * args.epochs
    model.compile(optimizer=recurrent_optimizer(args.learning_rate, decay_steps=steps),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    print(f"Model: {model.name} ({model.count_params():,} params)")

    # ----------------------------------------------------------------- Train
    output_dir = os.path.join(args.output_dir, "lstm")
    callbacks = standard_callbacks(output_dir, tensorboard=args.tensorboard, train_data=train)
    history = model.fit(train, validation_data=held_out, epochs=args.epochs, callbacks=callbacks,
                        verbose=2 if args.quick else "auto")
    check_no_nan(callbacks, output_dir)
    restore_best(model, output_dir)

    # -------------------------------------------------------------- Evaluate
    nats = float(model.evaluate(held_out, verbose=0))
    generator = kerasrnn.tasks.NameGenerator(model, vocabulary)
    generated = generator.generate_names(args.num_samples, temperature=args.temperature, seed=args.seed)
    known = set(train_names)
    nonempty = [name for name in generated if name]
    new = [name for name in nonempty if name not in known]
    new_share = len(new) / max(1, len(nonempty))
    print(f"\nheld-out: {nats:.4f} nats/char ({nats / np.log(2):.4f} bits/char, perplexity {np.exp(nats):.3f})")
    print(f"generated {len(generated)} names at temperature {args.temperature}: "
          f"{len(nonempty)} non-empty, {new_share:.1%} not in the training list")

    # --------------------------------------------------------------- Sample
    print("Sampling " + "-" * 50)
    for name in generated[:12]:
        print(f"-> {name}{'' if name in known else '   (new)'}")

    # ------------------------------------------------------------------ Save
    generator.card = {
        "task": "plant name generation (character language model)",
        "model": model.name, "parameters": model.count_params(), "hidden_units": args.hidden_units,
        "embedding_dim": args.embedding_dim, "num_layers": args.num_layers,
        "data": args.data or "UCI plants (plants.data)", "distinct_names": len(names),
        "held_out_names": len(held_out_names), "epochs": len(history.history["loss"]),
        "batch_size": args.batch_size, "learning_rate": args.learning_rate,
        "backend": keras.backend.backend(), "seed": args.seed, "wall_time_s": harness.elapsed(args),
        "held_out": {"nats_per_char": nats, "bits_per_char": nats / np.log(2), "perplexity": float(np.exp(nats))},
        "generated": {"count": len(generated), "temperature": args.temperature, "new_share": new_share,
                      "examples": generated[:12]},
        "command": args.command,
    }
    generator.save(output_dir)
    plot_history(history, os.path.join(output_dir, "training_curve.png"), title="plant-name LSTM")
    print(f"saved to {output_dir} in {harness.elapsed(args)} s")


if __name__ == "__main__":
    harness.run(main)
