"""Reading Polarity files into xarray Datasets: one run (`polarity-run/1`, :func:`open_run`) or a
Monte Carlo study (`polarity-study/1`, :func:`open_study`); :func:`file_kind` tells them apart.

Everything else in the package goes through this module, so the file layouts
(docs/output.md) are known here only.

The dataset returned by :func:`open_run` holds

* every root series with named dimensions (``month``, ``bloc``, ``lab``, ``sku``, ...),
  ``month`` decoded to ``datetime64`` (first day of each month);
* the ``/outcome`` group merged in: its datasets as ``outcome_<name>`` (dimension ``bloc``,
  with the bloc labels attached) and its attributes as 0-d variables ``outcome_<attribute>``;
* one derived variable, ``outcome_crossing_month`` (``datetime64``, ``NaT`` if never);
* the root attributes (provenance) plus ``source_path`` and ``powerful_ai_capability``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import xarray as xr

try:  # Debian: python3-yaml. Without it only the threshold is read (see scenario_config).
    import yaml
except ImportError:  # pragma: no cover - depends on the machine
    yaml = None

#: Threshold used by the engine when the scenario does not set `world.powerful_ai_capability`.
DEFAULT_POWERFUL_AI_CAPABILITY = 28.5
#: Settling window used by the engine when the scenario does not set `run.settling_window_months`.
DEFAULT_SETTLING_WINDOW_MONTHS = 12

#: Names of the values of `polarity_state` (the index is the number of blocs past the threshold, capped at 3).
STATE_NAMES = ("none", "unipolar", "bipolar", "multipolar")

#: Delivery routes, in the engine's order (also the `route` axis of every file).
ROUTES = ("legal", "licensed", "gray", "domestic", "remote")

#: The series the analysis reads, with their dimensions. tests/python checks that each exists.
SERIES = {
    "polarity_state": ("month",),
    "leader_bloc": ("month",),
    "effective_poles": ("month",),
    "gray_enforcement": ("month",),
    "bloc_frontier_capability": ("month", "bloc"),
    "bloc_lag_months": ("month", "bloc"),
    "bloc_compute_h100e": ("month", "bloc"),
    "bloc_effective_compute_share": ("month", "bloc"),
    "bloc_past_threshold": ("month", "bloc"),
    **{f"bloc_delivered_{route}_units": ("month", "bloc") for route in ROUTES},
}

#: Datasets of the `/outcome` group (each shaped `[bloc]`) and its attributes.
OUTCOME_DATASETS = ("crossing_month_index", "crossing_date", "final_capability",
                    "final_lag_months", "final_compute_share")
OUTCOME_ATTRIBUTES = ("state", "final_state", "unipolar_window_months", "leader")


def open_run(path: str | Path) -> xr.Dataset:
    """Open one run file fully into memory (the file is closed on return).

    Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    `polarity-run/*` file.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such run file: {path}")
    try:
        with xr.open_dataset(path, engine="h5netcdf") as root:
            ds = root.load()
    except OSError as error:
        raise ValueError(f"{path}: not a readable HDF5 run file ({error})") from error
    if not str(ds.attrs.get("format", "")).startswith("polarity-run/"):
        raise ValueError(f"{path}: not a Polarity run file (format attribute {ds.attrs.get('format')!r})")
    with xr.open_dataset(path, engine="h5netcdf", group="outcome") as group:
        outcome = group.load()

    ds = _decode_months(ds)
    ds = ds.merge(_outcome_variables(outcome, ds))
    ds.attrs["source_path"] = str(path)
    ds.attrs["powerful_ai_capability"] = float(
        scenario_config(ds).get("world", {}).get("powerful_ai_capability", DEFAULT_POWERFUL_AI_CAPABILITY))
    return ds


def _decode_months(ds: xr.Dataset) -> xr.Dataset:
    """Make sure `month` holds datetime64 values (from `month_label` if CF decoding did not)."""
    if np.issubdtype(ds["month"].dtype, np.datetime64):
        return ds
    labels = [str(v) for v in ds["month_label"].values]
    return ds.assign_coords(month=pd.to_datetime(labels, format="%Y-%m").values)


def _outcome_variables(outcome: xr.Dataset, ds: xr.Dataset) -> xr.Dataset:
    """The `/outcome` group as `outcome_*` variables aligned on the root's `bloc` coordinate."""
    if "bloc" in outcome.dims:
        outcome = outcome.assign_coords(bloc=ds["bloc"].values)
    merged = outcome.rename({name: f"outcome_{name}" for name in outcome.data_vars})
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


