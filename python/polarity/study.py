"""A Monte Carlo study run from Python: the per-run table as a pandas DataFrame with readable
columns, and the summary as an xarray Dataset named like the study file (docs/output.md)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from polarity import _engine
from polarity.run import month_range
from polarity.scenario import override_list

#: Category names of the per-run outputs whose units are "class", by output name.
CLASS_NAMES = {"outcome": tuple(_engine.OUTCOME_CLASSES), "crossing_delay_censoring": tuple(_engine.CENSORING)}
#: The crossing delay: censored values become NaN in the table, with a flag and the bound kept.
DELAY, CENSORING = "crossing_delay_months", "crossing_delay_censoring"


@dataclass
class StudyResult:
    """What :func:`study` returns.

    ``table``: one row per run (index ``run``, in run order): ``arm``, ``sample``, each
    uncertain parameter by name, then every per-run output: classes as categories, month
    indices as dates (NaT: never), per-bloc outputs as ``<output>_<bloc>``, per-December ones
    as ``<output>_<YYYY-MM>``; the crossing delay is NaN when censored, with
    ``crossing_delay_censored`` and the bound in ``crossing_delay_bound_months``.
    ``summary``: the study file's summary datasets. ``report``: the summary as the command line
    prints it. ``seconds``: wall time of the runs and the summary.
    """

    name: str
    table: pd.DataFrame
    summary: xr.Dataset
    report: str
    seconds: float

    def __str__(self) -> str:
        return self.report


def _month_dates(start, indices: np.ndarray) -> np.ndarray:
    """Month indices as the first day of the month (NaT for -1, never)."""
    dates = np.full(indices.shape, np.datetime64("NaT"), dtype="datetime64[ns]")
    if indices.size and indices.max() >= 0:
        months = month_range(start, int(indices.max()) + 1).values
        dates[indices >= 0] = months[indices[indices >= 0].astype(int)]
    return dates


def run_table(raw: dict) -> pd.DataFrame:
    """The per-run table from the engine's records (run order), following the run-output table."""
    records = raw["records"]
    arms = list(raw["arms"])
    blocs = list(raw["blocs"])
    year_ends = [d.strftime("%Y-%m") for d in month_range(raw["start"], raw["months"])[list(raw["year_ends"])]]
    columns: dict[str, object] = {
        "arm": pd.Categorical.from_codes(records[:, 0].astype(int), categories=arms),
        "sample": records[:, 1].astype(np.int64),
    }
    offset = raw["parameter_offset"]
    output_names = {o["name"] for o in raw["run_outputs"]} | {"arm", "sample"}
    for j, (name, _path) in enumerate(raw["parameters"]):
        columns[f"parameter_{name}" if name in output_names else name] = records[:, offset + j]
    for spec, first, width in zip(raw["run_outputs"], raw["output_offset"], raw["output_width"]):
        name = spec["name"]
        block = records[:, first:first + width]
        labels = [""] if not spec["axis"] else (blocs if spec["axis"] == "bloc" else year_ends)
        for k, entity in enumerate(labels):
            values = block[:, k]
            column = name if not entity else f"{name}_{entity}"
            if name in CLASS_NAMES:
                columns[column] = pd.Categorical.from_codes(values.astype(int), categories=CLASS_NAMES[name])
            elif spec["units"] == "month index":
                column = column.replace("_month_index", "_month")
                columns[column] = _month_dates(raw["start"], values.astype(int))
            elif name == DELAY:
                censoring = records[:, raw["output_offset"][_output_index(raw, CENSORING)]].astype(int)
                censored = censoring != 0  # Censoring::none, named "exact"
                columns[DELAY] = np.where(censored, np.nan, values)
                columns["crossing_delay_censored"] = censored
                columns["crossing_delay_bound_months"] = values
            elif spec["integer"]:
                columns[column] = values.astype(np.int64)
            else:
                columns[column] = values
    if "unipolar" in columns:
        columns["unipolar"] = np.asarray(columns["unipolar"]).astype(bool)
    table = pd.DataFrame(columns, index=pd.RangeIndex(len(records), name="run"))
    return table


def _output_index(raw: dict, name: str) -> int:
    return [o["name"] for o in raw["run_outputs"]].index(name)


def _indices(arms: list[dict], key: str, shape: tuple) -> np.ndarray:
    """Sensitivity indices [arm, output, parameter]; zeros where the engine computed none."""
    out = np.zeros(shape)
    for a, arm in enumerate(arms):
        for o, row in enumerate(arm[key]):
            out[a, o, :len(row)] = row
    return out


