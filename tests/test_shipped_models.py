"""Every model shipped in saved_models/ loads on this backend, does its job, and agrees with another backend."""

import json

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
        return {"neighbours": [word for word, _ in task.most_similar("king", topn=5)],
                "similarity": round(task.similarity("king", "queen"), 4)}
    if name == "forecaster":
        series = np.sin(np.arange(400) * 0.1)
        return {"forecast": np.asarray(task.forecast(series, 20), "float64").reshape(-1).tolist()}
    return {}


def test_something_is_shipped():
    assert SHIPPED, "no shipped models found under saved_models/"


@pytest.mark.parametrize("directory", SHIPPED, ids=lambda p: str(p.relative_to(testing.REPO_ROOT / "saved_models")))
def test_shipped_model_loads_runs_and_agrees_across_backends(directory):
    card = json.loads((directory / "card.json").read_text())
    assert "command" in card and card["command"].startswith("python recipes/")
    task = kerasrnn.load(directory)
    here = probe(task)
    assert here, f"no probe for task {task.task_name!r}: add one to tests/test_shipped_models.py"
    if task.task_name == "language_model":
        assert here["nats_per_char"] < 2.5  # a trained model, far below uniform (ln 65 = 4.17)
    if task.task_name == "translator":
        assert all(here["greedy"]) and all(here["beam"])
    # The same model on another backend gives the same answers (each backend's run checks one other).
    other = testing.other_backends()[0]
    there = testing.run_json(
        "import json, kerasrnn; from tests.test_shipped_models import probe; "
        f"print(json.dumps(probe(kerasrnn.load({str(directory)!r}))))",
        other,
    )
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
    assert total < 60 * 2**20
