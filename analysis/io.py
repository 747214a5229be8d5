"""Reading one Polarity run (a `polarity-run/1` HDF5 file) into an xarray Dataset.

Everything else in the package goes through :func:`open_run`, so the file layout
(docs/output.md) is known in this module only.

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


def run_label(ds: xr.Dataset) -> str:
    """Short label of a run: its scenario name (the file stem when the name is missing)."""
    return str(ds.attrs.get("scenario_name") or Path(str(ds.attrs.get("source_path", "run"))).stem)


def blocs(ds: xr.Dataset) -> list[str]:
    """The bloc names of a run, in file order."""
    return [str(b) for b in ds["bloc"].values]
