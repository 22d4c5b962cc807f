import json
import os

import keras
import numpy as np
import pytest

import kerasrnn
from kerasrnn.datasets.names import load_names
from kerasrnn.models.sequence_classifier import build_sequence_classifier
from kerasrnn.tasks.name_classifier import NameClassifier
from kerasrnn.tasks.name_classifier import name_examples
from kerasrnn.tasks.name_classifier import normalize_name
from kerasrnn.tasks.name_classifier import split_names
from kerasrnn.text.vocabulary import Vocabulary
from tests import testing

LANGUAGES = ["Czech", "English", "Greek", "Russian"]


@pytest.fixture
def classifier():
    keras.utils.set_random_seed(0)
    vocabulary = Vocabulary.build(["novak", "smith", "papadopoulos", "ivanov"], level="char", specials=())
    model = build_sequence_classifier(vocabulary.size, len(LANGUAGES), embedding_dim=4, hidden_units=6)
    return NameClassifier(model, vocabulary, LANGUAGES, card={"note": "test"})


def test_normalize_name():
    assert normalize_name("  Ślusàrski ") == "slusarski"
    assert normalize_name("De  la\u00a0Fontaine") == "de la fontaine"
    assert normalize_name("Müller", strip_accents=False, lowercase=False) == "Müller"
    with pytest.raises(ValueError, match="received: 3"):
        normalize_name(3)


def test_name_examples_deduplicate_and_keep_names_of_several_languages():
    raw = {"Vietnamese": ["Bui", "Cao"], "Chinese": ["Cao", "Chan", "Chan"], "English": ["Chan", "  "]}
    names, labels, languages = name_examples(raw)
    assert languages == ["Chinese", "English", "Vietnamese"]
    assert sorted(zip(names, [languages[k] for k in labels])) == [
        ("bui", "Vietnamese"), ("cao", "Chinese"), ("cao", "Vietnamese"), ("chan", "Chinese"), ("chan", "English")]
    assert labels.dtype == np.int32
    with pytest.raises(ValueError, match="accepts the keys"):
        name_examples(raw, {"stem": True})
    with pytest.raises(ValueError, match="at least 2 languages"):
        name_examples({"Irish": ["Adam"]})


def test_split_is_by_distinct_name_stratified_and_deterministic():
    names = ["chan", "chan", "cao", "cao"] + [f"n{i}" for i in range(40)] + ["bui", "lam", "vo"]
    labels = [0, 1, 0, 2] + [1] * 40 + [2, 2, 2]
    train, held_out = split_names(names, labels, held_out_fraction=0.25, seed=3)
    assert sorted(np.concatenate([train, held_out]).tolist()) == list(range(len(names)))
    assert not {names[i] for i in train} & {names[i] for i in held_out}
    assert {labels[i] for i in held_out} >= {1, 2}  # even the 4-name class gives one name
    again_train, again_held_out = split_names(names, labels, held_out_fraction=0.25, seed=3)
    np.testing.assert_array_equal(held_out, again_held_out)
    with pytest.raises(ValueError, match="held_out_fraction=1.5"):
        split_names(names, labels, held_out_fraction=1.5)


def test_split_of_the_real_names_has_no_overlap(shared_data, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))
    names, labels, languages = name_examples(load_names())
    train, held_out = split_names(names, labels, held_out_fraction=0.2, seed=0)
    assert len(languages) == 18 and len(names) > len(set(names))  # some names belong to several languages
    assert not {names[i] for i in train} & {names[i] for i in held_out}
    held_out_share = np.bincount(labels[held_out], minlength=18) / np.bincount(labels, minlength=18)
    assert held_out_share.min() > 0.12 and held_out_share.max() < 0.28


def test_predict_orders_top_k_and_probabilities_sum_to_at_most_one(classifier):
    results = classifier.predict(["Novak", "Ivanov", "Smith"], top_k=3)
    assert len(results) == 3
    for best in results:
        probabilities = [p for _, p in best]
        assert len(best) == 3 and probabilities == sorted(probabilities, reverse=True)
        assert sum(probabilities) <= 1 + 1e-6 and {language for language, _ in best} <= set(LANGUAGES)
    everything = classifier.predict("Novak", top_k=len(LANGUAGES))  # one string is one name
    assert len(everything) == 1 and sum(p for _, p in everything[0]) == pytest.approx(1.0, abs=1e-5)
    assert everything[0][0] == classifier.predict(["Novak"])[0][0]


def test_training_normalisation_is_reapplied_and_unknown_characters_are_read_as_unk(classifier):
    np.testing.assert_allclose(classifier.probabilities(["ŚLUSÀRSKI"]), classifier.probabilities(["slusarski"]))
    assert classifier.vocabulary.count_unknown(classifier.normalize("Wang 王")) == 4  # w, g, space, 王
    assert len(classifier.predict(["王", "Wang 王"], top_k=2)[1]) == 2


@pytest.mark.parametrize(
    "names, top_k, message",
    [
        (["Novak", ""], 1, r"names\[1\]=''"),
        (["   "], 1, r"names\[0\]='   '"),
        ([], 1, "empty"),
        (["Novak"], 0, "top_k=0"),
        (["Novak"], 5, "top_k=5"),
    ],
)
def test_predict_errors(classifier, names, top_k, message):
    with pytest.raises(ValueError, match=message):
        classifier.predict(names, top_k=top_k)


def test_constructor_checks_languages(classifier):
    with pytest.raises(ValueError, match="predicts 4 classes"):
        NameClassifier(classifier.model, classifier.vocabulary, LANGUAGES[:3])
    with pytest.raises(ValueError, match="distinct"):
        NameClassifier(classifier.model, classifier.vocabulary, ["Czech", "Czech", "Greek", "Irish"])


def test_save_and_load_round_trip(classifier, tmp_path):
    classifier.normalization = {"strip_accents": True, "lowercase": False}
    directory = tmp_path / "names"
    classifier.save(directory)
    assert sorted(os.listdir(directory)) == ["card.json", "model.keras", "task.json", "vocabulary.json"]
    manifest = json.loads((directory / "task.json").read_text())
    assert manifest["task"] == "name_classifier" and manifest["languages"] == LANGUAGES
    loaded = kerasrnn.load(directory)
    assert isinstance(loaded, NameClassifier)
    assert loaded.languages == LANGUAGES and loaded.vocabulary == classifier.vocabulary
    assert loaded.normalization == {"strip_accents": True, "lowercase": False} and loaded.card == {"note": "test"}
    names = ["Novak", "Ivanov", "Papadopoulos"]
    np.testing.assert_allclose(loaded.probabilities(names), classifier.probabilities(names), atol=1e-6)


def test_saved_here_loads_on_another_backend(classifier, tmp_path):
    directory = tmp_path / "names"
    classifier.save(directory)
    names = ["Novak", "Ivanov"]
    expected = classifier.probabilities(names)
    # One other backend per run (tensorflow -> jax -> torch -> tensorflow): three runs cover the cycle.
    other = testing.BACKENDS[(testing.BACKENDS.index(testing.backend()) + 1) % 3]
    result = testing.run_json(
        "import json, kerasrnn; import kerasrnn.tasks.name_classifier; "
        f"c = kerasrnn.load({str(directory)!r}); "
        f"print(json.dumps({{'type': type(c).__name__, 'p': c.probabilities({names!r}).tolist()}}))",
        other,
    )
    assert result["type"] == "NameClassifier"
    np.testing.assert_allclose(result["p"], expected, atol=1e-5)
