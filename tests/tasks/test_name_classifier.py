import json
import os

import keras
import numpy as np
import pytest

import kerasrnn
from kerasrnn.models.sequence_classifier import build_sequence_classifier
from kerasrnn.tasks.name_classifier import NameClassifier
from kerasrnn.text.vocabulary import Vocabulary
from tests import testing

LANGUAGES = ["Czech", "English", "Greek", "Russian"]


@pytest.fixture
def classifier():
    keras.utils.set_random_seed(0)
    vocabulary = Vocabulary.build(["novak", "smith", "papadopoulos", "ivanov"], level="char", specials=())
    model = build_sequence_classifier(vocabulary.size, len(LANGUAGES), embedding_dim=4, hidden_units=6)
    return NameClassifier(model, vocabulary, LANGUAGES, card={"note": "test"})


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


@pytest.mark.parametrize("temperature", [0, -1.0, float("nan"), True, "2"])
def test_bad_temperature_is_rejected(classifier, temperature):
    with pytest.raises(ValueError, match="temperature="):
        NameClassifier(classifier.model, classifier.vocabulary, LANGUAGES, temperature=temperature)
