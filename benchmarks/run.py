"""Speed of kerasrnn against native PyTorch, Keras' built-in layers, gensim and reservoirpy.

    python benchmarks/run.py            # the full run (roughly half an hour on 2 idle CPU cores)
    python benchmarks/run.py --quick    # fewer repeats and smaller corpora: a few minutes
    python benchmarks/run.py --quick --json results.json --only lstm,esn --backends jax
    python benchmarks/run.py --output benchmarks/RESULTS.md --overwrite   # refresh the committed report
    python benchmarks/run.py --from-json run.json --output benchmarks/RESULTS.md --overwrite --readme README.md
                                        # re-render a saved run's report and README table

Keras picks its backend once per process, so this script only orchestrates:
it starts one worker process per Keras backend and one reference worker
(native PyTorch, gensim, reservoirpy and a float32 matmul; no Keras), and
asks them to run one subject at a time, interleaved: round 1 times the
native PyTorch loop, then ours on TensorFlow, JAX and PyTorch, then the
Keras built-ins; round 2 again; and so on. A busy machine then slows every
subject alike, and the ratios stay meaningful. Each subject is warmed up
first (the first run, which includes tracing and compilation, is reported
apart as "first-run extra"); the figure is the median of the timed repeats.

It prints, writes a Markdown report (with the date, the versions and the
machine) to a new `runs/benchmarks/<date-time>/RESULTS.md`, or to `--output
FILE`, and, with `--json FILE`, saves the results as JSON. An existing file
is replaced only with `--overwrite`. The results hold:

- the absolute figures of every subject: median throughput, spread of the
  repeats, first-run extra time, peak resident memory of its worker process
  while it ran, and for training the fraction of this machine's measured
  float32 matmul peak the matrix products reach;
- the ratios `ours / reference` (higher is better) with the project's
  speed targets: names `lstm_train`, `gru_train`, `simple_rnn_train`,
  `layernorm_rnn_train` (against native PyTorch), `*_vs_keras` (against the
  Keras built-in on the same backend), `*_fused` (kerasrnn.layers.fused_rnn
  on the torch backend, when installed), `generation`, `sgns`, `esn`, and
  `seq2seq_train` (sentence pairs/s of `kerasrnn.models.seq2seq.Seq2Seq`
  training against a native PyTorch encoder-decoder of the same shape and
  loss; no target, a figure to watch).
"""

import argparse
import datetime
import json
import os
import platform
import queue
import re
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time

BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
REPO_ROOT = os.path.dirname(BENCH_DIR)
sys.path.insert(0, BENCH_DIR)
sys.path.insert(1, REPO_ROOT)

from measurements.sizes import SIZES  # noqa: E402
from measurements.training import matmul_flops_per_token  # noqa: E402
from workers import KERAS_BACKENDS  # noqa: E402
from workers import REFERENCE  # noqa: E402
from workers import SUBJECTS  # noqa: E402
from workers import runs_on  # noqa: E402

# Groups run one after the other; the subjects of a group are interleaved.
GROUPS = {
    "matmul": ["matmul/torch", "matmul/numpy"],
    "lstm": ["train_lstm/torch_nn", "train_lstm/ours", "train_lstm/keras", "train_lstm/fused"],
    "gru": ["train_gru/torch_nn", "train_gru/ours", "train_gru/keras", "train_gru/fused"],
    "rnn": [
        "train_simple_rnn/torch_nn", "train_layernorm_rnn/torch_loop", "train_simple_rnn/ours",
        "train_layernorm_rnn/ours", "train_simple_rnn/keras", "train_simple_rnn/fused",
    ],
    "generation": ["generation/torch_loop", "generation/ours"],
    "sgns": ["sgns/gensim", "sgns/ours"],
    "esn": ["esn/reservoirpy", "esn/ours"],
    "seq2seq": ["seq2seq_train/torch_nn", "seq2seq_train/ours"],
}
IMPLEMENTATION_ORDER = ("torch", "numpy", "torch_nn", "torch_loop", "gensim", "reservoirpy", "ours", "keras", "fused")
# kerasrnn.layers.fused_rnn differs from Keras' layers on the torch backend only.
FUSED_BACKENDS = ("torch",)

