"""`python -m kerasrnn`: the version, the active Keras backend and its devices, and the installed models.

    python -m kerasrnn
    KERAS_BACKEND=jax python -m kerasrnn
"""

import os
import sys


def describe():
    """The report `python -m kerasrnn` prints, as a list of lines."""
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
    lines.append(f"installed models in {_shown(MODELS_DIR)} (load with kerasrnn.load(path)):")
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


def main():
    print("\n".join(describe()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
