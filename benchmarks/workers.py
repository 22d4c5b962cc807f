"""Benchmark worker: builds and times subjects in one process, on one Keras backend.

`benchmarks/run.py` starts one worker per Keras backend and one `reference`
worker (native PyTorch, gensim, reservoirpy, the matmul peak; it never
imports Keras), and sends them requests one at a time, so only one subject
runs at any moment. Requests and replies are JSON lines on stdin/stdout;
anything the libraries print goes to stderr.

Run one subject by hand (prints one JSON object):

    python benchmarks/workers.py train_lstm/ours --backend jax --mode quick
    python benchmarks/workers.py esn/reservoirpy --backend reference --repeats 3

Subjects are `MEASURE/IMPLEMENTATION`; see `SUBJECTS`.
"""

import argparse
import gc
import json
import math
import os
import statistics
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from measurements.common import PeakMemory  # noqa: E402
from measurements.common import clock  # noqa: E402
from measurements.sizes import MODES  # noqa: E402
from measurements.sizes import SIZES  # noqa: E402

KERAS_BACKENDS = ("tensorflow", "jax", "torch")
REFERENCE = "reference"
# Whether this process called `kerasrnn.utils.memory.reuse_freed_memory()` successfully (`--reuse-freed-memory`).
REUSES_FREED_MEMORY = False
KERAS_IMPLEMENTATIONS = ("ours", "keras", "fused")

# Every subject: MEASURE/IMPLEMENTATION -> the size entry it reads. Keras
# implementations run on a Keras backend, the others in the reference worker.
SUBJECTS = {
    "matmul/torch": "matmul",
    "matmul/numpy": "matmul",
    **{f"train_{kind}/{impl}": "train" for kind in ("lstm", "gru", "simple_rnn")
       for impl in ("ours", "keras", "fused", "torch_nn")},
    "train_layernorm_rnn/ours": "train",
    "train_layernorm_rnn/torch_loop": "train",
    "generation/ours": "generation",
    "generation/torch_loop": "generation",
    "sgns/ours": "sgns",
    "sgns/gensim": "sgns",
    "esn/ours": "esn",
    "esn/reservoirpy": "esn",
    "seq2seq_train/ours": "seq2seq",
    "seq2seq_train/torch_nn": "seq2seq",
}

# Optional libraries of the references: a missing one skips its subject with this hint.
OPTIONAL = {"gensim": "pip install gensim", "reservoirpy": "pip install reservoirpy"}


def runs_on(subject):
    """`"keras"` for subjects that need a Keras backend, `"reference"` for the others."""
    return "keras" if subject.split("/")[1] in KERAS_IMPLEMENTATIONS else REFERENCE


def make_subject(subject, mode, repeats=None):
    """Build the subject object (see `measurements/__init__.py`) for a subject name.

    `repeats` (the timed repeats to come, when not the mode's) matters to
    subjects whose work depends on it, such as a learning-rate schedule.
    """
    if subject not in SUBJECTS:
        raise ValueError(f"unknown subject {subject!r}; choose one of {', '.join(SUBJECTS)}")
    size = dict(SIZES[mode][SUBJECTS[subject]])
    if repeats is not None:
        size["repeats"] = repeats
    measure, impl = subject.split("/")
    if measure == "matmul":
        from measurements.matmul import MatmulPeak

        return MatmulPeak(impl, size)
    if measure.startswith("train_"):
        from measurements import training

        kind = measure[len("train_") :]
        if impl in KERAS_IMPLEMENTATIONS:
            return training.KerasTraining(kind, impl, size)
        if impl == "torch_loop":
            return training.TorchLayerNormRNNTraining(size)
        return training.TorchNativeTraining(kind, size)
    if measure == "generation":
        from measurements import generation

        return generation.KerasGeneration(size) if impl == "ours" else generation.TorchGeneration(size)
    if measure == "seq2seq_train":
        from measurements import seq2seq

        return seq2seq.KerasSeq2SeqTraining(size) if impl == "ours" else seq2seq.TorchSeq2SeqTraining(size)
    if measure == "sgns":
        from measurements import word2vec

        return word2vec.KerasSkipGram(size) if impl == "ours" else word2vec.GensimSkipGram(size)
    from measurements import echo_state

    return echo_state.KerasEchoState(size) if impl == "ours" else echo_state.ReservoirPyEchoState(size)


