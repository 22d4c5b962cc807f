"""Reliability guarantees that cut across tasks: determinism and no memory growth."""

import json
import os

import numpy as np
import pytest

import keras

from kerasrnn.models import build_language_model
from kerasrnn.models.seq2seq import Seq2Seq
from kerasrnn.tasks import LanguageModel
from kerasrnn.tasks.translator import Translator
from kerasrnn.text.vocabulary import Vocabulary
from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_same_command_same_seed_same_metrics(tmp_path):
    """Running the same recipe command twice on one backend gives identical numbers and samples."""
    cards = []
    for run in ("first", "second"):
        out = tmp_path / run
        assert_ok(run_recipe("generate_plant_names", "--quick", "--seed", "5", "--output-dir", out))
        card = json.loads((out / "lstm" / "card.json").read_text())
        cards.append({key: card[key] for key in ("metrics", "test_slice", "samples")})
    assert cards[0] == cards[1]


def _resident_mib():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="reads the resident size from /proc")
def test_repeated_generation_and_decoding_do_not_grow_memory():
    keras.utils.set_random_seed(0)
    text = "to be or not to be, that is the question. " * 20
    vocabulary = Vocabulary.build(text, level="char")
    language_model = LanguageModel(build_language_model(vocabulary.size, cell_type="gru", embedding_dim=8,
                                                        hidden_units=16), vocabulary)
    english = ["i am cold .", "where is the station ?", "he reads a book ."]
    french = ["j'ai froid .", "où est la gare ?", "il lit un livre ."]
    source, target = Vocabulary.build(english, level="word"), Vocabulary.build(french, level="word")
    translator = Translator(Seq2Seq(source.size, target.size, embedding_dim=8, hidden_units=12), source, target)
    sentences = [english[i % 3] for i in range(1000)]

    def work():
        generated = language_model.generate("to be", num_chars=10_000, temperature=0.8, seed=1)
        translations = translator.translate(sentences, beam_width=2, max_length=8, batch_size=250)
        return generated, translations

    first = work()  # compiles and warms every cache
    sizes = []
    for _ in range(3):
        again = work()
        sizes.append(_resident_mib())
    assert again == first  # same seed, same outputs
    assert len(first[0]) == 10_000 and len(first[1]) == 1000
    growth = sizes[-1] - sizes[0]
    assert growth < 20, f"resident memory grew by {growth:.1f} MiB over two repeated calls: {np.round(sizes, 1)}"
