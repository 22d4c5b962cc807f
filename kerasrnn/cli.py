"""The `kerasrnn` command: use the shipped models from a shell.

    kerasrnn list                                   every model, its task and headline test metric
    kerasrnn info                                   version, backend, devices, installed models
    kerasrnn translate "I am cold." [--beam-width 4]
    kerasrnn generate predict_next_char --prompt "ROMEO:" --num-chars 300 [--temperature 0.8 --seed 0]
    kerasrnn classify Nakamura Dubois [--top-k 3]
    kerasrnn fill "to be or <mask> to be" [--top-k 5]
    kerasrnn similar king [--top-k 10]
    kerasrnn forecast series.csv --steps 100
    kerasrnn train predict_next_char --quick        a recipe of a clone, flags passed through
    kerasrnn export translate_en_fr exports/translator [--overwrite]

`python -m kerasrnn <subcommand>` is the same command (with no subcommand it
prints the `info` report). Every model argument takes a model name
(`kerasrnn list`; see `kerasrnn.presets`) or the path of a model directory.
`translate`, `classify` and `fill` read lines from stdin when given no text.

`--backend` (on every subcommand) sets `KERAS_BACKEND` before Keras is
imported; without it Keras picks as usual: `KERAS_BACKEND`, then
`~/.keras/keras.json`, then tensorflow. Bad input (an unknown model, empty
input, an unreadable file, a bad number) prints one line on stderr and exits
with status 2; `--traceback` shows the full traceback instead.
"""

import argparse
import csv
import io
import math
import os
import subprocess
import sys
import warnings

from kerasrnn import presets

BACKENDS = ("tensorflow", "jax", "torch")
RECIPES_DIR = presets.MODELS_DIR.parent / "recipes"
"""`recipes/` beside the package: present when kerasrnn runs from a clone."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line: `kerasrnn fill: error: ... (see --help)`."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


class UsageError(ValueError):
    """Bad input from the command line: printed as one line, exit status 2."""


# ----------------------------------------------------------------- arguments
class DeprecatedFlag(argparse.Action):
    """The old spelling of a flag, kept hidden for one release: it sets the new flag and says so on stderr.

    Example:

    ```python
    parser.add_argument("--top-k", type=positive_int, default=10, help="...")
    parser.add_argument("--topn", action=DeprecatedFlag, new_flag="--top-k", dest="top_k", type=positive_int)
    ```
    """

    def __init__(self, option_strings, dest, new_flag, **kwargs):
        kwargs.pop("help", None)
        super().__init__(option_strings, dest, help=argparse.SUPPRESS, **kwargs)
        self.new_flag = new_flag

    def __call__(self, parser, namespace, values, option_string=None):
        print(f"{parser.prog}: warning: {option_string} is deprecated and will be removed in the next release; "
              f"use {self.new_flag}", file=sys.stderr)
        setattr(namespace, self.dest, values)


def positive_int(text):
    """argparse type: an integer > 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, received {text!r}")
    return value