def scenario_config(ds: xr.Dataset) -> dict:
    """The scenario file stored in the run (`/scenario_yaml`), parsed.

    With python3-yaml the whole document is returned. Without it, only the keys the figures
    need are recovered: `name`, `description` and `world.powerful_ai_capability`.
    """
    text = str(ds["scenario_yaml"].values.item()) if "scenario_yaml" in ds else ""
    if yaml is not None:
        parsed = yaml.safe_load(text) if text else None
        return parsed if isinstance(parsed, dict) else {}
    config: dict = {}
    match = re.search(r"^world:\s*\n(?:[ \t]+.*\n|\s*\n)*?[ \t]+powerful_ai_capability:\s*([-+0-9.eE]+)", text, re.M)
    if match:
        config["world"] = {"powerful_ai_capability": float(match.group(1))}
    for key in ("name", "description"):
        found = re.search(rf"^{key}:[ \t]*(.*)\n((?:[ \t]+.*\n?)*)", text, re.M)
        if found:
            value = found.group(1).split(" #")[0].strip()
            if value[:1] in ("", ">", "|"):  # block scalar: the indented lines that follow
                value = " ".join(line.strip() for line in found.group(2).splitlines() if line.strip())
            config[key] = value.strip("'\"")
    return config


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
    """The bloc names of a run, in file order."""
    return [str(b) for b in ds["bloc"].values]


# --- study files (polarity-study/1) --------------------------------------------------------

RUN_FORMAT = "polarity-run/"
STUDY_FORMAT = "polarity-study/"

#: Settled outcomes of a study run: the values of `state` (`run_outcome` indexes into it).
STUDY_STATES = ("none", "unipolar", "bipolar", "multipolar", "unsettled")

#: The scenario key that sets the powerful-AI threshold (a study parameter may set it too).
THRESHOLD_PATH = "world.powerful_ai_capability"

#: Sensitivity outputs of a study, as named in its `output` axis, with readable names.
STUDY_OUTPUTS = {"p_unipolar": "P(unipolar)", "rival_lag_months": "rival's lag (months)",
                 "unipolar_window_months": "unipolar window (months)"}


def file_kind(path: str | Path) -> str:
    """"run" or "study", from the root attribute `format`.

    Raises FileNotFoundError for a missing file and ValueError for anything else.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no such file: {path}")
    try:
        with xr.open_dataset(path, engine="h5netcdf", decode_times=False) as root:
            form = str(root.attrs.get("format", ""))
    except OSError as error:
        raise ValueError(f"{path}: not a readable HDF5 file ({error})") from error
    if form.startswith(RUN_FORMAT):
        return "run"
    if form.startswith(STUDY_FORMAT):
        return "study"
    raise ValueError(f"{path}: not a Polarity run or study file (format attribute {form!r})")


def open_study(path: str | Path) -> xr.Dataset:
    """Open one study file fully into memory (the file is closed on return).

    The dataset has the file's named dimensions (`arm`, `parameter`, `bloc`, `month` as
    datetime64, `percentile`, `state`, `output`, `run`) and every dataset of the file, plus

    * `powerful_ai_capability` [arm]: the threshold of each arm's resolved scenario;
    * attributes `source_path`, `description` (from the study YAML) and `threshold_parameter`
      (the name of the parameter that samples the threshold, "" if none).

    Raises FileNotFoundError for a missing file and ValueError for a file that is not a
    `polarity-study/*` file.
    """
    path = Path(path)
    if file_kind(path) != "study":
        raise ValueError(f"{path}: a run file, not a study file (use open_run)")
    with xr.open_dataset(path, engine="h5netcdf") as root:
        ds = root.load()
    ds = _decode_study_months(ds)
    ds.attrs["source_path"] = str(path)
    ds.attrs["description"] = " ".join(str(study_config(ds).get("description", "") or "").split())
    thresholds = [float(_get_path(arm_config(ds, a), THRESHOLD_PATH, DEFAULT_POWERFUL_AI_CAPABILITY))
                  for a in arm_names(ds)]
    ds["powerful_ai_capability"] = xr.DataArray(
        thresholds, dims=("arm",), attrs={"long_name": "powerful-AI threshold of each arm's scenario "
                                                       "(a parameter may sample it instead)",
                                          "units": "log10 FLOP"})
    paths = [str(p) for p in ds["parameter_path"].values] if "parameter_path" in ds else []
    names = parameter_names(ds)
    ds.attrs["threshold_parameter"] = next((n for n, p in zip(names, paths) if p == THRESHOLD_PATH), "")
    return ds


def _decode_study_months(ds: xr.Dataset) -> xr.Dataset:
    """`month` as datetime64 (CF decoding normally does it; else from its `units`)."""
    if np.issubdtype(ds["month"].dtype, np.datetime64):
        return ds
    units = str(ds["month"].attrs.get("units", "days since 2000-01-01"))
    origin = pd.Timestamp(units.split("since", 1)[1].strip())
    days = pd.to_timedelta(ds["month"].values.astype(float), unit="D")
    return ds.assign_coords(month=(origin + days).values)


def _parse_yaml(text: str) -> dict:
    if yaml is None or not text:
        return {}
    parsed = yaml.safe_load(text)
    return parsed if isinstance(parsed, dict) else {}


def _get_path(config: dict, key_path: str, default=None):
    """A value of a nested scenario dict by dotted key path (lists by entry `name` or index)."""
    node = config
    for key in key_path.split("."):
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list):
            match = [e for e in node if isinstance(e, dict) and str(e.get("name")) == key]
            if match:
                node = match[0]
            elif key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return default
        else:
            return default
    return node


def study_config(ds: xr.Dataset) -> dict:
    """The study file stored in a study (`study_yaml`), parsed ({} without python3-yaml)."""
    return _parse_yaml(str(ds["study_yaml"].values.item()) if "study_yaml" in ds else "")


def arm_config(ds: xr.Dataset, arm: str) -> dict:
    """One arm's fully resolved scenario (`scenario_yaml[arm]`), parsed."""
    if "scenario_yaml" not in ds:
        return {}
    text = str(ds["scenario_yaml"].sel(arm=arm).values.item())
    if yaml is None:  # the threshold at least, as for run files
        return scenario_config(xr.Dataset({"scenario_yaml": ((), text)}))
    return _parse_yaml(text)


