"""Model cards: one schema for every saved model, written by the recipe that trained it.

A card (`card.json` beside `model.keras`) says what the model is, what it
was trained on, how to train it again and how well it does. Recipes build it
with `make_card` at the end of a run, from values computed in that run;
`validate_card` checks a card against the schema (a test runs it on every
card in `saved_models/`). The schema, field by field (see `docs/cards.md`):

    schema        "kerasrnn-card/1"
    written       UTC time the card was written, "YYYY-mm-ddTHH:MM:SSZ"
    task          what the model does, in words
    model         {"name", "architecture" (words), "parameters" (int), ...hyperparameters}
    data          {"source" (words), "url", "licence",
                   "splits": {"unit", "grouped_by", "fractions",
                              "train" | "validation" | "test": {"size", "sha256"}}
                             or null when the task trains without a split (word2vec)}
    training      {"command" ("python recipes/..." with relative paths only), "backend",
                   "versions": {"python", "keras", "kerasrnn", <backend framework>},
                   "wall_time_s", "machine": {"cpu_cores", "accelerator"}, ...settings}
    metrics       {"validation": {...}, "test": {...}}: the chosen model on each split
    headline      {"metric", "split", "value", "better"}: the number `list_models` shows
    test_slice    {"size", "unit", "metric", "value"}: the headline metric on the first
                  `size` units of the test split, recomputed by the shipped-number test
    samples       a few outputs of the model
    intended_use  words
    limitations   [words, ...]

No string in a card is an absolute path, and every number in it was computed
by the run that wrote it.
"""

import os
import platform
import re
import sys
import time

SCHEMA = "kerasrnn-card/1"

_TOP_LEVEL = ("schema", "written", "task", "model", "data", "training", "metrics", "headline", "test_slice",
              "samples", "intended_use", "limitations")
_ABSOLUTE_PATH = re.compile(r"(^|[\s'\"=(:])(/(home|work|tmp|root|usr|mnt|opt|var|Users)/|[A-Za-z]:\\)")
_BACKEND_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


class CardError(ValueError):
    """A card does not follow the schema; the message lists every problem."""


def machine():
    """`{"cpu_cores", "accelerator"}` of this machine (accelerator: the first GPU Keras sees, or "none")."""
    return {"cpu_cores": os.cpu_count() or 1, "platform": f"{platform.system()} {platform.machine()}",
            "accelerator": _accelerator()}


def _accelerator():
    import keras

    from kerasrnn import backend

    accelerator_name = backend.kernel("accelerator_name")  # where Keras lists no devices (PyTorch)
    if accelerator_name is not None:
        return accelerator_name()
    devices = [d for d in keras.distribution.list_devices() if not d.lower().startswith("cpu")]
    return devices[0] if devices else "none"


def versions():
    """Versions of Python, Keras, kerasrnn and the active backend's framework."""
    import keras

    from kerasrnn import __version__

    backend = keras.backend.backend()
    framework = sys.modules.get(_BACKEND_PACKAGES.get(backend, backend))
    return {"python": platform.python_version(), "keras": keras.__version__, "kerasrnn": __version__,
            backend: getattr(framework, "__version__", "unknown")}


def training_record(command, wall_time_s, **settings):
    """The card's `training` block: command, backend, versions, machine, wall time, and `settings`."""
    import keras

    record = {"command": command, "backend": keras.backend.backend(), "versions": versions(),
              "machine": machine(), "wall_time_s": round(float(wall_time_s), 1)}
    record.update(settings)
    return record


def make_card(*, task, model, data, training, metrics, headline, test_slice, samples, intended_use,
              limitations):
    """Assemble a card, check it with `validate_card` and return it (a dict; NumPy values become Python)."""
    card = {"schema": SCHEMA, "written": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "task": task,
            "model": model, "data": data, "training": training, "metrics": metrics, "headline": headline,
            "test_slice": test_slice, "samples": samples, "intended_use": intended_use,
            "limitations": list(limitations)}
    card = _plain(card)
    validate_card(card)
    return card


