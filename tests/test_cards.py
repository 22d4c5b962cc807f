"""The card schema: `make_card` accepts a complete card and `validate_card` names what is wrong."""

import json

import pytest

from kerasrnn import cards
from kerasrnn.data.splits import describe_splits


def a_card():
    return cards.make_card(
        task="next-character language model",
        model={"name": "lstm", "architecture": "embedding -> lstm -> dense", "parameters": 1234},
        data={"source": "tiny-shakespeare", "url": "https://example.org/input.txt", "licence": "public domain",
              "splits": describe_splits("characters", "contiguous text", train="abcdefgh", validation="i",
                                        test="j")},
        training=cards.training_record("python recipes/predict_next_char.py --epochs 1", 12.34, seed=0),
        metrics={"validation": {"nats_per_char": 1.5}, "test": {"nats_per_char": 1.6}},
        headline={"metric": "nats_per_char", "split": "test", "value": 1.6, "better": "lower"},
        test_slice={"size": 1, "unit": "characters", "metric": "nats_per_char", "value": 1.6},
        samples=["To be"], intended_use="teaching", limitations=["small"])


def test_a_complete_card_is_valid_and_records_the_machine():
    card = a_card()
    assert card["schema"] == cards.SCHEMA
    training = card["training"]
    assert training["backend"] in training["versions"] and "keras" in training["versions"]
    assert training["machine"]["cpu_cores"] >= 1 and training["machine"]["accelerator"]
    assert training["wall_time_s"] == 12.3
    assert json.loads(json.dumps(card)) == card


@pytest.mark.parametrize("change, message", [
    (lambda c: c.pop("metrics"), "missing field 'metrics'"),
    (lambda c: c["training"].update(command="python /home/me/recipes/x.py"), "training.command"),
    (lambda c: c["samples"].append("saved to /work/out/model"), "absolute path"),
    (lambda c: c["data"].update(licence=""), "data.licence"),
    (lambda c: c.update(comparison={"gru": 1.49}), "unknown field 'comparison'"),
    (lambda c: c["headline"].update(split="validation"), "headline"),
    (lambda c: c["data"]["splits"]["test"].update(sha256="abc"), "data.splits.test"),
    (lambda c: c["metrics"].pop("validation"), "metrics.validation"),
    (lambda c: c["model"].update(parameters=True), "model must hold"),
])
def test_validate_card_names_each_problem(change, message):
    card = a_card()
    change(card)
    assert any(message in problem for problem in cards.card_problems(card))
    with pytest.raises(cards.CardError, match=message.replace("(", r"\(")):
        cards.validate_card(card)


def test_a_card_without_splits_needs_no_validation_metrics():
    card = a_card()
    card["data"]["splits"] = None
    card["metrics"].pop("validation")
    cards.validate_card(card)


def test_results_table_shows_the_headline_beside_its_validation_twin(tmp_path):
    model_dir = tmp_path / "predict_next_char" / "lstm"
    model_dir.mkdir(parents=True)
    (model_dir / "task.json").write_text("{}")
    (model_dir / "card.json").write_text(json.dumps(a_card()))
    table = cards.results_table(tmp_path).splitlines()
    assert table[0] == cards.RESULTS_BEGIN and table[-1] == cards.RESULTS_END
    row = table[3]
    assert row.startswith("| `predict_next_char/lstm` | next-character language model | nats per char **1.6000**")
    assert "| 1.5000 |" in row and "1 characters" in row and "`python recipes/predict_next_char.py --epochs 1`" in row


def test_results_table_reads_a_beam_search_at_the_length_penalty_chosen_on_validation(tmp_path):
    card = a_card()
    card["headline"] = {"metric": "corpus_bleu_beam_4", "split": "test", "value": 36.5, "better": "higher"}
    card["metrics"] = {"validation": {"corpus_bleu": {"greedy": 32.0, "beam_4_alpha_0": 35.5, "beam_4_alpha_0.6": 36.1}},
                       "test": {"length_penalty": 0.6, "corpus_bleu": {"beam_4": 36.5}}}
    model_dir = tmp_path / "translate_en_fr"
    model_dir.mkdir()
    (model_dir / "task.json").write_text("{}")
    (model_dir / "card.json").write_text(json.dumps(card))
    row = cards.results_table(tmp_path).splitlines()[3]
    assert "**36.50**" in row and "| 36.10 |" in row


def test_results_table_gives_the_training_time_of_every_epoch_when_the_card_has_it(tmp_path):
    card = a_card()  # wall_time_s 12.3: a run resumed after most of its epochs
    card["training"]["training_s"] = 600.0
    model_dir = tmp_path / "translate_en_fr"
    model_dir.mkdir()
    (model_dir / "task.json").write_text("{}")
    (model_dir / "card.json").write_text(json.dumps(card))
    assert "10 min of training, " in cards.results_table(tmp_path).splitlines()[3]
    del card["training"]["training_s"]
    (model_dir / "card.json").write_text(json.dumps(card))
    assert "0 min, " in cards.results_table(tmp_path).splitlines()[3]


def test_the_readme_results_table_is_the_cards_table():
    from tests import testing

    readme = (testing.REPO_ROOT / "README.md").read_text(encoding="utf-8")
    start, end = readme.index(cards.RESULTS_BEGIN), readme.index(cards.RESULTS_END) + len(cards.RESULTS_END)
    assert readme[start:end] == cards.results_table(testing.REPO_ROOT / "saved_models"), (
        "README.md's results table differs from the cards: paste the output of "
        "`python -c 'import kerasrnn.cards as c; print(c.results_table(\"saved_models\"))'`")
