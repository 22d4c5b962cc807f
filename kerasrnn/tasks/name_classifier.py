"""Name -> language of origin: the saved name classifier (one model or an ensemble).

How the names data set becomes examples and splits is `kerasrnn.data.names`
(`name_examples`, `split_names`); the name normalisation stored with the
model is `kerasrnn.text.normalize_name`; temperature scaling is
`kerasrnn.metrics.fit_temperature`.
"""

import os

import numpy as np

from kerasrnn.metrics.classification import ensemble_probabilities
from kerasrnn.tasks.saved_task import load_keras_model
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.task import MODEL_FILE
from kerasrnn.tasks.task import Task
from kerasrnn.text.normalization import check_name_normalization
from kerasrnn.text.normalization import normalize_name
from kerasrnn.utils.validation import check_finite_positive_number
from kerasrnn.utils.validation import check_int_in_range


@register_task("name_classifier")
class NameClassifier(Task):
    """Predict the language of origin of names with a trained character classifier (or an ensemble).

    The name is normalised as in training (`normalization`), encoded with
    the character `vocabulary` (unseen characters become `<unk>`), and read
    by one or several many-to-one models such as
    `kerasrnn.models.sequence_classifier.build_sequence_classifier`. Each
    model's logits are divided by `temperature` and turned into probabilities
    by a softmax; with several models (an ensemble) the probabilities are
    averaged: `p = mean_m softmax(logits_m / temperature)`.

    Args:
        model: a Keras model mapping padded character ids `(batch, time)` to
            logits `(batch, len(languages))`, or a list of such models (the
            members of an ensemble, all reading the same vocabulary).
        vocabulary: the character `kerasrnn.text.Vocabulary` it was trained with.
        languages: the class names, in class id order.
        normalization: the `kerasrnn.text.normalize_name` options used in training.
            Defaults to `None` (accents stripped, lower case).
        card: optional dict describing the training run (saved as card.json).
        temperature: positive number dividing the logits (temperature
            scaling, see `kerasrnn.metrics.fit_temperature`). Defaults to 1.

    Example:

    >>> classifier = kerasrnn.load("saved_models/classify_names/best")
    >>> classifier.predict(["Dostoevsky", "Nakamura"], top_k=2)
    [[('Russian', 0.98...), ('Czech', 0.01...)], [('Japanese', 0.99...), ...]]
    """

    required_config = ("languages",)

    def __init__(self, model, vocabulary, languages, normalization=None, card=None, temperature=1.0):
        languages = [str(language) for language in languages]
        if len(languages) < 2 or len(set(languages)) != len(languages):
            raise ValueError(f"`languages` must hold at least 2 distinct names, received: {languages}")
        members = list(model) if isinstance(model, (list, tuple)) else [model]
        if not members:
            raise ValueError("`model` is an empty list: pass a model or a list of at least one model")
        for index, member in enumerate(members):
            if member.output_shape[-1] != len(languages):
                raise ValueError(
                    f"the model{f' [{index}]' if len(members) > 1 else ''} predicts {member.output_shape[-1]} "
                    f"classes but `languages` has {len(languages)}"
                )
        super().__init__(members[0], vocabulary=vocabulary, card=card)  # `model`: the first (or only) member
        self.members = members
        self.languages = languages
        self.normalization = check_name_normalization(normalization)
        self.temperature = check_finite_positive_number(temperature, "temperature")

    def normalize(self, name):
        """The name as the model reads it (the training normalisation)."""
        return normalize_name(name, **self.normalization)

    def encode(self, names):
        """Normalise and encode names into a `(batch, time)` int32 array padded with 0.

        The length is rounded up to a multiple of 8 so that compiled predict
        functions are reused across calls. An empty name raises `ValueError`.
        """
        if isinstance(names, str):
            names = [names]
        names = list(names)
        if not names:
            raise ValueError("`names` is empty: pass at least one name")
        encoded = []
        for index, name in enumerate(names):
            normalized = self.normalize(name)
            if not normalized:
                raise ValueError(f"`names` must not hold empty names, received: names[{index}]={name!r}")
            encoded.append(self.vocabulary.encode(normalized))
        length = -(-max(len(ids) for ids in encoded) // 8) * 8
        batch = np.zeros((len(encoded), length), "int32")  # (batch, time), 0 = <pad>
        for row, ids in enumerate(encoded):
            batch[row, : len(ids)] = ids
        return batch

    def member_logits(self, names, batch_size=256):
        """Each member's logits `(members, len(names), len(languages))`, before the temperature."""
        ids = self.encode(names)
        return np.stack([member.predict(ids, batch_size=batch_size, verbose=0) for member in self.members])

    def probabilities(self, names, batch_size=256):
        """Class probabilities `(len(names), len(languages))` as a float64 NumPy array."""
        return ensemble_probabilities(self.member_logits(names, batch_size), self.temperature)

    def predict(self, names, top_k=1):
        """The `top_k` likeliest languages of each name, likeliest first.

        Args:
            names: a list of names (a single string is read as one name).
            top_k: how many languages to return per name, from 1 to
                `len(languages)`. Defaults to 1.

        Returns:
            A list with, for each name, a list of `(language, probability)`
            pairs in decreasing probability.

        Example:

        >>> classifier.predict(["Satoshi"], top_k=3)
        [[('Japanese', 0.97...), ('Italian', 0.01...), ('Arabic', 0.00...)]]
        """
        top_k = check_int_in_range(top_k, "top_k", 1, len(self.languages))
        probabilities = self.probabilities(names)
        order = np.argsort(-probabilities, axis=-1, kind="stable")[:, :top_k]
        return [
            [(self.languages[k], float(row[k])) for k in best]
            for row, best in zip(probabilities, order)
        ]

    def get_config(self):
        return {"languages": self.languages, "normalization": self.normalization, "temperature": self.temperature}

    def save_assets(self, directory):
        """Write the members after the first as `model_1.keras`, `model_2.keras`, ... (listed as `members`).

        Members of an earlier, larger ensemble saved in `directory` are removed.
        """
        return {"members": self.save_members(directory, self.members)}

    @classmethod
    def load_assets(cls, directory, config):
        """Read every member: `model` is then the list of models (one for a task.json without `members`)."""
        assets = super().load_assets(directory, config)
        others = config.get("members", [MODEL_FILE])[1:]
        assets["model"] = [assets["model"]] + [load_keras_model(os.path.join(directory, name)) for name in others]
        return assets

    @classmethod
    def from_config(cls, config, **assets):
        config = {key: value for key, value in config.items() if key != "members"}  # file names, in `model`
        return cls(**assets, **config)