# (row name, ours, reference, same backend for the reference): ratio = ours / reference.
COMPARISONS = [
    ("lstm_train", "train_lstm/ours", "train_lstm/torch_nn", False),
    ("lstm_train_vs_keras", "train_lstm/ours", "train_lstm/keras", True),
    ("lstm_train_fused", "train_lstm/fused", "train_lstm/torch_nn", False),
    ("gru_train", "train_gru/ours", "train_gru/torch_nn", False),
    ("gru_train_vs_keras", "train_gru/ours", "train_gru/keras", True),
    ("gru_train_fused", "train_gru/fused", "train_gru/torch_nn", False),
    ("simple_rnn_train", "train_simple_rnn/ours", "train_simple_rnn/torch_nn", False),
    ("simple_rnn_train_fused", "train_simple_rnn/fused", "train_simple_rnn/torch_nn", False),
    ("layernorm_rnn_train", "train_layernorm_rnn/ours", "train_layernorm_rnn/torch_loop", False),
    ("layernorm_rnn_train_vs_keras", "train_layernorm_rnn/ours", "train_simple_rnn/keras", True),
    ("generation", "generation/ours", "generation/torch_loop", False),
    ("sgns", "sgns/ours", "sgns/gensim", False),
    ("esn", "esn/ours", "esn/reservoirpy", False),
    ("seq2seq_train", "seq2seq_train/ours", "seq2seq_train/torch_nn", False),
]

TARGETS_TEXT = """\
Targets: LSTM and GRU training >= 1.0x native PyTorch on the best backend and >= 0.8x on
every backend; LayerNorm SimpleRNN >= 1.0x keras.layers.SimpleRNN on the same backend and >= 0.9x a
native PyTorch loop with LayerNorm; greedy generation >= 5x a plain PyTorch loop on JAX and TensorFlow
and >= 1.0x on PyTorch; SGNS >= 1.0x gensim's words/s with a WordSim353 Spearman within 0.02 of gensim's; echo-state
fit+predict >= 2x reservoirpy at an equal or lower NRMSE (median test NRMSE over the quality seeds,
against reservoirpy running the same reservoirs; "equal" allows 1% for float32 against float64)."""

SGNS_SPEARMAN_TOLERANCE = 0.02
# Our ESN's NRMSE may exceed reservoirpy's on the same reservoirs by this fraction and count as equal.
ESN_NRMSE_TOLERANCE = 0.01
_start_time = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - _start_time:7.1f}s] {message}", flush=True)


# ---------------------------------------------------------------- worker processes
class WorkerProcess:
    """A `workers.py --serve` child: JSON-line requests in, replies out, stderr to a log file."""

    def __init__(self, backend, mode, log_dir, reuse_freed_memory=False):
        self.backend = backend
        self.log_path = os.path.join(log_dir, f"worker-{backend}.log")
        self.failure = None
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO_ROOT, env.get("PYTHONPATH")) if p)
        env["TF_CPP_MIN_LOG_LEVEL"] = env.get("TF_CPP_MIN_LOG_LEVEL", "2")
        if backend in KERAS_BACKENDS:
            env["KERAS_BACKEND"] = backend
        command = [sys.executable, os.path.join(BENCH_DIR, "workers.py"), "--serve", "--backend", backend,
                   "--mode", mode] + (["--reuse-freed-memory"] if reuse_freed_memory else [])
        with open(self.log_path, "w") as log_file:
            self.process = subprocess.Popen(
                command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log_file, text=True,
                env=env, cwd=REPO_ROOT, start_new_session=True,  # its own process group, ended on timeout
            )
        self.replies = queue.Queue()
        threading.Thread(target=self._read_replies, daemon=True).start()

    def _read_replies(self):
        for line in self.process.stdout:
            self.replies.put(line)
        self.replies.put(None)

    def send(self, request):
        try:
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()
        except (BrokenPipeError, OSError) as error:
            self._fail(f"the {self.backend} worker is gone ({error})")

    def receive(self, timeout):
        """The next reply, or an error reply when the worker died or went past `timeout` seconds."""
        if self.failure:
            return {"ok": False, "error": self.failure}
        try:
            line = self.replies.get(timeout=timeout)
        except queue.Empty:
            self._fail(f"the {self.backend} worker did not answer within {timeout:.0f} s (see {self.log_path})")
            self.stop()
            return {"ok": False, "error": self.failure}
        if line is None:
            self._fail(f"the {self.backend} worker exited (code {self.process.wait()}); see {self.log_path}")
            return {"ok": False, "error": self.failure}
        return json.loads(line)

    def request(self, timeout, **request):
        if self.failure:
            return {"ok": False, "error": self.failure}
        self.send(request)
        return self.receive(timeout)

    def _fail(self, message):
        self.failure = self.failure or message

    def stop(self):
        if self.process.poll() is None:
            try:
                self.process.stdin.write(json.dumps({"op": "quit"}) + "\n")
                self.process.stdin.close()
                self.process.wait(timeout=30)
            except (OSError, ValueError, subprocess.TimeoutExpired):  # ValueError: stdin already closed
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_workers(backends, mode, log_dir, timeout, reuse_freed_memory=False):
    """Start the reference worker and one per backend, all at once; return the ones that answered."""
    workers = {name: WorkerProcess(name, mode, log_dir, reuse_freed_memory) for name in (REFERENCE, *backends)}
    hello = {}
    for name, worker in workers.items():
        worker.send({"op": "hello"})
    for name, worker in workers.items():
        reply = worker.receive(timeout)
        if reply.get("ok"):
            hello[name] = reply
        else:
            log(f"worker {name} is unavailable: {reply.get('error', reply)}")
    return workers, hello


