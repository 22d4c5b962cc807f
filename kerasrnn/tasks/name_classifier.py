"""Name -> language of origin: the data policy for the names set, and the saved task.

How the names data set becomes examples (`name_examples`, `split_names`):

* Every name is normalised the way the seeds do it, accents stripped
  (`"Ślusàrski" -> "slusarski"`) and lower-cased, and the same
  normalisation is stored with the trained model and reapplied by
  `NameClassifier.predict`, so `"ŚLUSÀRSKI"` and `"slusarski"` get the same
  answer. Characters never seen in training are read as `<unk>`.
* A name repeated within one language counts once: the raw files repeat
  names many times (Arabic lists about 1,800 names but only about 100
  distinct ones), which would otherwise weigh a handful of names as much as
  a whole language and put copies of one name on both sides of a split.
* A name listed under several languages (about 3% of the distinct names,
  e.g. "chan": Chinese, English) is kept once per language. Trained on
  both, the model learns to share its probability between them, which is
  the honest answer; scored on both, at most one of the copies can be right,
  so test accuracy has a ceiling a little under 100%.
* The train / validation / test split is by distinct name: all copies of a
  name fall in the same split, so no name is seen in training and then
  validated or tested. It is stratified by language (each name counted under
  its rarest language), so even the smallest classes have validation and
  test names.
"""

import os

import numpy as np

from kerasrnn.data.splits import DEFAULT_FRACTIONS
from kerasrnn.data.splits import group_split
from kerasrnn.io_utils import atomic_path
from kerasrnn.tasks.saved_task import inference_copy
from kerasrnn.tasks.saved_task import load_keras_model
from kerasrnn.tasks.saved_task import read_card
from kerasrnn.tasks.saved_task import read_manifest
from kerasrnn.tasks.saved_task import register_task
from kerasrnn.tasks.saved_task import write_task
from kerasrnn.text.normalization import strip_accents as _strip_accents
from kerasrnn.text.vocabulary import Vocabulary

DEFAULT_NORMALIZATION = {"strip_accents": True, "lowercase": True}


def _check_normalization(normalization):
    normalization = dict(DEFAULT_NORMALIZATION if normalization is None else normalization)
    unknown = sorted(set(normalization) - set(DEFAULT_NORMALIZATION))
    if unknown:
        raise ValueError(
            f"`normalization` accepts the keys {', '.join(DEFAULT_NORMALIZATION)}, received: {unknown}"
        )
    for key, value in normalization.items():
        if not isinstance(value, bool):
            raise ValueError(f"`normalization[{key!r}]` must be True or False, received: {value!r}")
    return {**DEFAULT_NORMALIZATION, **normalization}


def normalize_name(name, strip_accents=True, lowercase=True):
    """Normalise a name as the classifier reads it: accents off, lower case, single spaces.

    Args:
        name: a string.
        strip_accents: NFD-decompose and drop combining marks. Defaults to True.
        lowercase: lower-case the name. Defaults to True.

    Returns:
        The normalised string (possibly empty).

    Example:

    >>> normalize_name("  Ślusàrski ")
    'slusarski'
    >>> normalize_name("De  la Fontaine", lowercase=False)
    'De la Fontaine'
    """
    if not isinstance(name, str):
        raise ValueError(f"a name must be a string, received: {name!r}")
    if strip_accents:
        name = _strip_accents(name)
    if lowercase:
        name = name.lower()
    return " ".join(name.split())


