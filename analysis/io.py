"""Reading Polarity files into xarray Datasets: one run (`polarity-run/2`, :func:`open_run`) or a
Monte Carlo study (`polarity-study/2`, :func:`open_study`); :func:`file_kind` tells them apart and
refuses other versions with a message naming the format.

Everything else in the package goes through this module, so the file layouts (docs/output.md)
are known here only. Every scenario value the analysis needs (the declared leader and rival, the
durable-lead window, the powerful-AI threshold, rule titles and reach, arm titles) is read from
the file's attributes and datasets: there is no YAML parsing and no copy of an engine default.

The dataset returned by :func:`open_run` holds

* every root series with named dimensions (``month``, ``bloc``, ``rule``, ...), ``month``
  decoded to ``datetime64`` (first day of each month), the per-rule facts (``rule_title``,
  ``rule_action``, ``rule_reaches``) and the lab and supply facts (``lab_bloc``, ``sku_supplier``, ...);
* the ``/outcome`` group merged in: its datasets as ``outcome_<name>`` (dimensions ``bloc``,
  ``year_end`` or ``spell``) and its attributes as 0-d variables ``outcome_<attribute>``;
* one derived variable, ``outcome_crossing_month`` (``datetime64``, ``NaT`` if never);
* the root attributes (provenance and the resolved question) plus ``source_path``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

#: The file formats this package reads (root attribute `format`).
RUN_FORMAT = "polarity-run/2"
STUDY_FORMAT = "polarity-study/2"

#: Delivery routes, in the engine's order (also the `route` axis of every file).
ROUTES = ("legal", "licensed", "gray", "domestic", "remote")

#: Values of `powerful_ai_holders`: which side of the declared pair is past the threshold.
HOLDERS = ("neither", "leader", "rival", "both")

#: Names of `crossing_delay_censoring` codes (run files also carry the name as an attribute).
CENSORING = ("exact", "at_least", "at_most", "unknown")

#: The series the analysis reads, with their dimensions. tests/python checks that each exists.
SERIES = {
    "powerful_ai_holders": ("month",),
    "leader_frontier_capability": ("month",),
    "rival_frontier_capability": ("month",),
    "rival_lag_months": ("month",),
    "frontier_bloc": ("month",),
    "rule_in_force": ("month", "rule"),
    "remote_access_open": ("month",),
    "remote_access_capacity_units": ("month",),
    "bloc_frontier_capability": ("month", "bloc"),
    "bloc_lag_months": ("month", "bloc"),
    "bloc_effective_compute_share": ("month", "bloc"),
    "bloc_past_threshold": ("month", "bloc"),
    **{f"bloc_delivered_{route}_units": ("month", "bloc") for route in ROUTES},
}

#: Per-rule facts of a run file.
RULE_FACTS = {"rule_title": ("rule",), "rule_action": ("rule",), "rule_reaches": ("rule", "bloc")}

#: Per-lab and supply facts of a run file: where each lab counts, and who makes each SKU.
ENTITY_FACTS = {"lab_nation": ("lab",), "lab_bloc": ("lab",), "lab_frontier": ("lab",),
                "supplier_bloc": ("supplier",), "sku_supplier": ("sku",)}

#: Root attributes of both kinds of file that state the question (the scenario's resolved values).
QUESTION_ATTRIBUTES = ("leader", "rival", "leader_aligned", "rival_aligned", "durable_lead_months",
                       "prehistory_growth_log10_per_year", "powerful_ai_capability")

#: The scenario key that sets the powerful-AI threshold (a study parameter may sample it).
THRESHOLD_PATH = "world.powerful_ai_capability"


def file_kind(path: str | Path) -> str:
    """"run" or "study", from the root attribute `format`.

    Raises FileNotFoundError for a missing file and ValueError for anything else, including a
    Polarity file of another format version (e.g. `polarity-run/1`), named in the message.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        with xr.open_dataset(path, engine="h5netcdf", decode_times=False, phony_dims="sort") as root:
            form = str(root.attrs.get("format", ""))
    except OSError as error:
        raise ValueError(f"{path}: not a readable HDF5 file ({error})") from error
    if form == RUN_FORMAT:
        return "run"
    if form == STUDY_FORMAT:
        return "study"
    for expected in (RUN_FORMAT, STUDY_FORMAT):
        family = expected.split("/")[0] + "/"
        if form.startswith(family):
            raise ValueError(f"{path}: format {form!r} is not supported: this analysis reads {expected!r} "
                             f"(docs/output.md); rerun the engine to write the file again")
    raise ValueError(f"{path}: not a Polarity run or study file (format attribute {form!r})")