# ---------------------------------------------------------------- planning
class Subject:
    """What the orchestrator knows about one subject on one backend."""

    def __init__(self, name, backend):
        self.name, self.backend = name, backend
        self.impl = name.split("/")[1]
        self.label = self.unit = None
        self.values, self.seconds = [], []
        self.warmup_s = self.setup_s = self.peak_rss_mb = None
        self.quality = {}
        self.problem = None  # "skipped: ..." or "failed: ..."
        self.alias_of = None  # measured as another subject: the same layer class

    @property
    def key(self):
        return self.name, self.backend

    @property
    def median(self):
        return statistics.median(self.values) if self.values else None

    @property
    def first_run_extra_s(self):
        if self.warmup_s is None or not self.seconds:
            return None
        return max(self.warmup_s - statistics.median(self.seconds), 0.0)

    @property
    def spread(self):
        """Half the range of the repeats over the median (0.05 = +-5%)."""
        if len(self.values) < 2:
            return None
        return (max(self.values) - min(self.values)) / 2 / self.median

    def as_dict(self):
        return {
            "subject": self.name, "backend": self.backend, "implementation": self.impl, "label": self.label,
            "unit": self.unit, "median": self.median, "values": self.values, "spread": self.spread,
            "setup_s": self.setup_s, "warmup_s": self.warmup_s, "first_run_extra_s": self.first_run_extra_s,
            "peak_rss_mb": self.peak_rss_mb, "quality": self.quality, "problem": self.problem,
            "alias_of": list(self.alias_of) if self.alias_of else None,
        }


def _layer_alias(subject, backend, layers):
    """For a Keras training subject whose layer class another one already trains: that subject's key."""
    measure, impl = subject.split("/")
    if not measure.startswith("train_") or impl not in ("keras", "fused"):
        return None
    kind = measure[len("train_") :]
    mine = layers.get(f"{kind}/{impl}")
    for earlier in ("ours", "keras"):
        if earlier == impl:
            break
        if mine is not None and layers.get(f"{kind}/{earlier}") == mine:
            return f"{measure}/{earlier}", backend
    return None


def plan_group(group, backends, hello, subjects):
    """Add the group's subjects to `subjects` (a dict by key); return the keys to measure, in round order."""
    to_measure = []
    for name in GROUPS[group]:
        homes = [REFERENCE] if runs_on(name) == REFERENCE else list(backends)
        for backend in homes:
            impl = name.split("/")[1]
            if impl == "fused" and backend not in FUSED_BACKENDS:
                continue
            subject = subjects.setdefault((name, backend), Subject(name, backend))
            if backend not in hello:
                subject.problem = f"skipped: the {backend} worker is unavailable"
                continue
            layers = hello[backend].get("layers", {})
            if name.startswith("train_") and impl in ("ours", "keras", "fused"):
                kind = name.split("/")[0][len("train_") :]
                if f"{kind}/{impl}" not in layers:
                    where = "kerasrnn.layers.fused_rnn is not available" if impl == "fused" else "no such layer"
                    subject.problem = f"skipped: {where}"
                    continue
            subject.alias_of = _layer_alias(name, backend, layers)
            if subject.alias_of is None:
                to_measure.append(subject.key)
    backend_order = {name: i for i, name in enumerate((REFERENCE, *KERAS_BACKENDS))}
    to_measure.sort(key=lambda key: (IMPLEMENTATION_ORDER.index(key[0].split("/")[1]), backend_order[key[1]]))
    return to_measure


# ---------------------------------------------------------------- measuring
def _short(subject):
    return f"{subject.name} [{subject.backend}]"


