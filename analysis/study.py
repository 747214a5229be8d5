"""Facts and statistics of a Monte Carlo study (a `polarity-study/1` file opened with
:func:`analysis.io.open_study`): per-arm outcome probabilities and lags, the paired comparison of
two arms, the ranking of parameters by sensitivity and the binned map of P(unipolar) over two
parameters. Pure numpy/pandas; the text is in analysis.study_narrative, the figures in
analysis.study_figures.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import io

#: z of a two-sided 95 % interval (as the engine's Wilson intervals).
Z95 = 1.959964
#: A bin of the P(unipolar) map needs at least this many runs to be shown.
MIN_BIN_RUNS = 3
#: At most this many bins along each parameter of the map.
MAX_BINS = 8


@dataclass
class ArmFacts:
    """One arm of a study: its outcome probabilities and the rival's lag at the horizon."""
    name: str
    runs: int
    probability: dict[str, float]            # state -> share of runs
    low: dict[str, float]                    # state -> 95 % Wilson interval, lower end
    high: dict[str, float]                   # state -> upper end
    lag: dict[float, float]                  # percentile -> rival's lag at the horizon (months)
    window: dict[float, float]               # percentile -> unipolar window (months)
    settings: dict                           # the arm's `set` in the study file

    @property
    def p_unipolar(self) -> float:
        return self.probability.get("unipolar", float("nan"))


@dataclass
class Comparison:
    """P(unipolar) in arm `b` minus arm `a`, paired by sample when the study has common random numbers."""
    a: str
    b: str
    difference: float        # P_b - P_a
    low: float               # 95 % interval of the difference
    high: float
    paired: bool
    pairs: int = 0           # samples run under both arms
    differ: float = 0.0      # share of pairs whose settled outcome differs
    only_b: float = 0.0      # share of pairs unipolar under b only
    only_a: float = 0.0      # share of pairs unipolar under a only


@dataclass
class Importance:
    """One parameter's sensitivity for one output, averaged over arms."""
    parameter: str
    value: float             # PRCC (signed) or Sobol total-order index
    first: float | None      # Sobol first-order index (None for PRCC)
    per_arm: list[float]     # the ranking value in each arm

    @property
    def magnitude(self) -> float:
        return abs(self.value) if np.isfinite(self.value) else 0.0


@dataclass
class StudyFacts:
    label: str
    path: str
    description: str
    sampler: str
    method: str              # "prcc" or "sobol"
    seed: int
    crn: bool
    rival: str
    runs: int
    start: pd.Timestamp
    end: pd.Timestamp
    arms: list[ArmFacts]
    parameters: list[tuple[str, str, str]]   # (name, path, distribution)

    def arm(self, name: str) -> ArmFacts:
        return next(a for a in self.arms if a.name == name)


def _arm_settings(ds: xr.Dataset) -> dict[str, dict]:
    arms = io.study_config(ds).get("arms") or []
    return {str(a.get("name")): dict(a.get("set") or {}) for a in arms if isinstance(a, dict)}


def facts(ds: xr.Dataset) -> StudyFacts:
    """Collect the facts of a study opened with :func:`analysis.io.open_study`."""
    states = io.study_state_names(ds)
    settings = _arm_settings(ds)
    arms = []
    for name in io.arm_names(ds):
        row = lambda var: {s: float(ds[var].sel(arm=name, state=s)) for s in states}  # noqa: E731
        arms.append(ArmFacts(
            name=name, runs=int(round(float(ds["outcome_count"].sel(arm=name).sum()))),
            probability=row("outcome_probability"), low=row("outcome_probability_low"),
            high=row("outcome_probability_high"),
            lag={float(q): float(v) for q, v in zip(ds["percentile"].values, ds["rival_lag_percentiles"].sel(arm=name).values)},
            window={float(q): float(v) for q, v in
                    zip(ds["percentile"].values, ds["unipolar_window_percentiles"].sel(arm=name).values)},
            settings=settings.get(name, {})))
    params = [(n, str(ds["parameter_path"].values[i]) if "parameter_path" in ds else "",
               str(ds["parameter_distribution"].values[i]) if "parameter_distribution" in ds else "")
              for i, n in enumerate(io.parameter_names(ds))]
    return StudyFacts(
        label=io.study_label(ds), path=str(ds.attrs.get("study_path", ds.attrs.get("source_path", ""))),
        description=str(ds.attrs.get("description", "")), sampler=str(ds.attrs.get("sampler", "")),
        method=sensitivity_method(ds), seed=int(ds.attrs.get("seed", 0)),
        crn=bool(int(ds.attrs.get("common_random_numbers", 0))), rival=io.rival_bloc(ds),
        runs=int(ds.sizes["run"]), start=pd.Timestamp(ds["month"].values[0]), end=pd.Timestamp(ds["month"].values[-1]),
        arms=arms, parameters=params)


