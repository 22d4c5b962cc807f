"""Export a saved task as a TensorFlow SavedModel that takes and returns raw strings.

    python -m kerasrnn.export saved_models/translate_en_fr exports/translator
    python -m kerasrnn.export saved_models/predict_next_char/lstm exports/char_lm

The SavedModel holds the whole path from text to text: normalisation and
tokenisation with `tf.strings` / tensorflow-text ops (`kerasrnn.text.tf_text`,
the twin of the Python normaliser used in training), vocabulary lookups as
TensorFlow hash tables (a subword translator: its SentencePiece models,
embedded in the graph, cut the raw text and join the output pieces into
cased text), the compiled decoding loop (`keras.ops.while_loop`
traced into the graph) and the detokenisation. Serving needs only TensorFlow
and tensorflow-text:

```python
import tensorflow as tf
import tensorflow_text  # noqa: F401  (registers the normalisation op)

translator = tf.saved_model.load("exports/translator")
translator.serve(tf.constant(["I am cold."]))          # {"translation": [b"j'ai froid ."]} (subwords: b"J'ai froid.")
translator.signatures["greedy"](tf.constant(["Hi."]))  # greedy search instead of beam search
```

Signatures:

* translator: `serve` / `serving_default` (beam search, width set at export,
  4 by default) and `greedy`, each `sentences: string[batch] ->
  {"translation": string[batch], "score": float32[batch]}`.
* language model: `serve` / `serving_default`, `prompts: string[batch],
  num_chars: int32[], temperature: float32[], seed: int32[] ->
  {"text": string[batch]}` (`temperature <= 0` means greedy), and
  `greedy` (`prompts`, `num_chars`).

A SavedModel is a TensorFlow graph, so the export runs on the TensorFlow
backend. Called from a process on the JAX or PyTorch backend (which cannot
switch backends once Keras is imported), `export_saved_model` runs the export
in a child process on TensorFlow; the `.keras` model loads on any backend, so
the result is the same whichever backend trained it.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from kerasrnn.utils.validation import check_positive_int

DEFAULT_BEAM_WIDTH = 4


def export_saved_model(model_dir, output_dir, beam_width=DEFAULT_BEAM_WIDTH, max_length=None, length_penalty=0.6,
                       overwrite=False):
    """Export the task saved in `model_dir` as a SavedModel in `output_dir`.

    Args:
        model_dir: a directory written by a recipe (it has a `task.json`),
            or a model name (see `kerasrnn.presets`): a translator or a
            language model.
        output_dir: where to write the SavedModel: a new or empty directory,
            or any existing one with `overwrite=True`. Written to a temporary
            directory next to it first, then renamed, so a failed export never
            leaves a half-written SavedModel.
        beam_width: the translator's beam width in `serve`. Defaults to 4.
        max_length: most tokens per translation, end token included. Defaults
            to the longest training target + 1: a subword card's
            `max_target_tokens`, else its `max_length`, else 31.
        length_penalty: GNMT's `alpha` for beam search. Defaults to 0.6.
        overwrite: replace an `output_dir` that exists and is not empty.
            Defaults to False: such a directory raises `FileExistsError`.

    Returns:
        `output_dir`.
    """
    from kerasrnn.presets import resolve
    from kerasrnn.tasks.saved_task import read_manifest

    model_dir, output_dir = os.fspath(resolve(model_dir)), os.fspath(output_dir)
    task = read_manifest(model_dir)["task"]
    if task not in ("translator", "language_model"):
        raise ValueError(
            f"{model_dir} holds a {task!r} task; SavedModel export supports 'translator' and 'language_model'"
        )
    beam_width = check_positive_int(beam_width, "beam_width")
    if max_length is not None:
        max_length = check_positive_int(max_length, "max_length")
    empty_dir = os.path.isdir(output_dir) and not os.listdir(output_dir)
    if os.path.lexists(output_dir) and not empty_dir and not overwrite:
        raise FileExistsError(f"{output_dir} exists and is not empty; pass overwrite=True (--overwrite) to replace it")

    import keras

    if keras.backend.backend() != "tensorflow":
        return _export_in_child(model_dir, output_dir, beam_width, max_length, length_penalty, overwrite)

    parent = os.path.dirname(os.path.abspath(output_dir))
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=".export-", dir=parent)
    try:
        if task == "translator":
            _export_translator(model_dir, staging, beam_width, max_length, length_penalty)
        else:
            _export_language_model(model_dir, staging)
        if os.path.isdir(output_dir) and not os.path.islink(output_dir):
            shutil.rmtree(output_dir)
        elif os.path.lexists(output_dir):
            os.remove(output_dir)
        os.replace(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return output_dir


def _export_in_child(model_dir, output_dir, beam_width, max_length, length_penalty, overwrite):
    command = [sys.executable, "-m", "kerasrnn.export", model_dir, output_dir, "--beam-width", str(beam_width),
               "--length-penalty", str(length_penalty)]
    if max_length is not None:
        command += ["--max-length", str(max_length)]
    if overwrite:
        command.append("--overwrite")
    environment = dict(os.environ, KERAS_BACKEND="tensorflow")
    package_root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, environment.get("PYTHONPATH")]))
    result = subprocess.run(command, env=environment, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise RuntimeError(f"the TensorFlow export process failed: {lines[-1] if lines else result.returncode}")
    return output_dir


# ------------------------------------------------------------------ translator
def _export_translator(model_dir, output_dir, beam_width, max_length, length_penalty):
    import keras
    import tensorflow as tf

    from kerasrnn.decoding import BeamSampler
    from kerasrnn.decoding import GreedySampler
    from kerasrnn.decoding import normalized_scores
    from kerasrnn.tasks.translator import Translator

    translator = Translator.load(model_dir)
    source, target = translator.source_vocabulary, translator.target_vocabulary
    if max_length is None:
        # A subword model's card records its longest training target in pieces (the recipe, under `training`).
        longest = translator.card.get("max_target_tokens", (translator.card.get("training") or {}).get(
            "max_target_tokens")) if source.level == "subword" else None
        max_length = int(longest if longest is not None else translator.card.get("max_length", 31)) + 1
    # The translator's own decoding loops, traced into the graph.
    beam_search = translator.generator.decode_fn(BeamSampler(beam_width, length_penalty), max_length)
    greedy_search = translator.generator.decode_fn(GreedySampler(), max_length)

    if source.level == "subword":
        encode, detokenize, resources = _subword_text_fns(source, target)
    else:
        encode, detokenize, resources = _word_text_fns(source, target)

    def translate(search, sentences):
        tokens, log_probs = search(encode(sentences))
        tokens = tokens[:, 1:]  # without <s>
        return {"translation": detokenize(tokens), "score": normalized_scores(tokens, log_probs, length_penalty)}

    def beam(sentences):
        return translate(beam_search, sentences)

    def greedy(sentences):
        return translate(greedy_search, sentences)

    sentences_spec = [tf.TensorSpec([None], tf.string, name="sentences")]
    archive = keras.export.ExportArchive()
    for model in translator.models:  # an ensemble's members, or the one model
        archive.track(model)
    for resource in resources:
        archive.track(resource)
    archive.add_endpoint("serve", beam, input_signature=sentences_spec)
    archive.add_endpoint("greedy", greedy, input_signature=sentences_spec)
    _write_archive(archive, output_dir, model_dir, {
        "task": "translator", "beam_width": beam_width, "max_length": max_length, "length_penalty": length_penalty,
    })


def _word_text_fns(source, target):
    """`(encode, detokenize, resources)` for word vocabularies: normalised words, joined with spaces."""
    import tensorflow as tf

    from kerasrnn.text.tf_text import tf_split_words

    source_table = _token_table(source)
    target_tokens = tf.constant(target.id_to_token)
    dropped_ids = tf.constant(sorted({source.pad_id, *(target.special_id(t) for t in target.specials)}
                                     - {target.unk_id}), tf.int32)

    def encode(sentences):
        words = tf_split_words(sentences)  # ragged (batch, words)
        return _at_least_one_id(tf.cast(source_table.lookup(words), tf.int32), source.unk_id)

    def detokenize(tokens):
        keep = tf.logical_not(tf.reduce_any(tf.equal(tokens[..., None], dropped_ids), axis=-1))
        words = tf.ragged.boolean_mask(tf.gather(target_tokens, tokens), keep)
        return tf.strings.reduce_join(words, axis=-1, separator=" ")

    return encode, detokenize, [source_table]


def _subword_text_fns(source, target):
    """`(encode, detokenize, resources)` for subword vocabularies: SentencePiece both ways, cased text out."""
    import tensorflow as tf

    from kerasrnn.text.tf_text import tf_sentencepiece_tokenizer

    source_tokenizer = tf_sentencepiece_tokenizer(source, name="source_subwords")
    target_tokenizer = (source_tokenizer if target == source
                        else tf_sentencepiece_tokenizer(target, name="target_subwords"))
    dropped_ids = tf.constant(target.special_ids, tf.int32)

    def encode(sentences):
        return _at_least_one_id(source_tokenizer.tokenize(sentences), source.unk_id)

    def detokenize(tokens):
        keep = tf.logical_not(tf.reduce_any(tf.equal(tokens[..., None], dropped_ids), axis=-1))
        return target_tokenizer.detokenize(tf.ragged.boolean_mask(tokens, keep))

    return encode, detokenize, [source_tokenizer, target_tokenizer]


def _at_least_one_id(ids, unk_id):
    """Ragged ids -> padded `(batch, time + 1)`; an empty sentence reads as `<unk>`, as in `Translator.encode`."""
    import tensorflow as tf

    ids = tf.pad(tf.cast(ids, tf.int32).to_tensor(default_value=0), [[0, 0], [0, 1]])
    first = tf.where(tf.equal(ids[:, 0], 0), unk_id, ids[:, 0])
    return tf.concat([first[:, None], ids[:, 1:]], axis=1)


# -------------------------------------------------------------- language model
def _export_language_model(model_dir, output_dir):
    import keras
    import tensorflow as tf

    from kerasrnn.decoding import GreedySampler
    from kerasrnn.decoding import RandomSampler
    from kerasrnn.decoding.random_sampler import gumbel
    from kerasrnn.tasks.language_model import LanguageModel

    language_model = LanguageModel.load(model_dir)
    vocabulary, stepper = language_model.vocabulary, language_model.stepper
    if vocabulary.level != "char":
        raise ValueError(f"SavedModel export of language models supports character models, not {vocabulary.level!r}")
    table = _token_table(vocabulary)
    tokens = tf.constant(vocabulary.id_to_token)
    bias = tf.constant(language_model.generator.logit_bias)  # <pad>, <unk> and the specials, as generate() does
    dropped = tf.constant(sorted({vocabulary.pad_id, *(vocabulary.special_id(t) for t in vocabulary.specials)}),
                          tf.int32)

    def run(prompts, num_chars, sampler, inputs_fn):
        chars = tf.strings.unicode_split(prompts, "UTF-8")  # ragged (batch, chars)
        ids = tf.cast(table.lookup(chars), tf.int32)
        lengths = tf.cast(ids.row_lengths(), tf.int32)
        # One spare column, so that an empty prompt has room for its start token: the first
        # ordinary token of the vocabulary (generate() draws one at random instead).
        ids = tf.pad(ids.to_tensor(default_value=0), [[0, 0], [0, 1]])
        first_token = min(len(vocabulary.specials) + 2, vocabulary.size - 1)
        empty = tf.equal(lengths, 0)
        ids = tf.concat([tf.where(empty, first_token, ids[:, 0])[:, None], ids[:, 1:]], axis=1)
        lengths = tf.maximum(lengths, 1)
        batch, prompt_width = tf.shape(ids)[0], tf.shape(ids)[1]
        total = prompt_width + num_chars
        buffer = tf.concat([ids, tf.zeros([batch, num_chars], tf.int32)], axis=1)  # (batch, total)
        # Prompts are right-padded: each row keeps its own prompt (the mask) and generates after it.
        given = tf.range(total)[None, :] < lengths[:, None]
        # The same sampler loop as LanguageModel.generate, traced here.
        buffer, _ = sampler(stepper.next_fn(), buffer, stepper.initial_states(batch), mask=given, logit_bias=bias,
                            inputs=inputs_fn(total, batch))
        # Each row's generated text starts right after its own prompt.
        positions = lengths[:, None] + tf.range(num_chars)[None, :]
        generated = tf.gather(buffer, positions, batch_dims=1)
        keep = tf.logical_not(tf.reduce_any(tf.equal(generated[..., None], dropped), axis=-1))
        text = tf.strings.reduce_join(tf.ragged.boolean_mask(tf.gather(tokens, generated), keep), axis=-1)
        return {"text": text}

    def serve(prompts, num_chars, temperature, seed):
        def inputs(total, batch):
            # RandomSampler's Gumbel noise from TensorFlow's stateless generator (the seed is an input here);
            # temperature <= 0 means greedy: no noise, and the argmax of the logits is unchanged.
            uniform = tf.random.stateless_uniform([total, batch, vocabulary.size], seed=tf.stack([seed, 0]))
            noise = tf.where(temperature > 0.0, gumbel(uniform), tf.zeros_like(uniform))
            return {"noise": noise, "temperature": tf.maximum(temperature, 1e-6)}

        return run(prompts, num_chars, RandomSampler(), inputs)

    def greedy(prompts, num_chars):
        return run(prompts, num_chars, GreedySampler(), lambda total, batch: {})

    archive = keras.export.ExportArchive()
    archive.track(language_model.model)
    archive.track(table)
    archive.add_endpoint("serve", serve, input_signature=[
        tf.TensorSpec([None], tf.string, name="prompts"), tf.TensorSpec([], tf.int32, name="num_chars"),
        tf.TensorSpec([], tf.float32, name="temperature"), tf.TensorSpec([], tf.int32, name="seed")])
    archive.add_endpoint("greedy", greedy, input_signature=[
        tf.TensorSpec([None], tf.string, name="prompts"), tf.TensorSpec([], tf.int32, name="num_chars")])
    _write_archive(archive, output_dir, model_dir, {"task": "language_model"})


# --------------------------------------------------------------------- helpers
def _token_table(vocabulary):
    """token -> id as a TensorFlow hash table; unknown tokens (and the literal `<pad>`) -> `<unk>`."""
    import tensorflow as tf

    tokens = vocabulary.id_to_token[1:]  # never map text to the padding id
    initializer = tf.lookup.KeyValueTensorInitializer(
        tf.constant(tokens), tf.range(1, len(tokens) + 1, dtype=tf.int64), key_dtype=tf.string, value_dtype=tf.int64)
    return tf.lookup.StaticHashTable(initializer, default_value=vocabulary.unk_id)


def _write_archive(archive, output_dir, model_dir, description):
    from kerasrnn import __version__

    archive.write_out(output_dir, verbose=False)
    description = dict(description, source=os.path.abspath(model_dir), kerasrnn_version=__version__)
    with open(os.path.join(output_dir, "kerasrnn_export.json"), "w", encoding="utf-8") as f:
        json.dump(description, f, indent=2)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m kerasrnn.export", description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", help="a saved task directory (translator or language model)")
    parser.add_argument("output_dir", help="where to write the SavedModel: a new or empty directory")
    parser.add_argument("--beam-width", type=int, default=DEFAULT_BEAM_WIDTH, help="translator beam width")
    parser.add_argument("--max-length", type=int, default=None, help="most words per translation")
    parser.add_argument("--length-penalty", type=float, default=0.6, help="GNMT length penalty alpha")
    parser.add_argument("--overwrite", action="store_true", help="replace an output_dir that is not empty")
    args = parser.parse_args(argv)
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    try:
        path = export_saved_model(args.model_dir, args.output_dir, args.beam_width, args.max_length,
                                  args.length_penalty, overwrite=args.overwrite)
    except (ValueError, FileNotFoundError, FileExistsError, RuntimeError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"SavedModel written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