def finite_float(text):
    """argparse type: a finite number."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, received {text!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, received {text!r}")
    return value


def build_parser():
    """The `kerasrnn` argument parser, one subparser per subcommand."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--backend", choices=BACKENDS, default=None,
                        help="Keras backend, set before Keras is imported (default: KERAS_BACKEND, then "
                             "~/.keras/keras.json, then tensorflow)")
    common.add_argument("--traceback", action="store_true", help="show the full traceback of an error")

    parser = _Parser(prog="kerasrnn", description=__doc__.splitlines()[0],
                     epilog="`kerasrnn <subcommand> --help` describes each subcommand.")
    subcommands = parser.add_subparsers(dest="command", metavar="<subcommand>", parser_class=_Parser)

    def add(name, help_text, model=None):
        subparser = subcommands.add_parser(name, parents=[common], help=help_text, description=help_text)
        if model is not None:
            subparser.add_argument("--model", default=model,
                                   help=f"a model name or the path of a model directory (default: {model})")
        return subparser

    add("list", "list the models: name, task, headline test metric, where it is found")
    add("info", "print the kerasrnn and Keras versions, the backend and its devices, and the installed models")

    translate = add("translate", "translate English sentences to French (lines from stdin when none given)",
                    model="translate_en_fr")
    translate.add_argument("sentences", nargs="*", help="sentences to translate")
    translate.add_argument("--beam-width", type=positive_int, default=4, help="beam width; 1 is greedy search")

    generate = add("generate", "continue a prompt with a character language model")
    generate.add_argument("model", help="a model name or path, e.g. predict_next_char or generate_plant_names")
    generate.add_argument("--prompt", default="", help="the text to continue (default: a random character)")
    generate.add_argument("--num-chars", type=positive_int, default=300, help="characters to generate")
    generate.add_argument("--temperature", type=finite_float, default=0.8,
                          help="sampling temperature; 0 or less is greedy decoding")
    generate.add_argument("--top-k", type=positive_int, default=None, help="sample among the k likeliest only")
    generate.add_argument("--seed", type=int, default=None, help="seed of the sampling (default: random)")
    generate.add_argument("--count", type=positive_int, default=None,
                          help="a name generator only: generate this many names, one a line")

    classify = add("classify", "guess the language of origin of names (lines from stdin when none given)",
                   model="classify_names")
    classify.add_argument("names", nargs="*", help="names to classify")
    classify.add_argument("--top-k", type=positive_int, default=3, help="languages shown per name")

    fill = add("fill", "fill each <mask> of a text with a word (lines from stdin when none given)",
               model="predict_masked_words")
    fill.add_argument("texts", nargs="*", help='texts with <mask> words, e.g. "to be or <mask> to be"')
    fill.add_argument("--top-k", type=positive_int, default=None,
                      help="list the k likeliest words of each mask instead of filling them in")

    similar = add("similar", "the words nearest to a word in a word-vector model", model="word2vec")
    similar.add_argument("words", nargs="+", help="words to look up")
    similar.add_argument("--top-k", type=positive_int, default=10, help="neighbours shown per word")
    similar.add_argument("--topn", action=DeprecatedFlag, new_flag="--top-k", dest="top_k", type=positive_int)

    forecast = add("forecast", "continue a time series with a forecaster; prints one value a line",
                   model="echo_state_forecast")
    forecast.add_argument("series", help="a file with one number a line, or a CSV file ('-': stdin): the recent "
                                         "past, at least the model's warmup_steps values (100 for the shipped one)")
    forecast.add_argument("--steps", type=positive_int, default=100, help="how many future values to forecast")
    forecast.add_argument("--column", default=None,
                          help="the CSV column to read: a header name or a 0-based index (default: the last)")

    train = add("train", "run a recipe of a clone of the repository, e.g. kerasrnn train predict_next_char --quick")
    train.add_argument("recipe", help=f"a recipe name ({', '.join(_recipes()) or 'recipes/ of a clone'})")
    train.add_argument("recipe_args", nargs=argparse.REMAINDER,
                       help="the recipe's flags, passed through (see kerasrnn train <recipe> --help)")

    export = add("export", "export a translator or language model as a TensorFlow SavedModel")
    export.add_argument("model", help="a model name or path (translate_en_fr, predict_next_char, ...)")
    export.add_argument("output_dir", help="where to write the SavedModel: a new or empty directory")
    export.add_argument("--beam-width", type=positive_int, default=4, help="the translator's beam width")
    export.add_argument("--overwrite", action="store_true", help="replace an output_dir that is not empty")
    return parser


# --------------------------------------------------------------- subcommands
def run_list(args):
    lines = presets.list_models()
    print("\n".join(lines))
    return 0


def run_info(args):
    print("\n".join(describe()))
    return 0


def run_translate(args):
    sentences = _texts(args.sentences, "sentences")
    translator = _load(args.model, "translate", ("translator",))
    for translation in translator.translate(sentences, beam_width=args.beam_width):
        print(translation)
    return 0


def run_generate(args):
    model = _load(args.model, "generate", ("language_model", "name_generator"))
    greedy = args.temperature <= 0
    temperature = 1.0 if greedy else args.temperature
    if args.count is not None:
        if not hasattr(model, "generate_names"):
            raise UsageError(f"--count needs a name generator; {args.model} holds a {model.task_name!r} model")
        if greedy:
            raise UsageError("--count samples names: give a --temperature above 0")
        names = model.generate_names(args.count, temperature=temperature, top_k=args.top_k, seed=args.seed,
                                     prefix=args.prompt)
        print("\n".join(names))
        return 0
    text = model.generate(args.prompt, num_chars=args.num_chars, temperature=temperature, top_k=args.top_k,
                          seed=args.seed, greedy=greedy)
    print(args.prompt + text)
    return 0


def run_classify(args):
    names = _texts(args.names, "names")
    classifier = _load(args.model, "classify", ("name_classifier",))
    top_k = min(args.top_k, len(classifier.languages))
    for name, ranked in zip(names, classifier.predict(names, top_k=top_k)):
        print(f"{name}: " + ", ".join(f"{language} {probability:.3f}" for language, probability in ranked))
    return 0


