"""Every model shipped in saved_models/ loads on this backend, does its job, agrees with another backend,
follows the card schema, and still scores what its card says on a fixed slice of its test split."""

import importlib.util
import json
import warnings

import numpy as np
import pytest

import kerasrnn
from tests import testing

SHIPPED = sorted(
    path.parent for path in (testing.REPO_ROOT / "saved_models").rglob("task.json")
    if "demo" not in path.parts and "backup" not in path.parts and "checkpoints" not in path.parts
)


def probe(task):
    """What a user would ask of the task, as JSON-able values (greedy/argmax, so backends can agree)."""
    name = task.task_name
    if name == "language_model":
        return {"greedy": task.generate("ROMEO:", num_chars=60, greedy=True),
                "nats_per_char": task.score("First Citizen:\nBefore we proceed any further, hear me speak.")
                ["nats_per_char"]}
    if name == "translator":
        sentences = ["I am cold.", "Where is the station?", "Tom is reading a book."]
        return {"greedy": task.translate(sentences, beam_width=1), "beam": task.translate(sentences, beam_width=4)}
    if name == "name_classifier":
        return {"top": [[[label, round(p, 4)] for label, p in ranked]
                        for ranked in task.predict(["Satoshi", "Schmidt", "Dostoevsky"], top_k=2)]}
    if name == "name_generator":
        return {"names": task.generate_names(5, max_length=20, seed=0, top_k=1)}
    if name == "masked_word_model":
        return {"fill": str(task.fill("to be or not to <mask> , that is the question"))}
    if name == "word2vec":
        return {"neighbours": [word for word, _ in task.most_similar("king", top_k=5)],
                "similarity": round(task.similarity("king", "queen"), 4)}
    if name == "forecaster":
        series = np.sin(np.arange(400) * 0.1)
        return {"forecast": np.asarray(task.forecast(series, 20), "float64").reshape(-1).tolist()}
    return {}


def test_something_is_shipped():
    assert SHIPPED, "no shipped models found under saved_models/"


def probe_all(directories):
    """{directory: probe of the model saved there}, or {directory: {"error": ...}} where it fails."""
    probes = {}
    for directory in directories:
        try:
            probes[directory] = probe(kerasrnn.load(directory))
        except Exception as error:  # report it in the test of that model, not as every test's error
            probes[directory] = {"error": f"{type(error).__name__}: {error}"}
    return probes


@pytest.fixture(scope="module")
def probes_on_another_backend():
    """(backend, {directory: probe}) from another backend: one fresh process probes every shipped model."""
    other = testing.other_backends()[0]
    code = ("import json; from tests.test_shipped_models import probe_all; "
            f"print(json.dumps(probe_all({[str(d) for d in SHIPPED]!r})))")
    return other, testing.run_json(code, other)


@pytest.mark.parametrize("directory", SHIPPED, ids=lambda p: str(p.relative_to(testing.REPO_ROOT / "saved_models")))
def test_shipped_model_loads_runs_and_agrees_across_backends(directory, probes_on_another_backend):
    task = kerasrnn.load(directory)
    here = probe(task)
    assert here, f"no probe for task {task.task_name!r}: add one to tests/test_shipped_models.py"
    if task.task_name == "language_model":
        assert here["nats_per_char"] < 2.5  # a trained model, far below uniform (ln 65 = 4.17)
    if task.task_name == "translator":
        assert all(here["greedy"]) and all(here["beam"])
    # The same model on another backend gives the same answers (each backend's run checks one other).
    other, probes = probes_on_another_backend
    there = probes[str(directory)]
    assert "error" not in there, f"on {other}: {there.get('error')}"
    assert there.keys() == here.keys()
    for key in here:
        if isinstance(here[key], float):
            assert there[key] == pytest.approx(here[key], rel=1e-4), key
        elif isinstance(here[key], list) and here[key] and isinstance(here[key][0], float):
            np.testing.assert_allclose(there[key], here[key], atol=1e-4, err_msg=key)
        else:
            assert there[key] == here[key], f"{key} differs on {other}"


def test_shipped_models_fit_the_size_budget():
    not_shipped = {"demo", "checkpoints", "backup"}  # git-ignored training by-products
    total = sum(f.stat().st_size for f in (testing.REPO_ROOT / "saved_models").rglob("*")
                if f.is_file() and not not_shipped & set(f.parts))
    assert total < 80 * 2**20


@pytest.mark.parametrize("directory", SHIPPED, ids=lambda p: str(p.relative_to(testing.REPO_ROOT / "saved_models")))
def test_shipped_model_loads_without_a_deprecation_warning(directory):
    # Files written before a rename keep the old key (the seq2seq config's "cell", now "cell_type"): read silently.
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        kerasrnn.load(directory)


# How far a recomputed slice may be from the card's value: float32 on another backend moves a mean
# log-loss by ~1e-6 and can flip a rare beam-search or argmax tie, but a wrong card or a broken model
# is off by far more than these.
SLICE_TOLERANCE = {"nats_per_char": 2e-3, "accuracy": 0.01, "corpus_bleu_beam_4": 1.0}


def _shipped_id(path):
    return str(path.relative_to(testing.REPO_ROOT / "saved_models"))


def _card(directory):
    return json.loads((directory / "card.json").read_text())


@pytest.mark.parametrize("directory", SHIPPED, ids=_shipped_id)
def test_shipped_card_follows_the_schema(directory):
    card = _card(directory)
    kerasrnn.cards.validate_card(card)


def recipe_of(card):
    """The recipe module that wrote `card` (from its training command)."""
    script = card["training"]["command"].split()[1]
    spec = importlib.util.spec_from_file_location("shipped_recipe", testing.REPO_ROOT / script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("directory", SHIPPED, ids=_shipped_id)
def test_shipped_numbers_are_recomputed_on_a_test_slice(directory, shared_data):
    card = _card(directory)
    expected = card["test_slice"]
    if expected is None:
        pytest.skip("this model's card has no test slice (no held-out split to slice)")
    task = kerasrnn.load(directory)
    again = recipe_of(card).score_test_slice(task, card)
    assert again["sha256"] == expected["sha256"], "the test slice is not the data the card was scored on"
    assert again["size"] == expected["size"] and again["metric"] == expected["metric"]
    tolerance = SLICE_TOLERANCE.get(expected["metric"], 1e-3 * max(1.0, abs(expected["value"])))
    assert again["value"] == pytest.approx(expected["value"], abs=tolerance), (
        f"{_shipped_id(directory)}: {expected['metric']} on {expected['size']} {expected.get('unit', 'units')} "
        f"of the test split is {again['value']:.4f}, the card says {expected['value']:.4f}")