def _load_root(path: Path, kind: str) -> xr.Dataset:
    """The root group of a file of the given kind ("run" or "study"), fully loaded."""
    if file_kind(path) != kind:
        other = "study" if kind == "run" else "run"
        raise ValueError(f"{path}: a {other} file, not a {kind} file (use open_{other})")
    with xr.open_dataset(path, engine="h5netcdf") as root:
        return root.load()


def open_run(path: str | Path) -> xr.Dataset:
    """Open one run file fully into memory (the file is closed on return).

    Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    `polarity-run/2` file.
    """
    path = Path(path)
    ds = _load_root(path, "run")
    with xr.open_dataset(path, engine="h5netcdf", group="outcome") as group:
        outcome = group.load()
    ds = _decode_months(ds)
    ds = ds.merge(_outcome_variables(outcome, ds))
    ds.attrs["source_path"] = str(path)
    return ds


def _decode_months(ds: xr.Dataset) -> xr.Dataset:
    """Make sure `month` holds datetime64 values (from its `units` if CF decoding did not)."""
    if np.issubdtype(ds["month"].dtype, np.datetime64):
        return ds
    units = str(ds["month"].attrs.get("units", "days since 2000-01-01"))
    origin = pd.Timestamp(units.split("since", 1)[1].strip())
    days = pd.to_timedelta(ds["month"].values.astype(float), unit="D")
    return ds.assign_coords(month=(origin + days).values)


def _outcome_variables(outcome: xr.Dataset, ds: xr.Dataset) -> xr.Dataset:
    """The `/outcome` group as `outcome_*` variables aligned on the root's `bloc` coordinate."""
    if "bloc" in outcome.dims:
        outcome = outcome.assign_coords(bloc=ds["bloc"].values)
    names = {name: f"outcome_{name}" for name in outcome.data_vars}
    merged = outcome.rename(names)
    merged.attrs = {}
    for key, value in outcome.attrs.items():
        merged[f"outcome_{key}"] = xr.DataArray(value.item() if isinstance(value, np.generic) else value)
    index = merged["outcome_crossing_month_index"].values.astype(int)
    months = ds["month"].values
    crossing = np.array([months[i] if 0 <= i < len(months) else np.datetime64("NaT") for i in index],
                        dtype="datetime64[ns]")
    merged["outcome_crossing_month"] = xr.DataArray(
        crossing, dims=("bloc",), attrs={"long_name": "first month past the powerful-AI threshold (NaT if never); "
                                                      "derived from crossing_month_index"})
    return merged


def month_at(ds: xr.Dataset, index: int) -> pd.Timestamp | None:
    """The month of a month index of the run (None for -1 or out of range)."""
    months = ds["month"].values
    return pd.Timestamp(months[index]) if 0 <= index < len(months) else None


def spells(ds: xr.Dataset) -> pd.DataFrame:
    """The unipolar spells of a run: holder (bloc), start (Timestamp), months, ongoing (bool)."""
    if "outcome_spell_holder" not in ds or ds.sizes.get("spell", 0) == 0:
        return pd.DataFrame({"holder": [], "start": [], "months": [], "ongoing": []})
    return pd.DataFrame({"holder": [str(h) for h in ds["outcome_spell_holder"].values],
                         "start": pd.to_datetime([str(s) for s in ds["outcome_spell_start"].values], format="%Y-%m"),
                         "months": ds["outcome_spell_months"].values.astype(int),
                         "ongoing": ds["outcome_spell_ongoing"].values.astype(bool)})