def _fmt(value, unit=None):
    if value is None:
        return "-"
    text = f"{value:,.0f}" if abs(value) >= 100 else f"{value:.3g}"
    return f"{text} {unit}" if unit else text


def measure_group(group, keys, subjects, workers, repeats, timeout):
    log(f"{group}: {len(keys)} subjects, warm-up then {repeats} interleaved rounds")
    ready = []
    for key in keys:
        subject, worker = subjects[key], workers[key[1]]
        reply = worker.request(timeout, op="prepare", subject=subject.name, repeats=repeats)
        if not reply.get("ok"):
            subject.problem = f"skipped: {reply['skipped']}" if "skipped" in reply else f"failed: {reply['error']}"
            log(f"  {_short(subject)}: {subject.problem}")
            continue
        subject.label, subject.unit = reply["label"], reply["unit"]
        subject.warmup_s, subject.setup_s, subject.peak_rss_mb = reply["warmup_s"], reply["setup_s"], reply["peak_rss_mb"]
        log(f"  warmed up {_short(subject)} ({subject.label}): first run {subject.warmup_s:.2f} s")
        ready.append(key)
    for round_index in range(repeats):
        figures = []
        for key in ready:
            subject = subjects[key]
            if subject.problem:
                continue
            reply = workers[key[1]].request(timeout, op="run", subject=subject.name)
            if not reply.get("ok"):
                subject.problem = f"failed: {reply.get('error')}"
                log(f"  {_short(subject)}: {subject.problem}")
                continue
            subject.values.append(reply["value"])
            subject.seconds.append(reply["seconds"])
            subject.peak_rss_mb = max(subject.peak_rss_mb, reply["peak_rss_mb"])
            figures.append(f"{subject.name}@{subject.backend} {_fmt(reply['value'])}")
        log(f"  round {round_index + 1}/{repeats}: " + " | ".join(figures))
    for key in ready:
        subject = subjects[key]
        reply = workers[key[1]].request(timeout, op="finish", subject=subject.name)
        if reply.get("ok"):
            subject.quality = reply["quality"]
            subject.peak_rss_mb = max(subject.peak_rss_mb, reply["peak_rss_mb"])
            if subject.quality:
                log(f"  {_short(subject)} quality: {json.dumps(subject.quality)}")
        elif not subject.problem:
            subject.problem = f"failed: {reply.get('error')}"
    for subject in subjects.values():  # aliases share the measurement of the subject they point at
        if subject.alias_of and subject.alias_of in subjects:
            source = subjects[subject.alias_of]
            for field in ("label", "unit", "values", "seconds", "warmup_s", "setup_s", "peak_rss_mb", "problem"):
                setattr(subject, field, getattr(source, field))


# ---------------------------------------------------------------- results
def matmul_peak(subjects):
    """The best float32 matmul speed seen in any repeat (GFLOP/s): the machine's peak."""
    values = [v for (name, _), s in subjects.items() if name.startswith("matmul/") for v in s.values]
    return max(values) if values else None


def peak_fraction(subject, peak_gflops, mode):
    """Fraction of the matmul peak the training subject's matrix products reach."""
    measure = subject.name.split("/")[0]
    if not measure.startswith("train_") or not subject.median or not peak_gflops:
        return None
    flops = matmul_flops_per_token(measure[len("train_") :], SIZES[mode]["train"])
    return subject.median * flops / (peak_gflops * 1e9)


def _quality_value(subject, field):
    value = subject.quality.get(field) if subject else None
    return value if isinstance(value, (int, float)) else None


def comparison_rows(subjects):
    rows = []
    for name, ours_name, reference_name, same_backend in COMPARISONS:
        for backend in KERAS_BACKENDS:
            ours = subjects.get((ours_name, backend))
            if ours is None:
                continue
            reference = subjects.get((reference_name, backend if same_backend else REFERENCE))
            ours_value = ours.median
            reference_value = reference.median if reference else None
            ratio = ours_value / reference_value if ours_value and reference_value else None
            notes = [p for p in (ours.problem, reference.problem if reference else "reference not run") if p]
            reference_label = (reference.label if reference and reference.label else reference_name)
            if reference is not None and reference.alias_of == ours.key:
                notes.append(f"ours builds this very class ({_pretty(reference.label)}): one measurement")
            row = {
                "name": name, "backend": backend, "ours": ours_value, "reference": reference_value,
                "ratio": ratio, "unit": ours.unit or (reference.unit if reference else None),
                "ours_name": ours.label or ours_name, "reference_name": reference_label,
                "target": None, "meets_target": None, "note": "; ".join(notes),
            }
            if name == "sgns":
                field = "wordsim353_spearman"
                row["quality"] = {
                    "metric": field, "ours": _quality_value(ours, field), "reference": _quality_value(reference, field),
                }
            elif name == "esn":
                # Judged against reservoirpy on kerasrnn's own matrices (the same reservoirs); each
                # library's median over its own draws is shown beside it.
                paired = _quality_value(reference, "paired_test_nrmse")
                row["quality"] = {
                    "metric": "test_nrmse", "ours": _quality_value(ours, "test_nrmse"),
                    "reference": paired if paired is not None else _quality_value(reference, "test_nrmse"),
                }
                if paired is not None:
                    row["quality"]["reference_on_its_own_draws"] = _quality_value(reference, "test_nrmse")
            rows.append(row)
    _apply_targets(rows)
    return rows


