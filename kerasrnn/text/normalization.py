"""Text normalisation shared by every task.

Two families of normalisers live here:

* name normalisation as the seed notebooks do it (`strip_accents`,
  `unicode_to_ascii`): Unicode NFD decomposition, then combining marks dropped
  (`"Ślusàrski" -> "Slusarski"`), and as the name classifier reads names
  (`normalize_name`: accents stripped, lower case, single spaces);
* sentence normalisation for word-level tasks (`normalize_sentence`,
  `split_words`): lower-case, French-aware spacing around punctuation, with
  apostrophes and hyphens kept inside words (`"Qu'est-ce que c'est ?"` stays
  three tokens `qu'est-ce que c'est` plus `?`).

`normalize_sentence` has a TensorFlow twin, `tf_normalize_sentence`
(`kerasrnn.text.tf_text`), built from the same regular expressions so that an
exported SavedModel tokenises exactly as training did; a test checks that the
two agree.
"""

import re
import string
import unicodedata

from kerasrnn.utils.validation import check_bool

# Characters that become tokens of their own in word-level tasks.
PUNCTUATION = ".,!?;:«»\"()"
# Typographic variants mapped to ASCII before anything else.
_TRANSLATIONS = {
    "\u2019": "'",  # right single quotation mark -> apostrophe
    "\u2018": "'",
    "\u02bc": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u00a0": " ",  # no-break space (French puts it before ? ! : ;)
    "\u202f": " ",  # narrow no-break space
    "\u2009": " ",  # thin space
    "\u2026": "...",
}
# The regular expressions, written in the subset that both Python's `re` and
# RE2 (TensorFlow's tf.strings.regex_replace) accept.
SEPARATE_PUNCTUATION = (r'([.,!?;:«»"()])', r" \1 ")
COLLAPSE_SPACES = (r"\s+", " ")

NAME_ALPHABET = string.ascii_letters + " .,;'-"
DEFAULT_NAME_NORMALIZATION = {"strip_accents": True, "lowercase": True}
"""The `normalize_name` options of the name classifier: accents stripped, lower case."""


def strip_accents(text):
    """Remove accents: NFD-decompose and drop combining marks.

    Example:

    >>> strip_accents("Ślusàrski")
    'Slusarski'
    """
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def unicode_to_ascii(text, alphabet=NAME_ALPHABET):
    """Strip accents, then keep only characters of `alphabet` (the seeds' name cleaning).

    Args:
        text: a string.
        alphabet: the characters to keep. Defaults to ASCII letters and `" .,;'-"`.

    Returns:
        The cleaned string.
    """
    allowed = set(alphabet)
    return "".join(c for c in strip_accents(text) if c in allowed)


def normalize_sentence(text):
    """Lower-case a sentence and put spaces around punctuation (not apostrophes or hyphens).

    Example:

    >>> normalize_sentence("Qu'est-ce que c'est\u202f?")
    "qu'est-ce que c'est ?"
    """
    text = unicodedata.normalize("NFC", text)
    for source, target in _TRANSLATIONS.items():
        text = text.replace(source, target)
    text = text.lower()
    text = re.sub(SEPARATE_PUNCTUATION[0], SEPARATE_PUNCTUATION[1], text)
    text = re.sub(COLLAPSE_SPACES[0], COLLAPSE_SPACES[1], text)
    return text.strip()


def split_words(text):
    """`normalize_sentence`, then split on spaces."""
    normalized = normalize_sentence(text)
    return normalized.split(" ") if normalized else []


def join_words(words):
    """Join word tokens back into text, keeping the tokenised spacing (`"nous dire ?"`)."""
    return " ".join(words)


_strip_accents = strip_accents  # `normalize_name`'s argument of the same name hides it


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


def check_name_normalization(normalization):
    """The `normalize_name` options as a full dict; `None` gives the defaults (accents stripped, lower case).

    Raises:
        ValueError: an unknown key, or a value that is not True or False.
    """
    normalization = dict(DEFAULT_NAME_NORMALIZATION if normalization is None else normalization)
    unknown = sorted(set(normalization) - set(DEFAULT_NAME_NORMALIZATION))
    if unknown:
        raise ValueError(
            f"`normalization` accepts the keys {', '.join(DEFAULT_NAME_NORMALIZATION)}, received: {unknown}"
        )
    for key, value in normalization.items():
        check_bool(value, f"normalization[{key!r}]")
    return {**DEFAULT_NAME_NORMALIZATION, **normalization}
