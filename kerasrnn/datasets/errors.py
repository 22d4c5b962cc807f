"""The two errors the data set loaders raise.

Both carry a one-line message that names the file and says what to do, so a
recipe can catch them and print the message as it is:

```python
try:
    text = kerasrnn.datasets.load_shakespeare()
except (kerasrnn.datasets.DataFileError, kerasrnn.datasets.DownloadError) as error:
    raise SystemExit(f"error: {error}")
```
"""


class DataFileError(ValueError):
    """A local data file is missing, empty, corrupt or not in the expected format."""


class DownloadError(OSError):
    """A data set could not be fetched: offline, wrong hash, or an unwritable cache."""
