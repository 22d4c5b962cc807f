"""Name -> language of origin: an ensemble of character BiGRU + n-gram classifiers over 18 languages.

Reads a surname one character at a time and predicts which of 18 languages
it comes from (the seeds' many-to-one RNN on PyTorch's names data). Names are
normalised as the seeds do (accents stripped, lower case), each name counts
once per language, and the data is split three ways, 80/10/10 by default, by
distinct name and stratified by language, so no name is in two splits (a name
listed under several languages, such as "chan", is kept once per language,
all its copies in one split). Each model keeps its epoch with the lowest
validation loss; the model with the best validation accuracy is chosen; the
test names are scored once, at the end, on the chosen model only.

The default trains two kinds of model, 4 of each (seeds seed .. seed+3, 10
epochs each): bidirectional GRUs reading the characters beside 64 x 3
character 2/3/4-gram detectors (`--ngram-filters`, a char-CNN), and fastText
n-gram bags (`ngram_bag`: the mean vector of the name's hashed character
1-4-grams, `--bag-buckets` rows and `--bag-widths`, then one dense layer).
The two read names differently and make different mistakes, so the
`ensemble` candidate, which averages the probabilities of all 8, beats
either kind alone on validation and is chosen. One temperature fitted on the
validation names (`--temperature-scaling`) divides every member's logits so
the averaged probabilities are calibrated. Every choice (models, n-grams,
epochs, ensemble size, class weighting, temperature) was made on the
validation split: docs/experiments/classify_names.md has the measurements.
`--models` picks the kinds (`gru`, `bigru`, `bilstm`, `ngram_bag`;
`--members` each); with several kinds an `ensemble` candidate averages all
of them, and the best on validation accuracy is chosen.

Russian is about half of the names: `--class-weighting sqrt` (1/sqrt(class
size)) or `balanced` (1/class size) weighs the loss towards the small
languages, for every model or per model (`bigru=none,ngram_bag=sqrt`). On
validation it costs the BiGRUs 4 points of accuracy but lifts the n-gram
bags (accuracy 0.834 -> 0.843, macro-F1 0.47 -> 0.58), so the default weighs
the bags by 1/sqrt(class size) and leaves the recurrent models unweighted.
Accuracy (every name counts the same), macro-F1 (every language counts the
same) and the expected calibration error (are the probabilities honest?) are
printed side by side. Prints the top-3 languages of a few names, and saves
each candidate as a `NameClassifier` (`kerasrnn.load`, one classifier even
for an ensemble) with its training curve and validation confusion matrix
under `<output-dir>/<model>/`, the candidates' validation numbers in
`<output-dir>/comparison.json`, and every member's validation logits in
`<output-dir>/validation_logits.npz`. The chosen model's directory also
gets its card (`card.json`, validation and test metrics) and test confusion
matrix; with several candidates it is copied to `<output-dir>/best/`.

    python recipes/classify_names.py --backend jax --weights-dtype float16   # the shipped model, ~7 min
    python recipes/classify_names.py --models bigru,bilstm --members 1 --ngram-filters 0 --epochs 15
    python recipes/classify_names.py --quick    # seconds: a smoke test (2 tiny members)
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

MODELS = {
    # table name: (recurrent layer kind, bidirectional)
    "gru": ("gru", False),  # the seeds' one-directional reader
    "bigru": ("gru", True),
    "bilstm": ("lstm", True),
    "ngram_bag": (None, False),  # no recurrence: the mean vector of hashed character 1-4-grams (fastText)
}
DEFAULT_CLASS_WEIGHTING = {"ngram_bag": "sqrt"}  # chosen on validation; models not named: none
EXAMPLE_NAMES = "Dostoevsky,Nakamura,Schmidt,O'Neill,Rossi,Nguyen,Kowalski,García,Papadopoulos,Ślusàrski"
QUICK_NAMES_PER_LANGUAGE = 60  # --quick reads the first names of each language file
TEST_SLICE_NAMES = 300  # the card's test_slice: the first names of the test split
CALIBRATION_BINS = 15


def parse_args(argv=None):
    parser = harness.make_parser("classify_names", __doc__.splitlines()[0], epochs=10, batch_size=64)
    parser.add_argument("--models", default="bigru,ngram_bag",
                        help=f"comma-separated models to train, from {', '.join(MODELS)}")
    parser.add_argument("--hidden-units", type=harness.positive_int, default=128,
                        help="size of the recurrent state, per direction")
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=64, help="character embedding size")
    parser.add_argument("--num-layers", type=harness.positive_int, default=1, help="stacked recurrent layers")
    parser.add_argument("--dropout", type=float, default=0.3, help="dropout after each recurrent layer")
    harness.add_split_flags(parser, "share of each language's distinct names that picks epochs and the model",
                            "share of each language's distinct names scored once, at the end, on the chosen model")
    parser.add_argument("--class-weighting", default=None,
                        help="per-class loss weights, one of none, sqrt, balanced (none, 1/sqrt(class "
                             "size) or 1/class size, the last two scaled to a mean of 1 per name) for every model, "
                             "or per model as MODEL=WEIGHTING pairs, e.g. 'bigru=sqrt' (models not named: none); "
                             "default: ngram_bag=sqrt, the other models none")
    parser.add_argument("--ngram-filters", type=int, default=64,
                        help="character n-gram detectors per width (2, 3, 4) read beside the recurrent layer "
                             "(a char-CNN); 0 for none")
    parser.add_argument("--bag-buckets", type=harness.positive_int, default=2**15,
                        help="rows of the hashed n-gram table of the ngram_bag model")
    harness.add_weights_dtype_flag(parser)
    parser.add_argument("--bag-widths", default="1,2,3,4",
                        help="comma-separated character n-gram lengths the ngram_bag model hashes")
    parser.add_argument("--members", type=harness.positive_int, default=4,
                        help="models trained per entry of --models (seeds seed, seed+1, ...), saved as one "
                             "classifier that averages their probabilities")
    parser.add_argument("--select-by", choices=("loss", "accuracy"), default="loss",
                        help="keep each member's epoch with the lowest validation loss or the highest validation accuracy")
    parser.add_argument("--lr-schedule", choices=("constant", "cosine"), default="constant",
                        help="constant learning rate, or a cosine decay to 5%% of it over the epochs")
    parser.add_argument("--temperature-scaling", action=argparse.BooleanOptionalAction, default=True,
                        help="divide the chosen model's logits by one temperature fitted on the validation names")
    parser.add_argument("--keep-accents", action="store_true", help="do not strip accents (the seeds strip them)")
    parser.add_argument("--keep-case", action="store_true", help="do not lower-case names")
    parser.add_argument("--names", default=EXAMPLE_NAMES, help="comma-separated names to classify at the end")
    parser.add_argument("--top-k", type=harness.positive_int, default=3, help="languages shown per name")
    args = harness.parse_args(parser, argv)
    args.models = [m.strip() for m in args.models.split(",") if m.strip()]
    unknown = [m for m in args.models if m not in MODELS]
    if unknown or not args.models:
        parser.error(f"unknown model(s) {unknown or args.models}; choose from {', '.join(MODELS)}")
    if args.ngram_filters < 0:
        parser.error(f"--ngram-filters must be 0 or more, received {args.ngram_filters}")
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), received {args.dropout}")
    args.class_weighting = parse_class_weighting(parser, args.class_weighting, args.models)
    args.bag_widths = tuple(harness.number_list(parser, "--bag-widths", args.bag_widths, int, minimum=1))
    names = [name.strip() for name in args.names.split(",") if name.strip()]
    if not names:
        parser.error(f"--names must hold at least one name, received {args.names!r}")
    args.names = names
    if args.quick:
        args.models, args.epochs, args.hidden_units, args.embedding_dim = args.models[:1], 1, 16, 16
        args.class_weighting = {args.models[0]: args.class_weighting[args.models[0]]}
        args.members = min(args.members, 2)
        args.batch_size = 1024  # the quick subset is one batch: JAX compiles one train step, not two
    return args


def parse_class_weighting(parser, text, models):
    """`--class-weighting` as `{model: weighting}` for every model in `models`, or a one-line error.

    `text` is one weighting for all models (`sqrt`) or comma-separated
    `MODEL=WEIGHTING` pairs (`ngram_bag=sqrt`); models not named get `none`.
    `None` is the default: `DEFAULT_CLASS_WEIGHTING` for the models it names.
    Call after `harness.parse_args`, which picks the backend Keras starts with.
    """
    from kerasrnn.data.classification import CLASS_WEIGHTINGS

    if text is None:
        return {model: DEFAULT_CLASS_WEIGHTING.get(model, "none") for model in models}
    if "=" not in text:
        if text not in CLASS_WEIGHTINGS:
            parser.error(f"--class-weighting must be one of {', '.join(CLASS_WEIGHTINGS)} or MODEL=WEIGHTING pairs, "
                         f"received {text!r}")
        return {model: text for model in models}
    weightings = dict.fromkeys(models, "none")
    for pair in text.split(","):
        model, _, weighting = (part.strip() for part in pair.partition("="))
        if model not in models:
            parser.error(f"--class-weighting names {model!r}, which is not among --models {','.join(models)}")
        if weighting not in CLASS_WEIGHTINGS:
            parser.error(f"--class-weighting for {model} must be one of {', '.join(CLASS_WEIGHTINGS)}, "
                         f"received {weighting!r}")
        weightings[model] = weighting
    return weightings


def describe_class_weighting(weightings):
    """`{model: weighting}` in words: the one weighting when all models share it, else `model=weighting` pairs."""
    if len(set(weightings.values())) == 1:
        return next(iter(weightings.values()))
    return ",".join(f"{model}={weighting}" for model, weighting in weightings.items())


def load_split_examples(normalization, fractions, seed, quick=False, path=None):
    """The names data as examples, split three ways by distinct name and stratified by language.

    Args:
        normalization: `kerasrnn.text.normalize_name` options (`strip_accents`, `lowercase`).
        fractions: shares of train, validation and test, in distinct names.
        seed: seed of the split.
        quick: read only the first `QUICK_NAMES_PER_LANGUAGE` names of each language.
        path: a local names file or directory, or `None` for the default data.

    Returns:
        `(names, labels, languages, (train, validation, test))`, the last three
        sorted arrays of example indices (see `kerasrnn.data.names.split_names`).
    """
    from kerasrnn.datasets.names import load_names
    from kerasrnn.data.names import name_examples, split_names

    names_by_language = load_names(path)
    if quick:
        names_by_language = {language: names[:QUICK_NAMES_PER_LANGUAGE]
                             for language, names in names_by_language.items()}
    names, labels, languages = name_examples(names_by_language, normalization)
    return names, labels, languages, split_names(names, labels, fractions, seed=seed)


def classification_metrics(labels, probabilities, languages):
    """Accuracy, macro-F1, expected calibration error and per-language F1 of predicted probabilities."""
    import numpy as np

    from kerasrnn.metrics.classification import accuracy, expected_calibration_error, f1_scores, macro_f1

    predicted = np.argmax(probabilities, axis=-1)
    f1 = f1_scores(labels, predicted, num_classes=len(languages))
    return {"names": len(labels), "accuracy": accuracy(labels, predicted), "macro_f1": macro_f1(labels, predicted),
            "expected_calibration_error": expected_calibration_error(labels, probabilities, CALIBRATION_BINS),
            "f1_per_language": dict(zip(languages, f1.round(4).tolist()))}


def score_test_slice(task, card):
    """The card's `test_slice`: accuracy on the first 300 test names (in data order: languages alphabetically).

    The test split is rebuilt from the default data (`load_names()`) with the
    task's normalisation and the fractions, seed and `quick` setting of
    `card["training"]`.
    """
    import numpy as np

    from kerasrnn.data.splits import fingerprint
    from kerasrnn.metrics.classification import accuracy

    settings = card["training"]
    if settings.get("data_file"):
        raise ValueError("this model was trained on a --data file; its test slice can be rebuilt from that file only")
    names, labels, languages, (_, _, test) = load_split_examples(
        task.normalization, settings["fractions"], settings["seed"], quick=settings.get("quick", False))
    if languages != task.languages:
        raise ValueError(f"the data has the languages {languages}, the model {task.languages}")
    test = test[:TEST_SLICE_NAMES]
    examples = [(names[i], languages[labels[i]]) for i in test]
    predicted = np.argmax(task.probabilities([name for name, _ in examples]), axis=-1)
    return {"size": len(test), "unit": "names", "metric": "accuracy", "value": accuracy(labels[test], predicted),
            "sha256": fingerprint(examples)}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras
    import numpy as np

    import kerasrnn
    from kerasrnn.cards import make_card, training_record
    from kerasrnn.data.classification import class_weights, make_classification_dataset
    from kerasrnn.data.splits import describe_splits
    from kerasrnn.datasets.names import NAMES_URL
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.metrics.classification import confusion_matrix, fit_temperature
    from kerasrnn.models.sequence_classifier import build_ngram_bag_classifier, build_sequence_classifier
    from kerasrnn.plots import plot_confusion_matrix
    from kerasrnn.tasks import round_weights
    from kerasrnn.tasks.name_classifier import NameClassifier
    from kerasrnn.text.vocabulary import Vocabulary
    from kerasrnn.training import check_no_nan, plot_history, recurrent_optimizer, restore_best, standard_callbacks

    keras.utils.set_random_seed(args.seed)
    print(f"backend: {keras.backend.backend()}")

    # ------------------------------------------------------------------ Data
    normalization = {"strip_accents": not args.keep_accents, "lowercase": not args.keep_case}
    names, labels, languages, indices = load_split_examples(normalization, args.fractions, args.seed, args.quick,
                                                            path=args.data)
    parts = {part: ([names[i] for i in index], labels[index])
             for part, index in zip(("train", "validation", "test"), indices)}
    (train_names, train_labels), (validation_names, validation_labels), (test_names, test_labels) = parts.values()
    in_two = ((set(train_names) & set(validation_names)) | (set(train_names) & set(test_names))
              | (set(validation_names) & set(test_names)))  # empty: the split is by distinct name
    splits = describe_splits("names", "distinct name, stratified by language", args.fractions, **{
        part: [(name, languages[label]) for name, label in zip(*parts[part])] for part in parts})

    # Characters seen once in training (a stray digit or slash) are left to <unk>, so it is trained too.
    vocabulary = Vocabulary.build(train_names, level="char", min_count=2, specials=())
    counts = np.bincount(labels, minlength=len(languages))
    source = (f"local file {os.path.basename(os.path.normpath(args.data))}" if args.data
              else "PyTorch tutorial names (data.zip)")
    print(f"{source}: {len(languages)} languages, {len(names):,} distinct (name, language) pairs, "
          f"{len(set(names)):,} distinct names; {len(train_names):,} train, {len(validation_names):,} validation, "
          f"{len(test_names):,} test ({len(in_two)} names in two splits); {vocabulary}")
    print("largest classes: " + ", ".join(
        f"{languages[k]} {counts[k] / counts.sum():.0%}" for k in np.argsort(-counts)[:3]))

    # Trailing <pad> up to a multiple of 8 characters: batches then come in two or three lengths, so
    # JAX compiles the train step two or three times instead of once per name length.
    def encode(name):
        ids = vocabulary.encode(name)
        return np.pad(ids, (0, -len(ids) % 8))

    def make_train_data(seed, weighting):
        return make_classification_dataset(
            [encode(name) for name in train_names], train_labels, args.batch_size,
            class_weights=class_weights(train_labels, len(languages), weighting), shuffle=True, seed=seed)

    validation = make_classification_dataset(
        [encode(name) for name in validation_names], validation_labels, args.batch_size, shuffle=False)

    results, classifiers, all_members, member_logits = [], {}, [], {}
    strategy_scope = harness.setup_distribution(args)

    def evaluate(name, members, parameters, history=None):
        """Validation metrics of one candidate (a model, or an ensemble of members); saves it under name/."""
        output_dir = os.path.join(args.output_dir, name)
        classifier = NameClassifier(members, vocabulary, languages, normalization)
        probabilities = classifier.probabilities(validation_names)
        scores = classification_metrics(validation_labels, probabilities, languages)
        results.append({"model": name, "members": len(members), "parameters": parameters, "epochs": args.epochs,
                        "validation": {key: value for key, value in scores.items() if key != "f1_per_language"}})
        classifiers[name] = (classifier, scores)
        f1 = scores["f1_per_language"]
        print(f"{name}: validation accuracy {scores['accuracy']:.4f}, macro-F1 {scores['macro_f1']:.4f}, "
              f"ECE {scores['expected_calibration_error']:.4f}; weakest languages: "
              + ", ".join(f"{language} {f1[language]:.2f}" for language in sorted(f1, key=f1.get)[:3]))

        # ----------------------------------------------------------- Predict
        print(f"Predictions (top {args.top_k}) " + "-" * 40)
        for raw, best in zip(args.names, classifier.predict(args.names, top_k=args.top_k)):
            print(f"{raw:>14} -> " + ", ".join(f"{language} {p:.2f}" for language, p in best))

        # -------------------------------------------------------------- Save
        # No card yet: only the chosen model is tested and gets one.
        classifier.save(output_dir, weights_dtype=args.weights_dtype)
        if os.path.exists(os.path.join(output_dir, "card.json")):  # from an earlier run in this directory
            os.remove(os.path.join(output_dir, "card.json"))
        if history is not None:
            plot_history(history, os.path.join(output_dir, "training_curve.png"), title=f"{name} on {source}")
        matrix = confusion_matrix(validation_labels, np.argmax(probabilities, axis=-1), num_classes=len(languages))
        plot_confusion_matrix(matrix, languages, os.path.join(output_dir, "confusion_matrix_validation.png"),
                              title=f"{name}, validation: accuracy {scores['accuracy']:.3f}, "
                                    f"macro-F1 {scores['macro_f1']:.3f}")
        print(f"saved to {output_dir}")

    for name in args.models:
        output_dir = os.path.join(args.output_dir, name)
        cell_type, bidirectional = MODELS[name]
        members, first_history = [], None
        for member in range(args.members):
            seed = args.seed + member
            keras.utils.set_random_seed(seed)
            # One member trains in name/ (its checkpoints, backup and history.csv there); an ensemble's
            # members each in name/checkpoints/member_<i>/, left out of the best/ copy.
            work_dir = output_dir if args.members == 1 else os.path.join(output_dir, "checkpoints", f"member_{member}")
            train = make_train_data(seed, args.class_weighting[name])
            # --------------------------------------------------------- Model
            with strategy_scope:
                if cell_type is None:
                    model = build_ngram_bag_classifier(vocabulary.size, len(languages), args.embedding_dim,
                                                       args.bag_buckets, args.bag_widths, dropout=args.dropout,
                                                       name=name)
                else:
                    model = build_sequence_classifier(
                        vocabulary.size, len(languages), cell_type=cell_type, embedding_dim=args.embedding_dim,
                        hidden_units=args.hidden_units, num_layers=args.num_layers, bidirectional=bidirectional,
                        dropout=args.dropout, ngram_filters=args.ngram_filters, name=name)
                model.compile(
                    optimizer=recurrent_optimizer(
                        args.learning_rate,
                        decay_steps=args.epochs * int(train.cardinality()) if args.lr_schedule == "cosine" else None),
                    loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                    metrics=["accuracy"],
                )
            print(f"\nModel: {name}" + (f", member {member + 1} of {args.members} (seed {seed})"
                                         if args.members > 1 else "") + f" ({model.count_params():,} params)")

            # --------------------------------------------------------- Train
            started = time.monotonic()
            monitor = ("val_loss", "min") if args.select_by == "loss" else ("val_accuracy", "max")
            callbacks = standard_callbacks(work_dir, *monitor, tensorboard=args.tensorboard, train_data=train)
            history = model.fit(train, validation_data=validation, epochs=args.epochs, callbacks=callbacks,
                                verbose=2 if args.quick else "auto")
            check_no_nan(callbacks, work_dir)
            restore_best(model, work_dir)  # the epoch with the best validation loss (or accuracy), not the last
            if args.weights_dtype != "float32":
                round_weights(model, args.weights_dtype)  # as saved: every number below is the saved model's
            print(f"trained in {time.monotonic() - started:.0f} s")
            members.append(model)
            first_history = history if first_history is None else first_history
            member_logits[f"{name}_{member}"] = NameClassifier(model, vocabulary, languages, normalization
                                                                ).member_logits(validation_names)[0]
        all_members.extend(members)
        # ------------------------------------------------- Evaluate (validation)
        evaluate(name, members, sum(member.count_params() for member in members), first_history)

    if len(args.models) > 1:  # every member of every model, averaged
        evaluate("ensemble", all_members, sum(member.count_params() for member in all_members))
    np.savez(os.path.join(args.output_dir, "validation_logits.npz"), labels=validation_labels, **member_logits)

    # ------------------------------------------------ Choose on validation
    best = max(results, key=lambda row: row["validation"]["accuracy"])
    print(f"\nmodel       params  accuracy  macro-F1       ECE   (validation, {len(validation_names):,} names, "
          f"class weighting: {describe_class_weighting(args.class_weighting)})")
    for row in results:
        scores = row["validation"]
        print(f"{row['model']:<8}{row['parameters']:>10,}  {scores['accuracy']:8.4f}  {scores['macro_f1']:8.4f}  "
              f"{scores['expected_calibration_error']:8.4f}{'   <- chosen' if row is best else ''}")

    # --------------------------- Calibrate on validation: one temperature for the chosen model
    classifier, validation_scores = classifiers[best["model"]]
    output_dir = os.path.join(args.output_dir, best["model"])
    calibration = {"temperature": 1.0, "fitted_on": None}
    if args.temperature_scaling:
        logits = classifier.member_logits(validation_names)
        classifier.temperature = fit_temperature(logits, validation_labels)
        before = validation_scores["expected_calibration_error"]
        validation_scores = classification_metrics(
            validation_labels, classifier.probabilities(validation_names), languages)
        calibration = {"temperature": round(classifier.temperature, 4), "fitted_on": "validation",
                       "validation_expected_calibration_error_before": before}
        print(f"temperature {classifier.temperature:.3f} (fitted on validation): validation ECE {before:.4f} -> "
              f"{validation_scores['expected_calibration_error']:.4f} (same names as the fit; test shows the "
              f"honest figure)")
        classifier.save(output_dir, weights_dtype=args.weights_dtype)
    atomic_write_json(os.path.join(args.output_dir, "comparison.json"),
                      {"chosen_on_validation": best["model"], "chosen_by": "validation accuracy",
                       "class_weighting": args.class_weighting, "members": args.members,
                       "calibration": calibration, "command": args.command, "rows": results})

    # ------------------------------------------ Test: once, on the chosen model
    wall_time_s = harness.elapsed(args)
    probabilities = classifier.probabilities(test_names)
    test_scores = classification_metrics(test_labels, probabilities, languages)
    print(f"test ({len(test_names):,} names), {best['model']}: accuracy {test_scores['accuracy']:.4f}, "
          f"macro-F1 {test_scores['macro_f1']:.4f}, ECE {test_scores['expected_calibration_error']:.4f}")
    matrix = confusion_matrix(test_labels, np.argmax(probabilities, axis=-1), num_classes=len(languages))
    plot_confusion_matrix(matrix, languages, os.path.join(output_dir, "confusion_matrix_test.png"),
                          title=f"{best['model']}, test: accuracy {test_scores['accuracy']:.3f}, "
                                f"macro-F1 {test_scores['macro_f1']:.3f}")

    # ------------------------------------------------------------- Card
    kinds = args.models if best["model"] == "ensemble" else [best["model"]]
    members_per_kind = f"{args.members} x " if args.members > 1 else ""

    def describe(kind):
        if MODELS[kind][0] is None:
            return (f"{members_per_kind}(mean of {args.embedding_dim}-d vectors of hashed character "
                    f"{'/'.join(map(str, args.bag_widths))}-grams, "
                    f"{args.bag_buckets} buckets -> dropout {args.dropout} -> dense over {len(languages)} languages)")
        return (f"{members_per_kind}(character embedding {args.embedding_dim} -> {args.num_layers} x "
                f"{'bidirectional ' if MODELS[kind][1] else ''}{MODELS[kind][0].upper()} {args.hidden_units}"
                f"{' per direction' if MODELS[kind][1] else ''}"
                f"{f', beside {args.ngram_filters} x 3 character 2/3/4-gram detectors' if args.ngram_filters else ''}"
                f" -> dropout {args.dropout} -> dense over {len(languages)} languages)")

    architecture = " + ".join(describe(kind) for kind in kinds)
    if len(classifier.members) > 1:
        architecture += f", softmax(logits / {classifier.temperature:.3f}) averaged over {len(classifier.members)} models"
    cell_type, bidirectional = MODELS[kinds[0]]
    cell_type = cell_type or "none (n-gram bag)"
    weakest = sorted(test_scores["f1_per_language"], key=test_scores["f1_per_language"].get)[:3]
    card_fields = dict(
        task=f"name -> language of origin ({len(languages)} languages)",
        model={"name": best["model"],
               "architecture": architecture, "members": len(classifier.members),
               "temperature": classifier.temperature,
               "parameters": best["parameters"], "cell": cell_type, "bidirectional": bidirectional,
               "hidden_units": args.hidden_units, "embedding_dim": args.embedding_dim,
               "num_layers": args.num_layers, "dropout": args.dropout, "ngram_filters": args.ngram_filters,
               "bag_buckets": args.bag_buckets, "bag_widths": list(args.bag_widths),
               "weights_dtype": args.weights_dtype,
               "vocabulary_size": vocabulary.size,
               "languages": languages, "normalization": normalization},
        data={"source": source, "url": NAMES_URL, "licence": "BSD-3-Clause, as distributed with the PyTorch tutorials",
              "splits": splits},
        training=training_record(
            args.command, wall_time_s, seed=args.seed, fractions=args.fractions, quick=args.quick,
            data_file=bool(args.data), epochs=args.epochs, batch_size=args.batch_size,
            learning_rate=args.learning_rate, class_weighting=args.class_weighting,
            best_epoch="lowest validation loss" if args.select_by == "loss" else "highest validation accuracy",
            lr_schedule=args.lr_schedule, models_trained=args.models, members=args.members,
            temperature_scaling=calibration,
            chosen_on="validation accuracy (see comparison.json)"),
        metrics={"validation": validation_scores, "test": test_scores,
                 "calibration_bins": CALIBRATION_BINS},
        headline={"metric": "accuracy", "split": "test", "value": test_scores["accuracy"], "better": "higher"},
        test_slice=None,  # filled in below, from the saved model
        samples=[{"name": raw, "top": [[language, round(p, 4)] for language, p in ranked]}
                 for raw, ranked in zip(args.names, classifier.predict(args.names, top_k=args.top_k))],
        intended_use="guessing which of 18 languages a surname comes from, to explore and teach character "
                     "models; not for deciding anything about a person",
        limitations=[
            f"{len(languages)} languages only: a name from anywhere else still gets one of them",
            f"the classes are unbalanced ({languages[int(np.argmax(counts))]} is "
            f"{counts.max() / counts.sum():.0%} of the examples): accuracy favours the large classes, macro-F1 "
            f"shows the small ones (weakest on test: {', '.join(weakest)})",
            "a name listed under several languages is right in at most one of them, so accuracy stays below 1",
            "surnames in Latin script, accents stripped and lower-cased; other characters are read as <unk>",
            "the origin of a surname says nothing reliable about a person's nationality or ethnicity",
        ],
    )
    classifier.card = make_card(**card_fields)
    atomic_write_json(os.path.join(output_dir, "card.json"), classifier.card)
    if not args.data:
        card_fields["test_slice"] = score_test_slice(kerasrnn.load(output_dir), classifier.card)
        classifier.card = make_card(**card_fields)
        atomic_write_json(os.path.join(output_dir, "card.json"), classifier.card)
        print(f"test slice: accuracy {card_fields['test_slice']['value']:.4f} on the first "
              f"{card_fields['test_slice']['size']} test names")
    from kerasrnn.training import copy_best_model  # best/ is where the chosen classifier always lives

    print(f"chosen: {best['model']}, copied to {copy_best_model(args.output_dir, best['model'])}")
    print(f"card in {output_dir}; done in {harness.elapsed(args)} s")
    return results


if __name__ == "__main__":
    harness.run(main)