def name_examples(names_by_language, normalization=None):
    """Turn `{language: [name, ...]}` into deduplicated `(names, labels, languages)`.

    Names are normalised with `normalize_name` (keys of `normalization`:
    `strip_accents`, `lowercase`, both True by default); names that end up
    empty are dropped; each `(name, language)` pair is kept once. A name
    listed under several languages is kept once per language (see the module
    docstring).

    Args:
        names_by_language: a dict from language to its list of names, as
            returned by `kerasrnn.datasets.load_names()`.
        normalization: a dict of `normalize_name` options. Defaults to `None`
            (accents stripped, lower case).

    Returns:
        `(names, labels, languages)`: a list of normalised names, an int32
        array of class ids into `languages`, and the sorted language list.

    Example:

    >>> names, labels, languages = name_examples({"Czech": ["Novák", "Novak"], "English": ["Nash"]})
    >>> names, labels.tolist(), languages
    (['novak', 'nash'], [0, 1], ['Czech', 'English'])
    """
    normalization = _check_normalization(normalization)
    languages = sorted(names_by_language)
    if len(languages) < 2:
        raise ValueError(f"`names_by_language` must hold at least 2 languages, received: {languages}")
    names, labels, seen = [], [], set()
    for label, language in enumerate(languages):
        for raw in names_by_language[language]:
            name = normalize_name(raw, **normalization)
            if name and (name, label) not in seen:
                seen.add((name, label))
                names.append(name)
                labels.append(label)
    return names, np.asarray(labels, "int32"), languages


def split_names(names, labels, fractions=DEFAULT_FRACTIONS, seed=0):
    """Split examples into train, validation and test by distinct name, stratified by class.

    All examples that share a name (a name listed under several languages)
    land in the same split, so no name is both trained on and validated or
    tested. Each distinct name is counted under its rarest class, and each
    class gives about `fractions[1]` of its distinct names to validation and
    `fractions[2]` to test (at least one each when it has three or more).
    This is `kerasrnn.data.splits.group_split` grouped by name with the
    labels as strata.

    Args:
        names: a list of (normalised) names, one per example.
        labels: class ids, one per example.
        fractions: shares of train, validation and test, in distinct names.
            Defaults to `(0.8, 0.1, 0.1)`.
        seed: seed of the shuffle. Defaults to 0.

    Returns:
        `(train, validation, test)`: sorted int64 arrays of example indices.

    Example:

    >>> train, validation, test = split_names(["ab", "ab", "cd", "ef", "gh"], [0, 1, 0, 0, 0])
    >>> sorted(train.tolist() + validation.tolist() + test.tolist())
    [0, 1, 2, 3, 4]
    """
    labels = np.asarray(labels).reshape(-1)
    if len(names) != len(labels):
        raise ValueError(f"got {len(names)} names but {len(labels)} labels")
    return group_split(names, fractions, seed=seed, strata=labels)


def _softmax(logits):
    logits = np.asarray(logits, "float64")
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def ensemble_probabilities(member_logits, temperature=1.0):
    """The mean over members of `softmax(logits / temperature)`.

    Args:
        member_logits: logits `(members, batch, classes)` (or `(batch, classes)`
            for one model).
        temperature: a positive number dividing every logit; above 1 flattens
            the probabilities, below 1 sharpens them. Defaults to 1.

    Returns:
        Probabilities `(batch, classes)`, float64, each row summing to 1.

    Example:

    >>> ensemble_probabilities([[[0.0, 0.0]], [[np.log(3.0), 0.0]]]).round(3).tolist()
    [[0.625, 0.375]]
    """
    _check_temperature(temperature)
    member_logits = np.asarray(member_logits, "float64")
    if member_logits.ndim == 2:
        member_logits = member_logits[None]
    return _softmax(member_logits / temperature).mean(axis=0)


def _check_temperature(temperature):
    if isinstance(temperature, bool) or not isinstance(temperature, (int, float, np.number)) \
            or not np.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"`temperature` must be a positive number, received: temperature={temperature!r}")
    return float(temperature)


