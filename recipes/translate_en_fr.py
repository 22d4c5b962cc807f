"""English to French translation with an attention-free LSTM encoder-decoder (Sutskever et al., 2014).

Trains `kerasrnn.models.seq2seq.Seq2Seq` on the Tatoeba English-French pairs of
manythings.org: words normalised with `normalize_sentence` (French apostrophes
and hyphens kept), sources reversed (the paper's trick), batches bucketed by
length, a padding-masked loss with label smoothing, Adam with a cosine
learning-rate decay. The pairs are split three ways by English sentence
(90/5/5: translation needs the data, and 5% is still thousands of
sentences), so every translation of a validation or test sentence is unseen
and serves as one of its references. Training drops pairs longer than
`--max-length` words; validation and test keep every length. The validation
split picks the best epoch and the length penalty; the test split is
translated once, at the end: corpus BLEU (all references) for greedy search
and each beam width, decoding throughput and a few translations. Then the
translator (model, both vocabularies, card) is saved for `kerasrnn.load`.

    python recipes/translate_en_fr.py --backend torch --epochs 12 --batch-size 256 --learning-rate 0.003 \
        --warmup-epochs 1 --average-last 3 --subword-vocabulary-size 8000 --shared-subwords \
        --bidirectional-encoder --context-every-step --tie-embeddings --embedding-dim 256 \
        --hidden-units 256 --weights-dtype float16 --max-length 16   # the shipped model: 95 min of training
                                                                      # plus a few minutes of scoring (2-core CPU)
    python recipes/translate_en_fr.py --epochs 20 --hidden-units 512   # word vocabularies, no options
    python recipes/translate_en_fr.py --max-pairs 20000 --epochs 1   # time one short epoch
    python recipes/translate_en_fr.py --quick                        # seconds: a smoke test

Options beyond the paper's model, each off by default and all on in the
shipped model: a bidirectional first encoder layer with
a learned tanh bridge to the decoder's states (`--bidirectional-encoder`,
`--bridge`, `--decoder-hidden-units`), the encoder summary fed to every
decoder step and to the output layer (`--context-every-step`, Cho et al.,
2014), residual connections (`--residual`), tied target embeddings
(`--tie-embeddings`), a cased SentencePiece subword vocabulary trained on
the training split (`--subword-vocabulary-size`; the translator then reads
raw text and writes cased, detokenised French, scored with sacreBLEU too),
a learning-rate warm-up (`--warmup-epochs`) and the average of the last
epochs' weights (`--average-last`). The design stays attention-free.

On a 2-core CPU the three backends train this model within a few percent
of each other (`python benchmarks/run.py --only seq2seq`); PyTorch compiles
nothing, so the shipped model trains on it. JAX compiles the training step
once per batch shape, and bucketing makes a few dozen.

Data: "www.manythings.org/anki and tatoeba.org" (CC-BY 2.0).
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from kerasrnn.cli import DeprecatedFlag  # noqa: E402  (imports no Keras)


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
    parser.add_argument("--cell-type", default="lstm",
                        help="recurrent layer kind: lstm, gru, simple_rnn, layernorm_rnn, layernorm_lstm, "
                             "layernorm_gru")
    parser.add_argument("--cell", action=DeprecatedFlag, new_flag="--cell-type", dest="cell_type")
    parser.add_argument("--dropout", type=float, default=0.2, help="dropout on embeddings and between layers")
    parser.add_argument("--label-smoothing", type=float, default=0.1, help="label smoothing of the loss")
    parser.add_argument("--reverse-source", action=argparse.BooleanOptionalAction, default=True,
                        help="feed the English sentence backwards (Sutskever et al., 2014)")
    parser.add_argument("--bidirectional-encoder", action=argparse.BooleanOptionalAction, default=False,
                        help="read the English sentence both ways in the first encoder layer (implies --bridge)")
    parser.add_argument("--bridge", action=argparse.BooleanOptionalAction, default=None,
                        help="a learned tanh layer from the encoder's final states to the decoder's initial states "
                             "(default: on when the encoder is bidirectional or the sizes differ)")
    parser.add_argument("--decoder-hidden-units", type=harness.positive_int, default=None,
                        help="size of the decoder's states (default: --hidden-units; another size implies --bridge)")
    parser.add_argument("--context-every-step", action=argparse.BooleanOptionalAction, default=False,
                        help="feed the encoder summary to every decoder step and the output layer (Cho et al., 2014)")
    parser.add_argument("--residual", action=argparse.BooleanOptionalAction, default=False,
                        help="residual connections between stacked recurrent layers")
    parser.add_argument("--tie-embeddings", action=argparse.BooleanOptionalAction, default=False,
                        help="the output layer shares the French embedding matrix")
    parser.add_argument("--subword-vocabulary-size", type=int, default=0,
                        help="ids of a cased SentencePiece vocabulary per language, trained on the training split; "
                             "0 keeps the lower-cased word vocabularies")
    parser.add_argument("--subword-model", choices=("unigram", "bpe"), default="unigram",
                        help="SentencePiece model type")
    parser.add_argument("--shared-subwords", action=argparse.BooleanOptionalAction, default=False,
                        help="one subword vocabulary for both languages instead of one each")
    parser.add_argument("--warmup-epochs", type=float, default=0.0,
                        help="epochs of linear learning-rate warm-up before the cosine decay")
    parser.add_argument("--average-last", type=harness.positive_int, default=1,
                        help="keep the average of the weights of the last N epochs instead of the best epoch's")
    harness.add_weights_dtype_flag(parser)
    parser.add_argument("--bucketing", action=argparse.BooleanOptionalAction, default=True,
                        help="batch pairs of similar length together (less padding)")
    parser.add_argument("--validation-fraction", type=harness.fraction, default=0.05,
                        help="share of the English sentences (with all their translations) that picks the best "
                             "epoch and the length penalty")
    parser.add_argument("--test-fraction", type=harness.fraction, default=0.05,
                        help="share of the English sentences (with all their translations) translated once, "
                             "at the end")
    parser.add_argument("--beam-widths", default="4", help="beam widths evaluated on test besides greedy search")
    parser.add_argument("--length-penalties", default="0,0.6,1.0",
                        help="alphas of GNMT's length penalty ((5 + length) / 6) ** alpha tried with beam 4 on "
                             "validation; the best is kept")
    parser.add_argument("--bleu-sentences", type=harness.positive_int, default=2000,
                        help="validation and test English sentences scored with BLEU (all, if fewer)")
    parser.add_argument("--decode-batch-size", type=harness.positive_int, default=64,
                        help="sentences decoded together")
    parser.add_argument("--num-examples", type=harness.positive_int, default=5, help="translations printed")
    parser.add_argument("--temperature", type=harness.positive_float, default=0.7,
                        help="temperature of the sampled translation printed with each example")
    args = harness.parse_args(parser, argv)
    args.beam_widths = harness.number_list(parser, "--beam-widths", args.beam_widths, int, minimum=1)
    if not 0 <= args.dropout < 1:
        parser.error(f"--dropout must be in [0, 1), received {args.dropout}")
    if not 0 <= args.label_smoothing < 1:
        parser.error(f"--label-smoothing must be in [0, 1), received {args.label_smoothing}")
    args.length_penalties = harness.number_list(parser, "--length-penalties", args.length_penalties, float, minimum=0)
    if args.subword_vocabulary_size < 0 or 0 < args.subword_vocabulary_size < 16:
        parser.error(f"--subword-vocabulary-size must be 0 (words) or at least 16, received "
                     f"{args.subword_vocabulary_size}")
    if args.subword_vocabulary_size and args.truncate:
        parser.error("--truncate cuts word lists; with --subword-vocabulary-size long pairs are dropped")
    if args.warmup_epochs < 0:
        parser.error(f"--warmup-epochs must be >= 0, received {args.warmup_epochs}")
    if args.bridge is None:
        args.bridge = args.bidirectional_encoder or args.decoder_hidden_units not in (None, args.hidden_units)
    if args.quick:
        args.epochs, args.max_length, args.max_pairs = 1, 5, args.max_pairs or 3000
        args.source_vocabulary_size = args.target_vocabulary_size = 1000
        args.embedding_dim = args.hidden_units = 32
        args.num_layers = 1
        args.bleu_sentences, args.num_examples, args.batch_size = 128, 2, 64
        args.bucketing = False  # fewer batch shapes: JAX compiles the train step once per shape
        args.subword_vocabulary_size = min(args.subword_vocabulary_size, 500)
    return args


TEST_SLICE_SENTENCES = 200
DEMO_SENTENCES = ["I am cold.", "Where is the station?", "Tom is reading a book.",
                  "The weather is nice today, let us go for a walk in the park."]


def split_sentences(raw_pairs, fractions, seed, return_raw=False):
    """Normalise the pairs and split them three ways by English sentence.

    Returns `(train_pairs, references, order, dropped_empty)`: training pairs
    as `(english_words, french_words)`; `references["validation" | "test"]`,
    a dict from each English sentence of that split to all its French
    translations; `order[...]`, those English sentences in a seeded random
    order (what BLEU reads first); and how many pairs were empty. With
    `return_raw=True`, also `raw`: `raw["train"]` the raw (cased) pairs in the
    order of `train_pairs`, and `raw["validation" | "test"]` a dict from each
    normalised English sentence to `(its first raw English, all raw French)`.
    """
    import numpy as np

    from kerasrnn.data.splits import group_split
    from kerasrnn.text.normalization import normalize_sentence

    pairs = [(normalize_sentence(english).split(), normalize_sentence(french).split()) for english, french in raw_pairs]
    kept_indices = [i for i, (english, french) in enumerate(pairs) if english and french]
    kept = [pairs[i] for i in kept_indices]
    parts = group_split([" ".join(english) for english, _ in kept], fractions, seed=seed)
    train_pairs = [kept[i] for i in parts[0]]
    references, order = {}, {}
    raw = {"train": [tuple(raw_pairs[kept_indices[i]][:2]) for i in parts[0]]}
    for name, indices in (("validation", parts[1]), ("test", parts[2])):
        references[name], raw[name] = {}, {}
        for i in indices:
            english, french = kept[i]
            references[name].setdefault(" ".join(english), []).append(" ".join(french))
            raw_english, raw_french = raw_pairs[kept_indices[i]][:2]
            raw[name].setdefault(" ".join(english), (raw_english, []))[1].append(raw_french)
        sentences = sorted(references[name])
        order[name] = [sentences[i] for i in np.random.default_rng(seed).permutation(len(sentences))]
    if return_raw:
        return train_pairs, references, order, len(pairs) - len(kept), raw
    return train_pairs, references, order, len(pairs) - len(kept)


def corpus_bleu_of(translator, sentences, references, beam_width, length_penalty, batch_size=64, raw=None):
    """Translate `sentences` and score them against all their references; returns `(bleu, translations)`.

    A subword translator reads the raw English (`raw[sentence][0]`) and writes
    cased French, which is normalised like the references before scoring.
    """
    from kerasrnn.metrics.bleu import corpus_bleu
    from kerasrnn.text.normalization import normalize_sentence

    subword = translator.target_vocabulary.level == "subword"
    inputs = [raw[s][0] for s in sentences] if subword and raw is not None else sentences
    translations = translator.translate(inputs, beam_width=beam_width, length_penalty=length_penalty,
                                        batch_size=batch_size)
    hypotheses = [normalize_sentence(t) for t in translations] if subword else translations
    return corpus_bleu([references[s] for s in sentences], hypotheses), translations


def sacre_bleu_of(translations, raw_references):
    """sacreBLEU (13a tokenisation, cased) of detokenised translations against every raw reference.

    Returns `(score, signature)`, or `(None, why)` when sacrebleu is not installed.
    """
    try:
        import sacrebleu
    except ImportError:
        return None, "sacrebleu is not installed (pip install sacrebleu)"
    most = max(len(references) for references in raw_references)
    streams = [[references[k] if k < len(references) else None for references in raw_references]
               for k in range(most)]  # sacreBLEU reads one stream per reference; None where a sentence has fewer
    bleu = sacrebleu.metrics.BLEU()
    return bleu.corpus_score(translations, streams).score, str(bleu.get_signature())


def score_test_slice(task, card):
    """The card's `test_slice`: corpus BLEU with beam 4 on the first 200 test sentences, rebuilt from the data."""
    from kerasrnn.data.splits import fingerprint
    from kerasrnn.datasets.fra_eng import load_fra_eng

    settings = card["training"]
    if settings.get("data_file"):
        raise ValueError("this model was trained on --data; its test slice is rebuilt from that file only")
    raw_pairs = load_fra_eng()
    if settings.get("quick"):
        raw_pairs = raw_pairs[:20_000]
    _, references, order, _, raw = split_sentences(raw_pairs, settings["fractions"], settings["seed"], return_raw=True)
    sentences = order["test"][:TEST_SLICE_SENTENCES]
    bleu, _ = corpus_bleu_of(task, sentences, references["test"], 4, settings["length_penalty"], raw=raw["test"])
    return {"size": len(sentences), "unit": "English sentences", "metric": "corpus_bleu_beam_4", "value": bleu,
            "sha256": fingerprint([[s, references["test"][s]] for s in sentences])}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import time
    import warnings

    import numpy as np

    import keras

    from kerasrnn.cards import make_card, training_record
    from kerasrnn.data.splits import describe_splits
    from kerasrnn.data.translation import limit_pair_length, make_translation_dataset
    from kerasrnn.datasets.fra_eng import FRA_ENG_URL, load_fra_eng
    from kerasrnn.layers.recurrent_factory import RECURRENT_KINDS
    from kerasrnn.metrics.bleu import sentence_bleu
    from kerasrnn.models.seq2seq import Seq2Seq, sequence_loss
    from kerasrnn.tasks import round_weights
    from kerasrnn.tasks.translator import Translator
    from kerasrnn.text.normalization import normalize_sentence
    from kerasrnn.text.subword import SubwordVocabulary
    from kerasrnn.text.vocabulary import Vocabulary
    from kerasrnn.training import (EpochTimer, LastWeights, check_no_nan, full_history, plot_history,
                                   recurrent_optimizer, restore_best, standard_callbacks)

    if args.cell_type not in RECURRENT_KINDS:
        raise ValueError(f"--cell-type must be one of {', '.join(RECURRENT_KINDS)}, received {args.cell_type!r}")
    keras.utils.set_random_seed(args.seed)
    # Bucketed tf.data batches have no known count: Keras says so once at the end of epoch 1, harmlessly.
    warnings.filterwarnings("ignore", message="Your input ran out of data")
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    raw_pairs = load_fra_eng(args.data)
    if args.quick:
        raw_pairs = raw_pairs[:20_000]  # the file is sorted by length: these are the short ones
    train_pairs, references, order, empty, raw = split_sentences(raw_pairs, args.fractions, args.seed,
                                                                 return_raw=True)
    # Each training pair as (English words, French words, raw English, raw French): the word lists set the
    # length limit, whichever vocabulary the model reads.
    train_pairs = [(*words, *texts) for words, texts in zip(train_pairs, raw["train"])]
    train_pairs, long_pairs = limit_pair_length(train_pairs, args.max_length, truncate=args.truncate)
    validation_pairs, _ = limit_pair_length(
        [(english.split(), french.split(), raw["validation"][english][0], raw_french)
         for english, frenches in references["validation"].items()
         for french, raw_french in zip(frenches, raw["validation"][english][1])],
        args.max_length, truncate=True)  # cuts the word lists: word vocabularies' validation loss reads the
    # first --max-length words, subwords read the raw sentences whole; BLEU always reads every sentence whole
    if args.max_pairs and args.max_pairs < len(train_pairs):
        keep = np.random.default_rng(args.seed).choice(len(train_pairs), args.max_pairs, replace=False)
        train_pairs = [train_pairs[i] for i in sorted(keep)]
        print(f"training on a random subset of {len(train_pairs):,} pairs (--max-pairs)")
    what = "truncated" if args.truncate else "dropped"
    print(f"{len(raw_pairs):,} pairs" + (f" ({empty:,} empty after normalising dropped)" if empty else "")
          + f"; English sentences: validation {len(order['validation']):,}, test {len(order['test']):,}; "
          f"{len(train_pairs):,} training pairs ({long_pairs:,} longer than {args.max_length} words {what})")
    splits = describe_splits(
        "English sentences (with all their translations)", "English sentence", args.fractions,
        train=sorted({" ".join(pair[0]) for pair in train_pairs}),
        validation=[[s, references["validation"][s]] for s in sorted(references["validation"])],
        test=[[s, references["test"][s]] for s in sorted(references["test"])])

    if args.subword_vocabulary_size:
        # Cased SentencePiece pieces, trained on the training split only: raw text in, raw text out.
        size, kind = args.subword_vocabulary_size, args.subword_model
        if args.shared_subwords:
            source_vocabulary = target_vocabulary = SubwordVocabulary.train(
                [p[2] for p in train_pairs] + [p[3] for p in train_pairs], size, kind, seed=args.seed)
        else:
            source_vocabulary = SubwordVocabulary.train([p[2] for p in train_pairs], size, kind, seed=args.seed)
            target_vocabulary = SubwordVocabulary.train([p[3] for p in train_pairs], size, kind, seed=args.seed)
        source_text, target_text = (lambda pair: pair[2]), (lambda pair: pair[3])
    else:
        source_vocabulary = Vocabulary.build([" ".join(p[0]) for p in train_pairs], level="word",
                                             max_size=args.source_vocabulary_size)
        target_vocabulary = Vocabulary.build([" ".join(p[1]) for p in train_pairs], level="word",
                                             max_size=args.target_vocabulary_size)
        source_text, target_text = (lambda pair: pair[0]), (lambda pair: pair[1])
    target_ids = [target_vocabulary.encode(target_text(p)) for p in train_pairs]
    unknown = sum(int((ids == target_vocabulary.unk_id).sum()) for ids in target_ids)
    target_tokens = sum(len(ids) + 1 for ids in target_ids)  # tokens + </s> predicted per epoch
    max_target_tokens = max(len(ids) for ids in target_ids) + 1
    print(f"[en] {source_vocabulary}, [fr] {target_vocabulary}: "
          f"{100 * unknown / target_tokens:.2f}% of the French training tokens are <unk>")

    def dataset(split, shuffle):
        source_ids = [source_vocabulary.encode(source_text(p)) for p in split]
        target_ids = [target_vocabulary.encode(target_text(p)) for p in split]
        longest = max(max(len(ids) for ids in source_ids), max(len(ids) for ids in target_ids))
        boundaries = list(range(3, longest + 2)) if args.bucketing else None
        # Source and target padded to one length (a multiple of 4 for subwords): a few shapes to compile.
        return make_translation_dataset(
            source_ids, target_ids, args.batch_size, target_vocabulary.start_id, target_vocabulary.end_id,
            reverse_source=args.reverse_source, bucket_boundaries=boundaries, shuffle=shuffle, seed=args.seed,
            length_multiple=4 if args.subword_vocabulary_size else 1)

    train = dataset(train_pairs, shuffle=True)
    validation = dataset(validation_pairs, shuffle=False)

    # ----------------------------------------------------------------- Model
    buckets = max_target_tokens if args.subword_vocabulary_size else args.max_length
    steps_per_epoch = -(-len(train_pairs) // args.batch_size) + buckets  # + partial bucket batches
    warmup_steps = int(args.warmup_epochs * steps_per_epoch)
    learning_rate = keras.optimizers.schedules.CosineDecay(  # linear warm-up to the peak rate, then cosine
        0.0 if warmup_steps else args.learning_rate, decay_steps=max(1, args.epochs * steps_per_epoch - warmup_steps),
        alpha=0.05, warmup_target=args.learning_rate if warmup_steps else None, warmup_steps=warmup_steps)
    options = dict(decoder_hidden_units=args.decoder_hidden_units, bidirectional_encoder=args.bidirectional_encoder,
                   bridge=args.bridge, context_every_step=args.context_every_step, residual=args.residual,
                   tie_embeddings=args.tie_embeddings)
    with harness.setup_distribution(args):
        model = Seq2Seq(
            source_vocabulary.size, target_vocabulary.size, embedding_dim=args.embedding_dim,
            hidden_units=args.hidden_units, num_layers=args.num_layers, cell_type=args.cell_type, dropout=args.dropout,
            reverse_source=args.reverse_source, name=f"{args.cell_type}_seq2seq", **options)
        model.compile(optimizer=recurrent_optimizer(learning_rate), loss=sequence_loss(args.label_smoothing),
                      weighted_metrics=["accuracy"])
    print(f"\nModel: {model.name} ({model.count_params():,} params)")

    # ----------------------------------------------------------------- Train
    # Both records live beside the BackupAndRestore checkpoint, so a resumed run
    # still counts every epoch's time and averages the right weights.
    backup_dir = os.path.join(args.output_dir, "backup")
    timer, last_weights = EpochTimer(backup_dir), LastWeights(args.average_last, backup_dir)
    resumed_after_epoch = len(timer.seconds)  # 0 unless an interrupted run left its epochs in the backup
    callbacks = standard_callbacks(args.output_dir, tensorboard=args.tensorboard, train_data=train) + [timer]
    if args.average_last > 1:
        callbacks.append(last_weights)
    history = model.fit(train, validation_data=validation, epochs=args.epochs, callbacks=callbacks,
                        verbose="auto" if sys.stdout.isatty() and not args.quick else 2)
    check_no_nan(callbacks, args.output_dir)
    history = full_history(history, args.output_dir)  # with the epochs before a resume
    if args.average_last > 1 and last_weights.kept:
        model.set_weights(last_weights.average())  # the mean of the last epochs' weights
        print(f"weights: the average of the last {len(last_weights.kept)} epochs")
    else:
        restore_best(model, args.output_dir)  # the epoch with the best validation loss
    if args.weights_dtype != "float32":
        round_weights(model, args.weights_dtype)  # what the saved file holds, so every number below is its own
        print(f"weights: rounded to {args.weights_dtype}, as saved")
    for epoch, seconds in enumerate(timer.seconds, start=1):
        print(f"epoch {epoch}: {seconds:.1f} s of training, {target_tokens / seconds:,.0f} target tokens/s, "
              f"{len(train_pairs) / seconds:,.0f} pairs/s" + (" (includes compilation)" if epoch == 1 else ""))
    epoch_seconds = min(timer.seconds) if timer.seconds else float("nan")
    plot_history(history, os.path.join(args.output_dir, "training_curve.png"), title=f"{model.name} on fra-eng")

    # ------------------------------------- Length penalty, on validation
    translator = Translator(model, source_vocabulary, target_vocabulary)
    batch = args.decode_batch_size
    validation_loss, validation_accuracy = model.evaluate(validation, verbose=0)
    scored = order["validation"][: args.bleu_sentences]
    validation_bleu = {"greedy": corpus_bleu_of(translator, scored, references["validation"], 1, 0.0, batch,
                                                raw["validation"])[0]}
    print(f"\nvalidation: loss {validation_loss:.4f} (teacher forcing, pairs of <= {args.max_length} words), "
          f"token accuracy {validation_accuracy:.4f}; corpus BLEU on {len(scored):,} sentences: "
          f"greedy {validation_bleu['greedy']:.2f}")
    for alpha in args.length_penalties:
        validation_bleu[f"beam_4_alpha_{alpha:g}"] = corpus_bleu_of(
            translator, scored, references["validation"], 4, alpha, batch, raw["validation"])[0]
        print(f"  beam 4, length penalty {alpha:g}: BLEU {validation_bleu[f'beam_4_alpha_{alpha:g}']:.2f}")
    length_penalty = max(args.length_penalties, key=lambda alpha: validation_bleu[f"beam_4_alpha_{alpha:g}"])
    print(f"length penalty chosen on validation: {length_penalty:g}")

    # ------------------------------------------------ Test, once, at the end
    scored = order["test"][: args.bleu_sentences]
    scored_references = [references["test"][s] for s in scored]
    strategies = [("greedy", 1)] + [(f"beam {width}", width) for width in args.beam_widths if width > 1]
    test_bleu, translations, throughput, sacre_bleu = {}, {}, {}, {}
    print(f"\ntest: corpus BLEU on {len(scored):,} English sentences of every length "
          f"({sum(len(r) for r in scored_references):,} references), length penalty {length_penalty:g}:")
    for name, width in strategies:
        started = time.perf_counter()
        test_bleu[name], translations[name] = corpus_bleu_of(translator, scored, references["test"], width,
                                                             length_penalty, batch, raw["test"])
        throughput[name] = len(scored) / (time.perf_counter() - started)
        sacre_bleu[name], signature = sacre_bleu_of(translations[name], [raw["test"][s][1] for s in scored])
        sacre = f"sacreBLEU {sacre_bleu[name]:6.2f}" if sacre_bleu[name] is not None else ""
        print(f"  {name:<8} BLEU {test_bleu[name]:6.2f}   {sacre}  ({throughput[name]:,.0f} sentences/s, "
              "compilation included)")
    output = "cased subwords" if args.subword_vocabulary_size else "lower-cased words: a lower bound"
    print(f"sacreBLEU of the detokenised output ({output}) against the raw, cased references: {signature}")

    # ------------------------------------------------------------- Translate
    examples = scored[: args.num_examples]
    inputs = [raw["test"][s][0] for s in examples] if args.subword_vocabulary_size else examples
    sampled = translator.sample(inputs, temperature=args.temperature, seed=args.seed)
    as_words = normalize_sentence if args.subword_vocabulary_size else (lambda text: text)  # as the references
    print()
    for index, example in enumerate(examples):
        # A subword translator reads and writes cased text: show the raw sentence and references.
        source, expected = raw["test"][example] if args.subword_vocabulary_size else (example, scored_references[index])
        print(f"{source} (expected: {' | '.join(expected)})")
        for name, _ in strategies:
            text = translations[name][index]
            print(f"-> BLEU: {sentence_bleu(scored_references[index], as_words(text)):5.1f} | {name} -> {text}")
        print(f"-> BLEU: {sentence_bleu(scored_references[index], as_words(sampled[index])):5.1f} | "
              f"sampled (temperature={args.temperature}) -> {sampled[index]}")
        print("-" * 60)
    demo = translator.translate(DEMO_SENTENCES, beam_width=4, length_penalty=length_penalty)
    for english, french in zip(DEMO_SENTENCES, demo):
        print(f"{english} -> {french}")

    # ------------------------------------------------------------------ Save
    training = training_record(
        args.command, harness.elapsed(args), seed=args.seed, fractions=args.fractions, quick=args.quick,
        data_file=bool(args.data), epochs=len(history["loss"]), batch_size=args.batch_size,
        learning_rate=args.learning_rate, label_smoothing=args.label_smoothing, max_length=args.max_length,
        truncate=args.truncate, bucketing=args.bucketing, training_pairs=len(train_pairs),
        length_penalty=length_penalty, seconds_per_epoch=epoch_seconds, training_s=round(sum(timer.seconds), 1),
        resumed_after_epoch=resumed_after_epoch,
        target_tokens_per_second=target_tokens / epoch_seconds, warmup_epochs=args.warmup_epochs,
        average_last=args.average_last, max_target_tokens=max_target_tokens)
    tokens = (f"{args.subword_model} subwords (cased, SentencePiece"
              + (", shared" if args.shared_subwords else "") + ")") if args.subword_vocabulary_size else "French words"
    encoder_kind = ("bidirectional first layer, " if args.bidirectional_encoder else "") + (
        "reversed source" if args.reverse_source else "source in order")
    card_fields = dict(
        task="English to French translation (attention-free encoder-decoder)",
        model={"name": model.name, "parameters": model.count_params(), "weights_dtype": args.weights_dtype,
               "architecture": f"{args.num_layers}-layer {args.cell_type} encoder ({encoder_kind}) -> final states"
                               + (" -> tanh bridge" if args.bridge else "")
                               + f" -> {args.num_layers}-layer {args.cell_type} decoder"
                               + (" with the encoder summary at every step and in the output layer"
                                  if args.context_every_step else "")
                               + (", residual connections" if args.residual else "")
                               + f" -> softmax over {target_vocabulary.size} {tokens}"
                               + (" (tied embeddings)" if args.tie_embeddings else "") + "; no attention",
               "cell": args.cell_type, "embedding_dim": args.embedding_dim, "hidden_units": args.hidden_units,
               "num_layers": args.num_layers, "dropout": args.dropout, "reverse_source": args.reverse_source,
               "source_vocabulary_size": source_vocabulary.size, "target_vocabulary_size": target_vocabulary.size,
               "vocabulary": f"subword ({args.subword_model})" if args.subword_vocabulary_size else "word",
               **{key: value for key, value in options.items()}},
        data={"source": "fra-eng sentence pairs (www.manythings.org/anki and tatoeba.org)", "url": FRA_ENG_URL,
              "licence": "CC-BY 2.0 (attribution: www.manythings.org/anki and tatoeba.org)", "splits": splits},
        training=training,
        metrics={
            "validation": {"loss": validation_loss, "token_accuracy": validation_accuracy,
                           "bleu_sentences": len(order["validation"][: args.bleu_sentences]),
                           "corpus_bleu": validation_bleu},
            "test": {"bleu_sentences": len(scored), "length_penalty": length_penalty,
                     "corpus_bleu": {name.replace(" ", "_"): value for name, value in test_bleu.items()},
                     "decoding_sentences_per_second": {name.replace(" ", "_"): v for name, v in throughput.items()},
                     "sacrebleu": {"signature": signature,
                                   **{name.replace(" ", "_"): v for name, v in sacre_bleu.items()}}},
            "protocol": "corpus BLEU-4 (nltk-style, lower-cased normalised words, all references of each English "
                        "sentence; a cased translation is normalised the same way first), the first sentences of "
                        "the split in a seeded random order, every length; sacreBLEU of the detokenised output "
                        "against the raw, cased references (lower-cased word output scores low there)",
        },
        headline={"metric": "corpus_bleu_beam_4" if 4 in args.beam_widths else "corpus_bleu_greedy", "split": "test",
                  "value": test_bleu["beam 4" if 4 in args.beam_widths else "greedy"], "better": "higher"},
        test_slice=None,
        samples=[{"english": english, "french": french} for english, french in zip(DEMO_SENTENCES, demo)]
        + [{"english": s, "french": translations[strategies[-1][0]][i], "references": scored_references[i]}
           for i, s in enumerate(examples)],
        intended_use="translating short, everyday English sentences into French; a study of attention-free "
                     "encoder-decoders",
        limitations=["trained on sentences of at most %d words: longer ones translate poorly" % args.max_length,
                     *(["subword vocabularies: rare words are spelled in pieces, a character never seen in "
                        "training becomes <unk>"] if args.subword_vocabulary_size else
                       ["word-level vocabularies: rare words become <unk>",
                        "output is lower-cased, space-separated words, as the references are normalised"])],
    )
    translator.card = make_card(**card_fields)
    if not args.data and 4 in args.beam_widths:
        card_fields["test_slice"] = score_test_slice(translator, translator.card)
        translator.card = make_card(**card_fields)
    translator.save(args.output_dir, weights_dtype=args.weights_dtype)
    print(f"saved to {args.output_dir}")
    print(f"done in {harness.elapsed(args)} s")
    return translator.card


if __name__ == "__main__":
    harness.run(main)