def shown_states(ds: xr.Dataset) -> list[str]:
    """The states worth showing: those at least one run settled in, and always "unipolar"."""
    counts = ds["outcome_count"].sum("arm")
    return [s for s in io.study_state_names(ds) if s == "unipolar" or float(counts.sel(state=s)) > 0]


def percentile(values: dict[float, float], q: float) -> float:
    """The value at percentile q of a {percentile: value} dict (nearest available percentile)."""
    key = min(values, key=lambda k: abs(k - q))
    return values[key]


# --- comparing two arms ---------------------------------------------------------------------

def compare_arms(ds: xr.Dataset, a: str, b: str) -> Comparison:
    """P(unipolar) under arm b minus arm a.

    With common random numbers, sample i of both arms saw the same parameters and random draws,
    so runs are paired by `run_sample`: the interval is the paired (Wald) one, and the shares of
    pairs whose outcome differs are reported. Otherwise the two arms are independent samples.
    """
    unipolar = io.study_state_names(ds).index("unipolar")
    arms = io.arm_names(ds)
    table = pd.DataFrame({"arm": ds["run_arm"].values, "sample": ds["run_sample"].values,
                          "outcome": ds["run_outcome"].values})
    ia, ib = arms.index(a), arms.index(b)
    crn = bool(int(ds.attrs.get("common_random_numbers", 0)))
    if crn:
        pairs = table[table.arm == ia].set_index("sample")[["outcome"]].join(
            table[table.arm == ib].set_index("sample")[["outcome"]], how="inner", lsuffix="_a", rsuffix="_b")
        n = len(pairs)
        if n:
            ua = (pairs.outcome_a == unipolar).to_numpy()
            ub = (pairs.outcome_b == unipolar).to_numpy()
            n10, n01 = float((ub & ~ua).sum()), float((ua & ~ub).sum())
            d = (n10 - n01) / n
            se = np.sqrt(max(n10 + n01 - (n10 - n01) ** 2 / n, 0.0)) / n
            return Comparison(a, b, d, d - Z95 * se, d + Z95 * se, True, n,
                              float((pairs.outcome_a != pairs.outcome_b).mean()), n10 / n, n01 / n)
    pa_runs = table[table.arm == ia].outcome == unipolar
    pb_runs = table[table.arm == ib].outcome == unipolar
    pa, pb = float(pa_runs.mean()), float(pb_runs.mean())
    se = np.sqrt(pa * (1 - pa) / max(len(pa_runs), 1) + pb * (1 - pb) / max(len(pb_runs), 1))
    return Comparison(a, b, pb - pa, pb - pa - Z95 * se, pb - pa + Z95 * se, False)


def most_unipolar_comparison(ds: xr.Dataset) -> Comparison | None:
    """The arm with the highest P(unipolar) against the first arm (or, when the first arm is the
    highest, the first arm against the next highest). None for a one-arm study."""
    f = facts(ds)
    if len(f.arms) < 2:
        return None
    ranked = sorted(f.arms, key=lambda a: a.p_unipolar, reverse=True)
    first = f.arms[0].name
    if ranked[0].name != first:
        return compare_arms(ds, first, ranked[0].name)
    return compare_arms(ds, ranked[1].name, first)


# --- sensitivity ----------------------------------------------------------------------------

def sensitivity_method(ds: xr.Dataset) -> str:
    """"sobol" when the file has Sobol indices, "prcc" when it has PRCC, "" when neither."""
    if "sensitivity_total_order" in ds:
        return "sobol"
    return "prcc" if "sensitivity_prcc" in ds else ""


def importance(ds: xr.Dataset, output: str) -> list[Importance]:
    """Parameters ranked for one output, most important first.

    PRCC: ranked by |mean over arms of the coefficient| (the sign kept). Sobol: by the mean
    total-order index, with the mean first-order index alongside. Missing values count as 0.
    """
    method = sensitivity_method(ds)
    if not method or not io.parameter_names(ds) or output not in [str(o) for o in ds["output"].values]:
        return []
    main = ds["sensitivity_prcc" if method == "prcc" else "sensitivity_total_order"].sel(output=output)
    first = ds["sensitivity_first_order"].sel(output=output) if method == "sobol" else None
    out = []
    for name in io.parameter_names(ds):
        per_arm = [float(v) for v in np.nan_to_num(main.sel(parameter=name).values)]
        out.append(Importance(name, float(np.mean(per_arm)),
                              None if first is None else float(np.nan_to_num(first.sel(parameter=name).values).mean()),
                              per_arm))
    return sorted(out, key=lambda i: i.magnitude, reverse=True)


