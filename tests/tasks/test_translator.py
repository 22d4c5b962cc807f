"""The translator task: raw sentences in, sentences out; saved and loaded with `kerasrnn.load`."""

import json
import os

import pytest

import keras

import kerasrnn
from kerasrnn.models.seq2seq import Seq2Seq
from kerasrnn.tasks.translator import Translator
from kerasrnn.text.vocabulary import Vocabulary
from tests import testing

ENGLISH = ["I am cold.", "Where is the station?", "He reads a book."]
FRENCH = ["J'ai froid.", "Où est la gare ?", "Il lit un livre."]


@pytest.fixture(scope="module")
def translator():
    keras.utils.set_random_seed(0)
    source = Vocabulary.build(ENGLISH, level="word")
    target = Vocabulary.build(FRENCH, level="word")
    model = Seq2Seq(source.size, target.size, embedding_dim=8, hidden_units=12, cell_type="gru", reverse_source=True)
    return Translator(model, source, target, card={"note": "test"})


def test_translate_takes_raw_text_and_returns_words(translator):
    texts = translator.translate(ENGLISH + ["Unknown words: zebra!"], beam_width=2, max_length=6)
    assert len(texts) == 4 and all(isinstance(t, str) for t in texts)
    known = set(translator.target_vocabulary.id_to_token) - {"<s>", "<mask>", "<pad>"}
    assert all(word in known for text in texts for word in text.split())
    single, score = translator.translate("I am cold.", beam_width=2, max_length=6, return_scores=True)
    assert single == texts[0] and score <= 0
    greedy = translator.translate(ENGLISH + ["?"], beam_width=1, max_length=6, return_scores=True)
    assert all(isinstance(text, str) and score <= 0 for text, score in greedy)
    sampled = translator.sample(ENGLISH + ["?"], seed=3, max_length=6)
    assert len(sampled) == 4 and all(isinstance(text, str) for text in sampled)


def test_save_and_load_round_trip(translator, tmp_path):
    directory = tmp_path / "translator"
    translator.save(directory)
    assert sorted(os.listdir(directory)) == [
        "card.json", "model.keras", "target_vocabulary.json", "task.json", "vocabulary.json"]
    manifest = json.loads((directory / "task.json").read_text())
    assert manifest["task"] == "translator" and manifest["reverse_source"] is True
    loaded = kerasrnn.load(directory)
    assert isinstance(loaded, Translator) and loaded.card == {"note": "test"}
    assert loaded.source_vocabulary == translator.source_vocabulary
    assert loaded.target_vocabulary == translator.target_vocabulary
    assert loaded.translate(ENGLISH, max_length=6) == translator.translate(ENGLISH, max_length=6)
    # Another backend loads what this one saved and translates the same (one child process per run).
    other = testing.other_backends()[0]
    result = testing.run_json(
        "import json, kerasrnn, kerasrnn.tasks.translator; "
        f"t = kerasrnn.load({str(directory)!r}); "
        f"print(json.dumps(t.translate({ENGLISH!r}, max_length=6)))",
        other,
    )
    assert result == translator.translate(ENGLISH, max_length=6)


def test_vocabulary_must_match_the_model(translator):
    with pytest.raises(ValueError, match="target vocabulary has"):
        Translator(translator.model, translator.source_vocabulary, translator.source_vocabulary)
    with pytest.raises(ValueError, match="batch_size"):
        translator.translate(ENGLISH, batch_size=0)


def test_translate_takes_a_sampler_by_name_or_instance(translator):
    from kerasrnn.decoding import BeamSampler
    from kerasrnn.decoding import GreedySampler

    greedy = translator.translate(ENGLISH, beam_width=1, max_length=6, return_scores=True)
    assert translator.translate(ENGLISH, max_length=6, sampler="greedy", return_scores=True) == greedy
    assert translator.translate(ENGLISH, max_length=6, sampler=GreedySampler(), return_scores=True) == greedy
    beam = translator.translate(ENGLISH, beam_width=3, length_penalty=1.0, max_length=6)
    assert translator.translate(ENGLISH, max_length=6, sampler=BeamSampler(3, length_penalty=1.0)) == beam
    all_beams = translator.translate(ENGLISH, max_length=6, sampler=BeamSampler(3, 1.0, return_all_beams=True))
    assert all_beams == beam


@pytest.fixture(scope="module")
def subword_translator():
    from kerasrnn.text.subword import SubwordVocabulary

    keras.utils.set_random_seed(0)
    source = SubwordVocabulary.train(ENGLISH * 10, vocabulary_size=40)
    target = SubwordVocabulary.train(FRENCH * 10, vocabulary_size=40)
    model = Seq2Seq(source.size, target.size, embedding_dim=8, hidden_units=12, cell_type="lstm", reverse_source=True,
                    bidirectional_encoder=True, bridge=True, context_every_step=True, tie_embeddings=True)
    return Translator(model, source, target, card={"note": "subwords"})


