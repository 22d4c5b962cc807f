"""Echo-state network fit + predict: kerasrnn's EchoStateNetwork against reservoirpy.

Both build a reservoir of `units` leaky-tanh units with the same settings
(recurrent connectivity, spectral radius, leak rate, input scaling, every
unit connected to the input, no bias) and the same distributions (normal
recurrent weights, input weights uniform in `[-input_scaling,
input_scaling]`: kerasrnn's, which reservoirpy is told to use instead of its
default +-input_scaling), fit a ridge readout for one-step-ahead
prediction of the Mackey-Glass series (tau=17, `kerasrnn.datasets.mackey_glass`,
standardised, the first 500 samples dropped) on `train_steps` steps after a
`washout`, then predict the next `test_steps` steps from a reset state that
first reads the `washout` steps before them. One repeat is build + fit +
predict; speed is series steps per second (`train_steps + washout +
test_steps` per repeat). Quality is the NRMSE of the test predictions
(RMSE over the standard deviation of the truth): `test_nrmse` is the median
over a separate, untimed pass of `quality_seeds` (default 30) more draws
(seeds 1000, 1001, ...; the same on both sides), with its quartiles; the
median over the few timed runs is reported apart (`timed_runs_test_nrmse`).

Every run draws a new reservoir (seed 0 for the warm-up, then 1, 2, ...; the
same seeds on both sides, though the two libraries draw different matrices
from a seed), so nothing can be cached between repeats. The test NRMSE of
one draw ranges over 0.00024-0.0025 on both sides, so the median of the
few timed runs is mostly draw noise (8 draws: 0.00084 against 0.00046 in
one run, where 40 draws gave 0.00073 against 0.00066); given kerasrnn's
matrices, reservoirpy reaches the same NRMSE to three digits, so the
implementations agree and the quality pass compares the two distributions
of draws over many seeds.

- `ours`: `kerasrnn.models.echo_state_network.EchoStateNetwork` with
  `fit_readout(...)` and `predict(...)`, in Keras' default float32.
- `reservoirpy`: `Reservoir >> Ridge` with `fit(..., warmup=washout)`,
  `reset()`, `run(...)`, in reservoirpy's float64.
"""

import numpy as np

from measurements.common import timed

# The untimed quality pass: this many more reservoirs, from this seed on (the timed runs use 0, 1, ...).
QUALITY_SEEDS = 30
QUALITY_FIRST_SEED = 1000


def mackey_glass_task(size):
    """`(inputs, targets)` float64 arrays `(steps, 1)`: the series and the series one step later."""
    from kerasrnn.datasets import mackey_glass

    steps = size["train_steps"] + size["test_steps"] + 1
    series = mackey_glass(500 + steps)[500:]
    series = (series - series.mean()) / series.std()
    return series[:-1, None], series[1:, None]


def nrmse(truth, predictions):
    try:
        from kerasrnn.metrics.regression import nrmse as kerasrnn_nrmse
    except ImportError:
        kerasrnn_nrmse = None
    if kerasrnn_nrmse is not None:
        return float(kerasrnn_nrmse(truth, predictions))
    return float(np.sqrt(np.mean((predictions - truth) ** 2)) / truth.std())


class _EchoStateSubject:
    unit = "steps/s"

    def __init__(self, size):
        self.size = size
        self.inputs, self.targets = mackey_glass_task(size)
        self.train = slice(0, size["train_steps"])
        self.test_with_washout = slice(size["train_steps"] - size["washout"], None)
        self.amount = size["train_steps"] + size["washout"] + size["test_steps"]
        self.errors = []

    def fit_predict(self, seed):
        raise NotImplementedError

    def _repeat(self):
        predictions = self.fit_predict(seed=len(self.errors))  # (test_steps, 1)
        self.errors.append(nrmse(self.targets[self.size["train_steps"] :], predictions))

    def warm_up(self):
        return timed(self._repeat)

    def run(self):
        return timed(self._repeat)

    def quality(self):
        timed_errors = list(self.errors)
        quality_errors = []
        for index in range(self.size.get("quality_seeds", QUALITY_SEEDS)):
            predictions = self.fit_predict(seed=QUALITY_FIRST_SEED + index)
            quality_errors.append(nrmse(self.targets[self.size["train_steps"] :], predictions))
        low, high = np.percentile(quality_errors, [25, 75])
        return {
            "test_nrmse": float(np.median(quality_errors)), "test_nrmse_quartiles": [float(low), float(high)],
            "quality_runs": len(quality_errors),
            "timed_runs_test_nrmse": float(np.median(timed_errors)), "runs": len(timed_errors),
        }


class KerasEchoState(_EchoStateSubject):
    def __init__(self, size):
        super().__init__(size)
        self.inputs32, self.targets32 = self.inputs.astype("float32"), self.targets.astype("float32")
        self.label = "kerasrnn EchoStateNetwork (float32)"

    def fit_predict(self, seed):
        from kerasrnn.models.echo_state_network import EchoStateNetwork

        size = self.size
        esn = EchoStateNetwork(
            size["units"], input_dim=1, connectivity=size["connectivity"],
            spectral_radius=size["spectral_radius"], leak_rate=size["leak_rate"],
            input_scaling=size["input_scaling"], input_connectivity=1.0, seed=seed,
        )
        esn.fit_readout(self.inputs32[None, self.train], self.targets32[None, self.train],
                        ridge=size["ridge"], washout=size["washout"])
        predictions = esn.predict(self.inputs32[None, self.test_with_washout], verbose=0)[0]
        return np.asarray(predictions[size["washout"] :], dtype="float64")


class ReservoirPyEchoState(_EchoStateSubject):
    def __init__(self, size):
        import reservoirpy

        super().__init__(size)
        self.label = f"reservoirpy {reservoirpy.__version__} Reservoir >> Ridge (float64)"

    def fit_predict(self, seed):
        from reservoirpy.mat_gen import uniform
        from reservoirpy.nodes import Reservoir
        from reservoirpy.nodes import Ridge

        size = self.size
        reservoir = Reservoir(
            size["units"], lr=size["leak_rate"], sr=size["spectral_radius"],
            input_scaling=size["input_scaling"], input_connectivity=1.0,
            rc_connectivity=size["connectivity"], Win=uniform(low=-1.0, high=1.0), seed=seed,
        )
        esn = reservoir >> Ridge(ridge=size["ridge"])
        esn.fit(self.inputs[self.train], self.targets[self.train], warmup=size["washout"])
        esn.reset()
        return np.asarray(esn.run(self.inputs[self.test_with_washout])[size["washout"] :], dtype="float64")
