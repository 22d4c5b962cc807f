import numpy as np
import pytest

from kerasrnn import data


def _batches(dataset):
    return [tuple(np.asarray(t) if not isinstance(t, tuple) else tuple(np.asarray(u) for u in t) for t in b)
            for b in dataset.as_numpy_iterator()]


def test_language_model_windows_shift_by_one():
    ids = np.arange(1, 1 + 10 * 9, dtype="int32")
    dataset = data.make_language_model_dataset(ids, sequence_length=8, batch_size=4, shuffle=False)
    batches = list(dataset.as_numpy_iterator())
    assert len(batches) == 2  # 10 windows of 9 tokens, batches of 4, remainder dropped
    x, y = batches[0]
    assert x.shape == (4, 8) and x.dtype == np.int32
    np.testing.assert_array_equal(x[:, 1:], y[:, :-1])
    np.testing.assert_array_equal(x[0], np.arange(1, 9))


def test_language_model_dataset_is_deterministic_under_seed():
    ids = np.arange(500, dtype="int32") % 37
    first = [b[0] for b in data.make_language_model_dataset(ids, 10, 8, seed=3).as_numpy_iterator()]
    second = [b[0] for b in data.make_language_model_dataset(ids, 10, 8, seed=3).as_numpy_iterator()]
    np.testing.assert_array_equal(np.concatenate(first), np.concatenate(second))


def test_language_model_text_too_short():
    with pytest.raises(ValueError, match="too short for one training window"):
        data.make_language_model_dataset(np.arange(5), sequence_length=10, batch_size=2)
    with pytest.raises(ValueError, match="batch_size=0"):
        data.make_language_model_dataset(np.arange(50), sequence_length=10, batch_size=0)


def test_split_token_stream_keeps_a_contiguous_tail():
    train, held_out = data.split_token_stream(np.arange(100), validation_fraction=0.1)
    assert len(train) == 90 and held_out[0] == 90


def test_masked_tokens_hide_exactly_one_position():
    ids = np.arange(5, 5 + 60, dtype="int32")
    dataset = data.make_masked_token_dataset(ids, sequence_length=6, mask_id=2, batch_size=4, shuffle=False, seed=1)
    x, y, w = next(dataset.as_numpy_iterator())
    assert x.shape == y.shape == w.shape == (4, 6)
    assert w.dtype == np.float32
    np.testing.assert_array_equal(w.sum(axis=1), 1.0)
    np.testing.assert_array_equal(x == 2, w == 1)
    np.testing.assert_array_equal(np.where(w == 1, y, x), y)  # only the masked token differs
    # Held-out masks are fixed by the seed.
    again = next(data.make_masked_token_dataset(ids, 6, 2, 4, shuffle=False, seed=1).as_numpy_iterator())
    np.testing.assert_array_equal(again[0], x)


def test_masked_tokens_redraw_masks_each_epoch_deterministically():
    ids = np.arange(5, 5 + 600, dtype="int32")
    def epochs(seed):
        dataset = data.make_masked_token_dataset(ids, 6, 2, 200, shuffle=True, seed=seed)
        return [np.concatenate([b[2] for b in dataset.as_numpy_iterator()]) for _ in range(2)]
    a1, a2 = epochs(7)
    b1, b2 = epochs(7)
    np.testing.assert_array_equal(a1, b1)
    np.testing.assert_array_equal(a2, b2)
    assert not np.array_equal(a1, a2)


def test_translation_batches_pad_and_weight():
    sources = [np.array([5, 6, 7]), np.array([8])]
    targets = [np.array([9, 10]), np.array([11, 12, 13])]
    dataset = data.make_translation_dataset(sources, targets, batch_size=2, start_id=3, end_id=4, shuffle=False)
    (src, tgt_in), tgt_out, weight = next(dataset.as_numpy_iterator())
    np.testing.assert_array_equal(src, [[5, 6, 7], [8, 0, 0]])
    np.testing.assert_array_equal(tgt_in, [[3, 9, 10, 0], [3, 11, 12, 13]])
    np.testing.assert_array_equal(tgt_out, [[9, 10, 4, 0], [11, 12, 13, 4]])
    np.testing.assert_array_equal(weight, [[1, 1, 1, 0], [1, 1, 1, 1]])
    reversed_ds = data.make_translation_dataset(sources, targets, 2, 3, 4, reverse_source=True, shuffle=False)
    (src, _), _, _ = next(reversed_ds.as_numpy_iterator())
    np.testing.assert_array_equal(src, [[7, 6, 5], [8, 0, 0]])


