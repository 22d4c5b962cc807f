import json
import os

import keras
import numpy as np
import pytest

import kerasrnn
from kerasrnn.datasets.names import load_names
from kerasrnn.models.sequence_classifier import build_sequence_classifier
from kerasrnn.tasks.name_classifier import NameClassifier
from kerasrnn.tasks.name_classifier import ensemble_probabilities
from kerasrnn.tasks.name_classifier import fit_temperature
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


def _names_in(names, indices):
    return {names[i] for i in indices}


def test_split_is_three_way_by_distinct_name_stratified_and_deterministic():
    names = ["chan", "chan", "cao", "cao"] + [f"n{i}" for i in range(40)] + ["bui", "lam", "vo"]
    labels = [0, 1, 0, 2] + [1] * 40 + [2, 2, 2]
    parts = split_names(names, labels, fractions=(0.5, 0.25, 0.25), seed=3)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(names)))  # each example in one split
    for first, second in ((0, 1), (0, 2), (1, 2)):
        assert not _names_in(names, parts[first]) & _names_in(names, parts[second])
    for part in parts[1:]:
        assert {labels[i] for i in part} >= {1, 2}  # even the 4-name class gives a name to each
    again = split_names(names, labels, fractions=(0.5, 0.25, 0.25), seed=3)
    for part, same in zip(parts, again):
        np.testing.assert_array_equal(part, same)
    other = split_names(names, labels, fractions=(0.5, 0.25, 0.25), seed=4)
    assert any(not np.array_equal(part, same) for part, same in zip(parts, other))
    with pytest.raises(ValueError, match="fractions=\\(0.5, 0.6, 0.1\\)"):
        split_names(names, labels, fractions=(0.5, 0.6, 0.1))
    with pytest.raises(ValueError, match="3 names but 2 labels"):
        split_names(["a", "b", "c"], [0, 1])


def test_split_of_the_real_names_is_80_10_10_with_no_name_in_two_splits(shared_data, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))
    names, labels, languages = name_examples(load_names())
    parts = split_names(names, labels, seed=0)
    assert len(languages) == 18 and len(names) > len(set(names))  # some names belong to several languages
    for first, second in ((0, 1), (0, 2), (1, 2)):
        assert not _names_in(names, parts[first]) & _names_in(names, parts[second])
    distinct = len(set(names))
    shares = [len(_names_in(names, part)) / distinct for part in parts]
    np.testing.assert_allclose(shares, [0.8, 0.1, 0.1], atol=0.01)
    for part in parts[1:]:  # each language gives about a tenth of its names to validation and to test
        share = np.bincount(labels[part], minlength=18) / np.bincount(labels, minlength=18)
        assert share.min() > 0.07 and share.max() < 0.13
    again = split_names(names, labels, seed=0)
    assert all(np.array_equal(part, same) for part, same in zip(parts, again))


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


def _member(vocabulary, seed):
    keras.utils.set_random_seed(seed)
    return build_sequence_classifier(vocabulary.size, len(LANGUAGES), embedding_dim=4, hidden_units=6)


def test_an_ensemble_averages_its_members_probabilities_and_round_trips(classifier, tmp_path):
    members = [classifier.model, _member(classifier.vocabulary, 1), _member(classifier.vocabulary, 2)]
    ensemble = NameClassifier(members, classifier.vocabulary, LANGUAGES, temperature=1.5)
    names = ["Novak", "Ivanov", "Papadopoulos"]
    alone = [NameClassifier(member, classifier.vocabulary, LANGUAGES, temperature=1.5).probabilities(names)
             for member in members]
    np.testing.assert_allclose(ensemble.probabilities(names), np.mean(alone, axis=0), atol=1e-12)
    assert ensemble.member_logits(names).shape == (3, 3, len(LANGUAGES))
    directory = tmp_path / "ensemble"
    ensemble.save(directory)
    assert {"model.keras", "model_1.keras", "model_2.keras"} <= set(os.listdir(directory))
    loaded = kerasrnn.load(directory)
    assert len(loaded.members) == 3 and loaded.temperature == 1.5
    np.testing.assert_allclose(loaded.probabilities(names), ensemble.probabilities(names), atol=1e-6)
    NameClassifier(members[:1], classifier.vocabulary, LANGUAGES).save(directory)  # smaller: old members go
    assert "model_1.keras" not in os.listdir(directory) and len(kerasrnn.load(directory).members) == 1


def test_a_directory_saved_before_ensembles_still_loads(classifier, tmp_path):
    directory = tmp_path / "names"
    classifier.save(directory)
    manifest = json.loads((directory / "task.json").read_text())
    del manifest["members"], manifest["temperature"]  # the task.json of a single model saved earlier
    (directory / "task.json").write_text(json.dumps(manifest))
    loaded = kerasrnn.load(directory)
    assert len(loaded.members) == 1 and loaded.temperature == 1.0
    np.testing.assert_allclose(loaded.probabilities(["Novak"]), classifier.probabilities(["Novak"]), atol=1e-6)


def test_temperature_scaling_lowers_the_negative_log_likelihood_of_overconfident_logits():
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 4, size=400)
    logits = rng.normal(size=(400, 4))
    logits[np.arange(400), labels] += 1.0
    overconfident = 8.0 * logits  # right about 60% of the time, but sure of itself

    def nll(temperature):
        return -np.mean(np.log(ensemble_probabilities(overconfident, temperature)[np.arange(400), labels]))

    temperature = fit_temperature(overconfident, labels)
    assert temperature > 2 and nll(temperature) < nll(1.0) - 0.5
    assert nll(temperature) <= min(nll(temperature * 1.05), nll(temperature / 1.05)) + 1e-9  # a minimum
    np.testing.assert_allclose(ensemble_probabilities(overconfident[None], 1.0), ensemble_probabilities(
        overconfident, 1.0))


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), True, "2"])
def test_bad_temperature_is_rejected(classifier, temperature):
    with pytest.raises(ValueError, match="temperature="):
        NameClassifier(classifier.model, classifier.vocabulary, LANGUAGES, temperature=temperature)