def rules(ds: xr.Dataset) -> pd.DataFrame:
    """The export rules of a run, one row per rule: name, title, action and, per bloc, whether
    the rule reaches it (columns `reaches_<bloc>`)."""
    names = [str(r) for r in ds["rule"].values] if "rule" in ds.dims else []
    frame = pd.DataFrame({"name": names,
                          "title": [str(t) for t in ds["rule_title"].values] if names else [],
                          "action": [str(a) for a in ds["rule_action"].values] if names else []})
    for b in blocs(ds):
        frame[f"reaches_{b}"] = ds["rule_reaches"].sel(bloc=b).values.astype(bool) if names else []
    return frame


def delivered_by_route(ds: xr.Dataset) -> xr.DataArray:
    """Chips delivered each month, as one array shaped (month, bloc, route)."""
    routes = [str(r) for r in ds["route"].values] if "route" in ds.coords else list(ROUTES)
    arrays = [ds[f"bloc_delivered_{route}_units"] for route in routes]
    out = xr.concat(arrays, dim=pd.Index(routes, name="route"), coords="minimal", compat="override")
    return out.transpose("month", "bloc", "route").rename("bloc_delivered_units")


def run_series_table(ds: xr.Dataset) -> pd.DataFrame:
    """Every monthly per-bloc series of a run in long format: columns month ("YYYY-MM"), bloc,
    series (the variable name) and value; one row per month x bloc x series."""
    names = [v for v in ds.data_vars if ds[v].dims == ("month", "bloc")]
    months = pd.DatetimeIndex(ds["month"].values).strftime("%Y-%m")
    frames = []
    for name in names:
        values = ds[name].values.astype(float)
        frames.append(pd.DataFrame({"month": np.repeat(months, values.shape[1]),
                                    "bloc": np.tile([str(b) for b in ds["bloc"].values], values.shape[0]),
                                    "series": name, "value": values.ravel()}))
    return pd.concat(frames, ignore_index=True)


def run_label(ds: xr.Dataset) -> str:
    """Short label of a run: its scenario name (the file stem when the name is missing)."""
    return str(ds.attrs.get("scenario_name") or Path(str(ds.attrs.get("source_path", "run"))).stem)


def blocs(ds: xr.Dataset) -> list[str]:
    """The bloc names of a run or study, in file order."""
    return [str(b) for b in ds["bloc"].values]


def leader(ds: xr.Dataset) -> str:
    """The declared leader bloc (root attribute `leader`, from the scenario's `question`)."""
    return str(ds.attrs["leader"])


def rival(ds: xr.Dataset) -> str:
    """The declared rival bloc (root attribute `rival`)."""
    return str(ds.attrs["rival"])


# --- study files (polarity-study/2) --------------------------------------------------------

def open_study(path: str | Path) -> xr.Dataset:
    """Open one study file fully into memory (the file is closed on return).

    The dataset has the file's named dimensions (`arm`, `parameter`, `bloc`, `month` as
    datetime64, `percentile`, `outcome_class`, `delay_months` as numbers, `sensitivity_output`,
    `percentile_output`, `year_end`, `run`) and every dataset of the file, plus the attributes
    `source_path` and `threshold_parameter` (the name of the parameter that samples the
    powerful-AI threshold, "" if none).

    Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    `polarity-study/2` file.
    """
    path = Path(path)
    ds = _decode_months(_load_root(path, "study"))
    if "delay_months" in ds.coords:  # stored as labels ("0", "6", ...): numbers are easier to plot
        ds = ds.assign_coords(delay_months=[float(str(k)) for k in ds["delay_months"].values])
    ds.attrs["source_path"] = str(path)
    paths = [str(p) for p in ds["parameter_path"].values] if "parameter_path" in ds else []
    ds.attrs["threshold_parameter"] = next((n for n, p in zip(parameter_names(ds), paths) if p == THRESHOLD_PATH), "")
    return ds