def card_problems(card):
    """Every way `card` departs from the schema, as a list of one-line strings (empty when it is valid)."""
    problems = []

    def need(condition, message):
        if not condition:
            problems.append(message)

    if not isinstance(card, dict):
        return [f"a card is a JSON object, received {type(card).__name__}"]
    need(card.get("schema") == SCHEMA, f"schema must be {SCHEMA!r}, received {card.get('schema')!r}")
    for key in _TOP_LEVEL:
        need(key in card, f"missing field {key!r}")
    for key in set(card) - set(_TOP_LEVEL):
        problems.append(f"unknown field {key!r}")
    need(_text(card.get("task")), "task must be a non-empty string")
    model = card.get("model")
    need(isinstance(model, dict) and _text(model.get("name")) and _text(model.get("architecture"))
         and _count(model.get("parameters")),
         "model must hold name, architecture and parameters (an integer > 0)")
    data = card.get("data")
    if isinstance(data, dict):
        for key in ("source", "url", "licence"):
            need(_text(data.get(key)), f"data.{key} must be a non-empty string")
        need("splits" in data, "data.splits is missing (null for a task trained without a split)")
        splits = data.get("splits")
        if splits is not None:
            need(isinstance(splits, dict) and _text(splits.get("unit")) and _text(splits.get("grouped_by")),
                 "data.splits must hold unit and grouped_by")
            for name in ("train", "validation", "test"):
                part = splits.get(name) if isinstance(splits, dict) else None
                need(isinstance(part, dict) and _count(part.get("size"))
                     and re.fullmatch(r"[0-9a-f]{64}", str(part.get("sha256", ""))),
                     f"data.splits.{name} must hold size (an integer > 0) and sha256 (64 hex digits)")
    else:
        problems.append("data must be an object")
    training = card.get("training")
    if isinstance(training, dict):
        command = training.get("command")
        need(_text(command) and command.startswith("python recipes/"),
             f"training.command must start with 'python recipes/', received {command!r}")
        need(_text(training.get("backend")), "training.backend must be a non-empty string")
        vers = training.get("versions")
        need(isinstance(vers, dict) and "keras" in vers and training.get("backend") in vers,
             "training.versions must name keras and the backend's framework")
        mach = training.get("machine")
        need(isinstance(mach, dict) and _count(mach.get("cpu_cores")) and _text(mach.get("accelerator")),
             "training.machine must hold cpu_cores and accelerator")
        need(_number(training.get("wall_time_s")), "training.wall_time_s must be a number")
    else:
        problems.append("training must be an object")
    metrics = card.get("metrics")
    has_splits = isinstance(data, dict) and data.get("splits") is not None
    if isinstance(metrics, dict):
        need(isinstance(metrics.get("test"), dict) and metrics["test"], "metrics.test must be a non-empty object")
        if has_splits:
            need(isinstance(metrics.get("validation"), dict) and metrics["validation"],
                 "metrics.validation must be a non-empty object")
        test = metrics.get("test") if isinstance(metrics.get("test"), dict) else {}
        if "sacrebleu" in test:  # translation: sacreBLEU of the detokenised output, with its signature
            sacre = test["sacrebleu"]
            need(isinstance(sacre, dict) and _text(sacre.get("signature"))
                 and all(value is None or _number(value) for key, value in sacre.items() if key != "signature"),
                 "metrics.test.sacrebleu must hold signature (sacreBLEU's string) and a score (or null) per "
                 "decoding strategy")
    else:
        problems.append("metrics must be an object")
    headline = card.get("headline")
    need(isinstance(headline, dict) and _text(headline.get("metric")) and _number(headline.get("value"))
         and headline.get("better") in ("higher", "lower") and headline.get("split") in ("test",),
         "headline must hold metric, value, split ('test') and better ('higher' or 'lower')")
    test_slice = card.get("test_slice")
    need(test_slice is None or (isinstance(test_slice, dict) and _count(test_slice.get("size"))
                                and _text(test_slice.get("metric")) and _number(test_slice.get("value"))),
         "test_slice must be null or hold size, metric and value")
    need(isinstance(card.get("samples"), list) and card["samples"], "samples must be a non-empty list")
    need(_text(card.get("intended_use")), "intended_use must be a non-empty string")
    need(isinstance(card.get("limitations"), list) and card["limitations"]
         and all(_text(item) for item in card["limitations"]), "limitations must be a non-empty list of strings")
    for where, text in _strings(card):
        if _ABSOLUTE_PATH.search(text):
            problems.append(f"{where} holds an absolute path: {text[:80]!r}")
    return problems