def _apply_targets(rows):
    for name in ("lstm_train", "gru_train"):
        measured = [row for row in rows if row["name"] == name and row["ratio"] is not None]
        best = max(measured, key=lambda row: row["ratio"], default=None)
        for row in measured:
            row["target"] = 1.0 if row is best else 0.8
    for row in rows:
        name = row["name"]
        if name == "layernorm_rnn_train":
            row["target"] = 0.9
        elif name == "layernorm_rnn_train_vs_keras":
            row["target"] = 1.0
        elif name == "generation":
            row["target"] = 5.0 if row["backend"] in ("jax", "tensorflow") else 1.0
        elif name == "sgns":
            row["target"] = 1.0
        elif name == "esn":
            row["target"] = 2.0
        if row["target"] is None or row["ratio"] is None:
            continue
        meets = row["ratio"] >= row["target"]
        quality = row.get("quality")
        if quality:
            ours, reference = quality["ours"], quality["reference"]
            if ours is None or reference is None:
                meets = None if meets else False
            elif name == "sgns":
                meets = meets and abs(ours - reference) <= SGNS_SPEARMAN_TOLERANCE
            else:
                meets = meets and ours <= reference * (1.0 + ESN_NRMSE_TOLERANCE)
        row["meets_target"] = meets


def _pretty(label):
    """`keras.src.layers.rnn.lstm.LSTM` -> `keras.layers.LSTM`."""
    if not label:
        return "-"
    return re.sub(r"^keras\.src\.layers\.[\w.]*\.(\w+)$", r"keras.layers.\1", label)


def _markdown_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell).replace("|", "/") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def ratio_table(rows):
    table = []
    for row in rows:
        quality = row.get("quality")
        if quality:
            quality_text = f"{quality['metric']} {_fmt(quality['ours'])} vs {_fmt(quality['reference'])}"
            if "reference_on_its_own_draws" in quality:
                quality_text += (
                    " (reservoirpy on kerasrnn's reservoirs; on its own draws "
                    f"{_fmt(quality['reference_on_its_own_draws'])})"
                )
        else:
            quality_text = ""
        meets = {True: "yes", False: "NO", None: ""}[row["meets_target"]]
        table.append([
            row["name"], row["backend"], _fmt(row["ours"]), _fmt(row["reference"]), row["unit"] or "-",
            f"{row['ratio']:.2f}x" if row["ratio"] is not None else "-",
            f">= {row['target']:g}x" if row["target"] is not None else "", meets,
            _pretty(row["reference_name"]), "; ".join(t for t in (quality_text, row["note"]) if t),
        ])
    header = ["name", "backend", "ours", "reference", "unit", "ratio", "target", "met", "reference is", "notes"]
    return _markdown_table(header, table)


def absolute_table(subject_dicts):
    """The Markdown table of every subject's figures, from `Subject.as_dict()` dicts with `matmul_peak_fraction`."""
    by_key = {(s["subject"], s["backend"]): s for s in subject_dicts}
    table = []
    for group, names in GROUPS.items():
        for name in names:
            for backend in (REFERENCE, *KERAS_BACKENDS):
                subject = by_key.get((name, backend))
                if subject is None or subject["alias_of"]:
                    continue
                aliases = [other["subject"] for other in subject_dicts
                           if other["alias_of"] and tuple(other["alias_of"]) == (name, backend)]
                fraction = subject.get("matmul_peak_fraction")
                quality = ", ".join(
                    f"{k} {_fmt(v) if isinstance(v, (int, float)) else v}" for k, v in subject["quality"].items()
                )
                also = f"also stands for {', '.join(aliases)} (the same class)" if aliases else ""
                notes = "; ".join(t for t in (quality, subject["problem"], also) if t)
                spread = subject["spread"]
                table.append([
                    name, "native" if backend == REFERENCE else backend, _pretty(subject["label"]),
                    _fmt(subject["median"]), subject["unit"] or "-",
                    f"±{100 * spread:.0f}%" if spread is not None else "-",
                    _fmt(subject["first_run_extra_s"]), _fmt(subject["peak_rss_mb"]),
                    f"{100 * fraction:.1f}%" if fraction is not None else "", notes,
                ])
    header = ["subject", "backend", "implementation", "median", "unit", "spread", "first-run extra (s)",
              "peak RSS (MiB)", "% matmul peak", "notes"]
    return _markdown_table(header, table)


