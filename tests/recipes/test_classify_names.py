import argparse
import json
import re

import numpy as np
import pytest

import kerasrnn
from kerasrnn.tasks.name_classifier import NameClassifier
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_validates_tests_the_chosen_model_and_saves(tmp_path, shared_data, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))  # score_test_slice reads the data here too
    out = assert_ok(run_recipe("classify_names", "--quick", "--output-dir", tmp_path))  # an ensemble of 2
    assert "(0 names in two splits)" in out and "held-out" not in out
    # model, params, validation accuracy, macro-F1, ECE
    assert re.search(r"^bigru\s+[\d,]+\s+0\.\d{4}\s+0\.\d{4}\s+0\.\d{4}   <- chosen$", out, re.M)
    assert re.search(r"^test \([\d,]+ names\), bigru: accuracy 0\.\d{4}", out, re.M)
    assert re.search(r"^temperature \d+\.\d{3} \(fitted on validation\)", out, re.M)
    assert re.search(r"Dostoevsky -> \w+ \d\.\d\d, \w+ \d\.\d\d, \w+ \d\.\d\d$", out, re.M)
    directory = tmp_path / "bigru"
    card = json.loads((directory / "card.json").read_text())
    kerasrnn.cards.validate_card(card)
    assert "--quick" in card["training"]["command"] and card["training"]["fractions"] == [0.8, 0.1, 0.1]
    assert card["model"]["normalization"] == {"strip_accents": True, "lowercase": True}
    splits = card["data"]["splits"]
    sizes = [splits[part]["size"] for part in ("train", "validation", "test")]
    assert sum(sizes) == card["metrics"]["validation"]["names"] + card["metrics"]["test"]["names"] + sizes[0]
    assert 0.75 < sizes[0] / sum(sizes) < 0.85
    for part in ("validation", "test"):
        metrics = card["metrics"][part]
        assert 0 <= metrics["accuracy"] <= 1 and 0 <= metrics["expected_calibration_error"] <= 1
        assert len(metrics["f1_per_language"]) == 18
    assert card["headline"] == {"metric": "accuracy", "split": "test", "better": "higher",
                                "value": card["metrics"]["test"]["accuracy"]}
    comparison = json.loads((tmp_path / "comparison.json").read_text())
    assert comparison["chosen_on_validation"] == "bigru" and "test" not in comparison["rows"][0]
    # The card scores the shipped classifier, after the temperature; one temperature for all members can move
    # an ensemble's argmax for a name or two (the choice reads the numbers before it).
    assert comparison["rows"][0]["validation"]["accuracy"] == pytest.approx(
        card["metrics"]["validation"]["accuracy"], abs=0.05)
    assert comparison["calibration"]["temperature"] == pytest.approx(card["model"]["temperature"], abs=1e-4)
    for plot in ("confusion_matrix_validation.png", "confusion_matrix_test.png", "training_curve.png"):
        assert (directory / plot).read_bytes()[:4] == b"\x89PNG"
    classifier = kerasrnn.load(directory)
    assert isinstance(classifier, NameClassifier) and len(classifier.languages) == 18
    assert len(classifier.members) == card["model"]["members"] == 2
    assert classifier.temperature == card["model"]["temperature"] == pytest.approx(
        card["training"]["temperature_scaling"]["temperature"], abs=1e-4)
    assert set(np.load(tmp_path / "validation_logits.npz").files) == {"labels", "bigru_0", "bigru_1"}
    assert len(classifier.predict(["Nakamura"], top_k=3)[0]) == 3
    # The card's test slice is recomputed from the default data and the saved model alone; the quick test
    # split is under 300 names, so the slice is all of it.
    again = load_recipe("classify_names").score_test_slice(classifier, card)
    assert again["sha256"] == card["test_slice"]["sha256"] == splits["test"]["sha256"]
    assert again["size"] == card["test_slice"]["size"] == sizes[2]
    assert again["value"] == pytest.approx(card["test_slice"]["value"], abs=1e-9)
    assert card["test_slice"]["value"] == pytest.approx(card["metrics"]["test"]["accuracy"], abs=1e-9)


