"""The Python module against the command line: a run equals its HDF5 file, a study's table and
summary equal the CLI's study file, errors carry their location, the EMA callable runs the
scenario it is given."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from module_support import ROOT, SMALL_STUDY, cli, polarity


@pytest.fixture(autouse=True)
def at_root(monkeypatch):
    """Paths as the command line is given them, so provenance attributes agree."""
    monkeypatch.chdir(ROOT)


def _outcome_group(path) -> xr.Dataset:
    """/outcome as xarray opens it, with the root's bloc coordinate attached."""
    with xr.open_dataset(path, engine="h5netcdf") as root, \
            xr.open_dataset(path, engine="h5netcdf", group="outcome", phony_dims="sort") as group:
        group = group.load().assign_coords(bloc=root["bloc"].load())
    phony = [d for d in group.dims if str(d).startswith("phony_dim_")]
    if "spell" not in group.dims and len(phony) == 1:  # files written before the spell scale
        group = group.rename_dims({phony[0]: "spell"})
    return group


RUN_CASES = [
    ("scenarios/baseline.yaml", {}, 7),
    ("scenarios/counterfactual/strict_enforced.yaml", {"policy.enforcement_scale": 1.5, "market.gray_premium": 0.25},
     None),
]


@pytest.mark.parametrize("path,overrides,seed", RUN_CASES)
def test_run_equals_the_run_file(tmp_path, path, overrides, seed):
    out = tmp_path / "run.h5"
    args = ["run", path, "-o", str(out), "-q"] + [f"--set={k}={v}" for k, v in overrides.items()]
    cli(*args, *(["--seed", str(seed)] if seed is not None else []))
    ds = polarity.run(polarity.load(path, set=overrides), seed=seed, threads=1)

    with xr.open_dataset(out, engine="h5netcdf") as file:
        root = file.load()
    # The root: every variable, coordinate, dimension, date and attribute, identical.
    xr.testing.assert_identical(ds.drop_vars([v for v in ds.variables if v not in root.variables]), root)
    assert ds["month"].dtype.kind == "M" and str(ds["month"].values[0])[:7] == root.attrs["start"]

    # The outcome group: each dataset as outcome_<name>, each attribute as a 0-d outcome_<name>.
    group = _outcome_group(out)
    for name, variable in group.data_vars.items():
        xr.testing.assert_identical(ds[f"outcome_{name}"].reset_coords(drop=True).variable, variable.variable)
    for name in group.coords:
        xr.testing.assert_identical(ds[name].variable, group[name].variable)
    for key, value in group.attrs.items():
        mine = ds[f"outcome_{key}"].values
        assert mine.dtype == np.asarray(value).dtype, key
        np.testing.assert_array_equal(mine, value, err_msg=key)
    extra = {v for v in ds.variables if v not in root.variables} - {f"outcome_{n}" for n in group.data_vars}
    extra -= {f"outcome_{k}" for k in group.attrs} | set(group.coords)
    assert extra <= {"spell"}, extra  # the spell coordinate, which files before the spell scale lack

    # Reading the file gives the same Dataset.
    xr.testing.assert_identical(polarity.open_run(out), ds.drop_vars(extra))


def test_run_does_not_depend_on_threads():
    one = polarity.run("scenarios/baseline.yaml", threads=1)
    two = polarity.run("scenarios/baseline.yaml", threads=2)
    xr.testing.assert_identical(one, two)


def _same(a, b, what):
    np.testing.assert_array_equal(np.asarray(a), np.asarray(b), err_msg=what)


