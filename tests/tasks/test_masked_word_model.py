import json

import keras
import numpy as np
import pytest

import kerasrnn
from kerasrnn.data import make_masked_token_dataset
from kerasrnn.metrics.masked_words import evaluate_masked_words
from kerasrnn.models.masked_word_model import build_masked_word_model
from kerasrnn.tasks.masked_word_model import MaskedWordModel
from kerasrnn.text import Vocabulary
from tests import testing

SENTENCE = "the cat sat on the mat ."
WINDOW = 6


@pytest.fixture(scope="module")
def filler():
    """A bidirectional GRU trained on one sentence repeated: every hidden word is easy."""
    keras.utils.set_random_seed(0)
    vocabulary = Vocabulary.build(SENTENCE, level="word")
    ids = vocabulary.encode(" ".join([SENTENCE] * 150))
    dataset = make_masked_token_dataset(ids, WINDOW, vocabulary.mask_id, 32, seed=0, stride=1)
    model = build_masked_word_model(vocabulary.size, cell_type="gru", embedding_dim=8, hidden_units=16,
                                    bidirectional=True)
    model.compile(optimizer=keras.optimizers.Adam(1e-2),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True,
                                                                  reduction="mean_with_sample_weight"))
    model.fit(dataset, epochs=3, verbose=0)
    return MaskedWordModel(model, vocabulary, WINDOW, bidirectional=True, card={"note": "test"})


def test_fill_names_the_hidden_word(filler):
    assert filler.fill("the cat <mask> on the mat .") == SENTENCE
    assert filler.fill("The CAT sat on the <MASK>.", highlight=True) == "the cat sat on the [mat] ."


def test_top_k_lists_candidates_in_decreasing_probability(filler):
    (candidates,) = filler.fill("the <mask> sat on the mat .", top_k=3)
    words = [word for word, _ in candidates]
    probabilities = [p for _, p in candidates]
    assert words[0] == "cat" and probabilities == sorted(probabilities, reverse=True)
    assert probabilities[0] > 0.5 and sum(probabilities) <= 1 + 1e-9
    everything = filler.probabilities("the <mask> sat on the mat .")
    assert everything.shape == (1, filler.vocabulary.size)
    assert np.all(everything[:, :5] == 0) and everything.sum() == pytest.approx(1.0)  # never a special token
    assert len(filler.fill("<mask>", top_k=filler.num_words)[0]) == filler.num_words


def test_texts_longer_than_the_window_and_several_masks(filler):
    text = f"the cat <mask> on the mat . {SENTENCE} {SENTENCE} the cat sat on the <mask> ."
    assert filler.fill(text) == " ".join([SENTENCE] * 4)
    # each mask is read from its window of WINDOW words (centred, clipped to the text), nothing else
    words = text.split()
    probabilities = filler.probabilities(text)
    np.testing.assert_allclose(probabilities[0], filler.probabilities(" ".join(words[:WINDOW]))[0], atol=1e-6)
    np.testing.assert_allclose(probabilities[1], filler.probabilities(" ".join(words[-WINDOW:]))[0], atol=1e-6)
    middle = "on the mat . the cat <mask> on the mat . the cat"
    centred = ". the cat <mask> on the"  # WINDOW // 2 words before the mask, then the rest of the window
    np.testing.assert_allclose(filler.probabilities(middle), filler.probabilities(centred), atol=1e-6)
    assert not np.allclose(filler.probabilities(middle), filler.probabilities("the cat <mask>"), atol=1e-3)
    # masks side by side are filled at once, each with the other one still hidden
    assert len(filler.fill("the cat <mask> <mask> the mat .", top_k=2)) == 2
    # a text shorter than the window is read whole
    assert isinstance(filler.fill("cat <mask>"), str)


def test_unidirectional_window_ends_at_the_mask(filler):
    one_way = MaskedWordModel(filler.model, filler.vocabulary, 4, bidirectional=False)
    windows, columns = one_way.windows("a b c d e <mask> f g".split())
    assert windows.shape == (1, 4) and columns.tolist() == [3]
    both_ways = MaskedWordModel(filler.model, filler.vocabulary, 4, bidirectional=True)
    windows, columns = both_ways.windows("a b c d e <mask> f g".split())
    assert columns.tolist() == [2] and windows[0, 2] == filler.vocabulary.mask_id


def test_unknown_words_are_read_as_unk_and_counted(filler):
    assert filler.unknown_words("the dog <mask> on the rug .") == ["dog", "rug"]
    with pytest.warns(UserWarning, match="2 word"):
        filled = filler.fill("the dog <mask> on the rug .")
    assert filled.startswith("the dog ") and filled.split()[2] in filler.vocabulary


