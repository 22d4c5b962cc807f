import json

import numpy as np
import pytest

import kerasrnn
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe

SPLITS = ("train", "validation", "test")


def test_quick_run_generates_and_saves_a_valid_card(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))  # score_test_slice reads the data here too
    out = assert_ok(run_recipe("generate_plant_names", "--quick", "--output-dir", tmp_path))
    assert "validation:" in out and "test:" in out and "held-out" not in out and "not in the training list" in out
    card = json.loads((tmp_path / "lstm" / "card.json").read_text())
    kerasrnn.cards.validate_card(card)
    assert "--quick" in card["training"]["command"] and card["training"]["fractions"] == [0.8, 0.1, 0.1]
    splits = card["data"]["splits"]
    assert splits["grouped_by"] == "distinct lower-cased name"
    assert [splits[part]["size"] for part in SPLITS] == [2400, 300, 300]
    for part in ("validation", "test"):
        metrics = card["metrics"][part]
        assert metrics["names"] == 300
        assert metrics["bits_per_char"] == pytest.approx(metrics["nats_per_char"] / np.log(2))
    assert card["headline"] == {"metric": "nats_per_char", "split": "test", "better": "lower",
                                "value": card["metrics"]["test"]["nats_per_char"]}
    assert 0 <= card["metrics"]["generated"]["novel_share"] <= 1 and card["samples"]
    generator = kerasrnn.load(tmp_path / "lstm")
    names = generator.generate_names(5, max_length=15, seed=0)
    assert len(names) == 5 and all("\n" not in name and len(name) <= 15 for name in names)
    assert generator.generate_names(5, max_length=15, seed=0) == names
    # The card's test slice is recomputed from the default data and the saved model alone; with --quick the
    # test part is those 300 names, so it is also the whole test metric.
    again = load_recipe("generate_plant_names").score_test_slice(generator, card)
    assert again["sha256"] == card["test_slice"]["sha256"] == splits["test"]["sha256"]
    assert again["size"] == card["test_slice"]["size"] == 300
    assert again["value"] == pytest.approx(card["test_slice"]["value"], rel=1e-4)
    assert card["test_slice"]["value"] == pytest.approx(card["metrics"]["test"]["nats_per_char"], rel=1e-4)


def test_split_is_by_distinct_name_about_80_10_10_and_seeded(shared_data, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))
    recipe = load_recipe("generate_plant_names")
    names = kerasrnn.datasets.load_plants() + ["Abelia", "ABELIA"]  # spellings of one name go together
    parts = recipe.split_plant_names(names, (0.8, 0.1, 0.1), seed=0)
    distinct = {name.lower() for name in names}
    assert sorted(sum(parts, [])) == sorted(distinct)  # every distinct name once, in exactly one part
    assert all(len(part) == len(set(part)) for part in parts)
    shares = np.array([len(part) for part in parts]) / len(distinct)
    np.testing.assert_allclose(shares, [0.8, 0.1, 0.1], atol=0.001)
    assert recipe.split_plant_names(names, (0.8, 0.1, 0.1), seed=0) == parts
    assert recipe.split_plant_names(names, (0.8, 0.1, 0.1), seed=1)[2] != parts[2]
    quick = recipe.split_plant_names(names, (0.8, 0.1, 0.1), seed=0, quick=True)
    assert [len(part) for part in quick] == [2400, 300, 300] and quick[2] == parts[2][:300]


def test_one_pass_score_matches_the_stepwise_score():
    recipe = load_recipe("generate_plant_names")
    text = recipe.join_names(["abies alba", "acer rubrum", "carex"])
    vocabulary = kerasrnn.text.Vocabulary.build(text, level="char")
    model = kerasrnn.models.build_language_model(vocabulary.size, cell_type="lstm", embedding_dim=4, hidden_units=8)
    task = kerasrnn.tasks.NameGenerator(model, vocabulary)
    assert recipe.nats_per_char(model, vocabulary, text) == pytest.approx(task.score(text)["nats_per_char"],
                                                                          rel=1e-5)


def test_split_fractions_must_leave_training_names():
    result = run_recipe("generate_plant_names", "--quick", "--validation-fraction", "0.5", "--test-fraction", "0.5",
                        backend="jax")
    assert result.returncode == 2 and "leave nothing to train on" in result.stderr
    assert "Traceback" not in result.stderr
    result = run_recipe("generate_plant_names", "--quick", "--test-fraction", "1.2", backend="jax")
    assert result.returncode == 2 and "--test-fraction: expected a number in (0, 1), received '1.2'" in result.stderr
