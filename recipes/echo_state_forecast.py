"""Mackey-Glass forecasting with an echo-state network: one step ahead and free-running.

A fixed random reservoir (`EchoStateNetwork`) reads the chaotic Mackey-Glass
series (tau = 17, one sample per time unit, the first 500 steps of transient
dropped); only its linear readout is trained, in closed form (ridge
regression), to predict the next value. The series is cut into three
consecutive windows: the readout is fitted on the first (`--train-steps`),
settings are judged on the next (`--validation-steps`), and the last
(`--test-steps`) is scored once, at the end, with the chosen setting. Errors
are NRMSE (RMSE divided by the standard deviation of the truth; 1 is the
error of predicting the mean): one step ahead (the true series is fed in),
and free-running (the reservoir reads the series up to the scored window,
then each prediction is fed back as the next input) over several horizons.
Saves a `Forecaster` (`kerasrnn.load(...).forecast(series, steps)`) with its
card and a prediction-vs-truth plot of the test window.

`--sweep` fits the readout for each spectral radius x leak rate of a grid,
ranks them by the free-running NRMSE over the first horizon on the
validation window only, and saves the best one (scored once on test), with
a heat map of the validation NRMSEs: both settings change the reservoir's
memory and so the error by orders of magnitude. (In TensorFlow Addons' ESN
the spectral radius did not change the result at all: tensorflow/addons#2811.)

    python recipes/echo_state_forecast.py
    python recipes/echo_state_forecast.py --sweep
    python recipes/echo_state_forecast.py --units 1000 --spectral-radius 0.9 --leak-rate 0.5
    python recipes/echo_state_forecast.py --quick --sweep   # seconds: a smoke test
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

from kerasrnn.cli import DeprecatedFlag  # noqa: E402  (imports no Keras)

TRANSIENT = 500  # Mackey-Glass steps dropped before the series settles on its attractor
TEST_SLICE_STEPS = 200  # the card's test_slice: one-step NRMSE over the first test steps


def _float_list(text):
    try:
        values = [float(value) for value in text.split(",") if value.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, received {text!r}") from None
    if not values or any(not value > 0 for value in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive numbers, received {text!r}")
    return values


def _int_list(text):
    try:
        values = [int(value) for value in text.split(",") if value.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated integers, received {text!r}") from None
    if not values or any(value <= 0 for value in values):
        raise argparse.ArgumentTypeError(f"expected comma-separated positive integers, received {text!r}")
    return values


def parse_args(argv=None):
    parser = harness.make_parser("echo_state_forecast", __doc__.splitlines()[0], epochs=1, batch_size=1)
    # The readout is solved in closed form: no epochs, batches or optimizer.
    for action in parser._actions:
        if action.dest in ("epochs", "batch_size", "learning_rate", "encoding", "data_parallel", "tensorboard"):
            action.help = argparse.SUPPRESS
    parser.add_argument("--units", type=harness.positive_int, default=500, help="reservoir size")
    parser.add_argument("--spectral-radius", type=harness.positive_float, default=1.25,
                        help="largest eigenvalue modulus of the recurrent matrix (memory length)")
    parser.add_argument("--leak-rate", type=float, default=0.3,
                        help="weight of the new activation in the state update, in (0, 1] (1: no leak)")
    parser.add_argument("--connectivity", type=float, default=0.1,
                        help="fraction of non-zero recurrent weights, in (0, 1]")
    parser.add_argument("--input-scaling", type=harness.positive_float, default=0.5,
                        help="input weights are uniform in [-input_scaling, input_scaling]")
    parser.add_argument("--bias-scaling", type=float, default=0.5,
                        help="reservoir biases are uniform in [-bias_scaling, bias_scaling]")
    parser.add_argument("--ridge", type=float, default=1e-6, help="L2 penalty of the closed-form readout")
    parser.add_argument("--warmup-steps", type=harness.positive_int, default=100,
                        help="first steps whose reservoir states are not used to fit the readout (washout)")
    parser.add_argument("--warmup", action=DeprecatedFlag, new_flag="--warmup-steps", dest="warmup_steps",
                        type=harness.positive_int)
    parser.add_argument("--train-steps", type=harness.positive_int, default=2000,
                        help="first steps of the series: the readout is fitted on them (warm-up included)")
    parser.add_argument("--validation-steps", type=harness.positive_int, default=1000,
                        help="steps that follow the training steps: the sweep ranks its settings on them")
    parser.add_argument("--test-steps", type=harness.positive_int, default=1000,
                        help="last steps, after the validation steps: scored once, with the chosen setting")
    parser.add_argument("--horizons", type=_int_list, default=[100, 500],
                        help="free-running horizons to score, comma-separated (capped at the validation and "
                             "test steps)")
    parser.add_argument("--tau", type=harness.positive_float, default=17.0,
                        help="Mackey-Glass delay (17: mildly chaotic, 30: more chaotic)")
    parser.add_argument("--sweep", action="store_true",
                        help="fit every spectral radius x leak rate of a grid, keep the best on validation "
                             "(free-running NRMSE over the first horizon) and plot the validation NRMSEs")
    parser.add_argument("--sweep-spectral-radii", type=_float_list, default=[0.1, 0.5, 0.9, 1.25, 1.5],
                        help="spectral radii of the sweep, comma-separated")
    parser.add_argument("--sweep-leak-rates", type=_float_list, default=[0.05, 0.1, 0.3, 0.6, 1.0],
                        help="leak rates of the sweep, comma-separated, each in (0, 1]")
    args = harness.parse_args(parser, argv)
    if not 0 < args.leak_rate <= 1 or any(not 0 < rate <= 1 for rate in args.sweep_leak_rates):
        parser.error(f"leak rates must be in (0, 1], received --leak-rate {args.leak_rate} "
                     f"and --sweep-leak-rates {args.sweep_leak_rates}")
    if not 0 < args.connectivity <= 1:
        parser.error(f"--connectivity must be in (0, 1], received {args.connectivity}")
    if args.ridge < 0 or args.bias_scaling < 0:
        parser.error(f"--ridge and --bias-scaling must be >= 0, received {args.ridge} and {args.bias_scaling}")
    if args.quick:
        args.units, args.train_steps, args.validation_steps, args.test_steps = 100, 600, 200, 200
        args.sweep_spectral_radii, args.sweep_leak_rates = [0.5, 1.25], [0.3, 1.0]
    if args.warmup_steps + 2 > args.train_steps:
        parser.error(f"--train-steps ({args.train_steps}) must exceed --warmup-steps ({args.warmup_steps}) "
                     "by at least 2")
    if min(args.validation_steps, args.test_steps) < 2:
        parser.error(f"--validation-steps and --test-steps must be at least 2 (NRMSE needs a spread), received "
                     f"{args.validation_steps} and {args.test_steps}")
    args.horizons = sorted({min(h, args.validation_steps, args.test_steps) for h in args.horizons})
    return args


def plot_forecast(path, truth, one_step, free_run, start, title):
    """Truth, one-step and free-running predictions over the test steps, and their errors (log scale)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    import numpy as np

    from kerasrnn.io_utils import save_figure

    steps = start + np.arange(len(truth))
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6), sharex=True, height_ratios=(2, 1))
    top.plot(steps, truth, color="black", linewidth=2.0, alpha=0.35, label="truth")
    top.plot(steps, one_step, linewidth=0.9, label="one step ahead")
    top.plot(steps, free_run, linewidth=0.9, linestyle="--", label="free-running")
    top.set_ylabel("x(t)")
    top.legend(loc="upper right")
    top.set_title(title)
    bottom.semilogy(steps, np.abs(one_step - truth) + 1e-12, linewidth=0.8, label="one step ahead")
    bottom.semilogy(steps, np.abs(free_run - truth) + 1e-12, linewidth=0.8, label="free-running")
    bottom.set_xlabel("time step (after the transient)")
    bottom.set_ylabel("|prediction - truth|")
    bottom.legend(loc="lower right")
    for axis in (top, bottom):
        axis.grid(alpha=0.3)
    save_figure(figure, path)


