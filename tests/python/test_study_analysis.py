"""Ecosystem test for study files: `polarity study` output as the Python side sees it.

Runs two small studies with the engine (POLARITY_CLI, default build/release/polarity) into a
temporary folder: tests/data/studies/small.yaml with `--runs 8` (two arms, Latin hypercube, PRCC)
and a two-parameter Saltelli study of the baseline written here (one arm, Sobol indices). Then
checks that xarray opens them with named dimensions and real dates, that `report` writes a study
report, that `table` prints one CSV row per run whose outcomes reproduce the file's
outcome_probability, that `compare` compares studies and refuses to mix runs and studies, and the
statistics behind the text (paired comparison, binned map). Run with Debian's interpreter:
/usr/bin/python3 -m pytest -q tests/python
"""

from __future__ import annotations

import io as stdio
import os
import subprocess
import sys
from pathlib import Path

import re

import h5py
import numpy as np
import pandas as pd
import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

from analysis import io, report, study  # noqa: E402
from analysis.__main__ import main as analysis_main  # noqa: E402

CLI = Path(os.environ.get("POLARITY_CLI", ROOT / "build" / "release" / "polarity"))
SMALL = ROOT / "tests" / "data" / "studies" / "small.yaml"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DIMS = ("arm", "percentile", "month", "bloc", "parameter", "run", "outcome_class", "delay_months")
CLASSES = ["none", "unipolar", "bipolar", "rival_first", "open"]

# The baseline over 2023-2027 under two uncertain parameters, Saltelli design: 16 base samples x
# (2 + 2) = 64 runs, about a second. Unlike the minimal scenario, some runs settle unipolar.
SALTELLI = f"""\
schema_version: 1
name: two_parameters
description: Does a unipolar world depend more on diffusion or on the powerful-AI threshold?
scenario: {ROOT / "scenarios" / "baseline.yaml"}
set: {{run.horizon_months: 60}}
seed: 3
runs: 16
sampler: saltelli
arms:
  - {{name: base_case, title: "The baseline as it is"}}
parameters:
  - {{name: diffusion, path: algorithms.diffusion_per_month, uniform: [0.02, 0.15]}}
  - {{name: threshold, path: world.powerful_ai_capability, uniform: [29.0, 31.0]}}
"""

pytestmark = pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")


