"""Loaders for the public data sets the kerasrnn recipes train on.

Each loader returns plain Python or NumPy data (never tensors). A file is
found, in order, at the `path=` given, in `$KERASRNN_DATA_DIR` (the same file
names as below), in the Keras cache (`$KERAS_HOME/datasets/kerasrnn/`), or is
downloaded once from the public original, checked against its sha256 where the
file is stable.

| loader | data | file name |
| --- | --- | --- |
| `load_shakespeare` | tiny-shakespeare, one `str` | `shakespeare.txt` |
| `load_embedded_shakespeare` | 90% of it, shipped in the package | - |
| `load_fra_eng` | English-French sentence pairs | `fra-eng.zip` |
| `load_names` | surnames of 18 languages | `names.zip` |
| `load_plants` | Latin plant names | `plants.data` |
| `mackey_glass` | the chaotic series, integrated here | - |

`read_text_file` reads the users' own text files. Problems raise
`DataFileError` (a local file) or `DownloadError` (fetching one), each with a
one-line message that says what to do.
"""

from kerasrnn.datasets.errors import DataFileError, DownloadError
from kerasrnn.datasets.files import read_text_file
from kerasrnn.datasets.fra_eng import load_fra_eng
from kerasrnn.datasets.chaos import mackey_glass
from kerasrnn.datasets.names import load_names
from kerasrnn.datasets.plants import load_plants
from kerasrnn.datasets.shakespeare import load_embedded_shakespeare, load_shakespeare

__all__ = [
    "DataFileError",
    "DownloadError",
    "load_embedded_shakespeare",
    "load_fra_eng",
    "load_names",
    "load_plants",
    "load_shakespeare",
    "mackey_glass",
    "read_text_file",
]
