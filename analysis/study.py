"""Facts and statistics of a Monte Carlo study (a `polarity-study/2` file opened with
:func:`analysis.io.open_study`): per-arm probabilities of every outcome class, the crossing delay
(Kaplan-Meier), paired comparisons of arms by sample (common random numbers), the ranking of
parameters by sensitivity and the binned map of P(unipolar) over two parameters. Pure numpy/pandas; the text is in analysis.study_narrative, the figures in
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
    """One arm of a study: its outcome probabilities, crossing delay and per-run percentiles."""
    name: str
    title: str                               # readable title (`arm_title`)
    settings: list[str]                      # its overrides, "key.path=value" (`arm_set`)
    runs: int
    count: dict[str, int]                    # class -> runs
    probability: dict[str, float]            # class -> share of runs
    low: dict[str, float]                    # class -> 95 % Wilson interval, lower end
    high: dict[str, float]                   # class -> upper end
    survival: dict[float, float]             # k -> P(crossing delay > k months | the leader crossed), Kaplan-Meier
    delay_median: float                      # Kaplan-Meier median (inf: more than half never crossed)
    leader_crossed: int                      # runs in which the leader crossed (the delay's risk set)
    percentiles: dict[str, dict[float, float]]  # per-run output -> {percentile: value}

    @property
    def p_unipolar(self) -> float:
        return self.probability.get("unipolar", float("nan"))


@dataclass
class Comparison:
    """P(class) in arm `b` minus arm `a`, paired by sample when the study has common random numbers."""
    a: str
    b: str
    difference: float        # P_b - P_a
    low: float               # 95 % interval of the difference
    high: float
    paired: bool
    pairs: int = 0           # samples run under both arms
    differ: float = 0.0      # share of pairs whose outcome class differs
    only_b: float = 0.0      # share of pairs in the class under b only
    only_a: float = 0.0      # share of pairs in the class under a only


@dataclass
class PairedShift:
    """A per-run output under arm `b` minus the same sample under arm `a` (common random numbers)."""
    a: str
    b: str
    pairs: int
    mean: float              # mean of the paired differences
    low: float               # 95 % interval of the mean
    high: float
    p5: float                # 5th, 50th, 95th percentile of the paired differences
    p50: float
    p95: float


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
    leader: str
    rival: str
    durable_months: int
    threshold: float         # the base scenario's (a parameter may sample it)
    runs: int
    start: pd.Timestamp
    end: pd.Timestamp
    classes: list[str]
    arms: list[ArmFacts]
    parameters: list[tuple[str, str, str]]   # (name, path, distribution)

    def arm(self, name: str) -> ArmFacts:
        return next(a for a in self.arms if a.name == name)


def facts(ds: xr.Dataset) -> StudyFacts:
    """Collect the facts of a study opened with :func:`analysis.io.open_study`."""
    classes = io.class_names(ds)
    titles, settings = io.arm_titles(ds), io.arm_settings(ds)
    percentile_outputs = [str(o) for o in ds["percentile_output"].values] if "percentile_output" in ds.dims else []
    arms = []
    for name in io.arm_names(ds):
        row = lambda var: {c: float(ds[var].sel(arm=name, outcome_class=c)) for c in classes}  # noqa: E731
        pct = ds["output_percentiles"].sel(arm=name) if percentile_outputs else None
        arms.append(ArmFacts(
            name=name, title=titles[name], settings=settings[name],
            runs=int(round(float(ds["outcome_count"].sel(arm=name).sum()))),
            count={c: int(round(v)) for c, v in row("outcome_count").items()},
            probability=row("outcome_probability"), low=row("outcome_probability_low"),
            high=row("outcome_probability_high"),
            survival={float(k): float(v) for k, v in zip(ds["delay_months"].values,
                                                         ds["crossing_delay_survival"].sel(arm=name).values)},
            delay_median=float(ds["crossing_delay_median"].sel(arm=name)),
            leader_crossed=int(ds["leader_crossed_runs"].sel(arm=name)),
            percentiles={o: {float(q): float(v) for q, v in zip(ds["percentile"].values,
                                                                pct.sel(percentile_output=o).values)}
                         for o in percentile_outputs}))
    params = [(n, str(ds["parameter_path"].values[i]), str(ds["parameter_distribution"].values[i]))
              for i, n in enumerate(io.parameter_names(ds))]
    return StudyFacts(
        label=io.study_label(ds), path=str(ds.attrs.get("study_path", ds.attrs.get("source_path", ""))),
        description=" ".join(str(ds.attrs.get("study_description", "")).split()),
        sampler=str(ds.attrs.get("sampler", "")), method=sensitivity_method(ds), seed=int(ds.attrs.get("seed", 0)),
        crn=bool(int(ds.attrs.get("common_random_numbers", 0))), leader=io.leader(ds), rival=io.rival(ds),
        durable_months=int(ds.attrs["durable_lead_months"]), threshold=float(ds.attrs["powerful_ai_capability"]),
        runs=int(ds.sizes["run"]), start=pd.Timestamp(ds["month"].values[0]), end=pd.Timestamp(ds["month"].values[-1]),
        classes=classes, arms=arms, parameters=params)


def percentile(values: dict[float, float], q: float) -> float:
    """The value at percentile q of a {percentile: value} dict (nearest available percentile)."""
    key = min(values, key=lambda k: abs(k - q))
    return values[key]


def shown_classes(ds: xr.Dataset) -> list[str]:
    """Every outcome class, in the file's order: none is hidden, so a reader sees the zeros too."""
    return io.class_names(ds)


