import re

from tests.recipes.recipe_runner import assert_ok
from tests.recipes.recipe_runner import run_recipe


def test_quick_run_prints_every_section_with_its_result(tmp_path):
    out = assert_ok(run_recipe("rnn_basics", "--quick", "--output-dir", tmp_path))
    for number in range(1, 6):
        assert re.search(rf"^=+ {number}\. ", out, re.M), f"section {number} missing"
    # 1. Reordering the same inputs changes the final state.
    assert float(re.search(r"final states differ by up to (\S+)", out).group(1)) > 1e-3
    # 2. The from-scratch cell is SimpleRNN.
    assert float(re.search(r"max \|ElmanCell - SimpleRNN\| = (\S+)", out).group(1)) < 1e-5
    # 3. Each tiny model beats predicting the mean on held-out data.
    shapes = re.findall(r"^(many-to-one|one-to-many|aligned|unaligned).*\s(\d\.\d{4}) \((\d+\.\d{4})\)$",
                        out, re.M)
    assert len(shapes) == 4 and all(float(mse) < 0.6 * float(baseline) for _, mse, baseline in shapes)
    # 4. Only hidden recurrence can echo the previous input: the output does not hold it.
    rows = re.findall(r"^(hidden|output -> hidden|output -> output)(.*)$", out, re.M)
    echo = {label: float(row.split()[-1]) for label, row in rows}  # the last column: the echo task
    assert echo["hidden"] < 0.1 * min(echo["output -> hidden"], echo["output -> output"])
    # 5. Gradients vanish faster through the SimpleRNN than through the LSTM.
    kept = float(re.search(r"the LSTM keeps (\S+) times more", out).group(1))
    assert kept > 1
    assert (tmp_path / "gradient_norms.png").read_bytes()[:4] == b"\x89PNG"
