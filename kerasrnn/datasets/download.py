"""Find a data set file: a local path, `$KERASRNN_DATA_DIR`, the Keras cache, or a download.

Every loader in `kerasrnn.datasets` resolves its file with `fetch_data_file`,
in this order:

1. `path=` given by the caller: used as it is (no hash check, so a trimmed
   or newer copy works too).
2. `$KERASRNN_DATA_DIR/<fname>`, when the variable is set and the file is
   there (same file names as the cache: `shakespeare.txt`, `fra-eng.zip`,
   `names.zip`, `plants.data`).
3. The Keras cache, `$KERAS_HOME/datasets/kerasrnn/<fname>` (`KERAS_HOME`
   defaults to `~/.keras`), when the file is there and matches its hash.
4. A download of the public original with `keras.utils.get_file`, checked
   against its sha256 where the file is stable.

A download goes to a temporary name (`<fname>.tmp-<pid>`) and is renamed into
place only once it is complete and its hash matches, so the cache never holds a
partial or bad file under the real name.
"""

import contextlib
import hashlib
import os
import tempfile
import warnings

from kerasrnn.datasets.errors import DataFileError, DownloadError

DATA_DIR_ENV = "KERASRNN_DATA_DIR"
CACHE_SUBDIR = os.path.join("datasets", "kerasrnn")


def keras_home():
    """The Keras cache root, read when called: `$KERAS_HOME`, else `~/.keras`."""
    return os.path.expanduser(os.environ.get("KERAS_HOME") or os.path.join("~", ".keras"))


def cache_path(fname):
    """Where the loaders keep `fname` in the Keras cache.

    Args:
        fname: the file name, e.g. `"shakespeare.txt"`.

    Returns:
        The path `$KERAS_HOME/datasets/kerasrnn/<fname>` (the file may not exist).

    Example:

    ```python
    path = kerasrnn.datasets.download.cache_path("shakespeare.txt")
    # e.g. '/home/me/.keras/datasets/kerasrnn/shakespeare.txt'
    ```
    """
    return os.path.join(keras_home(), CACHE_SUBDIR, fname)


def fetch_data_file(fname, origin, file_hash=None, path=None):
    """Return the local path of a data set file, downloading it once if needed.

    Args:
        fname: the file's name in the cache and in `$KERASRNN_DATA_DIR`.
        origin: the URL of the public original.
        file_hash: the original's sha256 hex digest, or `None` (the default)
            for files that change between releases.
        path: a local copy to use instead, or `None` (the default) to look in
            `$KERASRNN_DATA_DIR`, then the cache, then download.

    Returns:
        The path of an existing local file (or directory, if `path` is one).

    Raises:
        DataFileError: `path` does not exist.
        DownloadError: the file is not local and cannot be downloaded, the
            download does not match `file_hash`, or the cache is not writable.

    Example:

    ```python
    path = kerasrnn.datasets.download.fetch_data_file(
        "shakespeare.txt",
        origin="https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt",
    )
    # e.g. '/home/me/.keras/datasets/kerasrnn/shakespeare.txt'
    ```
    """
    if path is not None:
        path = os.path.expanduser(os.fspath(path))
        if not os.path.exists(path):
            raise DataFileError(
                f"data file not found: {path}; pass the path of a copy of {origin}, or leave path=None to download it"
            )
        return path
    hint = f"pass path= or set {DATA_DIR_ENV} to a directory holding {fname}"
    data_dir = os.environ.get(DATA_DIR_ENV)
    if data_dir:
        candidate = os.path.join(os.path.expanduser(data_dir), fname)
        if os.path.exists(candidate):
            return candidate
        hint = f"pass path= or put {fname} in {DATA_DIR_ENV}={data_dir}"
    target = cache_path(fname)
    if os.path.isfile(target):
        if file_hash is None or sha256_of(target) == file_hash:
            return target
        warnings.warn(f"the cached {target} does not match its sha256; downloading it again", stacklevel=2)
    _download(fname, origin, file_hash, target, hint)
    return target


def sha256_of(path):
    """The sha256 hex digest of the file at `path`."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _download(fname, origin, file_hash, target, hint):
    # Imported here so that `import kerasrnn.datasets` does not start a backend.
    import keras

    directory = os.path.dirname(target)
    _check_writable(directory, hint)
    # get_file deletes what it wrote when the transfer fails, but keeps a file
    # whose hash does not match; a name of our own lets us drop it in both cases
    # and rename only a complete, checked file into place.
    partial_name = f"{fname}.tmp-{os.getpid()}"
    partial = os.path.join(directory, partial_name)
    _remove(partial)
    try:
        # An absolute cache_subdir pins the directory: get_file would otherwise
        # switch to /tmp/.keras without a word when it thinks the cache is read-only.
        keras.utils.get_file(fname=partial_name, origin=origin, file_hash=file_hash, cache_subdir=directory)
    except Exception as error:
        # get_file raises ValueError for a hash mismatch and leaves the file there.
        mismatch = isinstance(error, ValueError) and file_hash is not None and os.path.isfile(partial)
        actual = sha256_of(partial) if mismatch else None
        _remove(partial)
        if mismatch:
            raise DownloadError(
                f"the download of {fname} from {origin} has sha256 {actual}, expected {file_hash}; "
                f"the bad file was removed: try again later, or download it yourself and {hint}"
            ) from error
        raise DownloadError(
            f"could not download {fname} from {origin} ({_one_line(error)}); "
            f"download it yourself and save it as {target}, or {hint}"
        ) from error
    except BaseException:
        _remove(partial)
        raise
    os.replace(partial, target)


def _check_writable(directory, hint):
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.TemporaryFile(dir=directory):
            pass
    except OSError as error:
        raise DownloadError(
            f"cannot write to the Keras cache directory {directory} ({error.strerror or error}); "
            f"set KERAS_HOME to a writable directory, or {hint}"
        ) from error


def _remove(path):
    with contextlib.suppress(FileNotFoundError):
        os.remove(path)


def _one_line(error):
    return " ".join(str(error).split()) or type(error).__name__
