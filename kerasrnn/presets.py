"""The models that come with kerasrnn, by name: `resolve`, `list_models`, `installed_models`.

`kerasrnn.load` takes a model directory (one with a `task.json`, see
`kerasrnn.tasks.saved_task`) or the name of a model:

```python
kerasrnn.load("translate_en_fr")          # a preset's short name
kerasrnn.load("predict_next_char/lstm")   # a task directory's name under saved_models/
kerasrnn.load("runs/predict_next_char/20250101-120000")  # a path: a path that exists wins over a name
```

A name is looked up in this order, first match wins:

1. `$KERASRNN_MODELS`, when set: a directory laid out like `saved_models/`
   (`<recipe>/<model>/task.json`), or holding a preset's task directory under
   its short name (`$KERASRNN_MODELS/predict_next_char/task.json`).
2. The repository's `saved_models/`, when kerasrnn runs from a clone (found
   beside the package, whatever the working directory).
3. The cache, `<Keras cache>/kerasrnn/models/<name>/` (the Keras cache is
   `$KERAS_HOME`, else `~/.keras`). A preset missing there is downloaded from
   its release URL in `PRESETS` with `keras.utils.get_file(..., extract=True)`,
   checked against the sha256 recorded beside the URL, and unpacked there.

A short name stands for the preset's directory (`predict_next_char` for
`predict_next_char/lstm`); the full name works too, and so does the name with
a leading `saved_models/`. An unknown name raises a one-line `ValueError`
that lists the known names.
"""

import json
import os
import pathlib
import re
import shutil

MODELS_DIR = pathlib.Path(__file__).resolve().parents[1] / "saved_models"
"""`saved_models/` beside the package: present when kerasrnn runs from a clone (or an editable install)."""

MODELS_ENV = "KERASRNN_MODELS"
"""The environment variable naming a directory searched before every other (see the module docstring)."""

CACHE_SUBDIR = os.path.join("kerasrnn", "models")
"""Where downloaded presets are unpacked, below the Keras cache directory."""

RELEASE_URL = "https://github.com/kerasrnn/kerasrnn/releases/download/v0.1.0/{name}.tar.gz"
"""Where the release archives are published (a placeholder until the first release)."""

PRESETS = {
    # name: directory under saved_models/ (and in the archive's layout), release archive URL, its sha256.
    # `sha256: None` marks a placeholder: no archive is published yet, so nothing is downloaded for it.
    # An archive is a .tar.gz of the task directory's files (at its top level or inside one folder);
    # record `sha256sum <name>.tar.gz` here when publishing it.
    "classify_names": {"directory": "classify_names/best", "url": RELEASE_URL.format(name="classify_names"),
                       "sha256": None},
    "echo_state_forecast": {"directory": "echo_state_forecast",
                            "url": RELEASE_URL.format(name="echo_state_forecast"), "sha256": None},
    "generate_plant_names": {"directory": "generate_plant_names/lstm",
                             "url": RELEASE_URL.format(name="generate_plant_names"), "sha256": None},
    "predict_masked_words": {"directory": "predict_masked_words/best",
                             "url": RELEASE_URL.format(name="predict_masked_words"), "sha256": None},
    "predict_next_char": {"directory": "predict_next_char/lstm", "url": RELEASE_URL.format(name="predict_next_char"),
                          "sha256": None},
    "translate_en_fr": {"directory": "translate_en_fr", "url": RELEASE_URL.format(name="translate_en_fr"),
                        "sha256": None},
    "word2vec": {"directory": "word2vec", "url": RELEASE_URL.format(name="word2vec"), "sha256": None},
}

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.\-]*(/[A-Za-z0-9_][A-Za-z0-9_.\-]*)*/?$")