def test_translation_length_multiple_pads_both_sides_to_one_length():
    sources = [np.array([5, 6, 7]), np.array([8])]
    targets = [np.array([9, 10]), np.array([11, 12, 13, 14, 15])]
    dataset = data.make_translation_dataset(sources, targets, 2, 3, 4, shuffle=False, length_multiple=4)
    (src, tgt_in), tgt_out, weight = next(dataset.as_numpy_iterator())
    np.testing.assert_array_equal(src, [[5, 6, 7, 0, 0, 0, 0, 0], [8, 0, 0, 0, 0, 0, 0, 0]])
    np.testing.assert_array_equal(tgt_in, [[3, 9, 10, 0, 0, 0, 0, 0], [3, 11, 12, 13, 14, 15, 0, 0]])
    np.testing.assert_array_equal(tgt_out, [[9, 10, 4, 0, 0, 0, 0, 0], [11, 12, 13, 14, 15, 4, 0, 0]])
    np.testing.assert_array_equal(weight, (tgt_out != 0).astype("float32"))
    with pytest.raises(ValueError, match="length_multiple"):
        data.make_translation_dataset(sources, targets, 2, 3, 4, length_multiple=0)


def test_translation_bucketing_groups_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 30, size=400)
    sources = [np.full(n, 5) for n in lengths]
    targets = [np.full(n, 6) for n in lengths]
    dataset = data.make_translation_dataset(
        sources, targets, batch_size=16, start_id=3, end_id=4, bucket_boundaries=[5, 10, 20], seed=0
    )
    seen = 0
    for (src, _), tgt_out, weight in dataset.as_numpy_iterator():
        real = (src != 0).sum(axis=1)
        seen += len(real)
        # A batch holds lengths from one bucket only.
        bucket = np.digitize(np.maximum(real, real + 1), [5, 10, 20])
        assert len(set(bucket.tolist())) == 1
        np.testing.assert_array_equal(weight, (tgt_out != 0).astype("float32"))
    assert seen == 400


def test_skip_gram_negatives_never_equal_the_true_context():
    rng = np.random.default_rng(0)
    ids = rng.integers(2, 20, size=3000)
    targets, contexts, labels = data.skip_gram_examples(ids, 20, window_size=3, num_negatives=5, seed=0)
    assert contexts.shape == (len(targets), 6) and labels.shape == contexts.shape
    assert not (contexts[:, 1:] == contexts[:, :1]).any()
    np.testing.assert_array_equal(labels[:, 0], 1.0)
    np.testing.assert_array_equal(labels[:, 1:], 0.0)
    # Ids 0 and 1 never occur, so they are never drawn as negatives.
    assert contexts.min() >= 2


def test_skip_gram_pairs_lie_within_the_window():
    ids = np.arange(2, 102, dtype="int32")  # every word distinct: distance = id difference
    targets, contexts, _ = data.skip_gram_examples(ids, 102, window_size=2, num_negatives=1, subsample=None, seed=1)
    distance = np.abs(targets - contexts[:, 0])
    assert distance.min() == 1 and distance.max() == 2
    assert len(targets) >= 2 * 99  # every adjacent pair, both directions


def test_skip_gram_negative_distribution_follows_unigram_power():
    counts = np.array([0, 0, 1000, 100, 10])
    table = data.unigram_table(counts)
    expected = counts ** 0.75 / (counts ** 0.75).sum()
    np.testing.assert_allclose(table, expected)
    rng = np.random.default_rng(0)
    contexts = np.full(20000, 1, dtype="int32")  # a context id that is never drawn
    negatives = data.draw_negatives(contexts, counts, 5, rng)
    observed = np.bincount(negatives.ravel(), minlength=5) / negatives.size
    np.testing.assert_allclose(observed, expected, atol=0.01)


def test_subsampling_keeps_rare_words():
    keep = data.subsample_keep_probability(np.array([0, 1, 1_000_000]), threshold=1e-3)
    assert keep[0] == 0 and keep[1] == 1.0 and keep[2] < 0.05


def test_skip_gram_is_deterministic_under_seed():
    ids = np.random.default_rng(0).integers(2, 50, size=2000)
    a = data.skip_gram_examples(ids, 50, seed=5)
    b = data.skip_gram_examples(ids, 50, seed=5)
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    dataset = data.make_skip_gram_dataset(ids, 50, batch_size=64, seed=5)
    (t, c), labels = next(dataset.as_numpy_iterator())
    assert t.shape == (64,) and c.shape == (64, 6) and labels.dtype == np.float32


