"""The names data set as classifier examples: deduplicated names, and a train / validation / test split.

How the names data set becomes examples (`name_examples`, `split_names`):

* Every name is normalised the way the seeds do it, accents stripped
  (`"Ślusàrski" -> "slusarski"`) and lower-cased
  (`kerasrnn.text.normalize_name`), and the same normalisation is stored
  with the trained model and reapplied by `kerasrnn.tasks.NameClassifier`,
  so `"ŚLUSÀRSKI"` and `"slusarski"` get the same answer.
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

NumPy only: this module imports neither Keras nor TensorFlow.
"""

import numpy as np

from kerasrnn.data.splits import DEFAULT_FRACTIONS
from kerasrnn.data.splits import group_split
from kerasrnn.text.normalization import check_name_normalization
from kerasrnn.text.normalization import normalize_name


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
    normalization = check_name_normalization(normalization)
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