def installed_models(models_dir=None):
    """Every saved task under `models_dir`, as `(name, path, card)` tuples sorted by name.

    Args:
        models_dir: the directory to search. Defaults to `MODELS_DIR` (the
            repository's `saved_models/`); a directory that does not exist
            holds no models.

    Returns:
        A list of `(name, path, card)`: `name` is the task directory relative
        to `models_dir` with `/` separators (`"predict_next_char/lstm"`),
        `path` a `pathlib.Path`, `card` the parsed `card.json` (`{}` when the
        directory has none). Directories whose name starts with `.`
        (temporary copies) are skipped.

    Example:

    ```python
    for name, path, card in installed_models():
        print(name, card.get("task"))  # predict_next_char/lstm next-character language model
    ```
    """
    root = pathlib.Path(MODELS_DIR if models_dir is None else models_dir)
    if not root.is_dir():
        return []
    models = []
    for directory, subdirectories, files in os.walk(root):
        subdirectories[:] = sorted(name for name in subdirectories if not name.startswith("."))
        if "task.json" not in files:
            continue
        path = pathlib.Path(directory)
        models.append((path.relative_to(root).as_posix(), path, _read_card(path / "card.json")))
    return sorted(models, key=lambda model: model[0])


def cache_dir():
    """The directory downloaded presets are unpacked in: `<$KERAS_HOME or ~/.keras>/kerasrnn/models`."""
    keras_home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return pathlib.Path(keras_home) / CACHE_SUBDIR


def search_path():
    """The directories names are looked up in, in order, as `(label, path)` pairs (see the module docstring).

    Raises:
        ValueError: `$KERASRNN_MODELS` is set but is not a directory.
    """
    roots = []
    explicit = os.environ.get(MODELS_ENV)
    if explicit:
        if not os.path.isdir(explicit):
            raise ValueError(f"{MODELS_ENV}={explicit} is not a directory; point it to a directory of saved models "
                             "or unset it")
        roots.append((MODELS_ENV, pathlib.Path(explicit)))
    if MODELS_DIR.is_dir():
        roots.append(("saved_models", MODELS_DIR))
    roots.append(("cache", cache_dir()))
    return roots


def known_names():
    """The short names of the presets, then every other task directory in the search path, sorted."""
    names = set(PRESETS)
    preset_directories = {preset["directory"] for preset in PRESETS.values()}
    for _, root in search_path():
        names.update(name for name, _, _ in installed_models(root) if name not in preset_directories)
    return sorted(names)


def resolve(model, download=True):
    """The task directory that `model`, a path or a name, stands for.

    Args:
        model: a path (a `str` or path-like) or a model name (see the module
            docstring). A path that exists is returned as it is.
        download: fetch a preset missing from every directory of the search
            path into the cache. Defaults to True.

    Returns:
        `model` itself when it is an existing path or a path-like object (the
        loader then reports what is wrong with it), else the `pathlib.Path` of
        the named task directory.

    Raises:
        ValueError: `model` looks like a name and no model has that name (the
            message lists the known names), or a download fails its sha256
            check, or the preset has no published archive yet.
    """
    if not isinstance(model, str) or os.path.exists(model) or not _NAME.match(model):
        return model
    name = model.rstrip("/")
    name = name[len("saved_models/"):] if name.startswith("saved_models/") else name
    preset_name = _preset_name(name)
    candidates = [name] + ([PRESETS[preset_name]["directory"], preset_name] if preset_name else [])
    for label, root in search_path():
        if label == "cache":
            break
        for candidate in candidates:
            if (root / candidate / "task.json").is_file():
                return root / candidate
    if preset_name is None:
        raise ValueError(f"{model!r} is neither an existing path nor a known model name; known names: "
                         f"{', '.join(known_names())}")
    cached = cache_dir() / preset_name
    if (cached / "task.json").is_file() or not download:
        return cached
    return download_preset(preset_name)


