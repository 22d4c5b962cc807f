"""Mackey-Glass forecasting with an echo-state network: one step ahead and free-running.

A fixed random reservoir (`EchoStateNetwork`) reads the chaotic Mackey-Glass
series (tau = 17, one sample per time unit, the first 500 steps of transient
dropped); only its linear readout is trained, in closed form (ridge
regression), to predict the next value. Held-out errors are NRMSE (RMSE
divided by the standard deviation of the truth; 1 is the error of predicting
the mean): one step ahead (the true series is fed in), and free-running
(the reservoir warms up on the training series, then each prediction is fed
back as the next input) over several horizons. Saves a `Forecaster`
(`kerasrnn.load(...).forecast(series, steps)`) with its card and a
prediction-vs-truth plot.

`--sweep` refits the readout over a grid of spectral radius x leak rate and
prints and plots the NRMSE of each: both settings change the reservoir's
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

TRANSIENT = 500  # Mackey-Glass steps dropped before the series settles on its attractor


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
    parser.add_argument("--warmup", type=harness.positive_int, default=100,
                        help="washout: first steps whose reservoir states are not used to fit the readout")
    parser.add_argument("--train-steps", type=harness.positive_int, default=2000,
                        help="steps of the series the readout is fitted on (warm-up included)")
    parser.add_argument("--test-steps", type=harness.positive_int, default=1000,
                        help="held-out steps that follow the training steps")
    parser.add_argument("--horizons", type=_int_list, default=[100, 500],
                        help="free-running horizons to score, comma-separated (capped at --test-steps)")
    parser.add_argument("--tau", type=harness.positive_float, default=17.0,
                        help="Mackey-Glass delay (17: mildly chaotic, 30: more chaotic)")
    parser.add_argument("--sweep", action="store_true",
                        help="also refit over a grid of spectral radius x leak rate and plot the NRMSEs")
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
        args.units, args.train_steps, args.test_steps = 100, 600, 200
        args.sweep_spectral_radii, args.sweep_leak_rates = [0.5, 1.25], [0.3, 1.0]
    if args.warmup + 2 > args.train_steps:
        parser.error(f"--train-steps ({args.train_steps}) must exceed --warmup ({args.warmup}) by at least 2")
    args.horizons = sorted({min(h, args.test_steps) for h in args.horizons})
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


def main(argv=None):
    args = parse_args(argv)

    # ----------------------------------------------------------------- Setup
    import keras
    import numpy as np

    from kerasrnn.datasets import mackey_glass
    from kerasrnn.io_utils import atomic_write_json
    from kerasrnn.metrics.regression import nrmse
    from kerasrnn.models.echo_state_network import EchoStateNetwork
    from kerasrnn.tasks.forecaster import Forecaster

    keras.utils.set_random_seed(args.seed)
    print(harness.describe_devices())

    # ------------------------------------------------------------------ Data
    needed = args.train_steps + args.test_steps
    if args.data:
        series = np.loadtxt(args.data, dtype="float64", ndmin=1)
        source = args.data
        if series.ndim != 1:
            raise ValueError(f"{args.data} must hold one number per line (a single series), "
                             f"received an array of shape {series.shape}")
        if len(series) < needed:
            raise ValueError(f"{args.data} holds {len(series)} values but --train-steps + --test-steps = {needed}; "
                             "pass a longer series or fewer steps")
    else:
        series = mackey_glass(TRANSIENT + needed, tau=args.tau)[TRANSIENT:]
        source = f"Mackey-Glass (tau={args.tau:g}, dt=1, first {TRANSIENT} steps dropped)"
    series = series[:needed]
    train, test = series[: args.train_steps], series[args.train_steps :]
    print(f"{source}: {args.train_steps} training steps ({args.warmup} of them warm-up), "
          f"{args.test_steps} held-out steps; values in [{series.min():.3f}, {series.max():.3f}]")

    def fit_forecaster(spectral_radius, leak_rate):
        model = EchoStateNetwork(
            args.units, input_dim=1,
            connectivity=args.connectivity, spectral_radius=spectral_radius, leak_rate=leak_rate,
            input_scaling=args.input_scaling, bias_scaling=args.bias_scaling, seed=args.seed)
        forecaster = Forecaster(model, warmup_steps=args.warmup)
        training_errors = forecaster.fit(train, ridge=args.ridge)
        return forecaster, training_errors

    def evaluate(forecaster):
        one_step = forecaster.predict_next(series[:-1])[args.train_steps - 1 :]  # predictions of test[t]
        free_run = forecaster.forecast(train, args.test_steps)
        scores = {"one_step": nrmse(test, one_step)}
        scores.update({f"free_run_{h}": nrmse(test[:h], free_run[:h]) for h in args.horizons})
        return scores, one_step, free_run

    # ------------------------------------------------------- Model and fit
    forecaster, training_errors = fit_forecaster(args.spectral_radius, args.leak_rate)
    print(f"\nModel: EchoStateNetwork, {args.units} units, spectral radius {args.spectral_radius:g}, "
          f"leak rate {args.leak_rate:g}, connectivity {args.connectivity:g}; readout fitted by ridge "
          f"regression (ridge={args.ridge:g}): training NRMSE {training_errors['nrmse']:.3e}")

    # -------------------------------------------------------------- Evaluate
    scores, one_step, free_run = evaluate(forecaster)
    print("\nHeld-out NRMSE (RMSE / std of the truth)")
    print(f"  one step ahead ({args.test_steps} steps): {scores['one_step']:.3e}")
    for h in args.horizons:
        print(f"  free-running, first {h:>4} steps:   {scores[f'free_run_{h}']:.3e}")
    print("\n  step    truth  one-step  free-run")
    for step in sorted({1, 10, 50, 100, 250, 500, args.test_steps} & set(range(1, args.test_steps + 1))):
        print(f"  {step:>4}  {test[step - 1]:7.4f}  {one_step[step - 1]:8.4f}  {free_run[step - 1]:8.4f}")

    os.makedirs(args.output_dir, exist_ok=True)
    plot_path = os.path.join(args.output_dir, "forecast.png")
    plot_forecast(plot_path, test, one_step, free_run, args.train_steps,
                  title=f"Echo-state network on {source.split(' (')[0]}: one-step NRMSE {scores['one_step']:.2e}, "
                        f"free-running NRMSE {scores[f'free_run_{args.horizons[-1]}']:.2e} "
                        f"over {args.horizons[-1]} steps")
    print(f"prediction-vs-truth plot: {plot_path}")

    # ----------------------------------------------------------------- Sweep
    sweep = None
    if args.sweep:
        horizon = args.horizons[0]
        print(f"\nSweep: NRMSE by spectral radius x leak rate ({args.units} units, the same seed)")
        print(f"  spectral radius  leak rate  training   one-step   free-run {horizon}")
        rows = []
        for spectral_radius in args.sweep_spectral_radii:
            for leak_rate in args.sweep_leak_rates:
                candidate, candidate_errors = fit_forecaster(spectral_radius, leak_rate)
                candidate_scores, _, _ = evaluate(candidate)
                row = {"spectral_radius": spectral_radius, "leak_rate": leak_rate,
                       "training": candidate_errors["nrmse"], "one_step": candidate_scores["one_step"],
                       f"free_run_{horizon}": candidate_scores[f"free_run_{horizon}"]}
                rows.append(row)
                print(f"  {spectral_radius:15g}  {leak_rate:9g}  {row['training']:.3e}  {row['one_step']:.3e}  "
                      f"{row[f'free_run_{horizon}']:.3e}", flush=True)
        shape = (len(args.sweep_spectral_radii), len(args.sweep_leak_rates))
        one_step_table = np.array([row["one_step"] for row in rows]).reshape(shape)
        free_run_table = np.array([row[f"free_run_{horizon}"] for row in rows]).reshape(shape)
        best = min(rows, key=lambda row: row[f"free_run_{horizon}"])
        print(f"  one-step NRMSE spans {one_step_table.min():.2e} .. {one_step_table.max():.2e} "
              f"(x{one_step_table.max() / one_step_table.min():.0f}), free-running "
              f"{free_run_table.min():.2e} .. {free_run_table.max():.2e}; best free-running: spectral radius "
              f"{best['spectral_radius']:g}, leak rate {best['leak_rate']:g}")
        sweep_plot = os.path.join(args.output_dir, "sweep.png")
        plot_sweep(sweep_plot, args.sweep_spectral_radii, args.sweep_leak_rates, [one_step_table, free_run_table],
                   ["one step ahead", f"free-running, first {horizon} steps"])
        atomic_write_json(os.path.join(args.output_dir, "sweep.json"), {"command": args.command, "rows": rows})
        print(f"sweep heat map: {sweep_plot}")
        sweep = {"horizon": horizon, "rows": rows, "best_free_run": best}

    # ------------------------------------------------------------------ Save
    forecaster.card = {
        "task": "time-series forecasting (next value; free-running by feeding predictions back)",
        "model": "EchoStateNetwork", "units": args.units, "spectral_radius": args.spectral_radius,
        "leak_rate": args.leak_rate, "connectivity": args.connectivity, "input_scaling": args.input_scaling,
        "bias_scaling": args.bias_scaling, "ridge": args.ridge, "warmup_steps": args.warmup,
        "data": source, "train_steps": args.train_steps, "test_steps": args.test_steps,
        "training_nrmse": training_errors["nrmse"],
        "held_out_nrmse": scores, "nrmse_normalization": "RMSE / std of the true values in the scored window",
        "sweep": sweep, "backend": keras.backend.backend(), "seed": args.seed,
        "wall_time_s": harness.elapsed(args), "command": args.command,
    }
    forecaster.save(args.output_dir)
    print(f"\nsaved to {args.output_dir} (kerasrnn.load(...).forecast(series, steps))")
    print(f"done in {harness.elapsed(args)} s")
    return scores


if __name__ == "__main__":
    harness.run(main)