# --- comparing arms, paired ---------------------------------------------------------------------

def _pairs(ds: xr.Dataset, a: str, b: str, values: np.ndarray) -> pd.DataFrame:
    """Columns a, b: a per-run value under both arms, one row per sample run under both."""
    arms = io.arm_names(ds)
    table = pd.DataFrame({"arm": ds["run_arm"].values, "sample": ds["run_sample"].values, "value": values})
    mine = lambda arm: table[table.arm == arms.index(arm)].set_index("sample")["value"]  # noqa: E731
    return pd.concat({"a": mine(a), "b": mine(b)}, axis=1, join="inner")


def compare_arms(ds: xr.Dataset, a: str, b: str, outcome_class: str = "unipolar") -> Comparison:
    """P(class) under arm b minus arm a.

    With common random numbers, sample i of both arms saw the same parameters and random draws,
    so runs are paired by `run_sample`: the interval is the paired (Wald) one, and the shares of
    pairs whose outcome differs are reported. Otherwise the two arms are independent samples.
    """
    k = io.class_names(ds).index(outcome_class)
    outcome = ds["run_outcome"].values.astype(int)
    if bool(int(ds.attrs.get("common_random_numbers", 0))):
        pairs = _pairs(ds, a, b, outcome)
        n = len(pairs)
        if n:
            ua, ub = (pairs.a == k).to_numpy(), (pairs.b == k).to_numpy()
            n10, n01 = float((ub & ~ua).sum()), float((ua & ~ub).sum())
            d = (n10 - n01) / n
            se = np.sqrt(max(n10 + n01 - (n10 - n01) ** 2 / n, 0.0)) / n
            return Comparison(a, b, d, d - Z95 * se, d + Z95 * se, True, n,
                              float((pairs.a != pairs.b).mean()), n10 / n, n01 / n)
    arms = io.arm_names(ds)
    in_a = outcome[ds["run_arm"].values == arms.index(a)] == k
    in_b = outcome[ds["run_arm"].values == arms.index(b)] == k
    pa, pb = float(in_a.mean()), float(in_b.mean())
    se = np.sqrt(pa * (1 - pa) / max(len(in_a), 1) + pb * (1 - pb) / max(len(in_b), 1))
    return Comparison(a, b, pb - pa, pb - pa - Z95 * se, pb - pa + Z95 * se, False)