README_JOBS = [
    ("training an LSTM / GRU LM (vs a native `torch.nn` loop)", ("lstm_train", "gru_train")),
    ("training a LayerNorm RNN (vs a PyTorch loop with `nn.LayerNorm`)", ("layernorm_rnn_train",)),
    ("training the encoder-decoder (vs a native `torch.nn` encoder-decoder)", ("seq2seq_train",)),
    ("greedy generation (vs a PyTorch greedy loop)", ("generation",)),
    ("word2vec (vs gensim, words/s)", ("sgns",)),
    ("echo-state fit + predict (vs reservoirpy)", ("esn",)),
]
README_BEGIN = "<!-- backend table: written by benchmarks/run.py --readme README.md -->"
README_END = "<!-- end of backend table -->"
BACKEND_NAMES = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch"}
FILE_FLAGS = ("--output", "--json", "--from-json", "--readme")  # shown without directories in a report


def backend_table(rows):
    """The README's "which backend for what" table: each job's ratios per backend, and the best backend."""
    ratio = {(row["name"], row["backend"]): row["ratio"] for row in rows}
    table = []
    for job, names in README_JOBS:
        cells, best = [], {}
        for backend in KERAS_BACKENDS:
            values = [ratio.get((name, backend)) for name in names]
            cells.append(" / ".join(f"{v:.2f}x" if v is not None else "-" for v in values))
            if all(v is not None for v in values):
                best[backend] = sum(values) / len(values)
        pick = max(best, key=best.get) if best else "-"
        table.append([job, *cells, BACKEND_NAMES.get(pick, pick)])
    return _markdown_table(["job", *(BACKEND_NAMES[b] for b in KERAS_BACKENDS), "fastest here"], table)



def update_readme(path, report):
    """Replace the backend table between `README_BEGIN` and `README_END` in `path` (atomically)."""
    from kerasrnn.io_utils import atomic_write_text

    with open(path, encoding="utf-8") as f:
        text = f.read()
    if README_BEGIN not in text or README_END not in text:
        raise SystemExit(f"{path} has no backend table markers ({README_BEGIN} ... {README_END})")
    head, rest = text.split(README_BEGIN, 1)
    _, tail = rest.split(README_END, 1)
    block = (f"{README_BEGIN}\nFrom `benchmarks/RESULTS.md` ({report['mode']} run of {report['date']}, ours / reference "
             f"in the same run, higher is better):\n\n{backend_table(report['results'])}\n{README_END}")
    atomic_write_text(path, head + block + tail)
    log(f"wrote the backend table of {path}")


def portable_command(argv):
    """`python benchmarks/run.py ...` as run, with file arguments inside the repository shown relative to its root
    and those outside it by file name only, so a report names no directory of the machine that wrote it."""
    shown = []
    for index, arg in enumerate(argv):
        flag, _, value = arg.partition("=")
        if index and argv[index - 1] in FILE_FLAGS:
            arg = _portable_path(arg)
        elif flag in FILE_FLAGS and value:
            arg = f"{flag}={_portable_path(value)}"
        shown.append(shlex.quote(arg))
    return " ".join(["python benchmarks/run.py", *shown])



def _portable_path(path):
    path = os.path.abspath(path)
    inside = os.path.commonpath([path, REPO_ROOT]) == REPO_ROOT
    return os.path.relpath(path, REPO_ROOT) if inside else os.path.basename(path)


def machine_description():
    cpu = platform.processor() or platform.machine()
    memory = None
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal"):
                    memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
    except OSError:
        pass
    return {"cpu": cpu, "cpus": os.cpu_count(), "memory": memory, "platform": platform.platform()}