def run_fill(args):
    texts = _texts(args.texts, "texts")
    model = _load(args.model, "fill", ("masked_word_model",))
    top_k = None if args.top_k is None else min(args.top_k, model.num_words)
    for text in texts:
        if top_k is None:
            print(model.fill(text, highlight=True))
            continue
        if len(texts) > 1:
            print(text)
        for number, ranked in enumerate(model.fill(text, top_k=top_k), start=1):
            print(f"<mask> {number}:")  # one candidate a line: a word may be "," or "-"
            width = max(len(word) for word, _ in ranked)
            print("\n".join(f"  {word:<{width}}  {probability:.3f}" for word, probability in ranked))
    return 0


def run_similar(args):
    vectors = _load(args.model, "similar", ("word2vec",))
    for word in args.words:
        if len(args.words) > 1:
            print(f"{word}:")
        for neighbour, cosine in vectors.most_similar(word, top_k=args.top_k):
            print(f"{neighbour} {cosine:.3f}")
    return 0


def run_forecast(args):
    series = read_series(args.series, args.column)
    forecaster = _load(args.model, "forecast", ("forecaster",))
    if forecaster.features != 1:
        raise UsageError(f"{args.model} forecasts {forecaster.features} series at once; this command reads one")
    for value in forecaster.forecast(series, args.steps):
        print(f"{value:.8g}")
    return 0


def run_train(args):
    recipes = _recipes()
    if not recipes:
        raise UsageError(f"kerasrnn train runs the recipes of a clone of the repository, and there is no recipes/ "
                         f"beside this kerasrnn ({presets.MODELS_DIR.parent}); clone the repository and install it "
                         "with `pip install -e .`")
    if args.recipe not in recipes:
        raise UsageError(f"unknown recipe {args.recipe!r}; recipes: {', '.join(recipes)}")
    environment = dict(os.environ)
    root = str(RECIPES_DIR.parent)
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, [root, environment.get("PYTHONPATH")]))
    command = [sys.executable, str(RECIPES_DIR / f"{args.recipe}.py"), *args.recipe_args]
    return subprocess.run(command, env=environment).returncode


def run_export(args):
    from kerasrnn.export import export_saved_model

    path = export_saved_model(args.model, args.output_dir, beam_width=args.beam_width, overwrite=args.overwrite)
    print(f"SavedModel written to {path}")
    return 0


COMMANDS = {
    "list": run_list, "info": run_info, "translate": run_translate, "generate": run_generate,
    "classify": run_classify, "fill": run_fill, "similar": run_similar, "forecast": run_forecast,
    "train": run_train, "export": run_export,
}


# ------------------------------------------------------------------- helpers
def describe():
    """The `kerasrnn info` report (also `python -m kerasrnn`), as a list of lines."""
    import keras

    from kerasrnn import __version__
    from kerasrnn import backend as backend_ops
    from kerasrnn.cards import versions
    from kerasrnn.presets import MODELS_DIR
    from kerasrnn.presets import installed_models

    backend, framework = keras.backend.backend(), versions()
    lines = [
        f"kerasrnn {__version__} (Keras {keras.__version__}, Python {framework['python']})",
        f"backend: {backend} {framework[backend]}",
        f"devices: {', '.join(backend_ops.list_devices())}",
    ]
    models = installed_models()
    if not models:
        lines.append(f"installed models: none (no task directory under {_shown(MODELS_DIR)})")
        return lines
    lines.append(f"installed models in {_shown(MODELS_DIR)} (load with kerasrnn.load(name or path)):")
    width = max(len(name) for name, _, _ in models)
    for name, _, card in models:
        lines.append(f"  {name:<{width}}  {card.get('task', '(no card)')}{_headline(card)}")
    return lines


def _headline(card):
    headline = card.get("headline")
    if not isinstance(headline, dict) or headline.get("value") is None:
        return ""
    return f" [{headline.get('split', '')} {headline.get('metric', '')} {headline['value']:.4g}]".replace("[ ", "[")


def _shown(path):
    """`path` relative to the working directory when it lies below it, else as it is."""
    relative = os.path.relpath(path)
    return (relative if not relative.startswith("..") else str(path)) + os.sep


def _recipes():
    """The recipe names of the clone kerasrnn runs from (empty when it is not a clone)."""
    if not (RECIPES_DIR / "harness.py").is_file():
        return []
    return sorted(path.stem for path in RECIPES_DIR.glob("*.py") if path.stem != "harness"
                  and not path.stem.startswith("_"))