def test_subword_translator_outputs_cased_text_and_round_trips(subword_translator, tmp_path):
    texts = subword_translator.translate(ENGLISH + [""], beam_width=2, max_length=8)
    assert len(texts) == 4 and all(isinstance(t, str) and "<" not in t for t in texts)
    directory = tmp_path / "subwords"
    subword_translator.save(directory)
    assert sorted(os.listdir(directory)) == [
        "card.json", "model.keras", "source_subwords.model", "target_subwords.model", "task.json"]
    loaded = kerasrnn.load(directory)
    assert loaded.target_vocabulary == subword_translator.target_vocabulary
    assert loaded.translate(ENGLISH, max_length=8) == subword_translator.translate(ENGLISH, max_length=8)
    other = testing.other_backends()[0]
    result = testing.run_json(
        "import json, kerasrnn, kerasrnn.tasks.translator; "
        f"t = kerasrnn.load({str(directory)!r}); "
        f"print(json.dumps(t.translate({ENGLISH!r}, max_length=8)))",
        other,
    )
    assert result == subword_translator.translate(ENGLISH, max_length=8)


def test_a_shared_subword_vocabulary_is_saved_once(tmp_path):
    from kerasrnn.text.subword import SubwordVocabulary

    shared = SubwordVocabulary.train((ENGLISH + FRENCH) * 10, vocabulary_size=50)
    model = Seq2Seq(shared.size, shared.size, embedding_dim=8, hidden_units=12)
    Translator(model, shared, shared).save(tmp_path / "shared")
    assert "subwords.model" in os.listdir(tmp_path / "shared")
    loaded = kerasrnn.load(tmp_path / "shared")
    assert loaded.source_vocabulary == loaded.target_vocabulary == shared
    with pytest.raises(ValueError, match="both vocabularies"):
        Translator(model, shared, Vocabulary.build(FRENCH, level="word"))


def test_an_ensemble_averages_log_probabilities_and_round_trips(translator, tmp_path):
    import numpy as np

    from kerasrnn.decoding import Seq2SeqEnsembleStepper
    from kerasrnn.decoding import Seq2SeqStepper
    from kerasrnn.decoding.seq2seq_generator import pad_sources

    keras.utils.set_random_seed(5)
    source, target = translator.source_vocabulary, translator.target_vocabulary
    other = Seq2Seq(source.size, target.size, embedding_dim=6, hidden_units=10, cell_type="lstm", reverse_source=False,
                    context_every_step=True)
    members = [translator.model, other]
    padded = pad_sources(translator.encode(ENGLISH))
    ensemble = Seq2SeqEnsembleStepper(members)
    states = ensemble.encode(padded)
    singles = [Seq2SeqStepper(m) for m in members]
    single_states = [s.encode(padded) for s in singles]
    tokens = np.full((len(ENGLISH),), target.start_id, "int32")
    for _ in range(3):
        mean, states = ensemble.step(tokens, states)
        expected = 0
        for index, single in enumerate(singles):
            logits, single_states[index] = single.step(tokens, single_states[index])
            expected = expected + keras.ops.log_softmax(logits, axis=-1) / 2
        testing.assert_allclose(mean, expected, atol=1e-5)
        tokens = testing.to_numpy(mean).argmax(-1).astype("int32")
    together = Translator(members, source, target)
    texts = together.translate(ENGLISH, beam_width=3, max_length=6)
    together.save(tmp_path / "ensemble")
    assert {"model.keras", "model_1.keras"} <= set(os.listdir(tmp_path / "ensemble"))
    assert json.loads((tmp_path / "ensemble" / "task.json").read_text())["members"] == ["model.keras", "model_1.keras"]
    loaded = kerasrnn.load(tmp_path / "ensemble")
    assert len(loaded.models) == 2 and loaded.translate(ENGLISH, beam_width=3, max_length=6) == texts

    # float16 storage covers every member; rounded first, the ensemble in memory translates as the loaded one.
    from kerasrnn.tasks import round_weights

    for member in members:
        round_weights(member)
    together.save(tmp_path / "half", weights_dtype="float16")
    for name in ("model.keras", "model_1.keras"):
        assert os.path.getsize(tmp_path / "half" / name) < os.path.getsize(tmp_path / "ensemble" / name)
    half = kerasrnn.load(tmp_path / "half")
    for stored, member in zip(half.models, members):
        for a, b in zip(stored.get_weights(), member.get_weights()):
            np.testing.assert_array_equal(a, b)
    assert half.translate(ENGLISH, beam_width=3, max_length=6) == together.translate(ENGLISH, beam_width=3,
                                                                                      max_length=6)
