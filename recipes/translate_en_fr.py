"""English to French translation with an attention-free LSTM encoder-decoder (Sutskever et al., 2014).

Trains `kerasrnn.models.seq2seq.Seq2Seq` on the Tatoeba English-French pairs of
manythings.org: words normalised with `normalize_sentence` (French apostrophes
and hyphens kept), sources reversed (the paper's trick), batches bucketed by
length, a padding-masked loss with label smoothing, Adam with a cosine
learning-rate decay. The held-out split is grouped by English sentence, so
every translation of a held-out sentence is unseen and serves as one of its
references. On the held-out sentences it prints the token accuracy under
teacher forcing, corpus BLEU (all references) for greedy search and beam
widths 1, 2, 4 and 8, decoding throughput, and a few translations; then saves
the translator (model, both vocabularies, card) for `kerasrnn.load`.

    python recipes/translate_en_fr.py --backend tensorflow   # the shipped model: 12 epochs, ~6 min each on a 2-core CPU
    python recipes/translate_en_fr.py --epochs 20 --hidden-units 512
    python recipes/translate_en_fr.py --max-pairs 20000 --epochs 1   # time one short epoch
    python recipes/translate_en_fr.py --quick                        # seconds: a smoke test

On a CPU, TensorFlow trains fastest: JAX runs as fast per step but compiles
the training step once per batch shape, and bucketing makes a few dozen.

Data: "www.manythings.org/anki and tatoeba.org" (CC-BY 2.0).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def parse_args(argv=None):
    parser = harness.make_parser("translate_en_fr", __doc__.splitlines()[0], epochs=12, batch_size=128)
    parser.add_argument("--max-length", type=harness.positive_int, default=10,
                        help="most words per sentence on either side; longer pairs are dropped")
    parser.add_argument("--truncate", action="store_true",
                        help="cut longer pairs to --max-length words instead of dropping them")
    parser.add_argument("--max-pairs", type=harness.positive_int, default=None,
                        help="train on a random subset of this many pairs (e.g. to time an epoch)")
    parser.add_argument("--source-vocabulary-size", type=harness.positive_int, default=6000,
                        help="English words kept, special tokens included (the rest read as <unk>)")
    parser.add_argument("--target-vocabulary-size", type=harness.positive_int, default=6000,
                        help="French words kept: the softmax size, the main cost per step")
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=128, help="word embedding size")
    parser.add_argument("--hidden-units", type=harness.positive_int, default=256, help="size of the recurrent state")
    parser.add_argument("--num-layers", type=harness.positive_int, default=2,
                        help="stacked recurrent layers in the encoder and the decoder")
    parser.add_argument("--cell", default="lstm",
                        help="recurrent layer kind: lstm, gru, simple_rnn, layernorm_rnn, layernorm_lstm, "
                             "layernorm_gru")
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout on embeddings and between layers")
    parser.add_argument("--label-smoothing", type=float, default=0.1, help="label smoothing of the loss")
    parser.add_argument("--reverse-source", action=argparse.BooleanOptionalAction, default=True,
                        help="feed the English sentence backwards (Sutskever et al., 2014)")
    parser.add_argument("--bucketing", action=argparse.BooleanOptionalAction, default=True,
                        help="batch pairs of similar length together (less padding)")
    parser.add_argument("--held-out-fraction", type=harness.fraction, default=0.05,
                        help="share of the English sentences (with all their translations) held out")
    parser.add_argument("--beam-widths", default="1,2,4,8", help="beam widths to evaluate")
    parser.add_argument("--length-penalty", type=float, default=0.6,
                        help="alpha of GNMT's length penalty ((5 + length) / 6) ** alpha")
    parser.add_argument("--bleu-sentences", type=harness.positive_int, default=2000,
                        help="held-out English sentences scored with BLEU (all, if fewer)")
    parser.add_argument("--decode-batch-size", type=harness.positive_int, default=64,
                        help="sentences decoded together")
    parser.add_argument("--num-examples", type=harness.positive_int, default=5, help="translations printed")
    parser.add_argument("--temperature", type=harness.positive_float, default=0.7,
                        help="temperature of the sampled translation printed with each example")
    args = harness.parse_args(parser, argv)
    try:
        args.beam_widths = sorted({int(width) for width in args.beam_widths.split(",") if width.strip()})
    except ValueError:
        parser.error(f"--beam-widths must be comma-separated integers, received {args.beam_widths!r}")
    if not args.beam_widths or min(args.beam_widths) < 1:
        parser.error(f"--beam-widths must be positive integers, received {args.beam_widths}")
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), received {args.dropout}")
    if not 0 <= args.label_smoothing < 1:
        parser.error(f"--label-smoothing must be in [0, 1), received {args.label_smoothing}")
    if args.length_penalty < 0:
        parser.error(f"--length-penalty must be >= 0, received {args.length_penalty}")
    if args.quick:
        args.epochs, args.max_length, args.max_pairs = 1, 5, args.max_pairs or 3000
        args.source_vocabulary_size = args.target_vocabulary_size = 1000
        args.embedding_dim = args.hidden_units = 32
        args.num_layers = 1
        args.bleu_sentences, args.num_examples, args.batch_size, args.beam_widths = 128, 2, 64, [1, 4]
        args.bucketing = False  # fewer batch shapes: JAX compiles the train step once per shape
    return args


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import time
    import warnings

    import keras
    import numpy as np

    from kerasrnn.data.translation import limit_pair_length, make_translation_dataset, split_pairs_by_source
    from kerasrnn.datasets.fra_eng import load_fra_eng
    from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
    from kerasrnn.metrics.bleu import corpus_bleu, sentence_bleu
    from kerasrnn.models.seq2seq import Seq2Seq, sequence_loss
    from kerasrnn.tasks.translator import Translator
    from kerasrnn.text.normalization import normalize_sentence
    from kerasrnn.text.vocabulary import Vocabulary
    from kerasrnn.training import check_no_nan, plot_history, recurrent_optimizer, standard_callbacks

    if args.cell not in RECURRENT_KINDS:
        raise ValueError(f"--cell must be one of {', '.join(RECURRENT_KINDS)}, received {args.cell!r}")
    keras.utils.set_random_seed(args.seed)
    # Bucketed tf.data batches have no known count: Keras says so once at the end of epoch 1, harmlessly.
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    backend = keras.backend.backend()
    print(f"backend: {backend}" + (f", devices: {keras.distribution.list_devices()}" if backend != "torch" else ""))

    # ------------------------------------------------------------------ Data
    raw_pairs = load_fra_eng(args.data)
    if args.quick:
        raw_pairs = raw_pairs[:20_000]  # the file is sorted by length: these are the short ones
    from tqdm import tqdm

    pairs = [(normalize_sentence(english).split(), normalize_sentence(french).split())
             for english, french in tqdm(raw_pairs, desc="normalising pairs", unit="pair", disable=args.quick)]
    empty = sum(1 for english, french in pairs if not english or not french)
    pairs = [(english, french) for english, french in pairs if english and french]
    pairs, long_pairs = limit_pair_length(pairs, args.max_length, truncate=args.truncate)
    what = "truncated" if args.truncate else "dropped"
    print(f"{len(raw_pairs):,} pairs; {long_pairs:,} longer than {args.max_length} words were {what}"
          + (f"; {empty:,} empty after normalising were dropped" if empty else ""))
    rng = np.random.default_rng(args.seed)
    if args.max_pairs and args.max_pairs < len(pairs):
        pairs = [pairs[i] for i in sorted(rng.choice(len(pairs), args.max_pairs, replace=False))]
        print(f"using a random subset of {len(pairs):,} pairs (--max-pairs)")

    # Held-out split grouped by English sentence: all its translations fall on the same side.
    train_pairs, held_out_pairs, held_out_sentences = split_pairs_by_source(pairs, args.held_out_fraction, rng)
    held_out_count = len(held_out_sentences)
    references = {}
    for english, french in held_out_pairs:
        references.setdefault(" ".join(english), []).append(" ".join(french))
    print(f"{len({' '.join(english) for english, _ in pairs}):,} distinct English sentences: "
          f"{len(train_pairs):,} pairs for training, {len(held_out_pairs):,} pairs ({held_out_count:,} sentences) "
          "held out")

    source_vocabulary = Vocabulary.build([" ".join(e) for e, _ in train_pairs], level="word",
                                         max_size=args.source_vocabulary_size)
    target_vocabulary = Vocabulary.build([" ".join(f) for _, f in train_pairs], level="word",
                                         max_size=args.target_vocabulary_size)
    unknown = sum(target_vocabulary.count_unknown(f) for _, f in train_pairs)
    target_tokens = sum(len(f) + 1 for _, f in train_pairs)  # words + </s> predicted per epoch
    print(f"[en] {source_vocabulary}, [fr] {target_vocabulary}: "
          f"{100 * unknown / target_tokens:.2f}% of the French training words are <unk>")

    def dataset(split, shuffle):
        boundaries = list(range(3, args.max_length + 2)) if args.bucketing else None
        return make_translation_dataset(
            [source_vocabulary.encode(e) for e, _ in split], [target_vocabulary.encode(f) for _, f in split],
            args.batch_size, target_vocabulary.start_id, target_vocabulary.end_id,
            reverse_source=args.reverse_source, bucket_boundaries=boundaries, shuffle=shuffle, seed=args.seed)

    train = dataset(train_pairs, shuffle=True)
    held_out = dataset(held_out_pairs, shuffle=False)

    # ----------------------------------------------------------------- Model
    steps_per_epoch = -(-len(train_pairs) // args.batch_size) + args.max_length  # + partial bucket batches
    learning_rate = keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=args.epochs * steps_per_epoch, alpha=0.05)
    with harness.setup_distribution(args):
        model = Seq2Seq(
            source_vocabulary.size, target_vocabulary.size, embedding_dim=args.embedding_dim,
            hidden_units=args.hidden_units, num_layers=args.num_layers, cell=args.cell, dropout=args.dropout,
            reverse_source=args.reverse_source, name=f"{args.cell}_seq2seq")
        model.compile(optimizer=recurrent_optimizer(learning_rate), loss=sequence_loss(args.label_smoothing),
                      weighted_metrics=["accuracy"])
    print(f"\nModel: {model.name} ({model.count_params():,} params)")

    # ----------------------------------------------------------------- Train
    class EpochTimer(keras.callbacks.Callback):
        """Seconds each epoch spends training (its validation excluded)."""

        def __init__(self):
            super().__init__()
            self.seconds, self.started = [], None

        def on_epoch_begin(self, epoch, logs=None):
            self.started = time.perf_counter()

        def on_test_begin(self, logs=None):
            if self.started is not None:
                self.seconds.append(time.perf_counter() - self.started)
                self.started = None

    timer = EpochTimer()
    callbacks = standard_callbacks(args.output_dir, tensorboard=args.tensorboard, train_data=train) + [timer]
    history = model.fit(train, validation_data=held_out, epochs=args.epochs, callbacks=callbacks,
                        verbose="auto" if sys.stdout.isatty() and not args.quick else 2)
    check_no_nan(callbacks, args.output_dir)
    for epoch, seconds in enumerate(timer.seconds, start=1):
        print(f"epoch {epoch}: {seconds:.1f} s of training, {target_tokens / seconds:,.0f} target tokens/s, "
              f"{len(train_pairs) / seconds:,.0f} pairs/s" + (" (includes compilation)" if epoch == 1 else ""))
    epoch_seconds = min(timer.seconds) if timer.seconds else float("nan")

    # -------------------------------------------------------------- Evaluate
    held_out_loss, held_out_accuracy = model.evaluate(held_out, verbose=0)
    print(f"\nheld-out (teacher forcing): loss {held_out_loss:.4f}"
          f"{' (label-smoothed)' if args.label_smoothing else ''}, token accuracy {held_out_accuracy:.4f}")

    translator = Translator(model, source_vocabulary, target_vocabulary)
    generator = translator.generator
    scored = held_out_sentences[: args.bleu_sentences]  # held-out English sentences, shuffled order
    sources = translator.encode(scored)
    scored_references = [references[s] for s in scored]
    batch = args.decode_batch_size

    def decode(width, sources):
        """Translate `sources` (id arrays) with greedy search (width None) or beam search."""
        texts, scores = [], []
        for start in range(0, len(sources), batch):
            chunk = sources[start:start + batch]
            if width is None:
                tokens, log_probs = generator.greedy(chunk, max_length=args.max_length + 1)
            else:
                tokens, log_probs = generator.beam_search(chunk, beam_width=width, max_length=args.max_length + 1,
                                                          length_penalty=args.length_penalty)
            texts.extend(translator.decode(tokens))
            scores.extend(float(s) for s in log_probs)
        return texts, scores

    strategies = [("greedy", None)] + [(f"beam {width}", width) for width in args.beam_widths]
    translations, bleu = {}, {}
    print(f"\ncorpus BLEU on {len(scored):,} held-out English sentences "
          f"({sum(len(r) for r in scored_references):,} references):")
    for name, width in strategies:
        started = time.perf_counter()
        translations[name] = decode(width, sources)
        bleu[name] = corpus_bleu(scored_references, translations[name][0])
        print(f"  {name:<8} BLEU {bleu[name]:6.2f}   ({time.perf_counter() - started:.1f} s, compilation included)")

    throughput = {}
    timed = sources[: max(batch, min(len(sources), 8 * batch))]
    for name, width in (("greedy", None), ("beam 4", 4)):
        decode(width, timed[:batch])  # make sure this shape is compiled
        started = time.perf_counter()
        decode(width, timed)
        throughput[name] = len(timed) / (time.perf_counter() - started)
        print(f"decoding throughput, {name}: {throughput[name]:,.0f} sentences/s "
              f"(batch {batch}, {len(timed)} sentences)")

    # ------------------------------------------------------------- Translate
    examples = scored[: args.num_examples]
    sampled = translator.sample(examples, temperature=args.temperature, seed=args.seed,
                                max_length=args.max_length + 1)
    print()
    for index, example in enumerate(examples):
        print(f"{example} (expected: {' | '.join(scored_references[index])})")
        for name, width in strategies:
            text, score = translations[name][0][index], translations[name][1][index]
            shown = "greedy" if width is None else f"beam=(width={width}, score={score:.4f})"
            print(f"-> BLEU: {sentence_bleu(scored_references[index], text):5.1f} | {shown} -> {text}")
        print(f"-> BLEU: {sentence_bleu(scored_references[index], sampled[index]):5.1f} | "
              f"sampled (temperature={args.temperature}) -> {sampled[index]}")
        print("-" * 60)

    # ------------------------------------------------------------------ Save
    translator.card = {
        "task": "English to French translation (attention-free encoder-decoder)",
        "model": model.name, "parameters": model.count_params(), "cell": args.cell,
        "embedding_dim": args.embedding_dim, "hidden_units": args.hidden_units, "num_layers": args.num_layers,
        "dropout": args.dropout, "label_smoothing": args.label_smoothing, "reverse_source": args.reverse_source,
        "data": "fra-eng (www.manythings.org/anki and tatoeba.org, CC-BY 2.0)",
        "max_length": args.max_length, "training_pairs": len(train_pairs), "held_out_pairs": len(held_out_pairs),
        "held_out_sentences": held_out_count, "source_vocabulary_size": source_vocabulary.size,
        "target_vocabulary_size": target_vocabulary.size, "batch_size": args.batch_size,
        "learning_rate": args.learning_rate, "epochs": len(history.history["loss"]), "bucketing": args.bucketing,
        "backend": backend, "seed": args.seed,
        "held_out": {
            "loss": held_out_loss, "token_accuracy": held_out_accuracy,
            "bleu_sentences": len(scored), "length_penalty": args.length_penalty,
            "corpus_bleu": {name.replace(" ", "_"): value for name, value in bleu.items()},
        },
        "speed": {
            "training_seconds_per_epoch": epoch_seconds,
            "training_target_tokens_per_second": target_tokens / epoch_seconds,
            "decoding_sentences_per_second": {name.replace(" ", "_"): v for name, v in throughput.items()},
            "decode_batch_size": batch,
        },
        "wall_time_s": harness.elapsed(args),
        "command": args.command,
    }
    translator.save(args.output_dir)
    plot_history(history, os.path.join(args.output_dir, "training_curve.png"), title=f"{model.name} on fra-eng")
    print(f"saved to {args.output_dir}")
    print(f"done in {harness.elapsed(args)} s")
    return translator.card


if __name__ == "__main__":
    harness.run(main)
