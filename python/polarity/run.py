"""One run as an xarray.Dataset laid out like the run file (docs/output.md).

The root of the run file (series with named dimensions, ``month`` decoded to dates, axes as
coordinates, units and descriptions, provenance attributes) is rebuilt from the engine's
in-memory record and decoded by the same CF rules as ``xr.open_dataset(path,
engine="h5netcdf")``. The ``/outcome`` group joins it: each of its datasets as the variable
``outcome_<name>`` and each of its attributes as the 0-d variable ``outcome_<name>``.
:func:`open_run` reads a run file into the same shape.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import xarray as xr

from polarity import _engine
from polarity.scenario import Scenario, load

MONTH_UNITS = "days since 2000-01-01"
NOT_REACHED = "not reached"
EPOCH = pd.Timestamp("2000-01-01")


def month_range(start: tuple[int, int], months: int) -> pd.DatetimeIndex:
    """First days of `months` months from (year, month)."""
    year, month = start
    return pd.date_range(f"{year:04d}-{month:02d}-01", periods=months, freq="MS")


def _strings(values) -> np.ndarray:
    return np.array(list(values), dtype=object).reshape(-1)


def root_dataset(raw: dict) -> xr.Dataset:
    """The run file's root group, from the engine's header and series."""
    h = raw["header"]
    months = month_range(h["start"], raw["months"])
    variables = {
        "scenario_yaml": xr.Variable((), np.array(h["scenario_text"], dtype=object),
                                     {"long_name": "scenario file text (YAML)"}),
        "month": xr.Variable(("month",), np.asarray((months - EPOCH).days, dtype=np.float64),
                             {"units": MONTH_UNITS, "long_name": "first day of the simulated month",
                              "calendar": "standard"}),
        "month_label": xr.Variable(("month",), _strings(months.strftime("%Y-%m")),
                                   {"long_name": "simulated month (YYYY-MM)"}),
    }
    for name, labels in h["axes"]:
        variables[name] = xr.Variable((name,), _strings(labels), {"long_name": f"{name} name"})
    for spec, values in zip(h["series"], raw["series"]):
        data = values.astype(np.int32) if spec["integer"] else values
        dims = ("month", spec["axis"]) if spec["axis"] else ("month",)
        if not spec["axis"]:
            data = data.reshape(-1)
        variables[spec["name"]] = xr.Variable(dims, data, {"units": spec["units"], "long_name": spec["description"]})
    # Fixed facts about an axis's entities (a rule's title and action, which blocs it reaches).
    sizes = {name: len(labels) for name, labels in h["axes"]}
    for fact in h.get("facts", []):
        if fact["is_text"]:
            variables[fact["name"]] = xr.Variable((fact["axis"],), _strings(fact["text"]),
                                                  {"long_name": fact["description"]})
            continue
        dims = (fact["axis"], fact["second_axis"]) if fact["second_axis"] else (fact["axis"],)
        shape = tuple(sizes[d] for d in dims)
        data = np.asarray(fact["values"], dtype=np.int32).reshape(shape)
        variables[fact["name"]] = xr.Variable(dims, data, {"units": fact["units"], "long_name": fact["description"]})
    year, month = h["start"]
    attrs = {"format": h["format"], "engine_version": h["engine_version"], "git_sha": h["git_sha"],
             "scenario_name": h["scenario_name"], "scenario_path": h["scenario_path"],
             "seed": np.uint64(h["seed"]), "run_index": np.uint64(h["run_index"]),
             "start": f"{year:04d}-{month:02d}", "horizon_months": np.int32(h["horizon_months"])}
    attrs.update({name: value if isinstance(value, str) else np.float64(value) for name, value in h["attributes"]})
    return xr.decode_cf(xr.Dataset(variables, attrs=attrs))


def outcome_dataset(raw: dict) -> xr.Dataset:
    """The run file's ``/outcome`` group, from the engine's outcome, with the root's ``bloc``
    coordinate attached (the file keeps it in the root group)."""
    o = raw["outcome"]
    start = raw["header"]["start"]
    label = lambda index: month_range(start, index + 1)[-1].strftime("%Y-%m")  # noqa: E731
    attrs = {key: o[key] for key in ("outcome_name", "outcome_description", "crossing_delay_censoring_name",
                                     "leader", "rival")}
    attrs["durable_lead_months"] = np.int32(o["durable_lead_months"])
    attrs["months_run"] = np.int32(o["months_run"])
    attrs["frontier_bloc"] = o["frontier_bloc"]
    variables = {
        "bloc": xr.Variable(("bloc",), _strings(o["blocs"]), {"long_name": "bloc name"}),
        "year_end": xr.Variable(("year_end",), _strings(label(m) for m in o["year_end_month_index"]),
                                {"long_name": "December of each simulated year (YYYY-MM)"}),
    }
    for spec, (name, values) in zip(raw["run_outputs"], o["outputs"]):
        if not spec["axis"]:
            attrs[name] = np.int32(values[0]) if spec["integer"] else np.float64(values[0])
            continue
        data = np.asarray(values, dtype=np.int32 if spec["integer"] else np.float64)
        variables[name] = xr.Variable((spec["axis"],), data, {"units": spec["units"], "long_name": spec["description"]})
    variables["crossing_date"] = xr.Variable(
        ("bloc",), _strings(NOT_REACHED if i < 0 else label(i) for i in o["crossing_month_index"]),
        {"long_name": "first month past the powerful-AI threshold (YYYY-MM) or \"not reached\""})
    spells = o["spells"]
    variables["spell"] = xr.Variable(("spell",), np.arange(len(spells), dtype=np.int32),
                                     {"long_name": "spell number, in time order"})
    variables["spell_holder"] = xr.Variable(("spell",), _strings(s[0] for s in spells),
                                            {"long_name": "bloc that alone held powerful AI during the spell"})
    variables["spell_start"] = xr.Variable(("spell",), _strings(label(s[1]) for s in spells),
                                           {"long_name": "first month of the spell (YYYY-MM)"})
    variables["spell_months"] = xr.Variable(("spell",), np.array([s[2] for s in spells], dtype=np.int32),
                                            {"units": "months", "long_name": "length of the spell"})
    variables["spell_ongoing"] = xr.Variable(
        ("spell",), np.array([1 if s[3] else 0 for s in spells], dtype=np.int32),
        {"units": "1", "long_name": "1 when the spell was still held in the last month"})
    return xr.decode_cf(xr.Dataset(variables, attrs=attrs))


def join_outcome(root: xr.Dataset, outcome: xr.Dataset) -> xr.Dataset:
    """The root with the outcome group joined: datasets and attributes as ``outcome_<name>``."""
    outcome = outcome.assign_coords(bloc=root["bloc"])
    joined = outcome.rename({name: f"outcome_{name}" for name in outcome.data_vars})
    joined.attrs = {}
    for key, value in outcome.attrs.items():
        joined[f"outcome_{key}"] = xr.DataArray(value)
    return xr.merge([root, joined], combine_attrs="override")


def run(scenario: Scenario | str | os.PathLike, seed: int | None = None, threads: int = 0) -> xr.Dataset:
    """Run a scenario (a :class:`Scenario`, or a path to load) in memory and return the run as
    the run file lays it out, the outcome joined as ``outcome_*``; no file is written.

    ``seed`` overrides ``run.seed`` exactly as ``polarity run --seed`` does (the recorded
    scenario shows it). ``threads``: the engine's worker threads, 0 for all cores; the result
    does not depend on it. Raises :class:`polarity.ConfigError`, KeyboardInterrupt on Ctrl-C.
    """
    if not isinstance(scenario, Scenario):
        scenario = load(scenario)
    if seed is not None:
        scenario = scenario.with_overrides([f"run.seed={int(seed)}"])
    raw = _engine.run(scenario._engine, int(threads))
    return join_outcome(root_dataset(raw), outcome_dataset(raw))


def open_run(path: str | os.PathLike) -> xr.Dataset:
    """Read a run file into the shape :func:`run` returns (loaded; the file is closed)."""
    with xr.open_dataset(path, engine="h5netcdf") as root, \
            xr.open_dataset(path, engine="h5netcdf", group="outcome", phony_dims="sort") as outcome:
        root, outcome = root.load(), outcome.load()
    phony = [d for d in outcome.dims if str(d).startswith("phony_dim_")]
    if "spell" not in outcome.dims and len(phony) == 1:  # files without a spell scale: the spells' dimension
        outcome = outcome.rename_dims({phony[0]: "spell"})
    return join_outcome(root, outcome)