def test_study_equals_the_cli_study_file(tmp_path):
    out = tmp_path / "small.h5"
    printed = cli("study", SMALL_STUDY, "-o", str(out), "--threads", "2", "-q", "--runs", "16").stdout
    result = polarity.study(SMALL_STUDY, runs=16, threads=1)
    with xr.open_dataset(out, engine="h5netcdf") as f:
        file = f.load()
    t = result.table
    arms = [str(a) for a in file["arm"].values]
    blocs = [str(b) for b in file["bloc"].values]
    assert len(t) == file.sizes["run"] == 32 and list(t.index) == list(file["run"].values)

    # The table, column by column, against the file's run_* datasets.
    _same(t["arm"].astype(str), np.array(arms)[file["run_arm"].values], "arm")
    _same(t["sample"], file["run_sample"], "sample")
    for j, name in enumerate(str(p) for p in file["parameter"].values):
        _same(t[name], file["run_parameters"].values[:, j], name)
    _same(t["outcome"].cat.codes, file["run_outcome"], "outcome")
    assert list(t["outcome"].cat.categories) == ["none", "unipolar", "bipolar", "rival_first", "open"]
    _same(t["unipolar"], file["run_unipolar"].values == 1, "unipolar")
    censored = file["run_crossing_delay_censoring"].values != 0
    _same(t["crossing_delay_censored"], censored, "censored")
    _same(t["crossing_delay_months"], np.where(censored, np.nan, file["run_crossing_delay_months"]), "delay")
    _same(t["crossing_delay_bound_months"], file["run_crossing_delay_months"], "delay bound")
    _same(t["crossing_delay_censoring"].cat.codes, file["run_crossing_delay_censoring"], "censoring")
    months = np.asarray(file["month"].values)

    def month_index(column):
        dates = t[column].values
        return np.array([-1 if np.isnat(d) else int(np.flatnonzero(months == d)[0]) for d in dates])

    for name in ("leader_crossing_month", "rival_crossing_month"):
        _same(month_index(name), file[f"run_{name}"], name)
    for k, bloc in enumerate(blocs):
        _same(month_index(f"crossing_month_{bloc}"), file["run_crossing_month_index"].values[:, k], bloc)
        for name in ("final_capability", "final_lag_months", "final_compute_share"):
            _same(t[f"{name}_{bloc}"], file[f"run_{name}"].values[:, k], f"{name} {bloc}")
    for name in ("leader_unipolar_months", "rival_unipolar_months", "rival_lag_months", "compute_ratio_h100e",
                 "chip_ratio", "effective_compute_ratio", "rival_compute_share"):
        _same(t[name], file[f"run_{name}"], name)
    for k, label in enumerate(str(y) for y in file["year_end"].values):
        _same(t[f"rival_lag_year_end_months_{label}"], file["run_rival_lag_year_end_months"].values[:, k], label)

    # The summary, dataset by dataset, bit for bit; and the printed summary.
    assert result.summary.data_vars
    for name, variable in result.summary.data_vars.items():
        assert variable.dims == file[name].dims, name
        _same(variable.values, file[name].values, name)
    _same(result.summary["arm"], file["arm"], "arms")
    assert result.report and result.report in printed


def test_study_overrides_apply_to_every_arm():
    base = polarity.study(SMALL_STUDY, runs=4, threads=1)
    changed = polarity.study(SMALL_STUDY, runs=4, threads=1, set={"world.depreciation_per_year": 0.3})
    assert not np.array_equal(base.table["final_capability_" + base.summary["bloc"].values[0]],
                              changed.table["final_capability_" + base.summary["bloc"].values[0]])


def _cli_error(*args) -> str:
    import subprocess
    from module_support import CLI
    done = subprocess.run([str(CLI), *args], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2
    return done.stderr.strip().removeprefix("error: ")


@pytest.mark.parametrize("path", ["tests/data/bad/bad_ref_lab_nation.yaml", "tests/data/bad/bad_horizon.yaml"])
def test_scenario_errors_carry_file_line_column_and_key_path(path):
    with pytest.raises(polarity.ConfigError) as caught:
        polarity.load(path)
    e = caught.value
    assert isinstance(e, polarity.Error) and isinstance(e, Exception)
    assert e.file == path and e.line > 0 and e.column > 0 and e.key_path
    assert str(e) == f"{e.file}:{e.line}:{e.column}: {e.key_path}: {e.message}" == _cli_error("validate", path)


def test_override_and_study_errors_carry_locations():
    with pytest.raises(polarity.ConfigError) as caught:
        polarity.load("scenarios/baseline.yaml", set={"policy.enforcement_scale": -1})
    assert caught.value.file.startswith("--set policy.enforcement_scale=") and caught.value.key_path == \
        "policy.enforcement_scale"
    with pytest.raises(polarity.ConfigError) as caught:
        polarity.study("tests/data/studies/bad/unknown_key.yaml", runs=2)
    e = caught.value
    assert e.file.endswith("unknown_key.yaml") and e.line > 0 and e.column > 0
    assert str(e) == _cli_error("study", "tests/data/studies/bad/unknown_key.yaml", "-o", "/nonexistent/x.h5")


def test_ema_model_takes_keyword_uncertainties_and_returns_the_outcomes():
    f = polarity.ema_model("scenarios/baseline.yaml", names={"enforcement": "policy.enforcement_scale"},
                           set={"run.horizon_months": 60})
    got = f(enforcement=1.5, market__gray_premium=0.3, seed=3)
    ds = polarity.run(polarity.load("scenarios/baseline.yaml", set={"run.horizon_months": 60,
                                                                   "policy.enforcement_scale": 1.5,
                                                                   "market.gray_premium": 0.3}), seed=3)
    assert got["unipolar"] == ds["outcome_unipolar"].item()
    assert got["rival_lag_months"] == ds["outcome_rival_lag_months"].item()
    assert got["outcome"] == ds["outcome_outcome"].item()
    assert got != f(enforcement=0.5, market__gray_premium=0.3, seed=3)
    assert set(polarity.ema_model("scenarios/baseline.yaml", outcomes=["unipolar"])()) == {"unipolar"}
