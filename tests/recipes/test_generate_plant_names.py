import json

import kerasrnn
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_generates_and_saves(tmp_path):
    out = assert_ok(run_recipe("generate_plant_names", "--quick", "--output-dir", tmp_path))
    assert "held-out:" in out and "not in the training list" in out
    card = json.loads((tmp_path / "lstm" / "card.json").read_text())
    assert 0 <= card["generated"]["new_share"] <= 1
    generator = kerasrnn.load(tmp_path / "lstm")
    names = generator.generate_names(5, max_length=15, seed=0)
    assert len(names) == 5 and all("\n" not in name and len(name) <= 15 for name in names)
    assert generator.generate_names(5, max_length=15, seed=0) == names
