"""Helpers shared by the subjects: a clock, a peak-memory sampler, seeded data."""

import os
import resource
import sys
import threading
import time

clock = time.perf_counter


def timed(fn):
    """Seconds `fn()` takes (the caller makes sure `fn` waits for its results)."""
    start = clock()
    fn()
    return clock() - start


def _current_rss_bytes():
    """Resident memory of this process now (Linux), or None where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as f:
            resident_pages = int(f.read().split()[1])
        return resident_pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def process_peak_rss_mb():
    """Peak resident memory of this process since it started, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024.0 if sys.platform != "darwin" else peak / 2**20  # KiB on Linux, bytes on macOS


class PeakMemory:
    """Samples this process's resident memory every `interval` seconds while active.

    `with PeakMemory() as peak: ...` then `peak.mb` is the largest resident
    size seen (MiB), which is the process's memory while the subject ran:
    its framework, its model and data, and whatever the process still holds
    from earlier subjects. Without /proc it falls back to the process peak.
    """

    def __init__(self, interval=0.01):
        self.interval = interval
        self.peak_bytes = 0
        self._stop = threading.Event()
        self._thread = None

    def _sample(self):
        while not self._stop.is_set():
            rss = _current_rss_bytes()
            if rss is not None:
                self.peak_bytes = max(self.peak_bytes, rss)
            self._stop.wait(self.interval)

    def __enter__(self):
        if _current_rss_bytes() is not None:
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self.peak_bytes = max(self.peak_bytes, _current_rss_bytes() or 0)
        return False

    @property
    def mb(self):
        if self._thread is None:
            return process_peak_rss_mb()
        return self.peak_bytes / 2**20


def random_token_batches(num_sequences, sequence_length, vocabulary_size, seed=0):
    """Random int32 next-token inputs and targets `(num_sequences, sequence_length)` each.

    The speed of a recurrent layer does not depend on the token values, so
    the training subjects use random ids instead of reading a corpus.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    tokens = rng.integers(0, vocabulary_size, size=(num_sequences, sequence_length + 1)).astype("int32")
    return tokens[:, :-1], tokens[:, 1:]


def class_path(cls):
    """`module.QualifiedName` of a class, to tell whether two subjects run the same code."""
    return f"{cls.__module__}.{cls.__qualname__}"
