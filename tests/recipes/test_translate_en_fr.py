import json
import re

import pytest

import kerasrnn
from kerasrnn.tasks.translator import Translator
from tests import testing
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import load_recipe
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_trains_scores_translates_and_saves(tmp_path):
    out = assert_ok(run_recipe("translate_en_fr", "--quick", "--output-dir", tmp_path))
    assert re.search(r"English sentences: validation [\d,]+, test [\d,]+; [\d,]+ training pairs \([\d,]+ longer "
                     r"than 5 words dropped\)", out)
    assert re.search(r"^epoch 1: [\d.]+ s of training, [\d,]+ target tokens/s", out, re.M)
    assert re.search(r"^validation: loss \d+\.\d+ .*token accuracy 0\.\d+", out, re.M)
    assert re.search(r"^length penalty chosen on validation: ", out, re.M)
    bleu = dict(re.findall(r"^  (greedy|beam \d)\s+BLEU\s+(\d+\.\d+)", out, re.M))
    assert sorted(bleu) == ["beam 4", "greedy"]
    assert re.search(r"^.+ \(expected: .+\)$", out, re.M)
    assert re.search(r"^-> BLEU: +\d+\.\d \| beam 4 -> ", out, re.M)
    assert re.search(r"^-> BLEU: +\d+\.\d \| sampled \(temperature=0\.7\) -> ", out, re.M)

    card = json.loads((tmp_path / "card.json").read_text())
    kerasrnn.cards.validate_card(card)
    assert set(card["metrics"]["test"]["corpus_bleu"]) == {"greedy", "beam_4"}
    validation = card["metrics"]["validation"]["corpus_bleu"]
    chosen = card["training"]["length_penalty"]
    assert validation[f"beam_4_alpha_{chosen:g}"] == max(v for k, v in validation.items() if k.startswith("beam_4"))
    splits = card["data"]["splits"]
    assert splits["validation"]["size"] == splits["test"]["size"] > 100  # 5% of the English sentences each
    assert card["training"]["target_tokens_per_second"] > 0 and "--quick" in card["training"]["command"]
    assert (tmp_path / "training_curve.png").stat().st_size > 1000
    translator = kerasrnn.load(tmp_path)
    assert isinstance(translator, Translator) and translator.model.reverse_source
    assert isinstance(translator.translate("Go home.", beam_width=2), str)
    again = load_recipe("translate_en_fr").score_test_slice(translator, card)
    assert again["sha256"] == card["test_slice"]["sha256"]
    assert again["value"] == pytest.approx(card["test_slice"]["value"], abs=1e-6)


def test_splits_are_grouped_by_english_sentence():
    recipe = load_recipe("translate_en_fr")
    raw = [("Go.", "Va !"), ("Go.", "Marche."), ("Hi.", "Salut !"), ("Run!", "Cours !")] * 1 + [
        (f"Sentence {i}.", f"Phrase {i}.") for i in range(60)]
    train, references, order, empty = recipe.split_sentences(raw, (0.8, 0.1, 0.1), seed=0)
    train_english = {" ".join(english) for english, _ in train}
    assert not train_english & set(references["validation"]) and not train_english & set(references["test"])
    assert not set(references["validation"]) & set(references["test"])
    everything = list(train_english) + list(references["validation"]) + list(references["test"])
    assert len(everything) == 63 and empty == 0
    go = [name for name in ("validation", "test") if "go ." in references[name]]
    assert go == [] and sum(1 for english, _ in train if english == ["go", "."]) == 2 or \
        references[go[0]]["go ."] == ["va !", "marche ."]
    assert sorted(order["test"]) == sorted(references["test"])
    assert recipe.split_sentences(raw, (0.8, 0.1, 0.1), seed=0)[2] == order  # deterministic


def test_bad_flags_give_one_line_errors():
    result = run_recipe("translate_en_fr", "--beam-widths", "0,4", "--quick")
    assert result.returncode == 2 and "--beam-widths must be integers >= 1" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(testing.backend() != "jax", reason="one backend is enough for the recipe's flags: "
                    "tests/layers/test_seq2seq.py and tests/tasks check each option on every backend")
def test_quick_run_with_every_model_option_and_subwords(tmp_path):
    out = assert_ok(run_recipe(
        "translate_en_fr", "--quick", "--bidirectional-encoder", "--decoder-hidden-units", "24",
        "--context-every-step", "--residual", "--num-layers", "2", "--tie-embeddings",
        "--subword-vocabulary-size", "200", "--warmup-epochs", "0.5", "--average-last", "1",
        "--weights-dtype", "float16", "--output-dir", tmp_path))
    assert re.search(r"^  (greedy|beam \d)\s+BLEU\s+\d+\.\d+", out, re.M)
    card = json.loads((tmp_path / "card.json").read_text())
    kerasrnn.cards.validate_card(card)
    assert "signature" in json.dumps(card["metrics"]["test"]["sacrebleu"])
    translator = kerasrnn.load(tmp_path)
    model = translator.model
    assert model.context_every_step and model.bidirectional_encoder and model.tie_embeddings
    # float16 storage: the card says so, and the loaded float32 weights are float16 values.
    assert card["model"]["weights_dtype"] == "float16"
    for weight in model.get_weights():
        assert weight.dtype == "float32" and (weight == weight.astype("float16").astype("float32")).all()
    translation = translator.translate("Go home.", beam_width=2)
    assert isinstance(translation, str) and "<unk>" not in translation and "▁" not in translation


def test_cell_is_a_hidden_deprecated_alias_of_cell_type(tmp_path, capsys):
    recipe = load_recipe("translate_en_fr")

    def parse(*flags, run):
        return recipe.parse_args([*flags, "--output-dir", str(tmp_path / run), "--backend", testing.backend()])

    assert parse(run="default").cell_type == "lstm"
    assert parse("--cell-type", "gru", run="new").cell_type == "gru"
    assert "deprecated" not in capsys.readouterr().err
    args = parse("--cell", "gru", run="old")
    assert args.cell_type == "gru" and not hasattr(args, "cell")
    warning = capsys.readouterr().err
    assert "--cell is deprecated" in warning and "use --cell-type" in warning
    with pytest.raises(SystemExit):
        parse("--help", run="help")
    text = capsys.readouterr().out
    assert "--cell-type" in text and not re.search(r"--cell\b(?!-)", text)