@pytest.mark.parametrize(
    "text, message",
    [
        ("the cat sat on the mat", r"must contain at least one <mask>.*received: text='the cat sat on the mat'"),
        ("the cat<mask> on the mat", "standing as a word of its own"),
        ("", "must contain at least one <mask>"),
        (3, r"must be a string with at least one <mask>, received: 3 \(int\)"),
        (["the", "<mask>"], "must be a string"),
    ],
)
def test_bad_texts_give_one_line_errors(filler, text, message):
    with pytest.raises(ValueError, match=message) as error:
        filler.fill(text)
    assert "\n" not in str(error.value)


def test_bad_top_k_and_mismatched_parts_are_rejected(filler):
    for top_k in (0, filler.num_words + 1, 1.5, True):
        with pytest.raises(ValueError, match="top_k="):
            filler.fill("the <mask>", top_k=top_k)
    with pytest.raises(ValueError, match="word vocabulary"):
        MaskedWordModel(filler.model, Vocabulary.build("abc", level="char"), WINDOW)
    with pytest.raises(ValueError, match="the vocabulary has"):
        MaskedWordModel(filler.model, Vocabulary.build("one two", level="word"), WINDOW)
    with pytest.raises(ValueError, match="sequence_length=0"):
        MaskedWordModel(filler.model, filler.vocabulary, 0)


def test_evaluate_matches_a_direct_computation(filler):
    vocabulary = filler.vocabulary
    ids = vocabulary.encode(" ".join([SENTENCE] * 6) + " zebra the")  # one <unk>
    dataset = make_masked_token_dataset(ids, WINDOW, vocabulary.mask_id, 4, shuffle=False, seed=3, stride=1)
    nats, correct, count = 0.0, 0, 0
    for x, y, weight in dataset.as_numpy_iterator():
        logits = np.asarray(filler.model.predict_on_batch(x), "float64")
        for row, column in zip(*np.nonzero(weight)):
            if y[row, column] == vocabulary.unk_id:
                continue
            log_probs = logits[row, column] - np.log(np.exp(logits[row, column]).sum())
            nats -= log_probs[y[row, column]]
            correct += int(np.argmax(log_probs) == y[row, column])
            count += 1
    scores = evaluate_masked_words(filler.model, dataset)
    assert scores["count"] == count and scores["accuracy"] == pytest.approx(correct / count)
    assert scores["nats"] == pytest.approx(nats / count, rel=1e-6)
    assert scores["perplexity"] == pytest.approx(np.exp(nats / count), rel=1e-6)
    assert evaluate_masked_words(filler.model, dataset, ignore_ids=())["count"] >= count
    with pytest.raises(ValueError, match="no masked word"):
        evaluate_masked_words(filler.model, dataset, ignore_ids=range(vocabulary.size))


def test_save_and_load_round_trip(filler, tmp_path):
    filler.save(tmp_path / "filler")
    restored = kerasrnn.load(tmp_path / "filler")
    assert isinstance(restored, MaskedWordModel)
    assert (restored.sequence_length, restored.bidirectional, restored.card) == (WINDOW, True, {"note": "test"})
    assert restored.vocabulary == filler.vocabulary
    text = "the cat <mask> on the <mask> ."
    np.testing.assert_allclose(restored.probabilities(text), filler.probabilities(text), atol=1e-6)
    manifest = json.loads((tmp_path / "filler" / "task.json").read_text())
    assert manifest["task"] == "masked_word_model"
    del manifest["sequence_length"]
    (tmp_path / "filler" / "task.json").write_text(json.dumps(manifest))
    with pytest.raises(ValueError, match="no `sequence_length`"):
        kerasrnn.load(tmp_path / "filler")


def test_a_model_saved_here_loads_on_another_backend(filler, tmp_path):
    filler.save(tmp_path / "filler")
    text = "the <mask> sat on the mat ."
    other = testing.other_backends()[0]
    result = testing.run_json(
        "import json, kerasrnn, kerasrnn.tasks.masked_word_model; "
        f"f = kerasrnn.load({str(tmp_path / 'filler')!r}); "
        f"print(json.dumps({{'p': f.probabilities({text!r}).tolist(), 'fill': f.fill({text!r})}}))",
        other,
    )
    np.testing.assert_allclose(result["p"], filler.probabilities(text), atol=1e-5)
    assert result["fill"] == SENTENCE
