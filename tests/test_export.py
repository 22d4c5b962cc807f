"""SavedModel export: raw strings in, strings out, served with only TensorFlow and tensorflow-text.

Each export is loaded in a fresh Python process that imports `tensorflow` and
`tensorflow_text` and nothing of kerasrnn, and its answers are compared with
the Python task's. On the JAX and PyTorch backends `export_saved_model`
delegates to a TensorFlow child process; the same checks apply.
"""

import json
import zipfile

import numpy as np
import pytest

import keras

from kerasrnn.export import export_saved_model
from kerasrnn.models import build_language_model
from kerasrnn.models.seq2seq import Seq2Seq
from kerasrnn.tasks import LanguageModel
from kerasrnn.tasks.translator import Translator
from kerasrnn.text.normalization import normalize_sentence
from kerasrnn.text.vocabulary import Vocabulary
from tests import testing

ENGLISH = ["I am cold.", "Where is the station?", "He reads a book.", "Tom runs."]
FRENCH = ["J'ai froid.", "Où est la gare ?", "Il lit un livre.", "Tom court."]
QUERIES = ENGLISH + ["Unknown words: zebra!", "", "  I   AM\u00a0cold  "]
TEXT = "to be or not to be, that is the question. " * 20


def _serve(code, export_dir):
    """Run `code` in a process that imports only tensorflow and tensorflow_text; returns its JSON."""
    preamble = (
        "import json, sys\n"
        "import tensorflow as tf\n"
        "import tensorflow_text  # noqa: F401\n"
        f"model = tf.saved_model.load({str(export_dir)!r})\n"
        "def strings(t):\n"
        "    return [s.decode('utf-8') for s in t.numpy().tolist()]\n"
    )
    epilogue = "\nout['kerasrnn_imported'] = any(m.startswith('kerasrnn') for m in sys.modules)\nprint(json.dumps(out))\n"
    result = testing.run_json(preamble + code + epilogue, "tensorflow", env={"PYTHONPATH": ""})
    assert result.pop("kerasrnn_imported") is False
    return result


@pytest.fixture(scope="module")
def translator_dir(tmp_path_factory):
    keras.utils.set_random_seed(1)
    source = Vocabulary.build(ENGLISH, level="word")
    target = Vocabulary.build(FRENCH, level="word")
    model = Seq2Seq(source.size, target.size, embedding_dim=8, hidden_units=12, num_layers=2, cell_type="lstm",
                    reverse_source=True)
    directory = tmp_path_factory.mktemp("translator")
    Translator(model, source, target, card={"max_length": 6}).save(directory)
    return directory