def map_parameters(ds: xr.Dataset) -> tuple[list[str], str]:
    """The two parameters of the P(unipolar) map and why they were chosen: the study's own two
    parameters, or the two that matter most for P(unipolar). ([], reason) with fewer than two."""
    names = io.parameter_names(ds)
    if len(names) < 2:
        return [], "the study has fewer than two uncertain parameters"
    if len(names) == 2:
        return names, "the study's two uncertain parameters"
    ranked = importance(ds, "p_unipolar")
    if not ranked or all(r.magnitude == 0 for r in ranked):
        return names[:2], "the first two of the study's parameters (the sensitivity of P(unipolar) is zero)"
    measure = "|PRCC|" if sensitivity_method(ds) == "prcc" else "total-order Sobol index"
    return ([r.parameter for r in ranked[:2]],
            f"the two parameters that matter most for P(unipolar) (largest {measure}, of {len(names)} parameters)")


@dataclass
class BinnedMap:
    x: str
    y: str
    x_edges: np.ndarray
    y_edges: np.ndarray
    probability: dict[str, np.ndarray]   # arm -> [y bin, x bin] share of runs settling unipolar (NaN: too few)
    counts: dict[str, np.ndarray]        # arm -> [y bin, x bin] runs
    min_runs: int                        # bins with fewer runs are NaN


def _edges(values: np.ndarray, bins: int) -> np.ndarray:
    """Bin edges holding about equal numbers of samples (quantiles); equal widths if values repeat."""
    edges = np.unique(np.quantile(values, np.linspace(0, 1, bins + 1)))
    if len(edges) < bins + 1:
        edges = np.linspace(values.min(), values.max(), bins + 1)
    if edges[0] == edges[-1]:
        edges = np.array([edges[0] - 0.5, edges[0] + 0.5])
    return edges


def binned_unipolar(ds: xr.Dataset, x: str, y: str, bins: int | None = None) -> BinnedMap:
    """Share of runs settling unipolar in bins of two parameters, per arm (2-D binned means of
    run_outcome == unipolar over run_parameters). Bins are parameter quantiles over all runs,
    MAX_BINS along each axis at most and fewer for small studies; bins with fewer than
    MIN_BIN_RUNS runs are NaN (fewer than half the mean count per bin in a tiny study)."""
    names = io.parameter_names(ds)
    values = ds["run_parameters"].values
    vx, vy = values[:, names.index(x)], values[:, names.index(y)]
    unipolar = ds["run_outcome"].values == io.study_state_names(ds).index("unipolar")
    arm_of = ds["run_arm"].values
    per_arm = len(arm_of) / max(ds.sizes["arm"], 1)
    if bins is None:
        bins = int(np.clip(np.floor(np.sqrt(per_arm / 10)), 2, MAX_BINS))
    ex, ey = _edges(vx, bins), _edges(vy, bins)
    min_runs = int(min(MIN_BIN_RUNS, max(1, per_arm // ((len(ex) - 1) * (len(ey) - 1)) // 2)))
    probability, counts = {}, {}
    for i, arm in enumerate(io.arm_names(ds)):
        mine = arm_of == i
        n, _, _ = np.histogram2d(vy[mine], vx[mine], bins=(ey, ex))
        k, _, _ = np.histogram2d(vy[mine], vx[mine], bins=(ey, ex), weights=unipolar[mine].astype(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            probability[arm] = np.where(n >= min_runs, k / n, np.nan)
        counts[arm] = n
    return BinnedMap(x, y, ex, ey, probability, counts, min_runs)


def threshold_range(ds: xr.Dataset, arm: str | None = None) -> tuple[float, float, float] | None:
    """(5th percentile, median, 95th percentile) of the sampled powerful-AI threshold, if a
    parameter samples it (over one arm's runs, or all runs); None if the threshold is fixed."""
    name = ds.attrs.get("threshold_parameter", "")
    if not name:
        return None
    values = ds["run_parameters"].values[:, io.parameter_names(ds).index(name)]
    if arm is not None:
        values = values[ds["run_arm"].values == io.arm_names(ds).index(arm)]
    if values.size == 0:
        return None
    p5, p50, p95 = np.quantile(values, [0.05, 0.5, 0.95])
    return float(p5), float(p50), float(p95)
