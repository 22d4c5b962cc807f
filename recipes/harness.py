"""The small harness every recipe shares: flags, backend selection, one-line errors.

Nothing here imports Keras at module level: the backend must be chosen (from
`--backend`) before Keras is imported, so recipes call `parse_args` first and
import `keras` and `kerasrnn` inside `main()`.
"""

import argparse
import codecs
import json
import os
import shlex
import sys
import tempfile
import time
import warnings

BACKENDS = ("tensorflow", "jax", "torch")
from kerasrnn.cli import positive_int  # noqa: E402,F401  (argparse type shared with the `kerasrnn` command)

_LAST_ARGS = None  # the flags of the running recipe, for the resume hint after Ctrl-C
REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def positive_float(text):
    """argparse type: a finite float > 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number, received {text!r}")
    return value


def fraction(text):
    """argparse type: a float in (0, 1)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), received {text!r}") from None
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError(f"expected a number in (0, 1), received {text!r}")
    return value


def text_encoding(text):
    """argparse type: the name of a text codec Python knows (`utf-8`, `latin-1`, `cp1252`, ...)."""
    try:
        codecs.lookup(text)
    except LookupError:
        raise argparse.ArgumentTypeError(
            f"unknown encoding {text!r}; pass a Python codec name such as 'utf-8', 'latin-1' or 'cp1252'") from None
    return text