def download_preset(name, force=False):
    """Download the preset `name` into the cache, check its sha256 and unpack it; returns the task directory.

    Args:
        name: a key of `PRESETS`.
        force: download and unpack again even when the cache holds it.
            Defaults to False.

    Raises:
        ValueError: unknown name, no published archive (the table's sha256 is
            a placeholder), an archive whose sha256 differs from the table's
            (it is deleted and nothing is unpacked), or one without a
            `task.json`.
        OSError: the download failed.
    """
    if name not in PRESETS:
        raise ValueError(f"no preset named {name!r}; presets: {', '.join(sorted(PRESETS))}")
    preset = PRESETS[name]
    target = cache_dir() / name
    if (target / "task.json").is_file() and not force:
        return target
    if not preset.get("url") or not preset.get("sha256"):
        raise ValueError(
            f"model {name!r} is not installed and has no published archive yet (its sha256 in kerasrnn/presets.py "
            f"is a placeholder); run from a clone of the repository, set {MODELS_ENV} to a directory that holds it, "
            "or train it with its recipe"
        )
    import keras

    downloads = cache_dir() / ".downloads"  # hidden: never listed as a model
    downloads.mkdir(parents=True, exist_ok=True)
    unpacked = downloads / name
    shutil.rmtree(unpacked, ignore_errors=True)  # a partial extraction from an interrupted run
    try:
        keras.utils.get_file(fname=name, origin=preset["url"], file_hash=preset["sha256"], hash_algorithm="sha256",
                             cache_subdir=str(downloads), extract=True, force_download=force)
    except ValueError:  # Keras' "Incomplete or corrupted file detected": the sha256 differs
        for leftover in (downloads / f"{name}_archive", unpacked):
            if leftover.is_dir():
                shutil.rmtree(leftover, ignore_errors=True)
            elif leftover.exists():
                leftover.unlink()
        raise ValueError(f"the archive downloaded from {preset['url']} does not have the sha256 recorded for "
                         f"{name!r} ({preset['sha256']}); it was deleted and nothing was unpacked") from None
    except Exception as error:  # Keras turns every fetch failure into a bare Exception
        raise OSError(f"could not download {name!r} from {preset['url']}: {error}") from None
    found = _task_directory(unpacked)
    if found is None:
        shutil.rmtree(unpacked, ignore_errors=True)
        raise ValueError(f"the archive downloaded from {preset['url']} holds no task.json (at its top level or in "
                         "one folder); it is not a kerasrnn model")
    if target.exists():
        shutil.rmtree(target)
    os.replace(found, target)
    shutil.rmtree(unpacked, ignore_errors=True)
    return target


def list_models():
    """One line per model: name, task, the card's headline test metric and where it is found.

    Every preset is listed (those not installed anywhere as "not downloaded"),
    then the other task directories of the search path by their full names.
    A card without a headline shows "-".

    Returns:
        A list of strings (`kerasrnn list` prints them).

    Example:

    >>> print("\\n".join(kerasrnn.list_models()))
    classify_names        name -> language of origin      test accuracy 0.8123 (higher is better)  saved_models/classify_names/best
    ...
    """
    rows = []
    for name in known_names():
        path = resolve(name, download=False)
        if (path / "task.json").is_file():
            card = _read_card(path / "card.json")
            rows.append((name, card.get("task", "-"), format_headline(card), _shown(path)))
        else:
            rows.append((name, "-", "-", "not downloaded"))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    return [f"{name:<{widths[0]}}  {task:<{widths[1]}}  {headline:<{widths[2]}}  {where}".rstrip()
            for name, task, headline, where in rows]


def format_headline(card):
    """`"test accuracy 0.8123 (higher is better)"` from a card's `headline`, or `"-"` when it has none."""
    headline = card.get("headline") if isinstance(card, dict) else None
    if not isinstance(headline, dict) or not isinstance(headline.get("value"), (int, float)):
        return "-"
    better = f" ({headline['better']} is better)" if headline.get("better") in ("higher", "lower") else ""
    return f"{headline.get('split', 'test')} {headline.get('metric', '?')} {headline['value']:.4g}{better}"


def _preset_name(name):
    """The preset a short or full name stands for, or None."""
    if name in PRESETS:
        return name
    return next((key for key, preset in PRESETS.items() if preset["directory"] == name), None)


def _task_directory(directory):
    """`directory` when it holds a `task.json`, else its only subdirectory that does, else None."""
    if (directory / "task.json").is_file():
        return directory
    subdirectories = [path for path in directory.iterdir() if path.is_dir()] if directory.is_dir() else []
    if len(subdirectories) == 1 and (subdirectories[0] / "task.json").is_file():
        return subdirectories[0]
    return None


def _shown(path):
    """`path` relative to the repository when it lies in it (`saved_models/...`), else as it is."""
    try:
        return pathlib.Path(path).resolve().relative_to(MODELS_DIR.parent).as_posix()
    except ValueError:
        return str(path)


def _read_card(path):
    try:
        with open(path, encoding="utf-8") as f:
            card = json.load(f)
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}
