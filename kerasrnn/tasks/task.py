"""`Task`: the base class of every saved task (what `kerasrnn.load` returns)."""

import os

from kerasrnn.tasks.saved_task import MANIFEST_KEYS
from kerasrnn.tasks.saved_task import WEIGHTS_DTYPES
from kerasrnn.tasks.saved_task import load_keras_model
from kerasrnn.tasks.saved_task import read_card
from kerasrnn.tasks.saved_task import read_manifest
from kerasrnn.tasks.saved_task import save_model_file
from kerasrnn.tasks.saved_task import write_task
from kerasrnn.text.vocabulary import Vocabulary
from kerasrnn.utils.validation import check_choice

MODEL_FILE = "model.keras"
VOCABULARY_FILE = "vocabulary.json"


class Task:
    """A trained model with what it needs to answer on raw inputs, saved and loaded as one directory.

    A task holds a Keras `model`, optionally a `kerasrnn.text.Vocabulary`,
    and a `card` (a dict describing the training run), and adds inference
    methods (`generate`, `predict`, `fill`, ...). `save(directory)` writes the
    layout of `kerasrnn.tasks.saved_task` (`model.keras`, `vocabulary.json`,
    `card.json` and `task.json` last, each atomically); `load(directory)`, or
    `kerasrnn.load(directory)`, reads it back on any backend.

    `task.json` holds the format version and the task's settings: whatever
    `get_config()` returns (JSON types only). `load` reads them back and
    passes them to `from_config`, which by default calls the constructor with
    them as keyword arguments, beside `model`, `vocabulary` (when the task
    has one) and `card`.

    How a task subclasses it:

    1. Decorate the class with `@register_task("my_task")`
       (`kerasrnn.tasks.saved_task`): `kerasrnn.load` then finds it by the
       `"task"` entry of `task.json`.
    2. In `__init__`, check the arguments, then call
       `super().__init__(model, vocabulary=vocabulary, card=card)` (leave
       `vocabulary` out when there is none).
    3. Return the other constructor arguments from `get_config()`, and list
       those `load` cannot do without in `required_config` (an old
       `task.json` without them is a one-line error). Optional settings added
       later take their constructor default when an old `task.json` lacks
       them.
    4. Only if the task has more files than `model.keras` and
       `vocabulary.json` (a second vocabulary, several models): write them in
       `save_assets(directory)`, which returns the `task.json` entries that
       name them, and read them in `load_assets(directory, config)`, which
       returns the constructor arguments they hold (call `super()` in both).
       Override `from_config` when `task.json` holds entries that are not
       constructor arguments.

    A translator with a second vocabulary, for instance:

    ```python
    @register_task("translator")
    class Translator(Task):
        def __init__(self, model, source_vocabulary, target_vocabulary, card=None):
            super().__init__(model, vocabulary=source_vocabulary, card=card)
            self.target_vocabulary = target_vocabulary

        def save_assets(self, directory):
            self.target_vocabulary.save(os.path.join(directory, "target_vocabulary.json"))
            return {"target_vocabulary": "target_vocabulary.json"}

        @classmethod
        def load_assets(cls, directory, config):
            assets = super().load_assets(directory, config)
            assets["source_vocabulary"] = assets.pop("vocabulary")
            assets["target_vocabulary"] = Vocabulary.load(os.path.join(directory, "target_vocabulary.json"))
            return assets

        @classmethod
        def from_config(cls, config, **assets):
            return cls(**assets)  # the task.json entries only name files
    ```

    Args:
        model: the Keras model (saved as `model.keras` without its optimizer).
        vocabulary: a `kerasrnn.text.Vocabulary` (saved as `vocabulary.json`),
            or None for a task without one. Defaults to None.
        card: optional dict describing the training run (saved as
            `card.json` when not empty). Defaults to None.

    Example:

    ```python
    task = kerasrnn.load("predict_next_char")  # a LanguageModel, which is a Task
    task.save("runs/my_copy")  # model.keras, vocabulary.json, card.json, task.json
    kerasrnn.load("runs/my_copy").generate("ROMEO:", num_chars=50, seed=0)
    ```
    """

    task_name = None  # set by `register_task`
    _weights_dtype = "float32"  # how the `save` under way stores weights (`save_members` reads it)
    required_config = ()  # task.json entries `load` needs

    def __init__(self, model, vocabulary=None, card=None):
        self.model = model
        if vocabulary is not None:
            self.vocabulary = vocabulary
        self.card = dict(card or {})

    def get_config(self):
        """The task's settings besides the model, the vocabulary and the card, saved in `task.json`.

        Returns:
            A dict of JSON types, given back to `from_config` by `load`.
        """
        return {}

    @classmethod
    def from_config(cls, config, **assets):
        """Build the task from its `task.json` settings and the objects read by `load_assets`.

        Args:
            config: the settings `get_config` saved.
            **assets: `model`, `card` and, when the task has one,
                `vocabulary` (see `load_assets`).
        """
        return cls(**assets, **config)

    def save_assets(self, directory):
        """Write the task's files other than `model.keras`, `vocabulary.json` and `card.json`.

        Returns:
            A dict of `task.json` entries naming them (empty by default).
        """
        return {}

    @classmethod
    def load_assets(cls, directory, config):
        """Read the task's files: a dict of `model`, `card` and (when saved) `vocabulary`."""
        assets = {"model": load_keras_model(os.path.join(directory, MODEL_FILE)), "card": read_card(directory)}
        vocabulary_path = os.path.join(directory, VOCABULARY_FILE)
        if os.path.isfile(vocabulary_path):
            assets["vocabulary"] = Vocabulary.load(vocabulary_path)
        return assets

    def save(self, directory, weights_dtype="float32"):
        """Write the task to `directory` (atomically, `task.json` last); returns the directory.

        The model is saved without its optimizer, so the directory loads on
        any backend for inference (`kerasrnn.load`).

        Args:
            directory: where to write (created if needed).
            weights_dtype: `"float32"`, or `"float16"` to store the weights at
                half the size; they load back as float32 values rounded to
                float16 (`kerasrnn.tasks.round_weights(task.model)` first
                makes the model in memory compute exactly what is stored).
                Defaults to `"float32"`.
        """
        self._weights_dtype = check_choice(weights_dtype, "weights_dtype", WEIGHTS_DTYPES)  # before any file
        directory = os.fspath(directory)
        os.makedirs(directory, exist_ok=True)
        manifest = dict(self.save_assets(directory))
        manifest.update(self.get_config())
        vocabulary = getattr(self, "vocabulary", None)
        vocabulary = vocabulary if isinstance(vocabulary, Vocabulary) else None
        return write_task(directory, self.task_name, self.model, vocabulary, self.card or None, manifest,
                          weights_dtype=weights_dtype)

    def save_members(self, directory, models):
        """For `save_assets` of a task of several models: write `models[1:]` as `model_1.keras`, `model_2.keras`, ...

        Each is written as `save` writes `model.keras` (without its optimizer,
        with the `weights_dtype` of the `save` under way); members of an
        earlier, larger ensemble saved in `directory` are removed.

        Returns:
            Every member's file name, `model.keras` first.
        """
        names = [MODEL_FILE] + [f"model_{index}.keras" for index in range(1, len(models))]
        for name in os.listdir(directory):
            if name.startswith("model_") and name.endswith(".keras") and name not in names:
                os.remove(os.path.join(directory, name))
        for name, model in zip(names[1:], models[1:]):
            save_model_file(model, os.path.join(directory, name), self._weights_dtype)
        return names

    @classmethod
    def load(cls, directory):
        """Read a task directory written by `save` (any backend may have written it)."""
        directory = os.fspath(directory)
        manifest = read_manifest(directory)
        missing = [key for key in cls.required_config if key not in manifest]
        if missing:
            raise ValueError(
                f"{os.path.join(directory, 'task.json')} has no {', '.join(f'`{key}`' for key in missing)}; "
                "re-run the recipe that wrote it"
            )
        config = {key: value for key, value in manifest.items() if key not in MANIFEST_KEYS}
        return cls.from_config(config, **cls.load_assets(directory, config))