def arm_names(ds: xr.Dataset) -> list[str]:
    """The arms of a study, in file order."""
    return [str(a) for a in ds["arm"].values]


def arm_titles(ds: xr.Dataset) -> dict[str, str]:
    """Readable title of each arm (`arm_title`; the engine writes the name when the study gives none)."""
    return {a: str(t) for a, t in zip(arm_names(ds), ds["arm_title"].values)}


def arm_settings(ds: xr.Dataset) -> dict[str, list[str]]:
    """Each arm's overrides of the base scenario, as "key.path=value" strings (`arm_set`)."""
    return {a: [p for p in str(s).split("; ") if p] for a, s in zip(arm_names(ds), ds["arm_set"].values)}


def class_names(ds: xr.Dataset) -> list[str]:
    """The outcome classes of a study (the `outcome_class` axis; `run_outcome` indexes it)."""
    return [str(s) for s in ds["outcome_class"].values]


def parameter_names(ds: xr.Dataset) -> list[str]:
    """The uncertain parameters of a study, in file order."""
    return [str(p) for p in ds["parameter"].values] if "parameter" in ds.dims else []


def study_label(ds: xr.Dataset) -> str:
    """Short label of a study: its name (the file stem when the name is missing)."""
    return str(ds.attrs.get("study_name") or Path(str(ds.attrs.get("source_path", "study"))).stem)


def study_run_table(ds: xr.Dataset) -> pd.DataFrame:
    """The per-run table of a study as a DataFrame, one row per run, built from the file's
    `run_*` datasets (so every per-run output the engine writes is a column).

    Columns: run, arm (name), sample, one column per parameter (its name; prefixed `parameter_`
    if the name is taken), then every per-run output in file order without its `run_` prefix:
    `outcome` as the class name, `crossing_delay_censoring` as its name, month indices
    (`*_crossing_month`) as "YYYY-MM" ("" if never), per-bloc outputs as `<output>_<bloc>`
    (`crossing_month_<bloc>` for the crossing month) and per-December outputs as
    `<output>_<YYYY-MM>`.
    """
    labels = np.array(list(pd.DatetimeIndex(ds["month"].values).strftime("%Y-%m")) + [""], dtype=object)

    def month_labels(index: np.ndarray) -> np.ndarray:
        index = np.where((index >= 0) & (index < ds.sizes["month"]), index, -1)
        return labels[index]  # -1 picks the "" at the end

    columns: dict[str, object] = {"run": ds["run"].values.astype(np.int64),
                                  "arm": np.array([str(a) for a in ds["run_arm_name"].values], dtype=object),
                                  "sample": ds["run_sample"].values.astype(np.int64)}
    outputs = [v for v in ds.data_vars if v.startswith("run_") and v not in
               ("run_arm", "run_arm_name", "run_sample", "run_parameters", "run_outcome_name")]
    taken = set(columns) | {v[4:] for v in outputs}
    for i, name in enumerate(parameter_names(ds)):
        columns[f"parameter_{name}" if name in taken else name] = ds["run_parameters"].values[:, i].astype(float)
    for variable in outputs:
        name, values = variable[4:], ds[variable].values
        dims = ds[variable].dims
        if name == "outcome":
            columns[name] = np.array([str(v) for v in ds["run_outcome_name"].values], dtype=object)
        elif name == "crossing_delay_censoring":
            columns[name] = np.array(CENSORING, dtype=object)[values.astype(int)]
        elif dims == ("run",):
            columns[name] = month_labels(values.astype(int)) if name.endswith("_crossing_month") else values
        elif dims == ("run", "bloc"):
            for j, b in enumerate(blocs(ds)):
                if name == "crossing_month_index":
                    columns[f"crossing_month_{b}"] = month_labels(values[:, j].astype(int))
                else:
                    columns[f"{name}_{b}"] = values[:, j]
        elif len(dims) == 2:
            for j, label in enumerate(ds[dims[1]].values):
                columns[f"{name}_{label}"] = values[:, j]
    return pd.DataFrame(columns)
