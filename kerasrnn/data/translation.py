"""(source, target) batches for encoder-decoder models, and the length limit and split before them."""

import numpy as np
import tensorflow as tf

from kerasrnn.data.validation import check_fraction
from kerasrnn.data.validation import check_positive_int


def limit_pair_length(pairs, max_length, truncate=False):
    """Keep the `(source, target)` token pairs that fit in `max_length` tokens a side.

    A pair longer than `max_length` on either side is dropped, or, with
    `truncate=True`, cut to its first `max_length` tokens on each side. The
    number of such pairs is returned so the caller can report it: no pair
    disappears silently.

    Args:
        pairs: a list of `(source_tokens, target_tokens)`, each side a list of
            tokens; items after the two sides (the raw sentences, say) are
            carried along unchanged.
        max_length: most tokens on either side.
        truncate: cut long pairs instead of dropping them. Defaults to False.

    Returns:
        `(pairs, num_long)`: the kept (or cut) pairs, in their order, and how
        many pairs were longer than `max_length` on either side.

    Example:

    ```python
    pairs = [(["go", "."], ["va", "!"]), (["i", "am", "cold", "."], ["j'ai", "froid", "."])]
    kept, num_long = limit_pair_length(pairs, 3)  # [(["go", "."], ["va", "!"])], 1
    ```
    """
    max_length = check_positive_int(max_length, "max_length")
    num_long = sum(1 for pair in pairs if max(len(pair[0]), len(pair[1])) > max_length)
    if truncate:
        return [(pair[0][:max_length], pair[1][:max_length], *pair[2:]) for pair in pairs], num_long
    return [tuple(pair) for pair in pairs if max(len(pair[0]), len(pair[1])) <= max_length], num_long


def split_pairs_by_source(pairs, held_out_fraction, rng=None):
    """Split sentence pairs into training and held-out pairs, grouped by source sentence.

    A share of the distinct source sentences is drawn at random and every pair
    with one of them as its source is held out: a held-out sentence is never
    seen in training with any of its translations, and those translations are
    its references (for BLEU). Exact duplicate pairs are kept, and always fall
    on the same side.

    Args:
        pairs: a list of `(source, target)`; a side is a list of tokens (its
            sentence is the tokens joined with spaces) or a `str`.
        held_out_fraction: share of the distinct source sentences held out, in
            (0, 1); at least one sentence is held out and at least one kept.
        rng: a `numpy.random.Generator` (it is advanced) or an int seed.
            Defaults to None (unseeded).

    Returns:
        `(train_pairs, held_out_pairs, held_out_sources)`: the pairs of each
        side in their original order, and the held-out source sentences (as
        `str`) in random order.

    Example:

    ```python
    pairs = [("go .", "va !"), ("go .", "marche ."), ("hi .", "salut !"), ("run !", "cours !")]
    train, held_out, sources = split_pairs_by_source(pairs, 0.3, rng=0)
    # held_out holds both translations of "go ." or none of them
    ```
    """
    held_out_fraction = check_fraction(held_out_fraction, "held_out_fraction", high_open=True)
    rng = np.random.default_rng(rng)
    keys = [_sentence(source) for source, _ in pairs]
    sentences = sorted(set(keys))
    if len(sentences) < 2:
        raise ValueError(
            f"`pairs` hold {len(sentences)} distinct source sentence(s); at least 2 are needed to hold some out "
            "(keep more pairs, e.g. a larger --max-length)"
        )
    rng.shuffle(sentences)
    held_out_count = min(max(1, int(round(held_out_fraction * len(sentences)))), len(sentences) - 1)
    held_out_sources = sentences[:held_out_count]
    held_out = set(held_out_sources)
    train_pairs = [pair for pair, key in zip(pairs, keys) if key not in held_out]
    held_out_pairs = [pair for pair, key in zip(pairs, keys) if key in held_out]
    return train_pairs, held_out_pairs, held_out_sources


def _sentence(side):
    return side if isinstance(side, str) else " ".join(side)