def make_parser(recipe, description, epochs, batch_size, text_data=False):
    """An ArgumentParser with the flags every recipe has (`--encoding` too when `--data` is read as text)."""
    parser = argparse.ArgumentParser(
        prog=f"python recipes/{recipe}.py",
        description=description,
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(recipe=recipe)
    parser.add_argument("--backend", choices=BACKENDS, default=default_backend(),
                        help="Keras backend (set before Keras is imported); the default follows Keras: "
                             "KERAS_BACKEND, then ~/.keras/keras.json, then tensorflow")
    parser.add_argument("--epochs", type=positive_int, default=epochs, help="training epochs")
    parser.add_argument("--batch-size", type=positive_int, default=batch_size, help="examples per batch")
    parser.add_argument("--learning-rate", type=positive_float, default=2e-3, help="Adam learning rate")
    parser.add_argument("--seed", type=int, default=0, help="seed for data order, initialisation and sampling")
    parser.add_argument("--output-dir", default=None,
                        help=f"where models, cards and plots are written (default: a new runs/{recipe}/<date-time>/); "
                             "give the same directory again to resume an interrupted run")
    parser.add_argument("--overwrite", action="store_true",
                        help="allow writing into an --output-dir that already holds a saved model (task.json), "
                             "e.g. to refresh saved_models/")
    parser.add_argument("--data", default=None, help="read this local file instead of the default data")
    if text_data:
        parser.add_argument("--encoding", type=text_encoding, default="utf-8", help="text encoding of --data")
    parser.add_argument("--quick", action="store_true", help="a tiny run in seconds (smoke test)")
    parser.add_argument("--data-parallel", action="store_true",
                        help="train data-parallel on all local devices (JAX: keras.distribution; "
                             "TensorFlow: tf.distribute.MirroredStrategy)")
    parser.add_argument("--tensorboard", action="store_true", help="also write TensorBoard logs")
    parser.add_argument("--reuse-freed-memory", action="store_true",
                        help="Linux/glibc: keep freed memory for the next step instead of returning it to the "
                             "kernel (kerasrnn.utils.memory.reuse_freed_memory); faster CPU training on JAX and "
                             "torch, at the price of holding the peak memory until the run ends")
    return parser


def number_list(parser, flag, text, kind, minimum):
    """The sorted distinct numbers of a comma-separated flag value, each >= `minimum`, or a one-line error."""
    noun = "integers" if kind is int else "numbers"
    try:
        values = sorted({kind(item) for item in text.split(",") if item.strip()})
    except ValueError:
        parser.error(f"{flag} must be comma-separated {noun}, received {text!r}")
    if not values or min(values) < minimum:
        parser.error(f"{flag} must be {noun} >= {minimum}, received {values}")
    return values


def add_weights_dtype_flag(parser):
    """`--weights-dtype float32|float16`: how the saved model stores its weights (`Task.save(weights_dtype=...)`)."""
    parser.add_argument("--weights-dtype", choices=("float32", "float16"), default="float32",
                        help="how the saved model stores its weights: float16 halves the file; the weights are rounded "
                             "to float16 before validation and test, so the numbers are those of the saved model")


def add_split_flags(parser, validation_help="share of the data that picks epochs, models and settings",
                    test_help="share of the data scored once, at the end, on the chosen model"):
    """`--validation-fraction` and `--test-fraction` (defaults 0.1 each); `parse_args` then sets `args.fractions`."""
    parser.add_argument("--validation-fraction", type=fraction, default=0.1, help=validation_help)
    parser.add_argument("--test-fraction", type=fraction, default=0.1, help=test_help)


def parse_args(parser, argv=None):
    """Parse flags and select the backend before anything imports Keras."""
    args = parser.parse_args(argv)
    if hasattr(args, "test_fraction"):
        train_fraction = 1.0 - args.validation_fraction - args.test_fraction
        if train_fraction <= 0:
            parser.error(f"--validation-fraction {args.validation_fraction} and --test-fraction "
                         f"{args.test_fraction} leave nothing to train on; their sum must be below 1")
        args.fractions = (train_fraction, args.validation_fraction, args.test_fraction)
    if "keras" in sys.modules and sys.modules["keras"].backend.backend() != args.backend:
        parser.error(f"Keras was already imported with another backend; cannot switch to {args.backend}")
    if args.reuse_freed_memory:
        from kerasrnn.utils.memory import reuse_freed_memory  # imports no Keras

        # Before Keras starts its backend: the setting reaches only threads that have not allocated yet.
        args.reuse_freed_memory = reuse_freed_memory()
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # Keras warns that fit's default shuffle=True is ignored for tf.data: our pipelines shuffle themselves.
    warnings.filterwarnings("ignore", message=r".*`shuffle=True` was passed.*")
    args.output_dir = prepare_output_dir(parser, args)
    global _LAST_ARGS
    _LAST_ARGS = args
    args.command = "python " + " ".join(
        shlex.quote(relative_to_repository(a)) for a in [f"recipes/{args.recipe}.py", *(sys.argv[1:] if argv is None else argv)])
    args.started = time.time()
    return args


def relative_to_repository(argument):
    """A command-line argument with any absolute path made relative to the repository root (`--x=/a/b` too).

    Cards record the command that trained a model; relative paths keep it
    reproducible from any clone and keep this machine's layout out of it.
    """
    flag, equals, value = argument.partition("=") if argument.startswith("--") else ("", "", argument)
    if os.path.isabs(value):
        value = os.path.relpath(value, REPO_ROOT)
    return f"{flag}{equals}{value}"


def default_backend():
    """The backend Keras itself would pick: `KERAS_BACKEND`, then `keras.json`'s "backend", then tensorflow.

    Read without importing Keras (the recipe must choose the backend before that).
    """
    if os.environ.get("KERAS_BACKEND"):
        return os.environ["KERAS_BACKEND"]
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    try:
        with open(os.path.join(keras_home, "keras.json"), encoding="utf-8") as f:
            backend = json.load(f).get("backend")
    except (OSError, ValueError, AttributeError):
        backend = None
    return backend if backend in BACKENDS else "tensorflow"


def prepare_output_dir(parser, args):
    """Check `--output-dir` before anything trains; return the directory to write to.

    Without `--output-dir` a new `runs/<recipe>/<date-time>/` is used, so a
    run never writes over earlier results. A directory that already holds a
    saved model (a `task.json` anywhere inside it) is written only with
    `--overwrite`; an unfinished run there (a backup, checkpoints, no
    `task.json`) is resumed, which is not an overwrite. A path that is a file
    or cannot be written fails here, with one line, before training.
    """
    output_dir = args.output_dir
    if output_dir is None:
        output_dir = os.path.join("runs", args.recipe, time.strftime("%Y%m%d-%H%M%S"))
    if os.path.exists(output_dir) and not os.path.isdir(output_dir):
        fail(parser, f"--output-dir {output_dir} is a file, not a directory; choose a directory")
    if not args.overwrite:
        saved = saved_models_in(output_dir)
        if saved:
            fail(parser, f"--output-dir {output_dir} already holds a saved model ({saved[0]}); pass --overwrite "
                         "to replace it, or choose another --output-dir")
    try:
        os.makedirs(output_dir, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=output_dir, prefix=".write-test-"):
            pass
    except OSError as error:
        fail(parser, f"--output-dir {output_dir} cannot be written ({error.strerror or error}); choose another directory")
    return output_dir


def saved_models_in(directory):
    """Relative paths of the `task.json` files under `directory` (backups and checkpoints aside), sorted."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if d not in ("backup", "checkpoints", "logs"))
        if "task.json" in files:
            found.append(os.path.relpath(os.path.join(root, "task.json"), directory))
    return found


def fail(parser, message):
    """One line on stderr and exit code 2 (argparse's convention for bad flags)."""
    print(f"{parser.prog}: error: {message}", file=sys.stderr)
    sys.exit(2)


def load_text(args):
    """The recipe's text: `--data FILE` (read with `--encoding`), else the embedded tiny-shakespeare.

    Returns `(text, source)`, `source` naming where the text came from for the printout and the card.
    """
    import kerasrnn

    if args.data:
        # The card names the file, not where it lies on this machine.
        return kerasrnn.datasets.read_text_file(args.data, encoding=args.encoding), f"local file {os.path.basename(args.data)}"
    return kerasrnn.datasets.load_embedded_shakespeare(), "tiny-shakespeare (embedded copy)"


def flag_given(flag, argv=None):
    """Whether `flag` (e.g. "--epochs") was typed on the command line, as `--epochs 3` or `--epochs=3`."""
    argv = sys.argv[1:] if argv is None else argv
    return any(arg == flag or arg.startswith(flag + "=") for arg in argv)


def run(main):
    """Run a recipe's `main()`, turning known errors into one line on stderr and exit code 2."""
    from kerasrnn.datasets.errors import DataFileError
    from kerasrnn.datasets.errors import DownloadError

    try:
        main()
    except KeyboardInterrupt:
        where = f" with --output-dir {_LAST_ARGS.output_dir}" if _LAST_ARGS is not None else ""
        print(f"\ninterrupted: run the same command{where} to resume from the last completed epoch", file=sys.stderr)
        sys.exit(130)
    except (DataFileError, DownloadError, FileNotFoundError, ValueError, RuntimeError) as error:
        message = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"error: {message}", file=sys.stderr)
        sys.exit(2)


def setup_distribution(args):
    """Return a `tf.distribute` strategy scope or set the JAX data-parallel distribution.

    Call after `parse_args`, before building models. Returns a context manager
    (a no-op when `--data-parallel` is off).
    """
    import contextlib

    import keras

    if not args.data_parallel:
        return contextlib.nullcontext()
    backend = keras.backend.backend()
    if backend == "jax":
        devices = keras.distribution.list_devices()
        keras.distribution.set_distribution(keras.distribution.DataParallel(devices=devices))
        print(f"data-parallel on {len(devices)} JAX devices")
        return contextlib.nullcontext()
    if backend == "tensorflow":
        import tensorflow as tf

        strategy = tf.distribute.MirroredStrategy()
        print(f"data-parallel on {strategy.num_replicas_in_sync} TensorFlow devices")
        return strategy.scope()
    raise ValueError("--data-parallel supports the jax and tensorflow backends; Keras has no torch data-parallel API")


def elapsed(args):
    return round(time.time() - args.started, 1)


def describe_devices():
    """A short 'backend: ..., devices: ...' line (keras.distribution is None on torch)."""
    import keras

    backend = keras.backend.backend()
    if backend == "torch":  # keras.distribution has no torch implementation
        import torch

        devices = ["cuda:0"] if torch.cuda.is_available() else ["cpu:0"]
    else:
        devices = keras.distribution.list_devices()
    return f"backend: {backend}, devices: {', '.join(devices)}"