def load_average():
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def results_markdown(report):
    machine = report["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in report["versions"].items())
    loads = f"{_fmt(report['load_average_start'])} at the start, {_fmt(report['load_average_end'])} at the end"
    lines = [
        "# kerasrnn benchmark results",
        "",
        "Written by `benchmarks/run.py`; do not edit by hand. See `benchmarks/README.md` for what is measured.",
        "",
        f"- Date: {report['date']}",
        f"- Command: `{report['command']}` ({report['mode']} mode, {report['duration_s'] / 60:.1f} minutes, "
        f"{report['worker_cpu_s'] / 60:.1f} CPU-minutes in the workers)",
        f"- Machine: {machine['cpu']}, {machine['cpus']} CPUs, {machine['memory'] or '?'} memory, {machine['platform']}",
        f"- 1-minute load average: {loads} (figures from a machine busy with other work are noisy)",
        f"- Versions: {versions}",
        "- Memory allocator: "
        + ("every worker (ours and the references) first called `kerasrnn.utils.memory.reuse_freed_memory()` "
           "(`--reuse-freed-memory`: glibc keeps freed memory instead of unmapping it)"
           if report.get("reuse_freed_memory") else "the C library's defaults in every worker"),
        f"- Float32 matmul peak measured here: {_fmt(report['matmul_peak_gflops'])} GFLOP/s (the best repeat of the "
        "PyTorch and NumPy products, timed at the start and at the end)",
        "",
        "## Ratios (ours / reference, higher is better)",
        "",
        ratio_table(report["results"]),
        "",
        TARGETS_TEXT,
        "",
        "## Absolute figures (median of the timed repeats)",
        "",
        report["absolute_table"],
        "",
        "Spread: half the range of the repeats over the median. First-run extra: the warm-up run's time minus a",
        "timed run's (tracing, compilation, first-call caches). Peak RSS: the largest resident memory of the",
        "worker process while the subject ran (it includes the framework and what earlier subjects left).",
        "% matmul peak: the matrix-product FLOPs of a training token (3x forward) times tokens/s, over the",
        "measured float32 matmul peak.",
        "",
    ]
    return "\n".join(lines)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller corpora: a few minutes")
    parser.add_argument("--smoke", action="store_true",
                        help="tiny models, one repeat: checks the harness in seconds; the figures mean nothing")
    parser.add_argument("--output", metavar="FILE", default=None,
                        help="where to write the Markdown report (default: a new "
                             "runs/benchmarks/<date-time>/RESULTS.md under the repository root)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("--no-results-md", action="store_true", help="do not write the Markdown report")
    parser.add_argument("--overwrite", action="store_true",
                        help="allow --output and --json to replace existing files (e.g. benchmarks/RESULTS.md)")
    parser.add_argument("--backends", default=",".join(KERAS_BACKENDS),
                        help="comma-separated Keras backends to measure (default: tensorflow,jax,torch)")
    parser.add_argument("--only", default=",".join(GROUPS),
                        help=f"comma-separated groups to run (default: all of {','.join(GROUPS)})")
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per subject (default: per mode)")
    parser.add_argument("--reuse-freed-memory", action="store_true",
                        help="every worker, ours and the references alike, first calls "
                             "kerasrnn.utils.memory.reuse_freed_memory() (Linux, glibc)")
    parser.add_argument("--from-json", metavar="FILE", default=None,
                        help="measure nothing: write the Markdown report (--output) of the results a run saved "
                             "with --json")
    parser.add_argument("--readme", metavar="FILE", default=None,
                        help="also rewrite the backend table between the markers of FILE (e.g. README.md)")
    parser.add_argument("--timeout", type=float, default=1200.0,
                        help="seconds a worker may take to answer one request before it is stopped")
    args = parser.parse_args(argv)
    if args.quick and args.smoke:
        parser.error("choose one of --quick and --smoke")
    args.mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    args.backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    unknown = [b for b in args.backends if b not in KERAS_BACKENDS]
    if unknown or not args.backends:
        parser.error(f"--backends must list some of {', '.join(KERAS_BACKENDS)}, received: {args.backends}")
    args.only = [g.strip() for g in args.only.split(",") if g.strip()]
    unknown = [g for g in args.only if g not in GROUPS]
    if unknown or not args.only:
        parser.error(f"--only must list some of {', '.join(GROUPS)}, received: {args.only}")
    if args.repeats is not None and args.repeats < 1:
        parser.error(f"--repeats must be a positive integer, received: {args.repeats}")
    if args.timeout <= 0:
        parser.error(f"--timeout must be positive, received: {args.timeout}")
    if args.output is None:
        args.output = os.path.join(REPO_ROOT, "runs", "benchmarks", time.strftime("%Y%m%d-%H%M%S"), "RESULTS.md")
    for flag, path in (("--output", None if args.no_results_md else args.output), ("--json", args.json)):
        if path and os.path.exists(path) and not args.overwrite:
            parser.error(f"{flag} {path} exists; pass --overwrite to replace it, or choose another path")
    return args


def render_from_json(args, command):
    """Write the Markdown report of a saved JSON (`--from-json`), noting the command that rendered it."""
    from kerasrnn.io_utils import atomic_write_text

    with open(args.from_json) as f:
        report = json.load(f)
    report["command"] = portable_command(shlex.split(report["command"])[2:])  # also for JSON written before
    report["absolute_table"] = absolute_table(report["subjects"])
    for row in report["results"]:
        row["target"] = row["meets_target"] = None
    _apply_targets(report["results"])  # today's targets
    markdown = results_markdown(report)
    markdown += f"\nRendered from the run's JSON by `{command}`.\n"
    atomic_write_text(args.output, markdown)
    log(f"wrote {args.output} from {args.from_json}")
    if args.readme:
        update_readme(args.readme, report)
    return 0


def main(argv=None):
    args = parse_args(argv)
    command = portable_command(argv if argv is not None else sys.argv[1:])
    if args.from_json:
        return render_from_json(args, command)
    load_start = load_average()
    log_dir = tempfile.mkdtemp(prefix="kerasrnn-bench-")
    log(f"{args.mode} run: groups {','.join(args.only)} on {','.join(args.backends)}; worker logs in {log_dir}")
    workers, hello = start_workers(args.backends, args.mode, log_dir, args.timeout, args.reuse_freed_memory)
    subjects = {}
    try:
        log("workers ready: " + ", ".join(hello))
        groups = list(args.only)
        if "matmul" in groups and len(groups) > 1:
            groups.append("matmul")  # once more at the end: the peak is the best repeat of either pass
        for group in groups:
            size_key = SUBJECTS[GROUPS[group][0]]
            repeats = args.repeats or SIZES[args.mode][size_key]["repeats"]
            keys = plan_group(group, args.backends, hello, subjects)
            measure_group(group, keys, subjects, workers, repeats, args.timeout)
    finally:
        for worker in workers.values():
            worker.stop()

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu_seconds = children.ru_utime + children.ru_stime  # all workers together
    versions = {}
    for reply in hello.values():
        versions.update(reply.get("versions", {}))
    peak = matmul_peak(subjects)
    rows = comparison_rows(subjects)
    report = {
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "command": command.strip(), "mode": args.mode, "duration_s": time.monotonic() - _start_time,
        "worker_cpu_s": cpu_seconds,
        # Requested and applied by every worker that answered (each reports it in its hello).
        "reuse_freed_memory": args.reuse_freed_memory and all(h.get("reuse_freed_memory") for h in hello.values()),
        "machine": machine_description(), "load_average_start": load_start, "load_average_end": load_average(),
        "versions": versions, "matmul_peak_gflops": peak, "results": rows,
        "subjects": [s.as_dict() for s in subjects.values()],
    }
    for subject in report["subjects"]:
        found = subjects[(subject["subject"], subject["backend"])]
        subject["matmul_peak_fraction"] = peak_fraction(found, peak, args.mode)
    report["absolute_table"] = absolute_table(report["subjects"])

    print("\nAbsolute figures (median of the timed repeats)\n")
    print(report["absolute_table"])
    print(f"\nFloat32 matmul peak: {_fmt(peak)} GFLOP/s\n\nRatios (ours / reference, higher is better)\n")
    print(ratio_table(rows))
    print("\n" + TARGETS_TEXT)

    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.io_utils import atomic_write_text

    if not args.no_results_md:
        atomic_write_text(args.output, results_markdown(report))
        log(f"wrote {args.output}")
    if args.json:
        atomic_write_json(args.json, {k: v for k, v in report.items() if k != "absolute_table"})
        log(f"wrote {args.json}")
    if args.readme:
        update_readme(args.readme, report)
    failed = [s for s in subjects.values() if s.problem and s.problem.startswith("failed")]
    if failed or len(hello) < len(workers):
        log(f"{len(failed)} subject(s) failed; worker logs kept in {log_dir}")
    else:
        shutil.rmtree(log_dir, ignore_errors=True)
    log(f"done in {(time.monotonic() - _start_time) / 60:.1f} minutes ({cpu_seconds / 60:.1f} CPU-minutes in the workers)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