def test_of_several_models_only_the_chosen_one_is_tested_and_gets_a_card(tmp_path):
    data = tmp_path / "names"
    data.mkdir()
    endings = {"Czech": "ova", "Greek": "opoulos", "Japanese": "moto"}
    for language, ending in endings.items():
        (data / f"{language}.txt").write_text("\n".join(f"{chr(97 + i % 26)}{chr(97 + i // 26)}{ending}"
                                                        for i in range(40)))
    out = assert_ok(run_recipe("classify_names", "--data", data, "--models", "gru,ngram_bag", "--members", "1", "--epochs", "1",
                               "--hidden-units", "8", "--embedding-dim", "8", "--bag-buckets", "512", "--bag-widths", "3,2",
                               "--weights-dtype", "float16", "--names", "Sakamoto", "--class-weighting", "gru=balanced",
                               "--output-dir", tmp_path / "run"))
    comparison = json.loads((tmp_path / "run" / "comparison.json").read_text())
    assert [row["model"] for row in comparison["rows"]] == ["gru", "ngram_bag", "ensemble"]  # ensemble: both averaged
    chosen = max(comparison["rows"], key=lambda row: row["validation"]["accuracy"])["model"]
    assert comparison["chosen_on_validation"] == chosen and f"test (12 names), {chosen}:" in out
    for other in {"gru", "ngram_bag", "ensemble"} - {chosen}:
        assert (tmp_path / "run" / other / "task.json").exists()
        assert not (tmp_path / "run" / other / "card.json").exists()  # never tested, so no card
        assert not (tmp_path / "run" / other / "confusion_matrix_test.png").exists()
    assert len(kerasrnn.load(tmp_path / "run" / "ensemble").members) == 2
    card = json.loads((tmp_path / "run" / "best" / "card.json").read_text())
    kerasrnn.cards.validate_card(card)
    assert card["model"]["name"] == chosen and card["training"]["models_trained"] == ["gru", "ngram_bag"]
    assert card["model"]["bag_widths"] == [2, 3] and card["model"]["weights_dtype"] == "float16"
    assert card["training"]["class_weighting"] == {"gru": "balanced", "ngram_bag": "none"}
    assert "class weighting: gru=balanced,ngram_bag=none" in out
    bag = kerasrnn.load(tmp_path / "run" / "ngram_bag").members[0]
    assert bag.get_layer("ngram_bag").widths == (2, 3)
    for weight in bag.get_weights():  # stored as float16, loaded as float32: every value is a float16 value
        assert weight.dtype == np.float32 and np.array_equal(weight, weight.astype(np.float16).astype(np.float32))
    assert card["data"]["source"] == "local file names" and card["test_slice"] is None  # no default data
    assert [card["data"]["splits"][part]["size"] for part in ("train", "validation", "test")] == [96, 12, 12]


@pytest.mark.parametrize(
    "args, message",
    [
        (["--models", "transformer"], "unknown model(s) ['transformer']"),
        (["--validation-fraction", "0.5", "--test-fraction", "0.5"], "leave nothing to train on"),
        (["--test-fraction", "0"], "--test-fraction: expected a number in (0, 1), received '0'"),
        (["--ngram-filters", "-1"], "--ngram-filters must be 0 or more, received -1"),
        (["--members", "0"], "--members"),
        (["--bag-widths", "0,2"], "--bag-widths must be integers >= 1, received [0, 2]"),
        (["--bag-widths", "two"], "--bag-widths must be comma-separated integers, received 'two'"),
        (["--class-weighting", "inverse"], "--class-weighting must be one of none, sqrt, balanced or MODEL=WEIGHTING "
                                           "pairs, received 'inverse'"),
        (["--class-weighting", "gru=sqrt"], "--class-weighting names 'gru', which is not among --models bigru,ngram_bag"),
        (["--class-weighting", "ngram_bag=half"], "--class-weighting for ngram_bag must be one of none, sqrt, balanced, "
                                                  "received 'half'"),
    ],
)
def test_bad_flags_give_one_line_errors(args, message):
    result = run_recipe("classify_names", "--quick", *args, backend="jax")
    assert result.returncode == 2 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_class_weighting_is_one_for_every_model_or_set_per_model():
    parse = load_recipe("classify_names").parse_class_weighting
    parser = argparse.ArgumentParser()
    assert parse(parser, None, ["bigru", "ngram_bag"]) == {"bigru": "none", "ngram_bag": "sqrt"}  # the default
    assert parse(parser, None, ["gru"]) == {"gru": "none"}
    assert parse(parser, "sqrt", ["bigru", "ngram_bag"]) == {"bigru": "sqrt", "ngram_bag": "sqrt"}
    assert parse(parser, "ngram_bag=sqrt", ["bigru", "ngram_bag"]) == {"bigru": "none", "ngram_bag": "sqrt"}
    assert parse(parser, "gru=balanced, bigru = sqrt", ["gru", "bigru", "ngram_bag"]) == {
        "gru": "balanced", "bigru": "sqrt", "ngram_bag": "none"}
    describe = load_recipe("classify_names").describe_class_weighting
    assert describe({"bigru": "sqrt", "ngram_bag": "sqrt"}) == "sqrt"
    assert describe({"bigru": "none", "ngram_bag": "sqrt"}) == "bigru=none,ngram_bag=sqrt"
