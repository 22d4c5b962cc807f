"""The `kerasrnn` command (kerasrnn.cli): each subcommand once in a subprocess, bad input, argument parsing."""

import math
import re
import sys

import pytest

from kerasrnn import cli
from kerasrnn import presets
from tests import testing

NUMBER = r"-?\d+(\.\d+)?(e[-+]?\d+)?"


def _kerasrnn(*args, cwd, input=None, backend=None):
    return testing.run_kerasrnn([str(arg) for arg in args], backend or testing.backend(), input=input, cwd=cwd,
                                timeout=600)


def _needs(name):
    if not (presets.MODELS_DIR / presets.PRESETS[name]["directory"] / "task.json").exists():
        pytest.skip(f"a checkout without the shipped model {name}")


def _ok(result):
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return result.stdout.splitlines()


def _ranked(text):
    """`"Japanese 0.973, Russian 0.012"` -> [("Japanese", 0.973), ("Russian", 0.012)]."""
    pairs = [item.rsplit(" ", 1) for item in text.split(", ")]
    return [(word, float(probability)) for word, probability in pairs]


# ------------------------------------------------------------ subprocesses: each subcommand once
def test_list_prints_one_line_per_model_from_any_directory(tmp_path):
    lines = _ok(_kerasrnn("list", cwd=tmp_path))
    assert {line.split()[0] for line in lines} >= set(presets.PRESETS)
    assert len(lines) == len({line.split()[0] for line in lines})


def test_info_follows_the_backend_flag_over_keras_backend(tmp_path):
    other = testing.other_backends()[0]
    lines = _ok(_kerasrnn("info", "--backend", testing.backend(), cwd=tmp_path, backend=other))
    assert lines[1].startswith(f"backend: {testing.backend()} ")


def test_translate_reads_lines_from_stdin(tmp_path):
    _needs("translate_en_fr")
    lines = _ok(_kerasrnn("translate", "--beam-width", 2, cwd=tmp_path, input="I am cold.\n\nWhere is the station?\n"))
    assert len(lines) == 2 and all(line.strip() for line in lines)
    assert lines[0] != "I am cold." and lines[1] != "Where is the station?"


def test_generate_continues_the_prompt(tmp_path):
    _needs("predict_next_char")
    text = _ok(_kerasrnn("generate", "predict_next_char", "--prompt", "ROMEO:", "--num-chars", 40, "--seed", 0,
                         cwd=tmp_path))
    text = "\n".join(text)
    assert text.startswith("ROMEO:") and len(text) > len("ROMEO:") + 10


def test_classify_ranks_languages(tmp_path):
    _needs("classify_names")
    lines = _ok(_kerasrnn("classify", "Nakamura", "Dubois", "--top-k", 3, cwd=tmp_path))
    assert [line.split(": ")[0] for line in lines] == ["Nakamura", "Dubois"]
    for line in lines:
        ranked = _ranked(line.split(": ", 1)[1])
        probabilities = [probability for _, probability in ranked]
        assert len(ranked) == 3 and probabilities == sorted(probabilities, reverse=True)
        assert all(0 <= p <= 1 for p in probabilities) and sum(probabilities) <= 1.001


def test_fill_lists_the_likeliest_words(tmp_path):
    _needs("predict_masked_words")
    lines = _ok(_kerasrnn("fill", "to be or <mask> to be", "--top-k", 3, cwd=tmp_path))
    assert lines[0] == "<mask> 1:" and len(lines) == 4
    probabilities = [float(line.split()[-1]) for line in lines[1:]]
    assert all(line.startswith("  ") and len(line.split()) == 2 for line in lines[1:])
    assert probabilities == sorted(probabilities, reverse=True)


def test_similar_lists_the_nearest_words(tmp_path):
    _needs("word2vec")
    lines = _ok(_kerasrnn("similar", "king", "--top-k", 5, cwd=tmp_path))
    assert len(lines) == 5
    cosines = [float(line.rsplit(" ", 1)[1]) for line in lines]
    assert cosines == sorted(cosines, reverse=True) and all(-1 <= c <= 1 for c in cosines)


def test_forecast_reads_a_csv_column_and_prints_one_value_a_line(tmp_path):
    _needs("echo_state_forecast")
    series = tmp_path / "series.csv"
    series.write_text("step,value\n" + "".join(f"{t},{0.9 + 0.2 * math.sin(t / 8):.6f}\n" for t in range(250)))
    lines = _ok(_kerasrnn("forecast", series.name, "--steps", 7, "--column", "value", cwd=tmp_path))
    assert len(lines) == 7 and all(re.fullmatch(NUMBER, line) for line in lines)


def test_train_passes_the_flags_to_the_recipe(tmp_path):
    if not cli._recipes():
        pytest.skip("not a clone: no recipes/")
    lines = _ok(_kerasrnn("train", "predict_next_char", "--help", cwd=tmp_path))
    assert lines[0].startswith("usage: ") and any("--quick" in line for line in lines)


