"""The benchmark harness: a smoke run of two groups, the ratio rows and targets, skipped references, outputs."""

import importlib.util
import json
import os
import subprocess
import sys

import pytest

from kerasrnn.utils import memory
from tests import testing

BENCHMARKS = testing.REPO_ROOT / "benchmarks"
ROW_KEYS = {"name", "backend", "ours", "reference", "ratio", "unit"}


def _load(name):
    spec = importlib.util.spec_from_file_location(f"kerasrnn_benchmarks_{name}", BENCHMARKS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _run_benchmarks(*args, timeout=300):
    env = dict(os.environ)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return subprocess.run([sys.executable, str(BENCHMARKS / "run.py"), *args], cwd=testing.REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def test_smoke_run_writes_ratios_of_ours_over_reference(tmp_path):
    json_path, markdown_path = tmp_path / "bench.json", tmp_path / "RESULTS.md"
    result = _run_benchmarks("--smoke", "--only", "generation,esn", "--backends", testing.backend(),
                             "--json", str(json_path), "--output", str(markdown_path), "--reuse-freed-memory")
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    assert "round 1/1" in result.stdout  # progress is printed

    written = json.loads(json_path.read_text())
    # Every worker applied the allocator setting (on Linux with glibc, where it can).
    assert written["reuse_freed_memory"] is (memory._glibc_mallopt() is not None)
    rows = written["results"]
    assert {row["name"] for row in rows} == {"generation", "esn"}
    assert {row["backend"] for row in rows} == {testing.backend()}
    for row in rows:
        assert ROW_KEYS <= set(row), row
    generation = next(row for row in rows if row["name"] == "generation")
    assert generation["unit"] == "chars/s" and "torch.nn.LSTM" in generation["reference_name"]
    measured = [row for row in rows if row["ratio"] is not None]
    assert generation in measured  # torch is installed with the test extras
    for row in measured:
        assert row["ours"] > 0 and row["reference"] > 0
        assert row["ratio"] == pytest.approx(row["ours"] / row["reference"], rel=1e-12)
    for row in rows:
        if row["ratio"] is None:  # only a missing optional reference (reservoirpy) may leave a gap
            assert "skipped" in row["note"], row

    report = markdown_path.read_text()
    assert report.startswith("# kerasrnn benchmark results")
    assert "| generation | " + testing.backend() in report and "Versions:" in report
    assert "Memory allocator: every worker" in report or memory._glibc_mallopt() is None
    # The command names the output files, never the directories of the machine that ran it.
    assert str(tmp_path) not in report and "--json bench.json --output RESULTS.md" in report

    # The report and the README's backend table re-rendered from the JSON alone, measuring nothing.
    readme = tmp_path / "README.md"
    run = _load("run")
    readme.write_text(f"# intro\n{run.README_BEGIN}\nold\n{run.README_END}\nafter\n")
    rendered = tmp_path / "again.md"
    result = _run_benchmarks("--from-json", str(json_path), "--output", str(rendered), "--readme", str(readme))
    assert result.returncode == 0, result.stderr[-3000:]
    again = rendered.read_text()
    assert "Rendered from the run's JSON" in again and str(tmp_path) not in again
    ratio_lines = [line for line in report.splitlines() if line.startswith(("| generation |", "| esn |"))]
    assert ratio_lines and all(line in again for line in ratio_lines)
    table = readme.read_text()
    assert table.startswith("# intro\n") and table.endswith("after\n") and "old" not in table
    assert "| greedy generation (vs a PyTorch greedy loop) |" in table


def _subject(run, name, backend, value, quality=None, problem=None):
    subject = run.Subject(name, backend)
    subject.values, subject.seconds = ([value], [1.0]) if value else ([], [])
    subject.label, subject.unit = name, "x/s"
    subject.quality, subject.problem = quality or {}, problem
    return subject.key, subject


def test_rows_ratios_and_targets():
    run = _load("run")
    subjects = dict([
        _subject(run, "train_lstm/torch_nn", "reference", 100.0),
        _subject(run, "train_lstm/ours", "tensorflow", 70.0),
        _subject(run, "train_lstm/ours", "jax", 120.0),
        _subject(run, "train_lstm/ours", "torch", 85.0),
        _subject(run, "esn/reservoirpy", "reference", 10.0, {"test_nrmse": 0.001, "paired_test_nrmse": 0.002}),
        _subject(run, "esn/ours", "jax", 25.0, {"test_nrmse": 0.00201}),
        _subject(run, "esn/ours", "torch", 25.0, {"test_nrmse": 0.003}),
        _subject(run, "sgns/gensim", "reference", 1000.0, {"wordsim353_spearman": 0.30}),
        _subject(run, "sgns/ours", "jax", 1500.0, {"wordsim353_spearman": 0.27}),
        _subject(run, "sgns/ours", "torch", 1500.0, {"wordsim353_spearman": 0.29}),
        _subject(run, "generation/torch_loop", "reference", None, problem="failed: out of memory"),
        _subject(run, "generation/ours", "jax", 900.0),
    ])
    rows = {(row["name"], row["backend"]): row for row in run.comparison_rows(subjects)}

    lstm = {backend: rows["lstm_train", backend] for backend in ("tensorflow", "jax", "torch")}
    assert [lstm[b]["ratio"] for b in ("tensorflow", "jax", "torch")] == pytest.approx([0.7, 1.2, 0.85])
    # The best backend must reach 1.0x native PyTorch, every other one 0.8x.
    assert [lstm[b]["target"] for b in ("tensorflow", "jax", "torch")] == [0.8, 1.0, 0.8]
    assert [lstm[b]["meets_target"] for b in ("tensorflow", "jax", "torch")] == [False, True, True]
    assert lstm["jax"]["reference_name"] == "train_lstm/torch_nn" and lstm["jax"]["unit"] == "x/s"

    # 2.5x reservoirpy, but only at an equal (within 1%) or lower NRMSE than reservoirpy's on the
    # same reservoirs; its median on its own draws is reported beside it.
    assert rows["esn", "jax"]["ratio"] == pytest.approx(2.5) and rows["esn", "jax"]["meets_target"] is True
    assert rows["esn", "jax"]["quality"] == {
        "metric": "test_nrmse", "ours": 0.00201, "reference": 0.002, "reference_on_its_own_draws": 0.001,
    }
    assert rows["esn", "torch"]["meets_target"] is False
    # 1.5x gensim, but the Spearman correlation must be within 0.02 of gensim's.
    assert rows["sgns", "jax"]["meets_target"] is False
    assert rows["sgns", "torch"]["meets_target"] is True
    assert rows["sgns", "torch"]["quality"] == {"metric": "wordsim353_spearman", "ours": 0.29, "reference": 0.30}
    # A failed reference leaves the ratio empty and says why.
    generation = rows["generation", "jax"]
    assert generation["ratio"] is None and generation["meets_target"] is None
    assert "out of memory" in generation["note"]
    # Nothing measured on TensorFlow for ESN: no row.
    assert ("esn", "tensorflow") not in rows


@pytest.mark.parametrize("subject, library", [("esn/reservoirpy", "reservoirpy"), ("sgns/gensim", "gensim")])
def test_missing_reference_library_is_skipped_with_a_hint(monkeypatch, subject, library):
    workers = _load("workers")
    monkeypatch.setitem(sys.modules, library, None)  # `import library` now raises ImportError
    reply = workers.Worker("reference", "smoke").reply({"op": "prepare", "subject": subject})
    assert reply == {"ok": False, "skipped": f"{library} is not installed (pip install {library})"}


def test_bad_arguments_exit_2_naming_the_value():
    result = _run_benchmarks("--backends", "theano", "--no-results-md", timeout=60)
    assert result.returncode == 2
    assert "--backends" in result.stderr and "theano" in result.stderr
    result = _run_benchmarks("--only", "lstm,transformer", "--no-results-md", timeout=60)
    assert result.returncode == 2 and "transformer" in result.stderr


def test_reports_go_to_a_new_run_directory_and_never_replace_a_file_unasked(tmp_path, capsys):
    run = _load("run")
    args = run.parse_args(["--smoke"])
    runs = testing.REPO_ROOT / "runs" / "benchmarks"
    assert os.path.dirname(os.path.dirname(args.output)) == str(runs) and args.output.endswith("RESULTS.md")
    assert not (runs / os.path.basename(os.path.dirname(args.output))).exists()  # nothing written yet

    existing = tmp_path / "RESULTS.md"
    existing.write_text("a committed report\n")
    for flags in (["--output", str(existing)], ["--no-results-md", "--json", str(existing)]):
        with pytest.raises(SystemExit) as exit_info:
            run.parse_args(flags)
        assert exit_info.value.code == 2
        error = capsys.readouterr().err.strip().splitlines()[-1]
        assert str(existing) in error and "--overwrite" in error
    assert run.parse_args(["--output", str(existing), "--overwrite"]).output == str(existing)
    assert run.parse_args(["--output", str(existing), "--no-results-md"]).no_results_md  # nothing to replace
    assert existing.read_text() == "a committed report\n"


def test_seq2seq_row_compares_our_encoder_decoder_with_native_pytorch(tmp_path):
    json_path = tmp_path / "bench.json"
    result = _run_benchmarks("--smoke", "--only", "seq2seq", "--backends", testing.backend(), "--json", str(json_path),
                             "--output", str(tmp_path / "RESULTS.md"))
    assert result.returncode == 0, f"exit {result.returncode}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    (row,) = json.loads(json_path.read_text())["results"]
    assert row["name"] == "seq2seq_train" and row["backend"] == testing.backend() and row["unit"] == "pairs/s"
    assert row["ours"] > 0 and row["reference"] > 0
    assert row["ratio"] == pytest.approx(row["ours"] / row["reference"], rel=1e-12)
    assert "torch.nn.LSTM" in row["reference_name"] and "Seq2Seq" in row["ours_name"]
