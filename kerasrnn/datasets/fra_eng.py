"""English-French sentence pairs from the Tatoeba project, as packaged by manythings.org."""

import os
import posixpath
import warnings
import zipfile

from kerasrnn.datasets.download import fetch_data_file
from kerasrnn.datasets.errors import DataFileError
from kerasrnn.datasets.files import decode_text, read_text_file, read_zip_members

FRA_ENG_URL = "https://www.manythings.org/anki/fra-eng.zip"
# No hash: manythings.org publishes a new fra-eng.zip with every Tatoeba export.


def load_fra_eng(path=None):
    """Load the English-French sentence pairs of manythings.org (from tatoeba.org).

    Each line of `fra.txt` holds `English<TAB>French`, newer releases add a
    third column with the attribution, which is dropped. Lines that do not
    hold two non-empty sides are skipped, with one warning that counts them.
    The pairs come in file order, which sorts them roughly by length.

    The data is CC-BY 2.0: credit "www.manythings.org/anki and tatoeba.org".
    The file changes with every release, so it is not checked against a hash.

    Args:
        path: a local `fra-eng.zip` (with `fra.txt` anywhere inside, e.g.
            `fra-eng/fra.txt`) or the `fra.txt` file itself, or `None` (the
            default) to use `$KERASRNN_DATA_DIR/fra-eng.zip`, the cache, or a
            download.

    Returns:
        A `list` of `(english, french)` tuples of `str`, stripped.

    Raises:
        DataFileError: the local file is missing, not a readable zip, has no
            `fra.txt`, or holds no pairs.
        DownloadError: the file is not local and cannot be downloaded (the
            site may refuse scripts: then download it with a browser and save
            it where the message says).

    Example:

    ```python
    pairs = kerasrnn.datasets.load_fra_eng()
    print(pairs[0])  # ('Go.', 'Va !')
    ```

    Reference:
        [Tab-delimited bilingual sentence pairs](https://www.manythings.org/anki/),
        from the [Tatoeba project](https://tatoeba.org).
    """
    file = fetch_data_file("fra-eng.zip", FRA_ENG_URL, path=path)
    if os.path.isfile(file) and (file.lower().endswith(".zip") or zipfile.is_zipfile(file)):
        members = read_zip_members(file, lambda name: posixpath.basename(name) == "fra.txt", expected="fra.txt")
        name = min(members, key=len)  # the shallowest fra.txt, if there are several
        source = f"{file}:{name}"
        text = decode_text(members[name], source)
    else:
        source = file
        text = read_text_file(file)
    return _parse_pairs(text, source)


def _parse_pairs(text, source):
    pairs = []
    skipped = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        columns = line.split("\t")
        english = columns[0].strip()
        french = columns[1].strip() if len(columns) > 1 else ""
        if english and french:
            pairs.append((english, french))
        else:
            skipped += 1
    if not pairs:
        raise DataFileError(f"{source} holds no 'English<TAB>French' lines; pass the fra.txt of {FRA_ENG_URL}")
    if skipped:
        warnings.warn(
            f"skipped {skipped} of {skipped + len(pairs)} lines in {source} that are not 'English<TAB>French' pairs",
            stacklevel=3,
        )
    return pairs