def validate_card(card):
    """Raise `CardError` listing every problem if `card` does not follow the schema."""
    problems = card_problems(card)
    if problems:
        raise CardError(f"the card does not follow {SCHEMA}: " + "; ".join(problems))
    return card


def _text(value):
    return isinstance(value, str) and bool(value.strip())


def _number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == value


def _count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _strings(value, where="card"):
    if isinstance(value, str):
        yield where, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, f"{where}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from _strings(item, f"{where}[{index}]")


def _plain(value):
    """JSON-ready copy: NumPy scalars and arrays become Python numbers and lists, tuples lists."""
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        return _plain(value.tolist())
    return value


RESULTS_BEGIN = "<!-- results table: written by kerasrnn.cards.results_table from the cards; do not edit -->"
RESULTS_END = "<!-- end of results table -->"


def results_table(models_dir):
    """A Markdown table of every card under `models_dir`: the headline test number beside its validation twin.

    The README's results table is this function's output (a test checks that
    they agree), so a number there always comes from a card, and a card from
    the run that computed it.
    """
    import json
    import pathlib

    rows = ["| model | task | test (headline) | validation | test split | trained by |",
            "| --- | --- | --- | --- | --- | --- |"]
    for path in sorted(pathlib.Path(models_dir).rglob("card.json")):
        if {"backup", "checkpoints", "demo"} & set(path.parts) or not (path.parent / "task.json").exists():
            continue
        card = json.loads(path.read_text(encoding="utf-8"))
        name = path.parent.relative_to(models_dir).as_posix()
        if card.get("schema") != SCHEMA:
            rows.append(f"| `{name}` | {card.get('task', '?')} | not yet retrained with a card of this schema | | | |")
            continue
        headline = card["headline"]
        metric = headline["metric"]
        chosen = card["metrics"].get("test", {}).get("length_penalty")  # a beam's validation twin: at that penalty
        validation = _find_metric(card["metrics"].get("validation", {}), metric, length_penalty=chosen)
        splits = card["data"]["splits"]
        test_size = f"{splits['test']['size']:,} {splits['unit']}" if splits else "no split (external benchmark)"
        training = card["training"]
        # A run resumed from its backup has the whole run's epoch times in `training_s`; `wall_time_s` is the
        # last process's time only.
        minutes = (f"{training['training_s'] / 60:.0f} min of training" if "training_s" in training
                   else f"{training['wall_time_s'] / 60:.0f} min")
        trained = (f"`{training['command']}` ({training['backend']}, {minutes}, "
                   f"{training['machine']['cpu_cores']} CPU cores"
                   + (f", {training['machine']['accelerator']}" if training['machine']['accelerator'] != "none" else "")
                   + ")")
        rows.append(f"| `{name}` | {card['task']} | {metric.replace('_', ' ')} **{_format(headline['value'])}** "
                    f"({headline['better']} is better) | {_format(validation) if validation is not None else '-'} "
                    f"| {test_size} | {trained} |")
    return "\n".join([RESULTS_BEGIN, *rows, RESULTS_END])


def _find_metric(metrics, name, length_penalty=None):
    """`metrics[name]`, or the value of `name` without a prefix such as `corpus_bleu_` in a nested dict.

    A beam search scored at several length penalties on validation
    (`beam_4_alpha_0.6`) matches `corpus_bleu_beam_4` at `length_penalty`.
    """
    if name in metrics and _number(metrics[name]):
        return metrics[name]
    names = {name} if length_penalty is None else {name, f"{name}_alpha_{length_penalty:g}"}
    for key, value in metrics.items():
        if isinstance(value, dict):
            for inner, number in value.items():
                if _number(number) and ({f"{key}_{inner}", inner} & names):
                    return number
    for key, value in metrics.items():  # "one_step" for "one_step_nrmse"
        if _number(value) and name.startswith(f"{key}_"):
            return value
    return None


def _format(value):
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) < 0.01 else f"{value:.4f}" if abs(value) < 10 else f"{value:.2f}"
    return str(value)