def plot_sweep(path, spectral_radii, leak_rates, tables, titles):
    """One heat map per NRMSE table `(len(spectral_radii), len(leak_rates))`, log colour scale."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.colors import LogNorm

    from kerasrnn.io_utils import save_figure

    figure, axes = plt.subplots(1, len(tables), figsize=(5.5 * len(tables), 4.5), squeeze=False)
    for axis, table, title in zip(axes[0], tables, titles):
        norm = LogNorm(vmin=table.min(), vmax=max(table.max(), table.min() * 1.01))
        image = axis.imshow(table, norm=norm, cmap="viridis_r", origin="lower", aspect="auto")
        for i in range(table.shape[0]):
            for j in range(table.shape[1]):
                color = "black" if norm(table[i, j]) < 0.5 else "white"  # dark text on the light (low) end
                axis.text(j, i, f"{table[i, j]:.2g}", ha="center", va="center", fontsize=8, color=color)
        axis.set_xticks(range(len(leak_rates)), [f"{rate:g}" for rate in leak_rates])
        axis.set_yticks(range(len(spectral_radii)), [f"{radius:g}" for radius in spectral_radii])
        axis.set_xlabel("leak rate")
        axis.set_ylabel("spectral radius")
        axis.set_title(title)
        figure.colorbar(image, ax=axis, label="NRMSE (log scale)")
    save_figure(figure, path)


def mackey_glass_series(tau, num_steps):
    """The recipe's default data: `num_steps` Mackey-Glass samples after the transient."""
    from kerasrnn.datasets import mackey_glass

    return mackey_glass(TRANSIENT + num_steps, tau=tau)[TRANSIENT:]


