"""Every model shipped in saved_models/ loads on this backend and does its job."""

import json
import pathlib

import pytest

import kerasrnn
from tests import testing

SHIPPED = sorted(
    p.parent for p in (testing.REPO_ROOT / "saved_models").glob("*/*/task.json") if p.parent.parent.name != "demo"
)


def test_something_is_shipped():
    assert SHIPPED, "no shipped models found under saved_models/"


@pytest.mark.parametrize("directory", SHIPPED, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_shipped_model_loads_and_runs(directory):
    card = json.loads((directory / "card.json").read_text())
    assert "command" in card and card["command"].startswith("python recipes/")
    task = kerasrnn.load(directory)
    if isinstance(task, kerasrnn.tasks.LanguageModel):
        text = task.generate("ROMEO:", num_chars=50, temperature=0.8, seed=0)
        assert len(text) == 50
        assert task.generate("ROMEO:", num_chars=50, temperature=0.8, seed=0) == text
        score = task.score("First Citizen:\nBefore we proceed any further, hear me speak.")
        assert score["nats_per_char"] < 2.5  # a trained model, far below uniform (ln 65 = 4.17)


def test_shipped_models_fit_the_size_budget():
    total = sum(f.stat().st_size for f in (testing.REPO_ROOT / "saved_models").rglob("*") if f.is_file())
    assert total < 60 * 2**20
