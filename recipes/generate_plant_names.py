"""Invent plant names with a character LSTM trained on the USDA list of plant names.

The seed notebook's char-RNN (embedding -> 3-layer LSTM -> dense) on UCI
plant names. The distinct (lower-cased) names are split three ways by name,
80/10/10 by default: the model trains on the first part, the validation names
pick the best epoch, and the test names are scored once, at the end. Within
each part the names are in a seeded random order and joined by newlines, so
the model learns where a name ends; generation starts after a newline and
stops at the next one. We report validation and test nats/char (bits/char,
perplexity), scored over each part's whole text with the state carried from
name to name, and the share of generated names that are new (not in the
training list). The model, its card (`card.json`) and training curve go to
`<output-dir>/lstm/`.

    python recipes/generate_plant_names.py --backend jax
    python recipes/generate_plant_names.py --quick
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

QUICK_SPLIT_SIZES = (2400, 300, 300)  # names kept of train, validation, test with --quick
TEST_SLICE_NAMES = 300  # the card's test_slice: the first names of the test part


def parse_args(argv=None):
    parser = harness.make_parser("generate_plant_names", __doc__.splitlines()[0], epochs=12, batch_size=64)
    parser.add_argument("--hidden-units", type=harness.positive_int, default=256, help="size of each LSTM state")
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=32, help="character embedding size")
    parser.add_argument("--num-layers", type=harness.positive_int, default=3, help="stacked LSTM layers (seed: 3)")
    parser.add_argument("--sequence-length", type=harness.positive_int, default=64,
                        help="characters per training window")
    harness.add_split_flags(parser, "share of the distinct names that picks the best epoch",
                            "share of the distinct names scored once, at the end")
    parser.add_argument("--num-samples", type=harness.positive_int, default=200,
                        help="names to generate for the novelty figure")
    parser.add_argument("--temperature", type=harness.positive_float, default=0.8, help="sampling temperature")
    args = harness.parse_args(parser, argv)
    if args.quick:
        args.hidden_units, args.num_layers, args.num_samples = 32, 1, 20
        args.epochs = args.epochs if harness.flag_given("--epochs", argv) else 1
    return args


def split_plant_names(names, fractions, seed, quick=False):
    """The distinct lower-cased names, split three ways by name, each part in a seeded random order.

    Args:
        names: plant names, as `kerasrnn.datasets.load_plants()` returns them.
        fractions: shares of train, validation and test, in distinct names.
        seed: seed of the split and of the order within each part.
        quick: keep only the first `QUICK_SPLIT_SIZES` names of each part.

    Returns:
        `(train, validation, test)`: three lists of names, no name in two of them.
    """
    import numpy as np

    from kerasrnn.data.splits import group_split

    distinct = sorted({name.lower() for name in names})
    rng = np.random.default_rng(seed)
    parts = [[distinct[i] for i in rng.permutation(part)] for part in group_split(distinct, fractions, seed=seed)]
    if quick:
        parts = [part[:size] for part, size in zip(parts, QUICK_SPLIT_SIZES)]
    return tuple(parts)


def join_names(names):
    """Names as the model reads them: each one preceded and the last one followed by a newline."""
    from kerasrnn.tasks.name_generator import NAME_SEPARATOR

    return NAME_SEPARATOR + NAME_SEPARATOR.join(names) + NAME_SEPARATOR


def nats_per_char(model, vocabulary, text):
    """Mean next-character cross-entropy (nats) over `text`, read in one pass from a zero state.

    The state is carried across the whole text, so this is the number
    `LanguageModel.score` gives, from one batched forward pass instead of
    one compiled step per character. Characters the vocabulary lacks are read
    as `<unk>` and scored too.
    """
    import numpy as np

    ids = np.asarray(vocabulary.encode(text), dtype="int32")
    if len(ids) < 2:
        raise ValueError(f"`text` must hold at least 2 characters to score, received {len(ids)}")
    logits = model.predict(ids[None, :-1], batch_size=1, verbose=0)[0].astype("float64")  # (time, vocabulary)
    largest = logits.max(axis=-1)
    log_normalizer = largest + np.log(np.exp(logits - largest[:, None]).sum(axis=-1))
    return float(np.mean(log_normalizer - logits[np.arange(len(ids) - 1), ids[1:]]))


def split_metrics(model, vocabulary, names):
    """nats/char, bits/char and perplexity of a part's names joined as in training."""
    import math

    text = join_names(names)
    nats = nats_per_char(model, vocabulary, text)
    return {"nats_per_char": nats, "bits_per_char": nats / math.log(2), "perplexity": math.exp(nats),
            "names": len(names), "characters": len(text), "unknown_chars": vocabulary.count_unknown(text)}