def _texts(arguments, what):
    """The command-line texts, or the non-empty lines of stdin when there are none."""
    if arguments:
        texts = list(arguments)
    else:
        if sys.stdin is None or sys.stdin.isatty():
            print(f"reading {what} from stdin, one a line (end with Ctrl-D)", file=sys.stderr)
        texts = [line.strip() for line in (sys.stdin or [])]
    texts = [text for text in texts if text.strip()]
    if not texts:
        raise UsageError(f"no {what} to read: give them as arguments or as lines on stdin")
    return texts


def _load(model, command, tasks):
    """Resolve `model` (a name or a path), check that it holds one of `tasks`, and load it."""
    from kerasrnn.tasks.saved_task import read_manifest

    path = presets.resolve(model)
    task = read_manifest(path).get("task")
    if task not in tasks:
        raise UsageError(f"kerasrnn {command} needs a {' or '.join(repr(t) for t in tasks)} model; {model} holds a "
                         f"{task!r} model")
    import kerasrnn

    return kerasrnn.load(path)


def read_series(source, column=None):
    """The numbers of a file with one number a line, or of one column of a CSV file (`-`: stdin).

    Args:
        source: a file path, or `"-"` for stdin.
        column: the CSV column: a header name or a 0-based index. Defaults to
            the last column. A first row that is not numeric is a header.

    Returns:
        A list of floats.

    Raises:
        UsageError: the file cannot be read, holds no numbers, or a value is
            not a number (the message names the line and the value).
    """
    name = "stdin" if source == "-" else source
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            with open(source, encoding="utf-8-sig") as f:
                text = f.read()
    except (OSError, UnicodeDecodeError) as error:
        raise UsageError(f"cannot read the series from {name}: {error}") from None
    rows = [(number, row) for number, row in enumerate(csv.reader(io.StringIO(text)), start=1)
            if any(cell.strip() for cell in row)]
    if not rows:
        raise UsageError(f"{name} holds no numbers: give one number a line, or a CSV column")
    header = None
    if not all(_is_number(cell) for cell in rows[0][1]):
        header, rows = [cell.strip() for cell in rows[0][1]], rows[1:]
    index = _column_index(column, header, len(rows[0][1]) if rows else len(header or []), name)
    series = []
    for number, row in rows:
        value = row[index].strip() if index < len(row) else ""
        if not _is_number(value) or not math.isfinite(float(value)):
            raise UsageError(f"{name}, line {number}: {value!r} is not a finite number")
        series.append(float(value))
    if not series:
        raise UsageError(f"{name} holds no numbers: give one number a line, or a CSV column")
    return series


def _column_index(column, header, width, name):
    if column is None:
        return max(width - 1, 0)
    if header is not None and column in header:
        return header.index(column)
    if column.lstrip("-").isdigit() and 0 <= int(column) < width:
        return int(column)
    columns = f"the columns are {', '.join(header)}" if header else f"it has {width} column(s), numbered from 0"
    raise UsageError(f"{name} has no column {column!r}: {columns}")


def _is_number(text):
    try:
        float(text)
    except ValueError:
        return False
    return True


# ---------------------------------------------------------------------- main
def main(argv=None):
    """Run the `kerasrnn` command with `argv` (default: `sys.argv[1:]`); returns the exit status."""
    parser = build_parser()
    arguments = sys.argv[1:] if argv is None else list(argv)
    args = parser.parse_args(arguments or ["info"])
    if args.command is None:
        parser.print_help()
        return 2
    if args.backend is not None:
        keras = sys.modules.get("keras")
        if keras is not None and keras.backend.backend() != args.backend:
            print(f"kerasrnn {args.command}: error: Keras was already imported with the "
                  f"{keras.backend.backend()} backend; cannot switch to --backend {args.backend}", file=sys.stderr)
            return 2
        os.environ["KERAS_BACKEND"] = args.backend
    warnings.formatwarning = _one_line_warning
    try:
        return COMMANDS[args.command](args)
    except (ValueError, OSError, LookupError) as error:  # bad input: an unknown model, a missing file, ...
        if args.traceback:
            raise
        print(f"kerasrnn {args.command}: error: {_one_line(error)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.traceback:
            raise
        print(f"kerasrnn {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # a bug: say so in one line, and how to see the traceback
        if args.traceback:
            raise
        print(f"kerasrnn {args.command}: unexpected {type(error).__name__}: {_one_line(error)} "
              "(rerun with --traceback and report it)", file=sys.stderr)
        return 1


def _one_line_warning(message, category, filename, lineno, line=None):
    return f"warning: {message}\n"


def _one_line(error):
    text = str(error).strip()
    if isinstance(error, KeyError) and error.args:
        text = str(error.args[0])
    return " ".join(text.split()) or type(error).__name__


if __name__ == "__main__":
    sys.exit(main())
