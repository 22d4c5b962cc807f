"""Cold start: `kerasrnn.load(<saved language model>)` and its first generation in a fresh process, per backend.

    python benchmarks/cold_start.py                  # 3 fresh processes per backend, medians
    python benchmarks/cold_start.py --repeats 5 --backends jax,torch --model saved_models/predict_next_char/lstm

Each run is a new Python process on one Keras backend that times, from its
first line: `import kerasrnn`, `kerasrnn.load(model)` (Keras and the backend
start here), and the first `generate(prompt, num_chars)` (the generation loop
is traced and compiled here). Runs are interleaved (backend 1, 2, 3, then
again) so a busy machine slows every backend alike. The table shows the
median of the repeats per column, and whether TensorFlow had been imported by
the end. The child inherits this environment (threads, TF_CPP_MIN_LOG_LEVEL).
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BACKENDS = ("tensorflow", "jax", "torch")
COLUMNS = (("import_s", "import kerasrnn"), ("load_s", "load"), ("first_generate_s", "first generate"),
           ("total_s", "total"), ("process_s", "process wall"))

CHILD = """
import time
start = time.perf_counter()
import json, sys
import kerasrnn
imported = time.perf_counter()
model = kerasrnn.load({model!r})
loaded = time.perf_counter()
model.generate({prompt!r}, num_chars={num_chars}, seed=0)
generated = time.perf_counter()
print(json.dumps({{"import_s": imported - start, "load_s": loaded - imported, "first_generate_s": generated - loaded,
                   "total_s": generated - start, "tensorflow_imported": "tensorflow" in sys.modules}}))
"""


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="saved_models/predict_next_char/lstm",  # a saved language-model directory
                        help="a saved language model (a directory with task.json), relative to the repository root")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="comma-separated Keras backends to time")
    parser.add_argument("--repeats", type=int, default=3, help="fresh processes per backend; the table shows medians")
    parser.add_argument("--prompt", default="ROMEO:", help="the prompt of the first generation")
    parser.add_argument("--num-chars", type=int, default=100, help="characters the first generation produces")
    parser.add_argument("--json", help="also write the raw runs to this JSON file")
    args = parser.parse_args(argv)
    args.backends = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = [name for name in args.backends if name not in BACKENDS]
    if unknown or not args.backends:
        parser.error(f"--backends must name some of {', '.join(BACKENDS)}, received: {args.backends!r}")
    if args.repeats < 1:
        parser.error(f"--repeats must be a positive integer, received: {args.repeats}")
    if args.num_chars < 1:
        parser.error(f"--num-chars must be a positive integer, received: {args.num_chars}")
    if not os.path.isfile(os.path.join(REPO_ROOT, args.model, "task.json")):
        parser.error(f"--model must be a saved model directory with a task.json, received: {args.model!r}")
    return args


def run_once(backend, args):
    """One fresh process on `backend`: its own timings, plus the wall time of the whole process."""
    env = dict(os.environ, KERAS_BACKEND=backend)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [REPO_ROOT, env.get("PYTHONPATH")]))
    code = CHILD.format(model=args.model, prompt=args.prompt, num_chars=args.num_chars)
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True)
    process_s = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the run on {backend} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    timings = json.loads(result.stdout.strip().splitlines()[-1])
    timings["process_s"] = process_s
    return timings


def format_table(runs, args):
    header = "| backend | " + " | ".join(f"{title} (s)" for _, title in COLUMNS) + " | TensorFlow imported |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 2)]
    for backend in args.backends:
        cells = [f"{statistics.median(run[key] for run in runs[backend]):.2f}" for key, _ in COLUMNS]
        tensorflow = sorted({"yes" if run["tensorflow_imported"] else "no" for run in runs[backend]})
        lines.append(f"| {backend} | " + " | ".join(cells) + f" | {'/'.join(tensorflow)} |")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    runs = {backend: [] for backend in args.backends}
    for repeat in range(args.repeats):
        for backend in args.backends:
            runs[backend].append(run_once(backend, args))
            print(f"run {repeat + 1}/{args.repeats} {backend}: {runs[backend][-1]['total_s']:.2f} s", flush=True)
    load = os.getloadavg() if hasattr(os, "getloadavg") else None
    print(f"\n{args.model}, first generate: {args.num_chars} characters; medians of {args.repeats} fresh processes; "
          f"Python {platform.python_version()}, {os.cpu_count()} CPUs"
          + (f", load average {load[0]:.2f}" if load else ""))
    print(format_table(runs, args))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"model": args.model, "num_chars": args.num_chars, "runs": runs}, f, indent=1)


if __name__ == "__main__":
    main()
