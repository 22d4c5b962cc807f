import subprocess
import sys

import numpy as np
import pytest

from kerasrnn.data.names import name_examples
from kerasrnn.data.names import split_names
from kerasrnn.datasets.names import load_names


def test_name_examples_deduplicate_and_keep_names_of_several_languages():
    raw = {"Vietnamese": ["Bui", "Cao"], "Chinese": ["Cao", "Chan", "Chan"], "English": ["Chan", "  "]}
    names, labels, languages = name_examples(raw)
    assert languages == ["Chinese", "English", "Vietnamese"]
    assert sorted(zip(names, [languages[k] for k in labels])) == [
        ("bui", "Vietnamese"), ("cao", "Chinese"), ("cao", "Vietnamese"), ("chan", "Chinese"), ("chan", "English")]
    assert labels.dtype == np.int32
    with pytest.raises(ValueError, match="accepts the keys"):
        name_examples(raw, {"stem": True})
    with pytest.raises(ValueError, match="at least 2 languages"):
        name_examples({"Irish": ["Adam"]})


def _names_in(names, indices):
    return {names[i] for i in indices}


def test_split_is_three_way_by_distinct_name_stratified_and_deterministic():
    names = ["chan", "chan", "cao", "cao"] + [f"n{i}" for i in range(40)] + ["bui", "lam", "vo"]
    labels = [0, 1, 0, 2] + [1] * 40 + [2, 2, 2]
    parts = split_names(names, labels, fractions=(0.5, 0.25, 0.25), seed=3)
    assert sorted(np.concatenate(parts).tolist()) == list(range(len(names)))  # each example in one split
    for first, second in ((0, 1), (0, 2), (1, 2)):
        assert not _names_in(names, parts[first]) & _names_in(names, parts[second])
    for part in parts[1:]:
        assert {labels[i] for i in part} >= {1, 2}  # even the 4-name class gives a name to each
    again = split_names(names, labels, fractions=(0.5, 0.25, 0.25), seed=3)
    for part, same in zip(parts, again):
        np.testing.assert_array_equal(part, same)
    other = split_names(names, labels, fractions=(0.5, 0.25, 0.25), seed=4)
    assert any(not np.array_equal(part, same) for part, same in zip(parts, other))
    with pytest.raises(ValueError, match="fractions=\\(0.5, 0.6, 0.1\\)"):
        split_names(names, labels, fractions=(0.5, 0.6, 0.1))
    with pytest.raises(ValueError, match="3 names but 2 labels"):
        split_names(["a", "b", "c"], [0, 1])


def test_split_of_the_real_names_is_80_10_10_with_no_name_in_two_splits(shared_data, monkeypatch):
    monkeypatch.setenv("KERASRNN_DATA_DIR", str(shared_data))
    names, labels, languages = name_examples(load_names())
    parts = split_names(names, labels, seed=0)
    assert len(languages) == 18 and len(names) > len(set(names))  # some names belong to several languages
    for first, second in ((0, 1), (0, 2), (1, 2)):
        assert not _names_in(names, parts[first]) & _names_in(names, parts[second])
    distinct = len(set(names))
    shares = [len(_names_in(names, part)) / distinct for part in parts]
    np.testing.assert_allclose(shares, [0.8, 0.1, 0.1], atol=0.01)
    for part in parts[1:]:  # each language gives about a tenth of its names to validation and to test
        share = np.bincount(labels[part], minlength=18) / np.bincount(labels, minlength=18)
        assert share.min() > 0.07 and share.max() < 0.13
    again = split_names(names, labels, seed=0)
    assert all(np.array_equal(part, same) for part, same in zip(parts, again))


def test_names_module_and_lazy_exports_import_no_tensorflow():
    code = ("import sys\nfrom kerasrnn.data import split_names, name_examples\nimport kerasrnn.data.names\n"
            "assert 'tensorflow' not in sys.modules, 'tensorflow imported'")
    subprocess.run([sys.executable, "-c", code], check=True)
