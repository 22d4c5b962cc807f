import json
import re

import kerasrnn
from kerasrnn.tasks.name_classifier import NameClassifier
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_evaluates_predicts_and_saves(tmp_path):
    out = assert_ok(run_recipe("classify_names", "--quick", "--output-dir", tmp_path))
    assert "(0 names on both sides)" in out
    assert re.search(r"^bigru\s+[\d,]+\s+0\.\d{4}\s+0\.\d{4}$", out, re.M)  # model, params, accuracy, macro-F1
    assert re.search(r"Dostoevsky -> \w+ \d\.\d\d, \w+ \d\.\d\d, \w+ \d\.\d\d$", out, re.M)
    directory = tmp_path / "bigru"
    card = json.loads((directory / "card.json").read_text())
    assert 0 <= card["held_out"]["accuracy"] <= 1 and len(card["held_out"]["f1_per_language"]) == 18
    assert card["normalization"] == {"strip_accents": True, "lowercase": True} and "--quick" in card["command"]
    for plot in ("confusion_matrix.png", "training_curve.png"):
        assert (directory / plot).read_bytes()[:4] == b"\x89PNG"
    classifier = kerasrnn.load(directory)
    assert isinstance(classifier, NameClassifier) and len(classifier.languages) == 18
    assert len(classifier.predict(["Nakamura"], top_k=3)[0]) == 3


def test_bad_flags_give_one_line_errors():
    result = run_recipe("classify_names", "--quick", "--models", "transformer", backend="jax")
    assert result.returncode == 2 and "unknown model(s) ['transformer']" in result.stderr
    assert "Traceback" not in result.stderr
