"""The models that come with kerasrnn: `installed_models()`.

A clone of the repository holds the shipped models in `saved_models/`, one
task directory (with a `task.json`, see `kerasrnn.tasks.saved_task`) per
model, e.g. `saved_models/predict_next_char/lstm`. Each loads with
`kerasrnn.load(path)`.
"""

import json
import os
import pathlib

MODELS_DIR = pathlib.Path(__file__).resolve().parents[1] / "saved_models"
"""`saved_models/` beside the package: present when kerasrnn runs from a clone (or an editable install)."""


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


def _read_card(path):
    try:
        with open(path, encoding="utf-8") as f:
            card = json.load(f)
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}