def library_versions():
    from importlib import metadata

    versions = {"python": sys.version.split()[0]}
    for name in ("kerasrnn", "keras", "tensorflow", "jax", "jaxlib", "torch", "numpy", "gensim", "reservoirpy"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            pass
    return versions


class Worker:
    """The state of one worker process: its backend and the subjects it holds."""

    def __init__(self, backend, mode):
        if backend not in (*KERAS_BACKENDS, REFERENCE):
            raise ValueError(f"`--backend` must be one of {', '.join((*KERAS_BACKENDS, REFERENCE))}, "
                             f"received: {backend!r}")
        if mode not in MODES:
            raise ValueError(f"`--mode` must be one of {', '.join(MODES)}, received: {mode!r}")
        self.backend, self.mode = backend, mode
        self.subjects, self.peaks = {}, {}
        if backend != REFERENCE:
            os.environ["KERAS_BACKEND"] = backend
            os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
            import keras

            if keras.backend.backend() != backend:
                raise RuntimeError(f"Keras started on {keras.backend.backend()!r}, not {backend!r}")
            import logging

            logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing warnings

    def handle(self, request):
        op = request.get("op")
        if op == "hello":
            reply = {"backend": self.backend, "versions": library_versions(), "pid": os.getpid(),
                     "reuse_freed_memory": REUSES_FREED_MEMORY}
            if self.backend != REFERENCE:
                from measurements.training import describe_layers

                reply["layers"] = describe_layers()
            return reply
        subject = request.get("subject")
        if op == "prepare":
            if (runs_on(subject) == REFERENCE) != (self.backend == REFERENCE):
                raise ValueError(f"subject {subject!r} does not run in a {self.backend} worker")
            with PeakMemory() as peak:
                start = clock()
                built = make_subject(subject, self.mode, request.get("repeats"))
                setup_s = clock() - start
                warmup_s = built.warm_up()
            self.subjects[subject], self.peaks[subject] = built, peak.mb
            return {"label": built.label, "unit": built.unit, "amount": built.amount,
                    "setup_s": setup_s, "warmup_s": warmup_s, "peak_rss_mb": peak.mb}
        if subject not in self.subjects:
            raise ValueError(f"subject {subject!r} was not prepared in this worker")
        built = self.subjects[subject]
        if op == "run":
            with PeakMemory() as peak:
                seconds = built.run()
            self.peaks[subject] = max(self.peaks[subject], peak.mb)
            return {"seconds": seconds, "value": built.amount / seconds, "peak_rss_mb": peak.mb}
        if op == "finish":
            quality = built.quality() if hasattr(built, "quality") else {}
            # NaN (a correlation over too few pairs) is not JSON: report it as null.
            quality = {k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in quality.items()}
            reply = {"quality": quality, "peak_rss_mb": self.peaks.pop(subject)}
            del self.subjects[subject], built
            if self.backend != REFERENCE:
                import keras

                keras.backend.clear_session()
            gc.collect()
            return reply
        raise ValueError(f"unknown request {op!r}; use hello, prepare, run, finish or quit")

    def reply(self, request):
        """`handle()` with errors turned into `{"ok": False, ...}` replies (a missing library: `skipped`)."""
        try:
            return {"ok": True, **self.handle(request)}
        except ImportError as error:
            missing = (getattr(error, "name", None) or "").split(".")[0]
            if missing in OPTIONAL:
                return {"ok": False, "skipped": f"{missing} is not installed ({OPTIONAL[missing]})"}
            return {"ok": False, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}
        except NotImplementedError as error:
            return {"ok": False, "skipped": str(error)}
        except Exception as error:  # report it; the orchestrator carries on with the other subjects
            return {"ok": False, "error": f"{type(error).__name__}: {error}", "traceback": traceback.format_exc()}


def serve(backend, mode):
    """Answer JSON-line requests on stdin until `quit` or end of input."""
    protocol = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)  # whatever else writes to stdout (C libraries included) goes to stderr
    sys.stdout = sys.stderr
    try:
        worker = Worker(backend, mode)
    except Exception as error:
        protocol.write(json.dumps({"ok": False, "error": f"{type(error).__name__}: {error}"}) + "\n")
        return 1
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("op") == "quit":
            break
        protocol.write(json.dumps(worker.reply(request)) + "\n")
    return 0


def measure_once(subject, backend, mode, repeats):
    """Prepare, warm up and time one subject `repeats` times in this process; return a summary dict."""
    worker = Worker(backend, mode)
    prepared = worker.reply({"op": "prepare", "subject": subject, "repeats": repeats})
    if not prepared["ok"]:
        return {"subject": subject, "backend": backend, **prepared}
    runs = [worker.reply({"op": "run", "subject": subject}) for _ in range(repeats)]
    finished = worker.reply({"op": "finish", "subject": subject})
    values = [run["value"] for run in runs]
    return {
        "subject": subject, "backend": backend, "mode": mode, "label": prepared["label"],
        "unit": prepared["unit"], "median": statistics.median(values), "values": values,
        "warmup_s": prepared["warmup_s"], "quality": finished.get("quality", {}),
        "peak_rss_mb": finished.get("peak_rss_mb"),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("subject", nargs="?", help="MEASURE/IMPLEMENTATION, e.g. train_lstm/ours")
    parser.add_argument("--backend", default=os.environ.get("KERAS_BACKEND", "jax"),
                        help="tensorflow, jax or torch for kerasrnn subjects; 'reference' for the others")
    parser.add_argument("--mode", default="quick", choices=MODES, help="how much work (see measurements/sizes.py)")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats after the warm-up")
    parser.add_argument("--serve", action="store_true", help="answer JSON-line requests (used by run.py)")
    parser.add_argument("--reuse-freed-memory", action="store_true",
                        help="first call kerasrnn.utils.memory.reuse_freed_memory() (glibc keeps freed memory)")
    args = parser.parse_args(argv)
    if args.reuse_freed_memory:
        from kerasrnn.utils.memory import reuse_freed_memory  # Keras-free: called before any framework loads

        global REUSES_FREED_MEMORY
        REUSES_FREED_MEMORY = reuse_freed_memory()
        if not REUSES_FREED_MEMORY:
            print("--reuse-freed-memory: not applied (needs Linux with glibc)", file=sys.stderr)
    if args.serve:
        return serve(args.backend, args.mode)
    if args.subject is None:
        parser.error(f"name a subject, one of: {', '.join(SUBJECTS)}")
    if args.subject not in SUBJECTS:
        parser.error(f"unknown subject {args.subject!r}; choose one of {', '.join(SUBJECTS)}")
    if args.repeats < 1:
        parser.error(f"--repeats must be a positive integer, received {args.repeats}")
    if runs_on(args.subject) == REFERENCE:
        args.backend = REFERENCE
    print(json.dumps(measure_once(args.subject, args.backend, args.mode, args.repeats), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
