"""`python -m kerasrnn`: the `kerasrnn` command (see `kerasrnn.cli`).

    python -m kerasrnn                      the info report: version, backend, devices, installed models
    python -m kerasrnn list                 every model by name, its task and headline test metric
    python -m kerasrnn translate "I am cold."
    KERAS_BACKEND=jax python -m kerasrnn info
"""

import sys

from kerasrnn.cli import describe  # noqa: F401  (the info report, as a list of lines)
from kerasrnn.cli import main

if __name__ == "__main__":
    sys.exit(main())