def test_time_series_windows():
    series = np.arange(20, dtype="float32")
    x, y = data.sliding_windows(series, sequence_length=5, horizon=2, stride=3)
    assert x.shape == (5, 5, 1)
    np.testing.assert_array_equal(y - x, 2.0)
    dataset = data.make_time_series_dataset(series, 5, batch_size=4, shuffle=False)
    bx, by = next(dataset.as_numpy_iterator())
    np.testing.assert_array_equal(bx[0, :, 0], [0, 1, 2, 3, 4])
    with pytest.raises(ValueError, match="too short"):
        data.sliding_windows(series[:3], 5)


def test_classification_padding_and_balanced_weights():
    sequences = [np.array([5, 6]), np.array([7]), np.array([8, 9, 10])]
    labels = np.array([0, 0, 1])
    weights = data.balanced_class_weights(labels, num_classes=3)
    np.testing.assert_allclose(weights, [0.75, 1.5, 0.0])
    dataset = data.make_classification_dataset(sequences, labels, batch_size=3, class_weights=weights, shuffle=False)
    x, y, w = next(dataset.as_numpy_iterator())
    np.testing.assert_array_equal(x, [[5, 6, 0], [7, 0, 0], [8, 9, 10]])
    np.testing.assert_allclose(w, [0.75, 0.75, 1.5])
    with pytest.raises(ValueError, match="empty"):
        data.make_classification_dataset([np.array([], "int32")], [0], batch_size=1)


def test_random_offset_cuts_the_text_at_a_new_place_every_pass():
    ids = np.arange(1, 206, dtype="int32")  # 205 tokens: 18 windows of 11 after any offset in [0, 11)
    dataset = data.make_language_model_dataset(ids, 10, 4, shuffle=False, seed=5, random_offset=True)
    assert int(dataset.cardinality()) == 4  # 18 windows, batches of 4, the last partial one dropped
    starts = []
    for batches in (list(dataset.as_numpy_iterator()) for _ in range(6)):
        x = np.concatenate([x for x, _ in batches])
        y = np.concatenate([y for _, y in batches])
        assert x.shape == (16, 10)
        np.testing.assert_array_equal(y[:, :-1], x[:, 1:])  # y is x shifted by one token
        np.testing.assert_array_equal(np.diff(x[:, 0]), 11)  # consecutive, non-overlapping windows
        assert 1 <= x[0, 0] <= 11  # the first window starts at an offset in [0, 10]
        starts.append(int(x[0, 0]))
    assert len(set(starts)) > 1, starts
    again = data.make_language_model_dataset(ids, 10, 4, shuffle=False, seed=5, random_offset=True)
    assert [int(next(again.as_numpy_iterator())[0][0, 0]) for _ in range(6)] == starts  # seeded: the same offsets
    shuffled = data.make_language_model_dataset(ids, 10, 4, seed=5, random_offset=True)
    assert len(list(shuffled.as_numpy_iterator())) == 4
    with pytest.raises(ValueError, match="too short for random offsets"):
        data.make_language_model_dataset(np.arange(1, 15), 10, 1, random_offset=True)


def test_named_class_weightings_scale_to_a_mean_of_one_per_example():
    labels = np.array([0, 0, 0, 1])  # class 0 three times as common as class 1; class 2 absent
    assert data.class_weights(labels, 3, "none") is None
    balanced = data.class_weights(labels, 3, "balanced")
    np.testing.assert_allclose(balanced, [2 / 3, 2.0, 0.0], rtol=1e-6)  # 1/count, times 4 / (1/3 * 3 + 1)
    sqrt = data.class_weights(labels, 3, "sqrt")
    ratio = np.sqrt(3.0)  # rare / common weight: the square root of the balanced ratio 3
    np.testing.assert_allclose(sqrt, np.array([1.0, ratio, 0.0]) * 4 / (3 + ratio), rtol=1e-6)
    for weights in (balanced, sqrt):
        np.testing.assert_allclose(weights[labels].mean(), 1.0, rtol=1e-6)
    with pytest.raises(ValueError, match="received 'log'"):
        data.class_weights(labels, 3, "log")


def test_pipelines_feed_model_fit():
    import keras

    ids = np.random.default_rng(0).integers(1, 12, size=400).astype("int32")
    dataset = data.make_language_model_dataset(ids, 10, 8, seed=0)
    model = keras.Sequential([keras.layers.Embedding(12, 8), keras.layers.Dense(12)])
    model.compile("adam", keras.losses.SparseCategoricalCrossentropy(from_logits=True))
    history = model.fit(dataset, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