def summary_dataset(raw: dict) -> xr.Dataset:
    """The study file's summary datasets, same names and dimensions, from the engine's summary."""
    s = raw["summary"]
    arms = s["arms"]
    months = month_range(raw["start"], raw["months"])
    coords = {"arm": [a["name"] for a in arms], "outcome_class": list(CLASS_NAMES["outcome"]),
              "delay_months": s["delay_months"], "percentile": s["percentiles"],
              "percentile_output": s["percentile_outputs"], "sensitivity_output": s["sensitivity_outputs"],
              "parameter": [name for name, _path in raw["parameters"]], "month": months.values,
              "bloc": list(raw["blocs"])}
    per_arm = lambda key: np.array([a[key] for a in arms], dtype=np.float64)  # noqa: E731
    data = {
        "outcome_count": (("arm", "outcome_class"), per_arm("count"), "runs", "runs in each outcome class"),
        "outcome_probability": (("arm", "outcome_class"), per_arm("probability"), "1",
                                "share of runs in each outcome class"),
        "outcome_probability_low": (("arm", "outcome_class"), per_arm("low"), "1", "95% Wilson interval, lower end"),
        "outcome_probability_high": (("arm", "outcome_class"), per_arm("high"), "1", "95% Wilson interval, upper end"),
        "crossing_delay_survival": (("arm", "delay_months"), per_arm("delay_survival"), "1",
                                    "P(crossing delay > k months | the leader crossed), Kaplan-Meier"),
        "crossing_delay_median": (("arm",), per_arm("delay_median"), "months",
                                  "Kaplan-Meier median crossing delay (inf: not reached)"),
        "leader_crossed_runs": (("arm",), per_arm("leader_crossed"), "runs",
                                "runs in which the leader crossed (the delay's risk set)"),
        "output_percentiles": (("arm", "percentile_output", "percentile"), per_arm("percentiles"), "as the output",
                               "percentiles over runs of each per-run output"),
    }
    if coords["parameter"]:
        shape = (len(arms), len(coords["sensitivity_output"]), len(coords["parameter"]))
        sens_dims = ("arm", "sensitivity_output", "parameter")
        if s["method"] == "sobol":
            data["sensitivity_first_order"] = (sens_dims, _indices(arms, "first_order", shape), "1",
                                               "Sobol first-order index")
            data["sensitivity_total_order"] = (sens_dims, _indices(arms, "total_order", shape), "1",
                                               "Sobol total-order index")
        else:
            data["sensitivity_prcc"] = (sens_dims, _indices(arms, "first_order", shape), "1",
                                        "partial rank correlation coefficient")
    for band in s["bands"]:
        dims = ("arm", "percentile", "month") + (("bloc",) if band["per_bloc"] else ())
        shape = tuple(len(coords[d]) for d in dims)
        data[f"band_{band['series']}"] = (dims, np.asarray(band["values"]).reshape(shape), band["units"],
                                          f"percentiles over runs of {band['series']}: {band['description']}")
    variables = {name: xr.Variable(dims, values, {"units": units, "long_name": long_name})
                 for name, (dims, values, units, long_name) in data.items()}
    attrs = {"study_name": raw["name"], "study_path": raw["path"], "sampler": raw["sampler"],
             "sensitivity_method": s["method"], "seed": np.uint64(raw["seed"]), "runs": np.uint64(raw["runs"])}
    return xr.Dataset(variables, coords=coords, attrs=attrs)


def study(path: str | os.PathLike, runs: int = 0, threads: int = 0,
          set: Mapping | Iterable[str] | None = None,  # noqa: A002 - the CLI's word
          progress: Callable[[int, int], None] | None = None) -> StudyResult:
    """Run a study file as ``polarity study`` does (the same plan, batches and summary, so the
    same numbers), with its journal in a temporary folder that is removed afterwards.

    ``runs``: runs per arm, overriding the file's (0: the file's). ``threads``: the engine's
    workers (0: all cores); results do not depend on it. ``set``: overrides of the base
    scenario for every arm, as ``--set``. ``progress(done, total)`` is called between batches.
    Raises :class:`polarity.ConfigError`; KeyboardInterrupt on Ctrl-C (between batches).
    """
    t0 = time.perf_counter()
    raw = _engine.run_study(os.fspath(path), override_list(set), int(runs), int(threads), progress)
    seconds = time.perf_counter() - t0
    return StudyResult(raw["name"], run_table(raw), summary_dataset(raw), raw["summary"]["text"], seconds)