def arm_names(ds: xr.Dataset) -> list[str]:
    """The arms of a study, in file order."""
    return [str(a) for a in ds["arm"].values]


def parameter_names(ds: xr.Dataset) -> list[str]:
    """The uncertain parameters of a study, in file order."""
    return [str(p) for p in ds["parameter"].values] if "parameter" in ds.dims else []


def study_label(ds: xr.Dataset) -> str:
    """Short label of a study: its name (the file stem when the name is missing)."""
    return str(ds.attrs.get("study_name") or Path(str(ds.attrs.get("source_path", "study"))).stem)


def rival_bloc(ds: xr.Dataset) -> str:
    """The bloc whose lag the study reports."""
    return str(ds.attrs.get("rival_bloc", "china"))


def study_state_names(ds: xr.Dataset) -> list[str]:
    """The values of the study's `state` axis (what `run_outcome` indexes)."""
    return [str(s) for s in ds["state"].values] if "state" in ds.dims else list(STUDY_STATES)


def study_run_table(ds: xr.Dataset) -> pd.DataFrame:
    """The per-run table of a study as a DataFrame, one row per run.

    Columns: run, arm (name), sample, one column per parameter (its name; prefixed `parameter_`
    if the name is one of the other columns), outcome and final_state (state names),
    unipolar_window_months, then per bloc crossing_month_<bloc> ("YYYY-MM", empty if never),
    final_lag_months_<bloc>, final_capability_<bloc>, final_compute_share_<bloc>.
    """
    arms = np.array(arm_names(ds), dtype=object)
    states = np.array(study_state_names(ds), dtype=object)
    blocs_ = [str(b) for b in ds["bloc"].values]
    fixed = ["run", "arm", "sample", "outcome", "final_state", "unipolar_window_months"]
    fixed += [f"{field}_{b}" for field in ("crossing_month", "final_lag_months", "final_capability",
                                           "final_compute_share") for b in blocs_]
    columns: dict[str, object] = {
        "run": ds["run"].values.astype(np.int64),
        "arm": arms[ds["run_arm"].values.astype(int)],
        "sample": ds["run_sample"].values.astype(np.int64),
    }
    for i, name in enumerate(parameter_names(ds)):
        columns[f"parameter_{name}" if name in fixed else name] = ds["run_parameters"].values[:, i].astype(float)
    columns["outcome"] = states[ds["run_outcome"].values.astype(int)]
    columns["final_state"] = states[ds["run_final_state"].values.astype(int)]
    columns["unipolar_window_months"] = ds["run_unipolar_window_months"].values.astype(np.int64)
    labels = np.array(list(pd.DatetimeIndex(ds["month"].values).strftime("%Y-%m")) + [""], dtype=object)
    crossing = ds["run_crossing_month"].values.astype(int)
    crossing = np.where((crossing >= 0) & (crossing < ds.sizes["month"]), crossing, -1)
    for j, b in enumerate(blocs_):
        columns[f"crossing_month_{b}"] = labels[crossing[:, j]]  # index -1 is the "" at the end
    for field in ("final_lag_months", "final_capability", "final_compute_share"):
        values = ds[f"run_{field}"].values.astype(float)
        for j, b in enumerate(blocs_):
            columns[f"{field}_{b}"] = values[:, j]
    return pd.DataFrame(columns)