def test_translator_export_matches_the_python_translator(translator_dir, tmp_path):
    (tmp_path / "exported").mkdir()
    (tmp_path / "exported" / "stale.txt").write_text("from an earlier export")
    export_dir = export_saved_model(translator_dir, tmp_path / "exported", beam_width=3, max_length=7, overwrite=True)
    assert not (tmp_path / "exported" / "stale.txt").exists()  # replaced as a whole
    description = json.loads((tmp_path / "exported" / "kerasrnn_export.json").read_text())
    assert description["task"] == "translator" and description["beam_width"] == 3
    served = _serve(
        f"queries = tf.constant({QUERIES!r})\n"
        "beam, greedy = model.serve(queries), model.signatures['greedy'](sentences=queries)\n"
        "out = {'beam': strings(beam['translation']), 'beam_scores': beam['score'].numpy().tolist(),\n"
        "       'greedy': strings(greedy['translation']), 'greedy_scores': greedy['score'].numpy().tolist(),\n"
        "       'default_keys': sorted(model.signatures['serving_default'].structured_outputs)}\n",
        export_dir,
    )
    translator = Translator.load(translator_dir)
    beam = translator.translate(QUERIES, beam_width=3, max_length=7, return_scores=True)
    greedy = translator.translate(QUERIES, beam_width=1, max_length=7, return_scores=True)
    assert served["beam"] == [text for text, _ in beam]
    assert served["greedy"] == [text for text, _ in greedy]
    np.testing.assert_allclose(served["beam_scores"], [score for _, score in beam], rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(served["greedy_scores"], [score for _, score in greedy], rtol=1e-4, atol=1e-5)
    assert served["default_keys"] == ["score", "translation"]


@pytest.mark.skipif(testing.backend() != "tensorflow",
                    reason="the export itself runs on TensorFlow; the word translator test covers the hand-off")
def test_subword_translator_export_embeds_the_sentencepiece_models(tmp_path):
    from kerasrnn.text.subword import SubwordVocabulary

    keras.utils.set_random_seed(3)
    source = SubwordVocabulary.train(ENGLISH * 10, vocabulary_size=40)
    target = SubwordVocabulary.train(FRENCH * 10, vocabulary_size=40)
    model = Seq2Seq(source.size, target.size, embedding_dim=8, hidden_units=12, cell_type="lstm", reverse_source=True,
                    bidirectional_encoder=True, bridge=True, context_every_step=True, tie_embeddings=True)
    directory = tmp_path / "translator"
    Translator(model, source, target, card={"max_target_tokens": 8}).save(directory)
    export_dir = export_saved_model(directory, tmp_path / "exported", beam_width=2)
    (directory / "source_subwords.model").unlink()  # the export needs neither file: the graph holds them
    (directory / "target_subwords.model").unlink()
    served = _serve(
        f"queries = tf.constant({QUERIES!r})\n"
        "out = {'beam': strings(model.serve(queries)['translation']),\n"
        "       'greedy': strings(model.signatures['greedy'](sentences=queries)['translation'])}\n",
        export_dir,
    )
    translator = Translator(model, source, target)
    assert served["beam"] == translator.translate(QUERIES, beam_width=2, max_length=9)
    assert served["greedy"] == translator.translate(QUERIES, beam_width=1, max_length=9)


@pytest.fixture(scope="module")
def language_model_dir(tmp_path_factory):
    keras.utils.set_random_seed(2)
    vocabulary = Vocabulary.build(TEXT, level="char")
    model = build_language_model(vocabulary.size, cell_type="lstm", embedding_dim=8, hidden_units=16, num_layers=2)
    directory = tmp_path_factory.mktemp("language_model")
    LanguageModel(model, vocabulary).save(directory)
    return directory


@pytest.mark.skipif(testing.backend() != "tensorflow",
                    reason="the export itself runs on TensorFlow; the translator test covers the hand-off from this backend")
def test_language_model_export_generates_like_the_python_task(language_model_dir, tmp_path):
    export_dir = export_saved_model(language_model_dir, tmp_path / "exported")
    prompts = ["to be", "that is the q", "x"]  # different lengths; "x" is not in the vocabulary
    served = _serve(
        f"prompts = tf.constant({prompts!r})\n"
        "greedy = model.greedy(prompts, tf.constant(12))['text']\n"
        "a = model.serve(prompts, tf.constant(30), tf.constant(1.0), tf.constant(7))['text']\n"
        "b = model.serve(prompts, tf.constant(30), tf.constant(1.0), tf.constant(7))['text']\n"
        "c = model.serve(prompts, tf.constant(30), tf.constant(1.0), tf.constant(8))['text']\n"
        "empty = model.greedy(tf.constant(['']), tf.constant(5))['text']\n"
        "out = {'greedy': strings(greedy), 'a': strings(a), 'b': strings(b), 'c': strings(c),\n"
        "       'empty': strings(empty)}\n",
        export_dir,
    )
    task = LanguageModel.load(language_model_dir)
    with pytest.warns(UserWarning):  # "x" is read as <unk>
        expected = [task.generate(prompt, num_chars=12, greedy=True) for prompt in prompts]
    assert served["greedy"] == expected
    assert served["a"] == served["b"] != served["c"]  # the seed fixes the sample
    assert all(len(text) == 30 and set(text) <= set(task.vocabulary.tokens) for text in served["a"])
    assert len(served["empty"][0]) == 5


def test_export_errors(translator_dir, tmp_path):
    with pytest.raises(ValueError, match="beam_width"):
        export_saved_model(translator_dir, tmp_path / "x", beam_width=0)
    with pytest.raises(FileNotFoundError, match="does not exist"):
        export_saved_model(tmp_path / "missing", tmp_path / "x")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "task.json").write_text(json.dumps({"task": "name_classifier", "format_version": 1}))
    with pytest.raises(ValueError, match="name_classifier"):
        export_saved_model(tmp_path / "other", tmp_path / "x")
    assert not (tmp_path / "x").exists()


def test_export_refuses_a_directory_that_is_not_empty(translator_dir, tmp_path, capsys):
    from kerasrnn.export import main

    target = tmp_path / "exported"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(FileExistsError, match=r"exported exists and is not empty; pass overwrite=True"):
        export_saved_model(translator_dir, target)
    assert main([str(translator_dir), str(target)]) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and str(target) in error and "--overwrite" in error
    (tmp_path / "a_file").write_text("mine")
    with pytest.raises(FileExistsError, match="a_file"):
        export_saved_model(translator_dir, tmp_path / "a_file")
    assert (target / "keep.txt").read_text() == "mine" and (tmp_path / "a_file").read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file", "exported"]  # no staging left behind


def test_tf_normalize_sentence_agrees_with_python():
    import tensorflow as tf

    from kerasrnn.text.tf_text import tf_normalize_sentence

    sentences = ["Qu'est-ce que c'est\u202f?", "«\u00a0Bonjour\u00a0», dit-il…", "ÉCOLE Ça Œuvre", "a\u2009b\u3000c",
                 "Tab\tand\nnewline\x85end", "l\u2019homme", "\u201cquoted\u201d (yes)!", "   ", "", "Ü\u0308ber"]
    if testing.SHARED_DATA is not None and (testing.SHARED_DATA / "fra-eng.zip").exists():
        with zipfile.ZipFile(testing.SHARED_DATA / "fra-eng.zip") as archive:
            name = next(n for n in archive.namelist() if n.endswith("fra.txt"))
            lines = archive.read(name).decode("utf-8").splitlines()[::50]
        sentences += [part for line in lines for part in line.split("\t")[:2]]
    normalized = [s.decode("utf-8") for s in tf_normalize_sentence(tf.constant(sentences)).numpy().tolist()]
    mismatches = [(s, n) for s, n in zip(sentences, normalized) if n != normalize_sentence(s)]
    assert mismatches == []