def test_export_goes_through_kerasrnn_export(tmp_path):
    _needs("predict_next_char")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "keep.txt").write_text("x")
    result = _kerasrnn("export", "predict_next_char", "out", cwd=tmp_path)
    assert result.returncode == 2 and "--overwrite" in result.stderr.strip().splitlines()[-1]
    assert "Traceback" not in result.stderr


def test_bad_input_is_one_line_on_stderr_and_exit_2(tmp_path):
    (tmp_path / "bad.txt").write_text("1.5\n2\nabc\n")
    cases = [
        (["translate", "--model", "tranlsate", "I am cold."], None, "'tranlsate' is neither an existing path nor a "
                                                                   "known model name; known names: "),
        (["classify"], "\n \n", "kerasrnn classify: error: no names to read"),
        (["forecast", "missing.csv"], None, "cannot read the series from missing.csv"),
        (["forecast", "bad.txt"], None, "bad.txt, line 3: 'abc' is not a finite number"),
        (["generate", "predict_next_char", "--num-chars", "many"], None, "argument --num-chars: expected a positive"),
        (["train", "no_such_recipe"], None, "unknown recipe 'no_such_recipe'"),
    ]
    for args, stdin, message in cases:
        result = _kerasrnn(*args, cwd=tmp_path, input=stdin)
        assert result.returncode == 2, (args, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr, (args, result.stderr)
        assert result.stdout == ""
    result = _kerasrnn("forecast", "bad.txt", "--traceback", cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" in result.stderr and "'abc' is not a finite number" in result.stderr


# -------------------------------------------------------------------- in process: parsing and input
def test_every_subcommand_has_help_with_backend_and_traceback():
    parser = cli.build_parser()
    subcommands = next(action for action in parser._actions if action.dest == "command").choices
    assert set(subcommands) == set(cli.COMMANDS) == {"list", "info", "translate", "generate", "classify", "fill",
                                                      "similar", "forecast", "train", "export"}
    for name, subparser in subcommands.items():
        text = subparser.format_help()
        assert "--backend" in text and "--traceback" in text, name
    args = parser.parse_args(["train", "predict_next_char", "--quick", "--backend", "jax"])
    assert args.recipe_args == ["--quick", "--backend", "jax"] and args.backend is None  # the recipe's flags


def test_topn_is_a_hidden_deprecated_alias_of_top_k(capsys):
    parser = cli.build_parser()
    assert parser.parse_args(["similar", "king"]).top_k == 10
    assert parser.parse_args(["similar", "king", "--top-k", "3"]).top_k == 3
    assert capsys.readouterr().err == ""
    assert parser.parse_args(["similar", "king", "--topn", "4"]).top_k == 4
    warning = capsys.readouterr().err
    assert "--topn is deprecated" in warning and "use --top-k" in warning
    similar = next(action for action in parser._actions if action.dest == "command").choices["similar"]
    assert "--top-k" in similar.format_help() and "--topn" not in similar.format_help()
    with pytest.raises(SystemExit):
        parser.parse_args(["similar", "king", "--topn", "0"])


def test_the_kerasrnn_script_is_declared():
    import tomllib

    with open(testing.REPO_ROOT / "pyproject.toml", "rb") as f:
        assert tomllib.load(f)["project"]["scripts"] == {"kerasrnn": "kerasrnn.cli:main"}


def test_read_series_reads_numbers_or_a_csv_column(tmp_path, monkeypatch):
    path = tmp_path / "series.txt"
    path.write_text("1\n2.5\n\n-3e-1\n")
    assert cli.read_series(str(path)) == [1.0, 2.5, -0.3]
    path.write_text("date,value,other\n2020-01-01,1,9\n2020-01-02,2,8\n")
    assert cli.read_series(str(path), "value") == [1.0, 2.0]
    assert cli.read_series(str(path)) == [9.0, 8.0]  # the last column by default
    assert cli.read_series(str(path), "1") == [1.0, 2.0]
    with pytest.raises(cli.UsageError, match="has no column 'price': the columns are date, value, other"):
        cli.read_series(str(path), "price")
    path.write_text("1\nnan\n")
    with pytest.raises(cli.UsageError, match="line 2: 'nan' is not a finite number"):
        cli.read_series(str(path))
    path.write_text("value\n")
    with pytest.raises(cli.UsageError, match="holds no numbers"):
        cli.read_series(str(path))
    monkeypatch.setattr(sys, "stdin", __import__("io").StringIO("4\n5\n"))
    assert cli.read_series("-") == [4.0, 5.0]


def test_train_outside_a_clone_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "RECIPES_DIR", tmp_path / "recipes")
    assert cli.main(["train", "predict_next_char", "--quick"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("kerasrnn train: error: kerasrnn train runs the recipes of a clone") and error.count("\n") == 1