def fit_temperature(member_logits, labels, low=0.05, high=20.0):
    """The temperature that minimises the negative log-likelihood of `labels` (temperature scaling).

    One number divides the logits of every member before the softmax and
    the average; it changes how confident the probabilities are, barely the
    ranking. Fitted on held-out (validation) names, it makes the
    probabilities more honest (a lower expected calibration error). The
    search is a golden-section search on `log(temperature)` over
    `[low, high]` (the NLL is unimodal in the temperature for one model).

    Args:
        member_logits: logits `(members, batch, classes)` or `(batch, classes)`.
        labels: the true class ids `(batch,)`.
        low: the smallest temperature tried. Defaults to 0.05.
        high: the largest temperature tried. Defaults to 20.

    Returns:
        The fitted temperature, a float in `[low, high]`.

    Reference:
        Guo et al., 2017, "On Calibration of Modern Neural Networks".
    """
    labels = np.asarray(labels).reshape(-1).astype("int64")
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, received: low={low!r}, high={high!r}")
    member_logits = np.asarray(member_logits, "float64")
    if member_logits.shape[-2] != len(labels):
        raise ValueError(f"got logits for {member_logits.shape[-2]} names but {len(labels)} labels")

    def nll(log_temperature):
        probabilities = ensemble_probabilities(member_logits, float(np.exp(log_temperature)))
        return -np.mean(np.log(np.maximum(probabilities[np.arange(len(labels)), labels], 1e-300)))

    a, b = np.log(low), np.log(high)
    ratio = (np.sqrt(5) - 1) / 2
    c, d = b - ratio * (b - a), a + ratio * (b - a)
    f_c, f_d = nll(c), nll(d)
    for _ in range(60):
        if f_c < f_d:
            b, d, f_d = d, c, f_c
            c = b - ratio * (b - a)
            f_c = nll(c)
        else:
            a, c, f_c = c, d, f_d
            d = a + ratio * (b - a)
            f_d = nll(d)
    return float(np.exp((a + b) / 2))


@register_task("name_classifier")
class NameClassifier:
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
        normalization: the `normalize_name` options used in training.
            Defaults to `None` (accents stripped, lower case).
        card: optional dict describing the training run (saved as card.json).
        temperature: positive number dividing the logits (temperature
            scaling, see `fit_temperature`). Defaults to 1.

    Example:

    >>> classifier = kerasrnn.load("saved_models/classify_names/best")
    >>> classifier.predict(["Dostoevsky", "Nakamura"], top_k=2)
    [[('Russian', 0.98...), ('Czech', 0.01...)], [('Japanese', 0.99...), ...]]
    """

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
        self.members = members
        self.vocabulary = vocabulary
        self.languages = languages
        self.normalization = _check_normalization(normalization)
        self.card = dict(card or {})
        self.temperature = _check_temperature(temperature)

    @property
    def model(self):
        """The first (or only) member model."""
        return self.members[0]

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
        if isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer)) or not 1 <= top_k <= len(self.languages):
            raise ValueError(f"`top_k` must be an integer from 1 to {len(self.languages)}, received: top_k={top_k!r}")
        probabilities = self.probabilities(names)
        order = np.argsort(-probabilities, axis=-1, kind="stable")[:, :top_k]
        return [
            [(self.languages[k], float(row[k])) for k in best]
            for row, best in zip(probabilities, order)
        ]

    def save(self, directory):
        """Write models, vocabulary, card, languages, normalisation and temperature to `directory` (atomically).

        The first member is `model.keras`, further members `model_1.keras`,
        `model_2.keras`, ..., listed under `members` in `task.json`. With an
        empty `card` no `card.json` is written.
        """
        directory = os.fspath(directory)
        names = ["model.keras"] + [f"model_{index}.keras" for index in range(1, len(self.members))]
        os.makedirs(directory, exist_ok=True)
        for name in os.listdir(directory):  # members of an earlier, larger ensemble
            if name.startswith("model_") and name.endswith(".keras") and name not in names:
                os.remove(os.path.join(directory, name))
        for name, member in zip(names[1:], self.members[1:]):
            with atomic_path(os.path.join(directory, name)) as tmp:
                inference_copy(member).save(tmp)
        extra = {"languages": self.languages, "normalization": self.normalization,
                 "members": names, "temperature": self.temperature}
        return write_task(directory, self.task_name, self.members[0], self.vocabulary, self.card or None, extra=extra)

    @classmethod
    def load(cls, directory):
        """Read a directory written by `save` (any backend may have written it; one model or several)."""
        manifest = read_manifest(directory)
        if "languages" not in manifest:
            raise ValueError(f"{directory}/task.json has no `languages`; re-run the recipe that wrote it")
        members = [load_keras_model(os.path.join(directory, name))
                   for name in manifest.get("members", ["model.keras"])]
        vocabulary = Vocabulary.load(os.path.join(directory, "vocabulary.json"))
        card = read_card(directory)
        return cls(members, vocabulary, manifest["languages"], manifest.get("normalization"), card,
                   temperature=manifest.get("temperature", 1.0))
