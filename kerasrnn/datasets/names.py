"""Surnames from 18 languages, the data of PyTorch's character-level RNN tutorial."""

import os
import re

from kerasrnn.datasets.download import fetch_data_file
from kerasrnn.datasets.errors import DataFileError
from kerasrnn.datasets.files import decode_text, read_text_file, read_zip_members

NAMES_URL = "https://download.pytorch.org/tutorial/data.zip"
# No hash: no published checksum of data.zip could be found to check it against.

_NAMES_MEMBER = re.compile(r"(?:^|/)names/([^/]+)\.txt$")


def load_names(path=None):
    """Load surnames by language of origin: Arabic, Chinese, ... Vietnamese (18).

    The PyTorch tutorial archive `data.zip` holds one file per language,
    `data/names/<Language>.txt`, with one surname per line. Names keep their
    original spelling (e.g. `"Kamiński"`, `"Araújo"`); blank lines are
    dropped. The classes are very unbalanced (Russian has about 9,400 names,
    Vietnamese about 70).

    Args:
        path: a local `data.zip` (any zip with `names/<Language>.txt`
            members), or the extracted `names/` directory (or a directory
            that holds `names/` or `data/names/`), or `None` (the default) to
            use `$KERASRNN_DATA_DIR/names.zip`, the cache, or a download.

    Returns:
        A `dict` from language to its `list` of names (`str`), with the
        languages in alphabetical order and the names in file order.

    Raises:
        DataFileError: the local file is missing, not a readable zip, or has
            no `names/<Language>.txt` files.
        DownloadError: the file is not local and cannot be downloaded.

    Example:

    ```python
    names = kerasrnn.datasets.load_names()
    print(len(names), names["Irish"][:2])  # 18 ['Adam', 'Ahearn']
    ```

    Reference:
        S. Robertson, [Classifying names with a character-level RNN](
        https://pytorch.org/tutorials/intermediate/char_rnn_classification_tutorial.html).
    """
    file = fetch_data_file("names.zip", NAMES_URL, path=path)
    if os.path.isdir(file):
        texts = _read_names_directory(file)
    else:
        members = read_zip_members(
            file, lambda name: _NAMES_MEMBER.search(name) is not None, expected="names/<Language>.txt"
        )
        texts = {
            _NAMES_MEMBER.search(name).group(1): decode_text(data, f"{file}:{name}") for name, data in members.items()
        }
    return {language: _split_names(texts[language]) for language in sorted(texts)}


def _read_names_directory(directory):
    # The names/ directory itself, or an extraction root above it; names/ is
    # tried first because data.zip also puts eng-fra.txt next to it.
    for candidate in (os.path.join(directory, "names"), os.path.join(directory, "data", "names"), directory):
        if os.path.isdir(candidate):
            files = sorted(entry for entry in os.listdir(candidate) if entry.endswith(".txt"))
            if files:
                return {file[: -len(".txt")]: read_text_file(os.path.join(candidate, file)) for file in files}
    raise DataFileError(
        f"{directory} has no <Language>.txt files; pass the names/ directory of {NAMES_URL} or the zip itself"
    )


def _split_names(text):
    return [name.strip() for name in text.split("\n") if name.strip()]
