"""Word vectors with skip-gram and negative sampling (word2vec) on Shakespeare, compared with gensim.

Reads a text as a stream of lower-case words (punctuation dropped, words seen
fewer than `--min-count` times left out), subsamples frequent words, and
trains a `Word2Vec` model (two embedding tables, target and context) with
`SkipGramTrainer`: the seeds' skip-gram with negative sampling, trained as the
word2vec reference does, with plain SGD whose per-pair learning rate starts at
`--learning-rate` (0.025) and decays linearly to 0.0001, updating only the
rows of the words in play, `--batch-size` centre words at a time, in one
compiled loop per epoch.

Then it prints the nearest neighbours of a few words, the Spearman correlation
of the vectors' cosines with human judgements on WordSim353 and SimLex-999
(the pairs in gensim's test data; pairs with a word outside the vocabulary
are skipped and counted), and, when gensim is installed, the same scores and
the training speed of gensim's `Word2Vec` trained on the same words with the
same settings (sg=1, negative, window, vector size, epochs, min_count, sample,
learning rate). It saves a `WordVectors` task (`kerasrnn.load`), its card, a
2-D PCA map of the frequent words, the training curve and the vectors in
word2vec's text format (`vectors.txt.gz`, which gensim reads) in the output
directory.

There is no train / validation / test split: word2vec learns from the whole
text without labels, and nothing is chosen on a held-out part. The word-
similarity benchmarks, which no setting was tuned on, are its test; the
card's headline is the WordSim353 Spearman correlation (and its `test_slice`
recomputes it from the saved vectors with `score_test_slice`). Without gensim
(whose test data holds the benchmarks) the model is saved without a card.

With no `--data`, the text is the copy of tiny-shakespeare shipped inside the
package, so this runs with no network. Only a small share of the benchmark
pairs have both words among Shakespeare's frequent words (the coverage is
printed and kept in the card), so these scores are noisy.

    python recipes/word2vec.py --backend jax
    python recipes/word2vec.py --data my_corpus.txt --embedding-dim 200 --min-count 10 --epochs 5
    python recipes/word2vec.py --quick    # seconds: a smoke test
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

from kerasrnn.cli import DeprecatedFlag  # noqa: E402  (imports no Keras)

# word2vec's and gensim's final per-example learning rate (their `min_alpha`).
FINAL_LEARNING_RATE = 1e-4
NEIGHBOUR_WORDS = "king,queen,love,death,sword,night,father,heaven,gold,horse"
HEADLINE_BENCHMARK = "WordSim353"


def non_negative_float(text):
    """argparse type: a finite float >= 0."""
    import argparse

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, received {text!r}") from None
    if not 0 <= value < float("inf"):
        raise argparse.ArgumentTypeError(f"expected a number >= 0, received {text!r}")
    return value


def parse_args(argv=None):
    parser = harness.make_parser(
        "word2vec", __doc__.splitlines()[0], epochs=20, batch_size=512, text_data=True)
    parser.set_defaults(learning_rate=0.025)
    for action in parser._actions:  # argparse has no public way to reword an inherited flag's help
        if action.dest == "learning_rate":
            action.help = "initial SGD learning rate per example (word2vec's alpha), decayed linearly to 0.0001"
        if action.dest == "batch_size":
            action.help = "centre words updated together (larger is faster; 4096 diverges at the default rate)"
    parser.add_argument("--embedding-dim", type=harness.positive_int, default=100, help="size of each word vector")
    parser.add_argument("--window", type=harness.positive_int, default=5,
                        help="largest distance between a word and a context word (the radius is drawn in "
                             "[1, window] for each word)")
    parser.add_argument("--negatives", type=harness.positive_int, default=5,
                        help="negative samples per (word, context) pair, drawn from unigram counts ** 0.75")
    parser.add_argument("--min-count", type=harness.positive_int, default=5, help="ignore words seen fewer times")
    parser.add_argument("--subsample", type=non_negative_float, default=1e-3,
                        help="threshold for dropping occurrences of frequent words (0 keeps them all)")
    parser.add_argument("--words", default=NEIGHBOUR_WORDS,
                        help="comma-separated words whose nearest neighbours are printed")
    parser.add_argument("--top-k", type=harness.positive_int, default=8, help="neighbours printed per word")
    parser.add_argument("--topn", action=DeprecatedFlag, new_flag="--top-k", dest="top_k", type=harness.positive_int)
    parser.add_argument("--plot-words", type=harness.positive_int, default=150,
                        help="how many of the most frequent words the 2-D map shows")
    parser.add_argument("--no-gensim", action="store_true", help="skip the comparison with gensim")
    args = harness.parse_args(parser, argv)
    args.words = [word.strip() for word in args.words.split(",") if word.strip()]
    if args.tensorboard or args.data_parallel:
        parser.error("--tensorboard and --data-parallel do not apply to word2vec: it trains with SkipGramTrainer "
                     "(one compiled SGD loop per epoch, seconds in all), not model.fit")
    if args.quick:  # a smaller run, except for the settings given on the command line
        quick = {"epochs": 2, "batch_size": 512, "embedding_dim": 32, "min_count": 3, "plot_words": 60}
        for name, value in quick.items():
            if getattr(args, name) == parser.get_default(name):
                setattr(args, name, value)
    return args


def train_gensim(tokens, args):
    """Gensim's skip-gram on the same words and settings; returns (KeyedVectors, training seconds)."""
    import time

    from gensim.models import Word2Vec as GensimWord2Vec

    # The same token stream, cut into gensim's longest "sentence" (10,000 words): windows cross
    # line ends in both models, and only these cuts differ.
    sentences = [tokens[start:start + 10_000] for start in range(0, len(tokens), 10_000)]
    model = GensimWord2Vec(
        vector_size=args.embedding_dim, window=args.window, negative=args.negatives, sg=1, hs=0,
        min_count=args.min_count, sample=args.subsample, alpha=args.learning_rate,
        min_alpha=min(FINAL_LEARNING_RATE, args.learning_rate), seed=args.seed, workers=os.cpu_count() or 1)
    model.build_vocab(sentences)
    started = time.perf_counter()
    model.train(sentences, total_examples=model.corpus_count, epochs=args.epochs)
    return model.wv, time.perf_counter() - started


