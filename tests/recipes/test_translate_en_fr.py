import json
import re

import kerasrnn
from kerasrnn.tasks.translator import Translator
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_scores_translates_and_saves(tmp_path):
    out = assert_ok(run_recipe("translate_en_fr", "--quick", "--output-dir", tmp_path))
    assert re.search(r"^[\d,]+ pairs; [\d,]+ longer than 5 words were dropped", out, re.M)
    assert re.search(r"pairs \([\d,]+ sentences\) held out", out)
    assert re.search(r"^epoch 1: [\d.]+ s of training, [\d,]+ target tokens/s", out, re.M)
    assert re.search(r"^held-out \(teacher forcing\): loss \d+\.\d+.*, token accuracy 0\.\d+", out, re.M)
    bleu = dict(re.findall(r"^  (greedy|beam \d)\s+BLEU\s+(\d+\.\d+)", out, re.M))
    assert sorted(bleu) == ["beam 1", "beam 4", "greedy"]
    assert bleu["greedy"] == bleu["beam 1"]  # greedy search is beam search of width 1
    assert re.search(r"^decoding throughput, beam 4: [\d,]+ sentences/s \(batch 64", out, re.M)
    assert re.search(r"^.+ \(expected: .+\)$", out, re.M)
    assert re.search(r"^-> BLEU: +\d+\.\d \| beam=\(width=4, score=-?\d+\.\d+\) -> ", out, re.M)
    assert re.search(r"^-> BLEU: +\d+\.\d \| sampled \(temperature=0\.7\) -> ", out, re.M)

    card = json.loads((tmp_path / "card.json").read_text())
    assert set(card["held_out"]["corpus_bleu"]) == {"greedy", "beam_1", "beam_4"}
    assert card["speed"]["training_target_tokens_per_second"] > 0 and "--quick" in card["command"]
    assert (tmp_path / "training_curve.png").stat().st_size > 1000
    translator = kerasrnn.load(tmp_path)
    assert isinstance(translator, Translator) and translator.model.reverse_source
    assert isinstance(translator.translate("Go home.", beam_width=2), str)


def test_bad_flags_give_one_line_errors():
    result = run_recipe("translate_en_fr", "--beam-widths", "0,4", "--quick")
    assert result.returncode == 2 and "--beam-widths must be positive" in result.stderr
    assert "Traceback" not in result.stderr