def make_translation_dataset(
    source_ids,
    target_ids,
    batch_size,
    start_id,
    end_id,
    reverse_source=False,
    bucket_boundaries=None,
    shuffle=True,
    seed=None,
    length_multiple=None,
):
    """Teacher-forcing batches `((source, target_in), target_out, sample_weight)`.

    `target_in` is `<s> y_1 ... y_n` and `target_out` is `y_1 ... y_n </s>`;
    everything is padded with 0 to the longest sequence of its batch, and the
    sample weight is 1 on real target tokens and 0 on padding, so padding never
    counts in the loss or in weighted metrics.

    Args:
        source_ids: list of 1-D int arrays (no start/end tokens).
        target_ids: list of 1-D int arrays (no start/end tokens), same length.
        batch_size: pairs per batch.
        start_id, end_id: ids of `<s>` and `</s>` in the target vocabulary.
        reverse_source: feed the source backwards (Sutskever et al. 2014).
            Padding stays at the end. Defaults to False.
        bucket_boundaries: optional increasing source/target lengths; pairs are
            grouped into buckets of similar length so batches carry little
            padding (`tf.data.Dataset.bucket_by_sequence_length`). Defaults to
            None (plain padded batches).
        shuffle: shuffle pairs each epoch. Defaults to True.
        seed: seed for the shuffle. Defaults to None.
        length_multiple: when given, each batch's source and target are
            padded to one length, the longer of the two rounded up to a
            multiple of this, so a compiled train step sees a few shapes
            instead of one per pair of lengths (subword sequences vary a lot;
            JAX and `tf.function` compile once per shape). Defaults to None
            (each side padded to its own longest sequence).

    Returns:
        A `tf.data.Dataset`.
    """
    batch_size = check_positive_int(batch_size, "batch_size")
    if len(source_ids) != len(target_ids):
        raise ValueError(
            f"`source_ids` and `target_ids` must have the same length, received "
            f"{len(source_ids)} and {len(target_ids)}"
        )
    if not len(source_ids):
        raise ValueError("`source_ids` is empty: there are no sentence pairs to batch")
    sources = [np.asarray(s, "int32")[::-1] if reverse_source else np.asarray(s, "int32") for s in source_ids]
    targets_in = [np.concatenate([[start_id], np.asarray(t, "int32")]).astype("int32") for t in target_ids]
    targets_out = [np.concatenate([np.asarray(t, "int32"), [end_id]]).astype("int32") for t in target_ids]

    dataset = tf.data.Dataset.from_tensor_slices((_ragged(sources), _ragged(targets_in), _ragged(targets_out)))
    if shuffle:
        dataset = dataset.shuffle(len(sources), seed=seed, reshuffle_each_iteration=True)

    def to_example(source, target_in, target_out):
        weight = tf.ones_like(target_out, dtype="float32")
        return (source, target_in), target_out, weight

    dataset = dataset.map(to_example, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    if bucket_boundaries:
        boundaries = sorted(int(b) for b in bucket_boundaries)
        dataset = dataset.bucket_by_sequence_length(
            element_length_func=lambda inputs, target_out, weight: tf.maximum(
                tf.shape(inputs[0])[0], tf.shape(target_out)[0]
            ),
            bucket_boundaries=boundaries,
            bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
            padding_values=((0, 0), 0, 0.0),
        )
    else:
        dataset = dataset.padded_batch(batch_size, padding_values=((0, 0), 0, 0.0))
    if length_multiple is not None:
        multiple = check_positive_int(length_multiple, "length_multiple")

        def pad_to_one_length(inputs, target_out, weight):
            source, target_in = inputs
            longest = tf.maximum(tf.shape(source)[1], tf.shape(target_in)[1])
            length = (longest + multiple - 1) // multiple * multiple

            def pad(x):
                return tf.pad(x, [[0, 0], [0, length - tf.shape(x)[1]]])

            return (pad(source), pad(target_in)), pad(target_out), pad(weight)

        dataset = dataset.map(pad_to_one_length, num_parallel_calls=tf.data.AUTOTUNE, deterministic=True)
    return dataset.prefetch(tf.data.AUTOTUNE)


def _ragged(sequences):
    lengths = np.fromiter((len(s) for s in sequences), dtype="int64", count=len(sequences))
    flat = np.concatenate(sequences) if len(sequences) else np.zeros((0,), "int32")
    return tf.RaggedTensor.from_row_lengths(flat.astype("int32"), lengths)