def score_test_slice(task, card):
    """The card's `test_slice`: the WordSim353 Spearman correlation over the pairs the vectors cover.

    Needs only the saved vectors and WordSim353 from gensim's test data: the
    pairs whose two words are in the vocabulary are scored with
    `evaluate_word_pairs`, as the recipe scored them.
    """
    from kerasrnn.data.splits import fingerprint
    from kerasrnn.metrics.word_similarity import evaluate_word_pairs, read_word_pairs, word_similarity_benchmarks

    path = word_similarity_benchmarks().get(HEADLINE_BENCHMARK)
    if path is None:
        raise ValueError(f"the test slice needs {HEADLINE_BENCHMARK} from gensim's test data: pip install gensim")
    covered = [pair for pair in read_word_pairs(path) if pair[0] in task and pair[1] in task]
    if len(covered) < 2:
        raise ValueError(f"the vectors cover {len(covered)} {HEADLINE_BENCHMARK} pairs; a Spearman needs 2 or more")
    score = evaluate_word_pairs(covered, task.similarity, task)
    return {"size": len(covered), "unit": f"word pairs ({HEADLINE_BENCHMARK}, both words in the vocabulary)",
            "metric": "spearman", "value": score["spearman"], "sha256": fingerprint(covered)}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import math
    import time

    import keras

    import kerasrnn
    from kerasrnn.cards import make_card, training_record
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.metrics.word_similarity import evaluate_word_pairs, read_word_pairs, word_similarity_benchmarks
    from kerasrnn.plots import plot_word_map
    from kerasrnn.tasks.word_vectors import WordVectors
    from kerasrnn.text.word2vec import encode_words, word2vec_tokens, word_vocabulary
    from kerasrnn.training import SkipGramTrainer
    from kerasrnn.training import check_loss, plot_history

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    text, source = harness.load_text(args)
    if args.quick:
        text = text[:120_000]
    tokens = word2vec_tokens(text)
    words, counts = word_vocabulary(tokens, min_count=args.min_count)
    ids = encode_words(tokens, words)  # (words in the vocabulary,), rarer words left out
    print(f"{source}: {len(tokens):,} words, {len(words):,} seen at least {args.min_count} times "
          f"({len(ids):,} occurrences, {len(ids) / len(tokens):.1%} of the text); "
          f"most frequent: {', '.join(words[:8])}")
    print(f"each epoch subsamples the words, then pairs each kept word with the words within a random radius "
          f"of at most {args.window}, with {args.negatives} negatives; blocks of {args.batch_size} centre words")

    # ----------------------------------------------------------------- Model
    model = kerasrnn.models.Word2Vec(words, embedding_dim=args.embedding_dim, seed=args.seed, name="word2vec")
    trainer = SkipGramTrainer(
        model, counts=counts, window_size=args.window, num_negatives=args.negatives, subsample=args.subsample,
        learning_rate=args.learning_rate, final_learning_rate=min(FINAL_LEARNING_RATE, args.learning_rate),
        block_size=args.batch_size, seed=args.seed)
    print(f"\nModel: word2vec skip-gram, {len(words):,} words x {args.embedding_dim} dimensions "
          f"({model.count_params():,} params, target and context tables)")

    # ----------------------------------------------------------------- Train
    started = time.perf_counter()
    history = trainer.fit(ids, epochs=args.epochs, verbose=1)
    train_seconds = time.perf_counter() - started
    # The untrained model's loss is (1 + negatives) ln 2 a pair: its context vectors start at zero.
    start_loss = (1 + args.negatives) * math.log(2)
    for epoch, loss in enumerate(history["loss"]):
        check_loss(loss, start_loss, f"epoch {epoch + 1} (per epoch: {history['loss']})",
                   advice="lower --learning-rate or --batch-size")
    words_per_second = len(ids) * args.epochs / train_seconds
    print(f"trained {args.epochs} epochs over {len(ids):,} words in {train_seconds:.1f} s: "
          f"{words_per_second:,.0f} words/s (compilation included)")

    # ------------------------------------------------------------- Evaluate
    vectors = WordVectors(model, min_count=args.min_count)
    print(f"\nNearest neighbours (cosine) " + "-" * 40)
    neighbours = {}
    for word in args.words:
        if word not in vectors:
            print(f"{word:>10}: not in the vocabulary")
            continue
        neighbours[word] = vectors.most_similar(word, top_k=args.top_k)
        print(f"{word:>10}: " + ", ".join(f"{other} {cosine:.2f}" for other, cosine in neighbours[word]))

    benchmarks = {name: read_word_pairs(path) for name, path in word_similarity_benchmarks().items()}
    scores = {name: evaluate_word_pairs(pairs, vectors.similarity, vectors) for name, pairs in benchmarks.items()}
    gensim_scores, gensim_words_per_second = {}, None
    if not benchmarks:
        print("\ngensim is not installed: `pip install gensim` to score WordSim353 and SimLex-999 "
              "and to compare with gensim's word2vec")
    elif not args.no_gensim:
        print(f"\nTraining gensim's Word2Vec on the same {len(tokens):,} words with the same settings...")
        gensim_vectors, gensim_seconds = train_gensim(tokens, args)
        gensim_words_per_second = len(ids) * args.epochs / gensim_seconds
        gensim_scores = {name: evaluate_word_pairs(pairs, gensim_vectors.similarity, gensim_vectors.key_to_index)
                         for name, pairs in benchmarks.items()}
    if benchmarks:
        print("\nbenchmark      pairs  covered  Spearman kerasrnn" + ("  Spearman gensim" if gensim_scores else ""))
        for name, score in scores.items():
            line = f"{name:<12}{score['pairs']:>8}  {score['covered']:>7}  {score['spearman']:17.3f}"
            if gensim_scores:
                line += f"  {gensim_scores[name]['spearman']:15.3f}"
            print(line)
        if gensim_scores:
            print(f"gensim: Spearman WordSim353 {gensim_scores['WordSim353']['spearman']:.3f}, "
                  f"SimLex-999 {gensim_scores['SimLex-999']['spearman']:.3f}; "
                  f"training speed: kerasrnn {words_per_second:,.0f} words/s ({keras.backend.backend()}), "
                  f"gensim {gensim_words_per_second:,.0f} words/s ({os.cpu_count()} workers)")

    # ------------------------------------------------------------------ Save
    headline = scores.get(HEADLINE_BENCHMARK, {}).get("spearman", float("nan"))
    if math.isnan(headline):
        vectors.card = None
        print(f"no card: its headline, the {HEADLINE_BENCHMARK} Spearman correlation, could not be computed "
              + ("(gensim's test data is missing: pip install gensim)" if not benchmarks
                 else f"(only {scores[HEADLINE_BENCHMARK]['covered']} of its pairs are covered)"))
    else:
        coverage = " and ".join(f"{score['covered']} of the {score['pairs']} {name} pairs"
                                for name, score in scores.items())
        card_fields = dict(
            task="word vectors: skip-gram with negative sampling (word2vec)",
            model={"name": "word2vec", "architecture": f"target and context embedding tables, {len(words):,} words x "
                                                       f"{args.embedding_dim}; skip-gram with negative sampling",
                   "parameters": model.count_params(), "embedding_dim": args.embedding_dim,
                   "vocabulary_size": len(words), "window": args.window, "negatives": args.negatives,
                   "min_count": args.min_count, "subsample": args.subsample},
            data={"source": source if not args.data else f"local file {os.path.basename(args.data)}",
                  "url": kerasrnn.datasets.shakespeare.SHAKESPEARE_URL if not args.data else "none (a local file)",
                  "licence": "public domain (tiny-shakespeare, karpathy/char-rnn)" if not args.data else "unknown",
                  "splits": None, "words_in_text": len(tokens), "occurrences_in_vocabulary": len(ids),
                  "tokenization": "kerasrnn.text.word2vec_tokens"},
            training=training_record(
                args.command, harness.elapsed(args), seed=args.seed, epochs=args.epochs,
                batch_size=args.batch_size, learning_rate=args.learning_rate,
                final_learning_rate=min(FINAL_LEARNING_RATE, args.learning_rate),
                optimizer="SGD on the touched rows (SkipGramTrainer), per-pair learning rate decayed linearly",
                final_loss=float(history["loss"][-1]), training_seconds=round(train_seconds, 1),
                words_per_second=round(words_per_second), quick=args.quick, data_file=bool(args.data)),
            metrics={"test": scores,
                     "protocol": "Spearman correlation of cosine similarities with human scores, over the pairs "
                                 "whose two words are in the vocabulary (WordSim353 and SimLex-999 from gensim's "
                                 "test data)",
                     "gensim_same_settings": {"spearman": {name: score["spearman"] for name, score in
                                                           gensim_scores.items()},
                                              "words_per_second": round(gensim_words_per_second)}
                     if gensim_scores else None},
            headline={"metric": f"{HEADLINE_BENCHMARK} Spearman", "split": "test", "value": headline,
                      "better": "higher"},
            test_slice=None,
            samples=[{"word": word, "nearest": [[other, round(cosine, 4)] for other, cosine in found]}
                     for word, found in neighbours.items()],
            intended_use="exploring which words Shakespeare uses alike; a small, fast reference for training "
                         "word2vec with Keras",
            limitations=["no train / validation / test split: word2vec learns from the whole text without labels "
                         "and nothing was chosen on held-out data; the word-similarity benchmarks, never used "
                         "for tuning, serve as the test",
                         f"only {coverage} have both words in the vocabulary: the scores are noisy",
                         f"{len(words):,} words seen at least {args.min_count} times in one author's plays: "
                         "early-modern English, no vectors for other words"],
        )
        vectors.card = make_card(**card_fields)
    vectors.save(args.output_dir)
    card_path = os.path.join(args.output_dir, "card.json")
    if vectors.card is not None:  # the number anyone can recompute from the saved vectors
        card_fields["test_slice"] = score_test_slice(kerasrnn.load(args.output_dir), vectors.card)
        atomic_write_json(card_path, make_card(**card_fields))
    elif os.path.exists(card_path):
        os.remove(card_path)  # an earlier run's card would describe other vectors
    vectors.save_word2vec_format(os.path.join(args.output_dir, "vectors.txt.gz"))
    plot_word_map(vectors, words[: args.plot_words], os.path.join(args.output_dir, "word_map.png"),
                  title=f"The {min(args.plot_words, len(words))} most frequent words of {source} (PCA of the vectors)")
    plot_history({"loss": history["loss"]}, os.path.join(args.output_dir, "training_curve.png"),
                 title=f"word2vec on {source}")
    print(f"saved to {args.output_dir} (load with kerasrnn.load; vectors.txt.gz is in word2vec text format)")
    print(f"done in {harness.elapsed(args)} s")
    return vectors


if __name__ == "__main__":
    harness.run(main)