def one_step_predictions(forecaster, series, start, stop):
    """One-step-ahead predictions of `series[start:stop]`, the reservoir reading `series` from step 0."""
    return forecaster.predict_next(series[: stop - 1])[start - 1 :]


def score_test_slice(task, card):
    """The card's `test_slice`: one-step NRMSE over the first 200 test steps.

    The series is generated again (Mackey-Glass with the card's tau, the same
    transient dropped); the saved reservoir reads it from step 0 and the
    readout predicts each test step from the true values before it.
    """
    from kerasrnn.data.splits import fingerprint
    from kerasrnn.metrics.regression import nrmse

    training = card["training"]
    if training.get("data_file"):
        raise ValueError("this model was trained on --data; its test slice can be rebuilt from that file only")
    start = training["train_steps"] + training["validation_steps"]
    stop = start + min(TEST_SLICE_STEPS, training["test_steps"])
    series = mackey_glass_series(training["tau"], stop)
    truth = series[start:stop]
    return {"size": len(truth), "unit": "time steps", "metric": "one_step_nrmse",
            "value": nrmse(truth, one_step_predictions(task, series, start, stop)), "sha256": fingerprint(truth)}


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras
    import numpy as np

    import kerasrnn
    from kerasrnn.cards import make_card, training_record
    from kerasrnn.data.splits import describe_splits
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.metrics.regression import nrmse
    from kerasrnn.models.echo_state_network import EchoStateNetwork
    from kerasrnn.tasks.forecaster import Forecaster

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    needed = args.train_steps + args.validation_steps + args.test_steps
    if args.data:
        series = np.loadtxt(args.data, dtype="float64", ndmin=1)
        source = f"local file {os.path.basename(args.data)}"
        if series.ndim != 1:
            raise ValueError(f"{args.data} must hold one number per line (a single series), "
                             f"received an array of shape {series.shape}")
        if len(series) < needed:
            raise ValueError(f"{args.data} holds {len(series)} values but --train-steps + --validation-steps + "
                             f"--test-steps = {needed}; pass a longer series or fewer steps")
    else:
        series = mackey_glass_series(args.tau, needed)
        source = f"Mackey-Glass (tau={args.tau:g}, dt=1, first {TRANSIENT} steps dropped)"
    series = series[:needed]
    validation_start, test_start = args.train_steps, args.train_steps + args.validation_steps
    train = series[:validation_start]
    validation, test = series[validation_start:test_start], series[test_start:]
    splits = describe_splits("time steps", "consecutive windows of the series (train, validation, test)",
                             [len(train) / needed, len(validation) / needed, len(test) / needed],
                             train=train, validation=validation, test=test)
    print(f"{source}: {args.train_steps} training steps ({args.warmup_steps} of them warm-up), then "
          f"{args.validation_steps} validation and {args.test_steps} test steps; "
          f"values in [{series.min():.3f}, {series.max():.3f}]")

    def fit_forecaster(spectral_radius, leak_rate):
        model = EchoStateNetwork(
            args.units, input_dim=1,
            connectivity=args.connectivity, spectral_radius=spectral_radius, leak_rate=leak_rate,
            input_scaling=args.input_scaling, bias_scaling=args.bias_scaling, seed=args.seed)
        forecaster = Forecaster(model, warmup_steps=args.warmup_steps)
        training_errors = forecaster.fit(train, ridge=args.ridge)
        return forecaster, training_errors

    def evaluate(forecaster, start, stop):
        """NRMSEs over `series[start:stop]`: one step ahead, and free-running from the steps before it."""
        truth = series[start:stop]
        one_step = one_step_predictions(forecaster, series, start, stop)
        free_run = forecaster.forecast(series[:start], stop - start)
        scores = {"one_step": nrmse(truth, one_step)}
        scores.update({f"free_run_{h}": nrmse(truth[:h], free_run[:h]) for h in args.horizons})
        return scores, one_step, free_run

    # ---------------------------------------------- Model, fit and validation
    horizon = args.horizons[0]
    criterion = f"free_run_{horizon}"
    if args.sweep:
        print(f"\nSweep: validation NRMSE by spectral radius x leak rate ({args.units} units, the same seed); "
              f"ranked by free-running NRMSE over the first {horizon} validation steps")
        print(f"  spectral radius  leak rate  training   one-step   free-run {horizon}")
        rows = []
        for spectral_radius in args.sweep_spectral_radii:
            for leak_rate in args.sweep_leak_rates:
                candidate, candidate_errors = fit_forecaster(spectral_radius, leak_rate)
                candidate_scores, _, _ = evaluate(candidate, validation_start, test_start)
                row = {"spectral_radius": spectral_radius, "leak_rate": leak_rate,
                       "training": candidate_errors["nrmse"],
                       "validation": {key: candidate_scores[key] for key in ("one_step", criterion)}}
                rows.append(row)
                print(f"  {spectral_radius:15g}  {leak_rate:9g}  {row['training']:.3e}  "
                      f"{row['validation']['one_step']:.3e}  {row['validation'][criterion]:.3e}", flush=True)
        best = min(rows, key=lambda row: row["validation"][criterion])
        spectral_radius, leak_rate = best["spectral_radius"], best["leak_rate"]
        shape = (len(args.sweep_spectral_radii), len(args.sweep_leak_rates))
        tables = [np.array([row["validation"][key] for row in rows]).reshape(shape) for key in ("one_step", criterion)]
        print(f"  validation one-step NRMSE spans {tables[0].min():.2e} .. {tables[0].max():.2e} "
              f"(x{tables[0].max() / tables[0].min():.0f}), free-running {tables[1].min():.2e} .. "
              f"{tables[1].max():.2e}; chosen on validation: spectral radius {spectral_radius:g}, "
              f"leak rate {leak_rate:g}")
        sweep_plot = os.path.join(args.output_dir, "sweep.png")
        plot_sweep(sweep_plot, args.sweep_spectral_radii, args.sweep_leak_rates, tables,
                   ["validation, one step ahead", f"validation, free-running, first {horizon} steps"])
        atomic_write_json(os.path.join(args.output_dir, "sweep.json"),
                          {"command": args.command, "ranked_by": f"validation {criterion}",
                           "chosen": {"spectral_radius": spectral_radius, "leak_rate": leak_rate}, "rows": rows})
        print(f"sweep heat map: {sweep_plot}")
    else:
        spectral_radius, leak_rate = args.spectral_radius, args.leak_rate
    # The chosen setting, fitted on the training steps (the sweep's fit of it, drawn again from the seed).
    forecaster, training_errors = fit_forecaster(spectral_radius, leak_rate)
    print(f"\nModel: EchoStateNetwork, {args.units} units, spectral radius {spectral_radius:g}, "
          f"leak rate {leak_rate:g}, connectivity {args.connectivity:g}; readout fitted by ridge "
          f"regression (ridge={args.ridge:g}): training NRMSE {training_errors['nrmse']:.3e}")
    validation_scores, _, _ = evaluate(forecaster, validation_start, test_start)

    # ---------------------------------------------------------- Test, once
    test_scores, one_step, free_run = evaluate(forecaster, test_start, needed)
    print("\nNRMSE (RMSE / std of the truth)      validation       test")
    print(f"  one step ahead                     {validation_scores['one_step']:.3e}  {test_scores['one_step']:.3e}")
    for h in args.horizons:
        print(f"  free-running, first {h:>4} steps     {validation_scores[f'free_run_{h}']:.3e}  "
              f"{test_scores[f'free_run_{h}']:.3e}")
    print("\n  test step    truth  one-step  free-run")
    samples = []
    for step in sorted({1, 10, 50, 100, 250, 500, args.test_steps} & set(range(1, args.test_steps + 1))):
        samples.append({"test_step": step, "truth": round(float(test[step - 1]), 6),
                        "one_step": round(float(one_step[step - 1]), 6),
                        "free_run": round(float(free_run[step - 1]), 6)})
        print(f"  {step:>9}  {test[step - 1]:7.4f}  {one_step[step - 1]:8.4f}  {free_run[step - 1]:8.4f}")

    plot_path = os.path.join(args.output_dir, "forecast.png")
    plot_forecast(plot_path, test, one_step, free_run, test_start,
                  title=f"Echo-state network on {source.split(' (')[0]}, test steps: one-step NRMSE "
                        f"{test_scores['one_step']:.2e}, free-running NRMSE "
                        f"{test_scores[f'free_run_{args.horizons[-1]}']:.2e} over {args.horizons[-1]} steps")
    print(f"prediction-vs-truth plot: {plot_path}")

    # ------------------------------------------------------------------ Save
    card_fields = dict(
        task="time-series forecasting: the next value of a series, and free-running by feeding predictions back",
        model={"name": "EchoStateNetwork",
               "architecture": f"leaky echo-state reservoir of {args.units} tanh units (fixed sparse random "
                               "weights) -> linear readout fitted by ridge regression",
               "parameters": forecaster.model.count_params(), "units": args.units,
               "spectral_radius": spectral_radius, "leak_rate": leak_rate, "connectivity": args.connectivity,
               "input_scaling": args.input_scaling, "bias_scaling": args.bias_scaling},
        data={"source": source if args.data else f"{source}, generated by kerasrnn.datasets.mackey_glass",
              "url": "none: generated (Mackey & Glass, Science 197, 1977)" if not args.data else "none (a local file)",
              "licence": "not applicable: generated data" if not args.data else "unknown",
              "splits": splits},
        training=training_record(
            args.command, harness.elapsed(args), seed=args.seed, tau=args.tau, transient=TRANSIENT,
            train_steps=args.train_steps, validation_steps=args.validation_steps, test_steps=args.test_steps,
            warmup_steps=args.warmup_steps, ridge=args.ridge, readout="ridge regression in closed form",
            training_nrmse=training_errors["nrmse"], data_file=bool(args.data),
            selection=(f"sweep of {len(args.sweep_spectral_radii)} spectral radii x {len(args.sweep_leak_rates)} "
                       f"leak rates, ranked by validation {criterion} (sweep.json)") if args.sweep
            else "the given spectral radius and leak rate (no sweep)"),
        metrics={"validation": validation_scores, "test": test_scores,
                 "protocol": "NRMSE = RMSE / std of the true values in the scored window; one step ahead the "
                             "true series is read, free-running starts after the true steps before the window"},
        headline={"metric": "one_step_nrmse", "split": "test", "value": test_scores["one_step"], "better": "lower"},
        test_slice=None,
        samples=samples,
        intended_use="forecasting the Mackey-Glass series and similar smooth chaotic signals; a reference for how "
                     "spectral radius and leak rate shape an echo-state network",
        limitations=["fitted to one generated series: other series need their own fit (`Forecaster.fit`)",
                     "free-running errors grow with the horizon (the series is chaotic)",
                     f"the reservoir forgets its zero start only after a warm-up: forecast from at least "
                     f"{args.warmup_steps} steps of history"],
    )
    forecaster.card = make_card(**card_fields)
    forecaster.save(args.output_dir)
    if not args.data:  # the number anyone can recompute from the saved model
        card_fields["test_slice"] = score_test_slice(kerasrnn.load(args.output_dir), forecaster.card)
        atomic_write_json(os.path.join(args.output_dir, "card.json"), make_card(**card_fields))
    print(f"\nsaved to {args.output_dir} (kerasrnn.load(...).forecast(series, steps))")
    print(f"done in {harness.elapsed(args)} s")
    return test_scores


if __name__ == "__main__":
    harness.run(main)
