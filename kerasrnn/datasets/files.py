"""Read text files and zip members with one-line errors for the usual mistakes."""

import codecs
import os
import zipfile
import zlib

from kerasrnn.datasets.errors import DataFileError


def read_text_file(path, encoding="utf-8"):
    """Read a whole text file, for the users' own `--data` files and the loaders.

    Windows line ends (`\\r\\n`) become `\\n`, and a UTF-8 byte-order mark is
    dropped. Each usual mistake raises a `DataFileError` whose one-line message
    names the file and what to do: a missing file, a directory, an empty or
    whitespace-only file, a binary file, or a file in another encoding.

    Args:
        path: the file to read (`str` or `os.PathLike`).
        encoding: its text encoding. Defaults to `"utf-8"`.

    Returns:
        The text of the file, as a `str`.

    Raises:
        DataFileError: the file cannot be used as text (see above).
        ValueError: `encoding` is not a codec Python knows.

    Example:

    ```python
    import pathlib, tempfile

    path = pathlib.Path(tempfile.mkdtemp()) / "poem.txt"
    path.write_text("Shall I compare thee\\r\\nto a summer's day?\\r\\n")
    text = kerasrnn.datasets.read_text_file(path)
    # "Shall I compare thee\\nto a summer's day?\\n"
    ```
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise DataFileError(f"text file not found: {path}; check the path (--data) and try again")
    if os.path.isdir(path):
        raise DataFileError(f"{path} is a directory; pass the path of a text file")
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as error:
        raise DataFileError(f"cannot read {path} ({error.strerror or error}); check its permissions") from error
    return decode_text(data, path, encoding)


def decode_text(data, source, encoding="utf-8"):
    """Decode the bytes of a text file read from `source` (a name for messages).

    The checks and the result are those of `read_text_file`.

    Args:
        data: the bytes to decode.
        source: where they came from, e.g. `"names.zip:data/names/Irish.txt"`.
        encoding: their text encoding. Defaults to `"utf-8"`.

    Returns:
        The decoded text, with `\\n` line ends.

    Example:

    ```python
    text = kerasrnn.datasets.files.decode_text(b"caf\\xc3\\xa9\\n", "menu.txt")  # 'café\\n'
    ```
    """
    try:
        codec_name = codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(
            f"unknown encoding {encoding!r} for {source}; pass a Python codec name such as 'utf-8' or 'latin-1'"
        ) from None
    if not data:
        raise DataFileError(f"{source} is empty; pass a file with text in it")
    binary = f"{source} looks like a binary file (it contains NUL bytes); pass a plain text file"
    if b"\x00" in data and not codec_name.startswith(("utf-16", "utf-32")):
        raise DataFileError(binary)
    try:
        text = data.decode("utf-8-sig" if codec_name == "utf-8" else codec_name)
    except UnicodeDecodeError as error:
        raise DataFileError(
            f"{source} is not {codec_name} text (byte 0x{data[error.start]:02x} at offset {error.start}); "
            f"if it is text in another encoding pass it, e.g. --encoding latin-1 (encoding='latin-1')"
        ) from error
    if "\x00" in text:
        raise DataFileError(binary)
    if not text.strip():
        raise DataFileError(f"{source} contains only whitespace; pass a file with text in it")
    return text.replace("\r\n", "\n")


def read_zip_members(path, match, expected):
    """Read the members of the zip file `path` whose names satisfy `match`.

    Args:
        path: the zip file.
        match: a function from a member name (`"fra-eng/fra.txt"`) to `bool`.
        expected: what the members look like, for the error message
            (`"fra.txt"`, `"names/<Language>.txt"`).

    Returns:
        A `dict` from member name to its bytes, in the archive's order.

    Raises:
        DataFileError: `path` is not a readable zip file (truncated, corrupt),
            or no member matches.

    Example:

    ```python
    members = kerasrnn.datasets.files.read_zip_members(
        "fra-eng.zip", lambda name: name.endswith("/fra.txt"), expected="fra.txt"
    )
    ```
    """
    try:
        with zipfile.ZipFile(path) as archive:
            names = [name for name in archive.namelist() if not name.endswith("/") and match(name)]
            if not names:
                raise DataFileError(
                    f"{path} has no {expected} inside; pass the zip file of the original data set, "
                    f"or the {expected} file itself"
                )
            return {name: archive.read(name) for name in names}
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
        raise DataFileError(
            f"{path} is not a readable zip file ({' '.join(str(error).split())}); expected a zip holding {expected}: "
            "delete it and download it again, or pass a good copy with path="
        ) from error