def score_test_slice(task, card):
    """The card's `test_slice`: nats/char of the first 300 test names joined as in training.

    The test part is rebuilt from the default data (`load_plants()`) with
    the seed, fractions and `quick` setting of `card["training"]`.
    """
    import kerasrnn
    from kerasrnn.data.splits import fingerprint

    settings = card["training"]
    if settings.get("data_file"):
        raise ValueError("this model was trained on a --data file; its test slice can be rebuilt from that file only")
    _, _, test = split_plant_names(kerasrnn.datasets.load_plants(), settings["fractions"], settings["seed"],
                                   quick=settings.get("quick", False))
    names = test[:TEST_SLICE_NAMES]
    return {"size": len(names), "unit": "names", "metric": "nats_per_char",
            "value": nats_per_char(task.model, task.vocabulary, join_names(names)), "sha256": fingerprint(names)}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras

    import kerasrnn
    from kerasrnn.cards import make_card, training_record, validate_card
    from kerasrnn.data.splits import describe_splits
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.training import check_no_nan, plot_history, recurrent_optimizer, restore_best, standard_callbacks

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    all_names = kerasrnn.datasets.load_plants(args.data)
    train_names, validation_names, test_names = split_plant_names(all_names, args.fractions, args.seed, args.quick)
    train_text = join_names(train_names)
    vocabulary = kerasrnn.text.Vocabulary.build(train_text, level="char")
    print(f"{len(all_names):,} plant names; distinct names: {len(train_names):,} train, "
          f"{len(validation_names):,} validation, {len(test_names):,} test; {vocabulary}")
    train = kerasrnn.data.make_language_model_dataset(
        vocabulary.encode(train_text), args.sequence_length, args.batch_size, seed=args.seed)
    validation = kerasrnn.data.make_language_model_dataset(
        vocabulary.encode(join_names(validation_names)), args.sequence_length, args.batch_size, shuffle=False,
        drop_remainder=False)
    splits = describe_splits("names", "distinct lower-cased name", args.fractions,
                             train=train_names, validation=validation_names, test=test_names)

    # ----------------------------------------------------------------- Model
    model = kerasrnn.models.build_language_model(
        vocabulary.size, cell_type="lstm", embedding_dim=args.embedding_dim, hidden_units=args.hidden_units,
        num_layers=args.num_layers, name="plant_name_lstm")
    steps = int(train.cardinality()) * args.epochs
    model.compile(optimizer=recurrent_optimizer(args.learning_rate, decay_steps=steps),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    print(f"Model: {model.name} ({model.count_params():,} params)")

    # ----------------------------------------------------------------- Train
    output_dir = os.path.join(args.output_dir, "lstm")
    callbacks = standard_callbacks(output_dir, tensorboard=args.tensorboard, train_data=train)
    history = model.fit(train, validation_data=validation, epochs=args.epochs, callbacks=callbacks,
                        verbose=2 if args.quick else "auto")
    check_no_nan(callbacks, output_dir)
    restore_best(model, output_dir)  # the epoch with the lowest validation loss, not the last
    wall_time_s = harness.elapsed(args)

    # -------------------------------------------------------------- Evaluate
    metrics = {"validation": split_metrics(model, vocabulary, validation_names)}
    metrics["test"] = split_metrics(model, vocabulary, test_names)  # once, on the chosen epoch
    for part in ("validation", "test"):
        row = metrics[part]
        print(f"{part}: {row['nats_per_char']:.4f} nats/char ({row['bits_per_char']:.4f} bits/char, "
              f"perplexity {row['perplexity']:.3f}) over {row['names']:,} names")

    # --------------------------------------------------------------- Sample
    generator = kerasrnn.tasks.NameGenerator(model, vocabulary)
    generated = generator.generate_names(args.num_samples, temperature=args.temperature, seed=args.seed)
    known = set(train_names)
    nonempty = [name for name in generated if name]
    novel_share = sum(name not in known for name in nonempty) / max(1, len(nonempty))
    metrics["generated"] = {"count": len(generated), "non_empty": len(nonempty), "temperature": args.temperature,
                            "novel_share": novel_share}
    print(f"generated {len(generated)} names at temperature {args.temperature}: "
          f"{len(nonempty)} non-empty, {novel_share:.1%} not in the training list")
    print("Sampling " + "-" * 50)
    for name in generated[:12]:
        print(f"-> {name}{'' if name in known else '   (new)'}")

    # ------------------------------------------------------------------ Save
    card_fields = dict(
        task="plant name generation (character language model)",
        model={"name": model.name, "architecture": f"character embedding {args.embedding_dim} -> {args.num_layers} x "
                                                   f"LSTM {args.hidden_units} -> dense softmax",
               "parameters": model.count_params(), "cell": "lstm", "hidden_units": args.hidden_units,
               "embedding_dim": args.embedding_dim, "num_layers": args.num_layers,
               "vocabulary_size": vocabulary.size},
        data={"source": (f"local file {os.path.basename(args.data)}" if args.data
                         else "UCI Machine Learning Repository, Plants (names from the USDA PLANTS database)"),
              "url": kerasrnn.datasets.plants.PLANTS_URL, "licence": "CC BY 4.0 (UCI Machine Learning Repository)",
              "splits": splits},
        training=training_record(
            args.command, wall_time_s, seed=args.seed, fractions=args.fractions, quick=args.quick,
            data_file=bool(args.data), epochs=args.epochs, batch_size=args.batch_size,
            learning_rate=args.learning_rate, sequence_length=args.sequence_length,
            best_epoch="lowest validation loss"),
        metrics={**metrics, "protocol": "each part's names in a seeded random order, joined by newlines, read in "
                                        "one pass from a zero state with the state carried from name to name"},
        headline={"metric": "nats_per_char", "split": "test", "value": metrics["test"]["nats_per_char"],
                  "better": "lower"},
        test_slice=None,  # filled in below, from the saved model
        samples=[{"temperature": args.temperature, "text": name, "novel": name not in known}
                 for name in generated[:12]],
        intended_use="inventing plausible Latin-looking plant names, and scoring how plant-like a name reads; "
                     "a teaching example of a character language model",
        limitations=[
            "a generated name is not a real taxon, even when it looks like one or matches one",
            f"{1 - novel_share:.0%} of the names generated at temperature {args.temperature} copy a training "
            "name verbatim",
            "trained on the lower-cased names of North American plants (USDA PLANTS): genera, species, "
            "subspecies, varieties and hybrids; other naming traditions score poorly",
            "characters absent from the training names are read as <unk>",
        ],
    )
    generator.card = make_card(**card_fields)
    generator.save(output_dir)
    card_fields["test_slice"] = score_test_slice(kerasrnn.load(output_dir), generator.card) if not args.data else None
    generator.card = make_card(**card_fields)
    atomic_write_json(os.path.join(output_dir, "card.json"), validate_card(generator.card))
    if generator.card["test_slice"]:
        print(f"test slice: {generator.card['test_slice']['value']:.4f} nats/char over the first "
              f"{generator.card['test_slice']['size']} test names")
    plot_history(history, os.path.join(output_dir, "training_curve.png"), title="plant-name LSTM")
    print(f"saved to {output_dir} in {harness.elapsed(args)} s")


if __name__ == "__main__":
    harness.run(main)
