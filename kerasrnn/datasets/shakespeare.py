"""Tiny-shakespeare: 1.1 MB of Shakespeare's plays, the classic character-level corpus."""

import gzip
import importlib.resources

from kerasrnn.datasets.download import fetch_data_file
from kerasrnn.datasets.files import decode_text, read_text_file

SHAKESPEARE_URL = "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt"
# sha256 of the 1,115,394-byte input.txt, as listed in TensorFlow Datasets'
# url_checksums/tiny_shakespeare.txt (and pinned by several other projects).
SHAKESPEARE_SHA256 = "86c4e6aa9db7c042ec79f339dcb96d42b0075e16b8fc2e86bf0ca57e2dc565ed"


def load_shakespeare(path=None):
    """Load tiny-shakespeare, the text Karpathy's char-rnn made famous.

    About 40,000 lines from several plays (1,115,394 characters, 65 distinct).
    The file is downloaded once from the char-rnn repository into the Keras
    cache and checked against its sha256; `path=` or `$KERASRNN_DATA_DIR`
    (file `shakespeare.txt`) point at a local copy instead.

    Args:
        path: a local copy of `input.txt`, or `None` (the default) to use
            `$KERASRNN_DATA_DIR/shakespeare.txt`, the cache, or a download.

    Returns:
        The whole text as one `str`.

    Raises:
        DataFileError: the local file is missing, empty or not UTF-8 text.
        DownloadError: the file is not local and cannot be downloaded.

    Example:

    ```python
    text = kerasrnn.datasets.load_shakespeare()
    print(text[:14])  # 'First Citizen:'
    ```

    Reference:
        A. Karpathy, [char-rnn](https://github.com/karpathy/char-rnn) (2015).
    """
    file = fetch_data_file("shakespeare.txt", SHAKESPEARE_URL, SHAKESPEARE_SHA256, path=path)
    return read_text_file(file)


def load_embedded_shakespeare():
    """Load the copy of tiny-shakespeare shipped inside kerasrnn (no download).

    It holds the first 1,003,788 characters of the public file (about 90%),
    gzip-compressed in the package, so demos and tests run offline.

    Returns:
        The text as one `str`.

    Example:

    ```python
    text = kerasrnn.datasets.load_embedded_shakespeare()
    print(len(text))  # 1003788
    ```
    """
    resource = importlib.resources.files("kerasrnn.datasets") / "embedded" / "shakespeare.txt.gz"
    return decode_text(gzip.decompress(resource.read_bytes()), "kerasrnn/datasets/embedded/shakespeare.txt.gz")
