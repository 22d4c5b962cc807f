"""A quiet start-up for TensorFlow on machines without a GPU (`quiet_framework_startup()`).

`import kerasrnn` calls `quiet_framework_startup()`, which does two things:

* `TF_CPP_MIN_LOG_LEVEL` defaults to `"1"`: the C++ code of TensorFlow and
  JAX (XLA) logs warnings and errors, not informational lines. A value the
  user set wins.
* TensorFlow prints a few informational lines while its shared libraries
  load, before the level above is read ("oneDNN custom operations are on",
  "Could not find cuda drivers on your machine", absl's "All log messages
  before absl::InitializeLog() ..."), and an error when it first looks for a
  GPU on a machine with no CUDA driver ("failed call to cuInit"). When
  `tensorflow` is imported after `kerasrnn`, its import runs with the stderr
  file descriptor captured; on a machine without a CUDA driver it also lists
  the physical devices then (about a millisecond), so the expected cuInit
  failure happens inside the capture. The captured text is then written to
  stderr less those lines; everything else (warnings, errors, Python
  warnings, tracebacks) comes through unchanged.

With `TF_CPP_MIN_LOG_LEVEL=0` (informational lines wanted) nothing is
filtered. A `tensorflow` imported before `kerasrnn` prints as it always does.
"""

import importlib.abc
import os
import re
import sys
import tempfile

DEFAULT_TF_CPP_MIN_LOG_LEVEL = "1"

# absl's prefix: severity letter, date, time, thread id, file:line].
_ABSL_INFO = re.compile(r"^I\d{4} [\d:.]+\s+\d+ [\w.\-]+:\d+\] ")
_ABSL_BANNER = "WARNING: All log messages before absl::InitializeLog() is called are written to STDERR"
_NO_CUDA_DRIVER = "Could not find cuda drivers on your machine"
_CUINIT_FAILED = re.compile(r"^E\d{4} .*\] failed call to cuInit: ")


def quiet_framework_startup():
    """Default `TF_CPP_MIN_LOG_LEVEL` to 1 and filter TensorFlow's start-up lines (see the module docstring).

    Safe to call more than once; does nothing to a `tensorflow` already imported.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", DEFAULT_TF_CPP_MIN_LOG_LEVEL)
    if "tensorflow" in sys.modules or not _info_hidden():
        return
    if not any(isinstance(finder, _QuietTensorFlowFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _QuietTensorFlowFinder())


def filter_startup_lines(text):
    """`text` without TensorFlow's start-up noise: absl INFO lines and banner, and an expected cuInit failure.

    The cuInit failure is dropped only when the same text says that no CUDA
    driver was found (a machine without a GPU), where it is expected.
    """
    no_driver = _NO_CUDA_DRIVER in text
    kept = []
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare == _ABSL_BANNER or _ABSL_INFO.match(bare) or (no_driver and _CUINIT_FAILED.match(bare)):
            continue
        kept.append(line)
    return "".join(kept)


def _info_hidden():
    try:
        return int(os.environ.get("TF_CPP_MIN_LOG_LEVEL", "0")) >= 1
    except ValueError:
        return False


class _QuietTensorFlowFinder(importlib.abc.MetaPathFinder):
    """Finds `tensorflow` with the other finders and wraps its loader in `_QuietLoader`.

    Keras asks `importlib.util.find_spec("tensorflow")` without importing it, so
    the finder stays in `sys.meta_path` until the import itself runs.
    """

    def find_spec(self, fullname, path, target=None):
        if fullname != "tensorflow":
            return None
        for finder in sys.meta_path:
            if isinstance(finder, _QuietTensorFlowFinder):
                continue
            find_spec = getattr(finder, "find_spec", None)
            spec = find_spec(fullname, path, target) if find_spec else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _QuietLoader(spec.loader)
        return spec


class _QuietLoader(importlib.abc.Loader):
    """Runs the wrapped loader's `exec_module` with stderr captured, then restores the loader."""

    def __init__(self, loader):
        self.loader = loader

    def __getattr__(self, name):
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        module.__loader__ = module.__spec__.loader = self.loader
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _QuietTensorFlowFinder)]
        with _filtered_stderr() as captured:
            self.loader.exec_module(module)
            if _NO_CUDA_DRIVER in captured():
                try:
                    module.config.list_physical_devices()  # the expected cuInit failure, inside the capture
                except Exception:  # noqa: BLE001 (a device problem shows again where devices are used)
                    pass


class _filtered_stderr:
    """Point file descriptor 2 at a temporary file; on exit, restore it and write the text back, filtered."""

    def __enter__(self):
        self.saved = None
        try:  # without a usable stderr, the import runs as usual
            _flush_stderr()
            self.file = tempfile.TemporaryFile()
            saved = os.dup(2)
        except (OSError, ValueError):
            return self.captured
        try:
            os.dup2(self.file.fileno(), 2)
        except OSError:
            os.close(saved)
            return self.captured
        self.saved = saved
        return self.captured

    def captured(self):
        if self.saved is None:
            return ""
        _flush_stderr()
        self.file.seek(0)
        return self.file.read().decode("utf-8", "replace")

    def __exit__(self, *exc_info):
        if self.saved is None:
            return False
        text = self.captured()
        os.dup2(self.saved, 2)
        os.close(self.saved)
        self.file.close()
        data = filter_startup_lines(text).encode("utf-8", "replace")
        while data:
            data = data[os.write(2, data):]
        return False


def _flush_stderr():
    if sys.stderr is not None:
        sys.stderr.flush()
