"""Atomic file writes: a file is either the old version or the complete new one.

Every file kerasrnn writes (models, vocabularies, cards, plots, exports) goes
through these helpers: the content is written to a temporary file in the same
directory, flushed to disk, then renamed over the destination with
`os.replace`, which is atomic on POSIX and Windows. A run killed mid-write
leaves at most a stray `*.tmp-*` file, never a truncated destination.
"""

import contextlib
import json
import os
import shutil
import tempfile


@contextlib.contextmanager
def atomic_path(path):
    """Yield a temporary path next to `path`; rename it to `path` on success.

    Use it for writers that want a file name (`model.save`, `plt.savefig`):

    ```python
    with atomic_path("saved_models/x/model.keras") as tmp:
        model.save(tmp)
    ```

    The temporary name keeps the destination's suffix, so writers that check
    the extension (`.keras`, `.png`) accept it. On error the temporary file is
    removed and the destination is untouched.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    base = os.path.basename(path)
    stem, suffix = os.path.splitext(base)
    fd, tmp = tempfile.mkstemp(prefix=f".{stem}.tmp-", suffix=suffix, dir=directory)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp creates 0600; give the file the usual mode
    try:
        yield tmp
        if os.path.isdir(tmp):
            raise IsADirectoryError(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path, data):
    """Write `data` (bytes) to `path` atomically."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)


def atomic_write_text(path, text, encoding="utf-8"):
    """Write `text` to `path` atomically."""
    atomic_write_bytes(path, text.encode(encoding))


def atomic_write_json(path, obj):
    """Write `obj` as indented JSON to `path` atomically."""
    atomic_write_text(path, json.dumps(obj, indent=2, ensure_ascii=False, default=_json_default) + "\n")


def atomic_copy(src, dst):
    """Copy `src` to `dst` atomically."""
    with atomic_path(dst) as tmp:
        shutil.copyfile(src, tmp)


def _json_default(value):
    # NumPy scalars and arrays in cards and configs.
    if hasattr(value, "item") and getattr(value, "ndim", 1) == 0:
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def save_figure(figure, path, dpi=110):
    """Lay out a matplotlib `figure`, write it to `path` as PNG atomically, and close it."""
    import matplotlib.pyplot as plt

    figure.tight_layout()
    with atomic_path(path) as tmp:
        figure.savefig(tmp, dpi=dpi, format="png")
    plt.close(figure)