def _engine(*args: str) -> None:
    done = subprocess.run([str(CLI), *args], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"{CLI} {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"


@pytest.fixture(scope="session")
def studies(tmp_path_factory) -> dict[str, Path]:
    """The two studies, run by the engine into a temporary folder."""
    if not CLI.is_file():
        pytest.fail(f"engine binary not found at {CLI}: build it or set POLARITY_CLI")
    folder = tmp_path_factory.mktemp("studies")
    small = folder / "small.h5"
    _engine("study", str(SMALL), "--runs", "8", "-o", str(small), "--force", "--quiet")
    spec = folder / "two_parameters.yaml"
    spec.write_text(SALTELLI, encoding="utf-8")
    saltelli = folder / "two_parameters.h5"
    _engine("study", str(spec), "-o", str(saltelli), "--force", "--quiet")
    return {"small": small, "saltelli": saltelli}


@pytest.fixture(scope="session")
def run_file(tmp_path_factory) -> Path:
    """One ordinary run file (for `table` on runs and for mixing kinds in `compare`)."""
    path = tmp_path_factory.mktemp("run") / "minimal.h5"
    _engine("run", str(ROOT / "tests" / "data" / "minimal.yaml"), "-o", str(path), "--force")
    return path


def cli(*args: str) -> subprocess.CompletedProcess:
    """`python3 -m analysis ...` with this interpreter, from the repository root."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.parametrize("name", ["small", "saltelli"])
def test_xarray_opens_a_study_with_named_dims_and_dates(studies, name):
    with xr.open_dataset(studies[name], engine="h5netcdf") as ds:
        assert ds.attrs["format"] == io.STUDY_FORMAT
        for dim in DIMS:
            assert dim in ds.dims and ds.sizes[dim] > 0, dim
        assert np.issubdtype(ds["month"].dtype, np.datetime64)
        assert (ds["month"].to_index().day == 1).all()
        assert ds["band_rival_lag_months"].dims == ("arm", "percentile", "month")
        assert ds["run_parameters"].dims == ("run", "parameter")
        assert list(ds["percentile"].values) == [5, 25, 50, 75, 95]
        assert [str(s) for s in ds["outcome_class"].values] == CLASSES
        for attribute in io.QUESTION_ATTRIBUTES:
            assert attribute in ds.attrs and f"arm_{attribute}" in ds, attribute
    ds = io.open_study(studies[name])
    assert io.file_kind(studies[name]) == "study"
    assert np.issubdtype(ds["month"].dtype, np.datetime64)
    assert ds.attrs["threshold_parameter"] == "threshold"  # both studies sample world.powerful_ai_capability
    assert ds.sizes["run"] == int(ds.attrs["runs"])


def test_documented_study_layout_exists(studies):
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8").split("# Study files", 1)[1]
    names = set(re.findall(r"^\|\s*`([a-z0-9_<>]+)`", text, flags=re.M))
    present = set()
    for path in studies.values():  # PRCC and Sobol studies between them write every dataset
        with xr.open_dataset(path, engine="h5netcdf") as ds:
            present |= set(ds.variables) | set(ds.attrs)
    if True:
        for name in names - {n for n in names if "<" in n}:
            assert name in present, f"docs/output.md documents {name}, the file lacks it"
        for name in present - {"run_parameters"}:
            documented = name in names or any(re.fullmatch(n.replace("<output>", ".+").replace("<series>", ".+")
                                                           .replace("<attribute>", ".+"), name) for n in names if "<" in n)
            assert documented, f"{name} is in the study file but not in docs/output.md"


def test_study_report_writes_the_page_and_figures(studies, tmp_path):
    done = cli("report", str(studies["small"]), "-o", str(tmp_path / "small"), "--reference", "strong")
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "small"
    page = (folder / "index.html").read_text(encoding="utf-8")
    markdown = (folder / "report.md").read_text(encoding="utf-8")
    specs = report.study_figure_specs(io.open_study(studies["small"]))
    pngs = [spec[1] for spec in specs]
    assert {"study_outcomes.png", "study_differences.png", "study_delay_survival.png", "study_rival_lag.png",
            "study_unipolar_map.png", "study_sensitivity_unipolar.png",
            "study_sensitivity_crossing_delay_months.png"} <= set(pngs)
    for png in pngs:
        data = (folder / png).read_bytes()
        assert len(data) > 10_000 and data.startswith(PNG_MAGIC), png
        assert f'src="{png}"' in page and f"({png})" in markdown
    for text in ("Polarity study: small", "How likely is each outcome?", "weak", "strong", "P(rival_first)",
                 "P(open)", "against strong", "Kaplan-Meier", "What decides the outcome?", "two uncertain parameters",
                 "The crossing delay"):
        assert text in page, text
    assert cli("report", str(studies["small"]), "-o", str(tmp_path / "x"), "--reference", "nope").returncode == 1


def test_saltelli_study_report_has_sobol_indices_titles_and_the_map(studies, tmp_path):
    index = report.write_report(studies["saltelli"], tmp_path / "saltelli")
    page = index.read_text(encoding="utf-8")
    for text in ("Does a unipolar world depend more on diffusion", "total order", "first order",
                 "P(unipolar) over diffusion and threshold", "a Saltelli design", "The baseline as it is"):
        assert text in page, text
    assert (index.parent / "study_unipolar_map.png").read_bytes().startswith(PNG_MAGIC)
    assert not (index.parent / "study_differences.png").exists()  # one arm: nothing to compare


def _table(path: Path) -> pd.DataFrame:
    done = cli("table", str(path))
    assert done.returncode == 0, done.stderr
    return pd.read_csv(stdio.StringIO(done.stdout), keep_default_na=False, na_values=[""], float_precision="round_trip")


@pytest.mark.parametrize("name", ["small", "saltelli"])
def test_table_has_one_row_per_run_and_reproduces_the_probabilities(studies, name):
    ds = io.open_study(studies[name])
    frame = _table(studies[name])
    blocs = io.blocs(ds)
    assert list(frame.columns[:3]) == ["run", "arm", "sample"]
    assert list(frame.columns[3:3 + len(io.parameter_names(ds))]) == io.parameter_names(ds)
    for column in ["outcome", "crossing_delay_months", "crossing_delay_censoring", "leader_crossing_month",
                   "rival_lag_months"] + [f"crossing_month_{b}" for b in blocs] + [f"final_lag_months_{b}" for b in blocs]:
        assert column in frame.columns, column
    assert len(frame) == ds.sizes["run"]
    assert list(frame["run"]) == list(range(ds.sizes["run"]))
    assert set(frame["arm"]) == set(io.arm_names(ds))
    assert set(frame["outcome"]) <= set(CLASSES)
    assert set(frame["crossing_delay_censoring"]) <= set(io.CENSORING)
    for arm in io.arm_names(ds):
        mine = frame[frame["arm"] == arm]
        shares = mine["outcome"].value_counts(normalize=True).reindex(CLASSES, fill_value=0.0)
        np.testing.assert_allclose(shares.values, ds["outcome_probability"].sel(arm=arm).values, rtol=0, atol=1e-12)
    np.testing.assert_allclose(frame[io.parameter_names(ds)].to_numpy(), ds["run_parameters"].values, rtol=1e-15)
    labels = set(pd.DatetimeIndex(ds["month"].values).strftime("%Y-%m"))
    for b in blocs:
        assert set(frame[f"crossing_month_{b}"].dropna().astype(str)) <= labels
    leader = io.blocs(ds).index(io.leader(ds))
    crossed = ds["run_crossing_month_index"].values[:, leader] >= 0
    assert (frame["leader_crossing_month"].notna().to_numpy() == crossed).all()


def test_table_to_a_file_and_of_a_run_file(studies, run_file, tmp_path):
    out = tmp_path / "runs.csv"
    assert analysis_main(["table", str(studies["small"]), "-o", str(out)]) == 0
    assert len(pd.read_csv(out)) == io.open_study(studies["small"]).sizes["run"]
    long = _table(run_file)
    ds = io.open_run(run_file)
    assert list(long.columns) == ["month", "bloc", "series", "value"]
    series = [v for v in ds.data_vars if ds[v].dims == ("month", "bloc")]
    assert set(long["series"]) == set(series) and "bloc_frontier_capability" in series
    assert len(long) == ds.sizes["month"] * ds.sizes["bloc"] * len(series)
    first = long[(long.series == "bloc_frontier_capability") & (long.bloc == "china")].iloc[0]
    assert first["month"] == ds.attrs["start"]
    assert first["value"] == pytest.approx(float(ds["bloc_frontier_capability"].sel(bloc="china").isel(month=0)))


def test_compare_studies_and_refuse_mixed_kinds(studies, run_file, tmp_path, capsys):
    index = report.write_compare([studies["small"], studies["saltelli"]], tmp_path / "compare")
    page = index.read_text(encoding="utf-8")
    assert "small" in page and "two_parameters" in page and "P(unipolar)" in page and "P(rival_first)" in page
    for file, *_ in report.STUDY_COMPARE_FIGURES:
        assert (index.parent / file).read_bytes().startswith(PNG_MAGIC)
    assert analysis_main(["compare", str(studies["small"]), str(run_file), "-o", str(tmp_path / "mixed")]) == 2
    assert "not both" in capsys.readouterr().err
    with pytest.raises(ValueError, match="cannot compare run files"):
        report.write_compare([run_file, studies["small"]], tmp_path / "mixed")


def test_summary_of_a_study(studies, capsys):
    assert analysis_main(["summary", str(studies["saltelli"])]) == 0
    text = capsys.readouterr().out
    assert "Polarity study: two_parameters" in text and "P(unipolar)" in text and "P(delay > 12)" in text


@pytest.mark.parametrize("kind", ["run", "study"])
def test_a_version_1_file_is_refused_with_a_message_naming_the_format(studies, run_file, tmp_path, kind, capsys):
    old = tmp_path / "old.h5"
    old.write_bytes((run_file if kind == "run" else studies["small"]).read_bytes())
    with h5py.File(old, "r+") as f:
        f.attrs["format"] = f"polarity-{kind}/1"
    with pytest.raises(ValueError, match=f"'polarity-{kind}/1' is not supported.*'polarity-{kind}/2'"):
        io.open_run(old) if kind == "run" else io.open_study(old)
    assert analysis_main(["summary", str(old)]) == 1
    assert f"'polarity-{kind}/1' is not supported" in capsys.readouterr().err


@pytest.mark.parametrize("name", ["small", "saltelli"])
def test_kaplan_meier_from_the_runs_meets_the_file(studies, name):
    ds = io.open_study(studies[name])
    for arm in io.arm_names(ds):
        times, events = study.delay_observations(ds, arm)
        assert len(times) == int(ds["leader_crossed_runs"].sel(arm=arm))
        steps = study.kaplan_meier(times, events)
        for k, expected in zip(ds["delay_months"].values, ds["crossing_delay_survival"].sel(arm=arm).values):
            assert study.survival_at(steps, k) == pytest.approx(float(expected), abs=1e-12), (arm, k)
        median = float(ds["crossing_delay_median"].sel(arm=arm))
        below = steps[0][steps[1] <= 0.5]
        assert (below[0] if below.size else np.inf) == median
    # censored runs stay at risk: with no events the curve stays at 1
    assert study.survival_at(study.kaplan_meier(np.array([5.0, 7.0]), np.array([False, False])), 10) == 1.0
    assert study.survival_at(study.kaplan_meier(np.array([1.0, 2.0, 3.0]), np.array([True, False, True])), 3) == 0.0
    assert study.survival_at(study.kaplan_meier(np.array([1.0, 2.0, 3.0]), np.array([True, False, True])), 2) == pytest.approx(2 / 3)


def test_paired_comparison_shift_and_binned_map(studies):
    ds = io.open_study(studies["small"])
    c = study.compare_arms(ds, "weak", "strong")
    assert c.paired and c.pairs == 8
    table = io.study_run_table(ds)
    wide = table.pivot(index="sample", columns="arm", values="outcome")
    assert c.differ == pytest.approx(float((wide["weak"] != wide["strong"]).mean()))
    p = ds["outcome_probability"].sel(outcome_class="unipolar")
    assert c.difference == pytest.approx(float(p.sel(arm="strong") - p.sel(arm="weak")))
    assert c.low <= c.difference <= c.high
    b = study.compare_arms(ds, "weak", "strong", "bipolar")
    pb = ds["outcome_probability"].sel(outcome_class="bipolar")
    assert b.difference == pytest.approx(float(pb.sel(arm="strong") - pb.sel(arm="weak")))
    lag = table.pivot(index="sample", columns="arm", values="rival_lag_months")
    shift = study.paired_shift(ds, "weak", "strong", "rival_lag_months")
    assert shift.pairs == 8 and shift.mean == pytest.approx(float((lag["strong"] - lag["weak"]).mean()))
    assert shift.p5 <= shift.p50 <= shift.p95 and shift.low <= shift.mean <= shift.high

    ds = io.open_study(studies["saltelli"])
    assert study.map_parameters(ds)[0] == ["diffusion", "threshold"]
    binned = study.binned_unipolar(ds, "diffusion", "threshold")
    counts = binned.counts["base_case"]
    assert counts.sum() == ds.sizes["run"]  # every run falls in a bin (edges span the samples)
    unipolar = (ds["run_outcome"].values == io.class_names(ds).index("unipolar")).sum()
    shown = np.nan_to_num(binned.probability["base_case"]) * counts
    assert shown.sum() == pytest.approx(unipolar) or np.isnan(binned.probability["base_case"]).any()
