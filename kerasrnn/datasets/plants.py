"""Latin names of North American plants, from the UCI "Plants" data set (USDA PLANTS)."""

from kerasrnn.datasets.download import fetch_data_file
from kerasrnn.datasets.errors import DataFileError
from kerasrnn.datasets.files import read_text_file

PLANTS_URL = "https://archive.ics.uci.edu/ml/machine-learning-databases/plants/plants.data"
# No hash: no published checksum of plants.data could be found to check it against.


def load_plants(path=None):
    """Load the plant names of the UCI "Plants" data set, e.g. `"abelia"`.

    Each line of `plants.data` is `name,state,state,...` (Latin-1), naming a
    species or genus and the US and Canadian states where it grows. Only the
    names are kept: lower-case Latin genera and binomials, some with hybrid
    marks (`"acer ×freemanii"`).

    Args:
        path: a local `plants.data`, or `None` (the default) to use
            `$KERASRNN_DATA_DIR/plants.data`, the cache, or a download.

    Returns:
        A `list` of plant names (`str`), stripped and non-empty, in file order.

    Raises:
        DataFileError: the local file is missing, empty or holds no names.
        DownloadError: the file is not local and cannot be downloaded.

    Example:

    ```python
    plants = kerasrnn.datasets.load_plants()
    print(plants[:2])  # ['abelia', 'abelia x grandiflora']
    ```

    Reference:
        USDA, NRCS, [The PLANTS Database](https://plants.usda.gov) (2008), via the
        [UCI Machine Learning Repository](https://archive.ics.uci.edu/dataset/180/plants).
    """
    file = fetch_data_file("plants.data", PLANTS_URL, path=path)
    text = read_text_file(file, encoding="latin-1")
    names = [line.split(",", 1)[0].strip() for line in text.split("\n")]
    names = [name for name in names if name]
    if not names:
        raise DataFileError(f"{file} holds no 'name,state,...' lines; pass the plants.data of {PLANTS_URL}")
    return names