def paired_shift(ds: xr.Dataset, a: str, b: str, output: str) -> PairedShift | None:
    """A per-run scalar output (`run_<output>`) under arm b minus arm a, sample by sample; None
    without common random numbers (then samples are not pairs) or without pairs. Runs whose
    value is NaN in either arm are left out."""
    if not bool(int(ds.attrs.get("common_random_numbers", 0))):
        return None
    pairs = _pairs(ds, a, b, ds[f"run_{output}"].values.astype(float))
    d = (pairs.b - pairs.a).to_numpy()
    d = d[np.isfinite(d)]
    if d.size == 0:
        return None
    se = float(d.std(ddof=1)) / np.sqrt(d.size) if d.size > 1 else 0.0
    p5, p50, p95 = np.quantile(d, [0.05, 0.5, 0.95])
    return PairedShift(a, b, int(d.size), float(d.mean()), float(d.mean()) - Z95 * se, float(d.mean()) + Z95 * se,
                       float(p5), float(p50), float(p95))


def reference_arm(ds: xr.Dataset, reference: str | None = None) -> str:
    """The arm others are compared with: `reference` if given (it must exist), else the first arm."""
    arms = io.arm_names(ds)
    if reference is None:
        return arms[0]
    if reference not in arms:
        raise ValueError(f"no arm named {reference!r} in the study (arms: {', '.join(arms)})")
    return reference


# --- the crossing delay -------------------------------------------------------------------------

def delay_observations(ds: xr.Dataset, arm: str) -> tuple[np.ndarray, np.ndarray]:
    """(delay months, event) of the runs of one arm in which the leader crossed: event True when
    the rival crossed too (exact delay), False when it had not by the horizon (at least)."""
    mine = ds["run_arm"].values == io.arm_names(ds).index(arm)
    code = ds["run_crossing_delay_censoring"].values[mine].astype(int)
    delay = ds["run_crossing_delay_months"].values[mine].astype(float)
    keep = (code == io.CENSORING.index("exact")) | (code == io.CENSORING.index("at_least"))
    return delay[keep], code[keep] == io.CENSORING.index("exact")


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan-Meier survival curve S(t) = P(delay > t) as steps: (event times, S just after
    each). Censored runs leave the risk set after their time; at a tie, events come first (the
    engine's convention, so the curve meets the file's `crossing_delay_survival`)."""
    order = np.lexsort((~events, times))
    times, events = times[order], events[order]
    steps_t, steps_s = [], []
    s, at_risk, i = 1.0, len(times), 0
    while i < len(times):
        j = i
        while j < len(times) and times[j] == times[i]:
            j += 1
        d = int(events[i:j].sum())
        if d:
            s *= 1.0 - d / at_risk
            steps_t.append(float(times[i]))
            steps_s.append(s)
        at_risk -= j - i
        i = j
    return np.array(steps_t), np.array(steps_s)


def survival_at(steps: tuple[np.ndarray, np.ndarray], t: float) -> float:
    """S(t) of a Kaplan-Meier step curve: 1 before the first event, then the last step at or before t."""
    times, values = steps
    before = np.flatnonzero(times <= t)
    return float(values[before[-1]]) if before.size else 1.0


# --- sensitivity ----------------------------------------------------------------------------

def sensitivity_method(ds: xr.Dataset) -> str:
    """"sobol" when the file has Sobol indices, "prcc" when it has PRCC, "" when neither."""
    if "sensitivity_total_order" in ds:
        return "sobol"
    return "prcc" if "sensitivity_prcc" in ds else ""


def sensitivity_outputs(ds: xr.Dataset) -> list[str]:
    """The per-run outputs the engine ranked the parameters for (the `sensitivity_output` axis)."""
    return [str(o) for o in ds["sensitivity_output"].values] if "sensitivity_output" in ds.dims else []


def importance(ds: xr.Dataset, output: str) -> list[Importance]:
    """Parameters ranked for one output, most important first.

    PRCC: ranked by |mean over arms of the coefficient| (the sign kept). Sobol: by the mean
    total-order index, with the mean first-order index alongside. Missing values count as 0.
    """
    method = sensitivity_method(ds)
    if not method or not io.parameter_names(ds) or output not in sensitivity_outputs(ds):
        return []
    main = ds["sensitivity_prcc" if method == "prcc" else "sensitivity_total_order"].sel(sensitivity_output=output)
    first = ds["sensitivity_first_order"].sel(sensitivity_output=output) if method == "sobol" else None
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
    ranked = importance(ds, "unipolar")
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
    unipolar = ds["run_outcome"].values == io.class_names(ds).index("unipolar")
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
