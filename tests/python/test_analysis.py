"""Ecosystem test: the engine's HDF5 output as the Python side sees it.

Runs the engine (POLARITY_CLI, default build/release/polarity) on tests/data/minimal.yaml and
scenarios/baseline.yaml into a temporary folder, then checks that xarray opens the files with
named dimensions and real dates, that the layout documented in docs/output.md and the series
the analysis package reads are all there, and that `python3 -m analysis report|compare|summary`
work. Run with Debian's interpreter: /usr/bin/python3 -m pytest -q tests/python
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

from analysis import io, narrative, report  # noqa: E402
from analysis.__main__ import main as analysis_main  # noqa: E402

CLI = Path(os.environ.get("POLARITY_CLI", ROOT / "build" / "release" / "polarity"))
SCENARIOS = {"minimal": ROOT / "tests" / "data" / "minimal.yaml", "baseline": ROOT / "scenarios" / "baseline.yaml"}
AXES = ("bloc", "nation", "lab", "supplier", "sku", "route")
CLASSES = {"none", "unipolar", "bipolar", "rival_first", "open"}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

# Debian's llvmlite (pulled in by an optional xarray dependency) warns on import under Python 3.11.
pytestmark = pytest.mark.filterwarnings("ignore:path is deprecated:DeprecationWarning")


@pytest.fixture(scope="session")
def runs(tmp_path_factory) -> dict[str, Path]:
    """One engine run per scenario, written to a temporary folder."""
    if not CLI.is_file():
        pytest.fail(f"engine binary not found at {CLI}: build it or set POLARITY_CLI")
    folder = tmp_path_factory.mktemp("runs")
    paths = {}
    for name, scenario in SCENARIOS.items():
        path = folder / f"{name}.h5"
        done = subprocess.run([str(CLI), "run", str(scenario), "-o", str(path), "--force"], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, f"{CLI} run {scenario} failed ({done.returncode}):\n{done.stderr}"
        assert path.is_file()
        paths[name] = path
    return paths


def analysis_cli(*args: str) -> subprocess.CompletedProcess:
    """`python3 -m analysis ...` with this interpreter, from the repository root."""
    env = {**os.environ, "MPLBACKEND": "Agg"}
    done = subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"analysis {args[0]} failed:\n{done.stdout}\n{done.stderr}"
    return done


def documented_names(heading: str) -> list[str]:
    """First-column `names` of the tables in one section of docs/output.md."""
    text = (ROOT / "docs" / "output.md").read_text(encoding="utf-8")
    section = text.split(heading, 1)[1]
    section = re.split(r"^#{2,3} ", section, maxsplit=1, flags=re.M)[0]
    names = re.findall(r"^\|\s*`([^`]+)`", section, flags=re.M)
    assert names, f"no table found under {heading!r} in docs/output.md"
    return names


@pytest.mark.parametrize("name", SCENARIOS)
def test_xarray_opens_with_named_dims_and_dates(runs, name):
    with xr.open_dataset(runs[name], engine="h5netcdf") as ds:
        assert "month" in ds.dims
        for axis in AXES:
            assert axis in ds.dims and ds.sizes[axis] > 0, axis
            assert ds[axis].dtype == object and all(isinstance(v, str) for v in ds[axis].values)
        assert np.issubdtype(ds["month"].dtype, np.datetime64)
        months = ds["month"].to_index()
        assert (months.day == 1).all()
        assert months[0].strftime("%Y-%m") == ds.attrs["start"]
        assert ds.sizes["month"] == ds.attrs["horizon_months"]
        assert [m.strftime("%Y-%m") for m in months] == [str(v) for v in ds["month_label"].values]
        assert ds["bloc_frontier_capability"].dims == ("month", "bloc")
        assert ds["bloc_lag_months"].sel(bloc=str(ds["bloc"].values[0])).dims == ("month",)


@pytest.mark.parametrize("name", SCENARIOS)
def test_documented_layout_and_series_exist(runs, name):
    with xr.open_dataset(runs[name], engine="h5netcdf") as ds:
        assert ds.attrs["format"] == io.RUN_FORMAT
        for attribute in documented_names("### Root attributes"):
            assert attribute in ds.attrs, f"root attribute {attribute} missing"
        for attribute in io.QUESTION_ATTRIBUTES:
            assert attribute in ds.attrs, attribute
        for path in documented_names("## Layout"):
            if "<" not in path and path != "/" and path != "/outcome":
                assert path.lstrip("/") in ds.variables, f"{path} missing"
        for series in documented_names("### Series the analysis reads"):
            expanded = [series.replace("<route>", r) for r in io.ROUTES] if "<route>" in series else [series]
            for each in expanded:
                assert each in ds, f"documented series {each} missing"
        for series, dims in {**io.SERIES, **io.RULE_FACTS, **io.ENTITY_FACTS}.items():
            assert series in ds, f"series {series} missing"
            assert ds[series].dims == dims, f"{series} has dims {ds[series].dims}, expected {dims}"
        for variable in ds.data_vars:
            if "month" in ds[variable].dims and variable != "month_label":
                assert ds[variable].attrs.get("units") is not None, f"{variable} has no units"
                assert ds[variable].attrs.get("long_name"), f"{variable} has no long_name"
    with xr.open_dataset(runs[name], engine="h5netcdf", group="outcome") as outcome:
        documented = documented_names("### `/outcome`")
        for entry in documented:
            assert entry in outcome.attrs or entry in outcome.variables, f"/outcome/{entry} missing"
        for entry in list(outcome.attrs) + list(outcome.variables):
            assert entry in documented, f"/outcome/{entry} is not documented in docs/output.md"
        assert outcome.attrs["outcome_name"] in CLASSES
        assert outcome.attrs["crossing_delay_censoring_name"] == io.CENSORING[outcome.attrs["crossing_delay_censoring"]]


@pytest.mark.parametrize("name", SCENARIOS)
def test_open_run_merges_the_outcome(runs, name):
    ds = io.open_run(runs[name])
    assert np.issubdtype(ds["month"].dtype, np.datetime64)
    assert str(ds["outcome_outcome_name"].item()) in CLASSES
    assert io.leader(ds) == str(ds["outcome_leader"].item()) and io.rival(ds) == str(ds["outcome_rival"].item())
    assert ds["outcome_final_capability"].dims == ("bloc",)
    assert list(ds["outcome_final_capability"].bloc.values) == io.blocs(ds)
    for bloc in io.blocs(ds):
        date = str(ds["outcome_crossing_date"].sel(bloc=bloc).item())
        when = ds["outcome_crossing_month"].sel(bloc=bloc).values
        assert date == ("not reached" if np.isnat(when) else str(when)[:7])
    assert ds.attrs["powerful_ai_capability"] > 0
    assert io.delivered_by_route(ds).dims == ("month", "bloc", "route")
    # The spells agree with the month-by-month holders: months the leader alone held powerful AI.
    spells = io.spells(ds)
    leader_alone = int((ds["powerful_ai_holders"].values == io.HOLDERS.index("leader")).sum())
    assert spells[spells.holder == io.leader(ds)].months.sum() == leader_alone
    assert int(ds["outcome_leader_unipolar_months"].item()) == leader_alone
    # Each rule's reach as the file states it, with its title and action.
    rules = io.rules(ds)
    assert len(rules) == ds.sizes["rule"] and set(rules.action) <= {"deny", "license", "allow"}


def test_run_facts_name_the_pair_and_the_spell_holders(runs):
    ds = io.open_run(runs["baseline"])
    f = narrative.facts(ds)
    assert (f.leader, f.rival) == ("us_aligned", "china")
    assert f.threshold == ds.attrs["powerful_ai_capability"]
    text = narrative.spell_sentence(f)
    for spell in f.spells:
        assert f"**{narrative.bloc_label(spell.holder)}** alone" in text and f"({spell.months} month" in text
    if f.delay_censoring == "exact":
        assert f.delay_months == narrative._months_between(f.leader_crossing, f.rival_crossing)


def test_story_names_rules_by_title_and_only_those_that_reach_the_bloc(runs):
    ds = io.open_run(runs["baseline"])
    rules = io.rules(ds)
    assert "December 2024 HBM and Entity List rule" in set(rules.title)  # scenarios/baseline.yaml's title
    # Reach as the model resolves destinations: [china] reaches China only, [uae] the non-aligned bloc.
    by_name = rules.set_index("name")
    assert by_name.loc["oct2023_advanced_computing", ["reaches_us_aligned", "reaches_china", "reaches_nonaligned"]].tolist() == [False, True, False]
    assert by_name.loc["oct2023_uae_licences", ["reaches_us_aligned", "reaches_china", "reaches_nonaligned"]].tolist() == [False, False, True]
    assert by_name.loc["oct2023_uae_licences", "action"] == "license"
    changes = narrative.policy_changes(ds, "china", "gray")
    texts = " ".join(c.text for c in changes)
    for rule in rules.itertuples():
        switched = np.diff(ds["rule_in_force"].sel(rule=rule.name).values).any()
        if getattr(rule, "reaches_china") and switched:
            assert rule.title in texts, rule.title
        elif not getattr(rule, "reaches_china"):
            assert rule.title not in texts, rule.title
    for change in changes:  # each change falls in a month the rule switched
        assert 0 < change.month < ds.sizes["month"]
    remote = narrative.policy_changes(ds, "china", "remote")
    capacity = ds["remote_access_capacity_units"].values
    assert [c.month for c in remote] == list(np.flatnonzero(np.diff(capacity) != 0) + 1)


def test_analysis_keeps_no_yaml_parsing_or_engine_defaults():
    for module in (ROOT / "analysis").glob("*.py"):
        source = module.read_text(encoding="utf-8")
        assert "import yaml" not in source and "scenario_yaml" not in source, module.name
        assert "DEFAULT_" not in source, module.name


def _check_report_folder(folder: Path, pngs: list[str], must_mention: list[str]) -> None:
    index = folder / "index.html"
    markdown = folder / "report.md"
    assert index.is_file() and markdown.is_file()
    page = index.read_text(encoding="utf-8")
    for png in pngs:
        data = (folder / png).read_bytes()
        assert len(data) > 10_000 and data.startswith(PNG_MAGIC), png
        assert f'src="{png}"' in page and f"({png})" in markdown.read_text(encoding="utf-8")
    for text in must_mention:
        assert text in page, text


def test_report_command(runs, tmp_path):
    ds = io.open_run(runs["baseline"])
    analysis_cli("report", str(runs["baseline"]), "-o", str(tmp_path / "report"))
    _check_report_folder(tmp_path / "report", [spec[1] for spec in report.RUN_FIGURES],
                         [f"Outcome: {ds['outcome_outcome_name'].item()}", "What happened and why", "baseline",
                          "US-aligned</strong> alone from"])


def test_report_of_a_run_where_a_bloc_never_crosses(runs, tmp_path):
    index = report.write_report(runs["minimal"], tmp_path / "minimal")
    _check_report_folder(index.parent, [spec[1] for spec in report.RUN_FIGURES], ["did not reach it"])


def test_compare_command(runs, tmp_path):
    analysis_cli("compare", str(runs["minimal"]), str(runs["baseline"]), "-o", str(tmp_path / "compare"))
    _check_report_folder(tmp_path / "compare", [spec[0] for spec in report.COMPARE_FIGURES],
                         ["minimal", "baseline", "Outcomes"])


@pytest.mark.parametrize("name", SCENARIOS)
def test_summary_command_prints_the_outcome(runs, name, capsys):
    ds = io.open_run(runs[name])
    assert analysis_main(["summary", str(runs[name])]) == 0  # in-process: the CLI itself is run above
    text = capsys.readouterr().out
    assert f"Outcome: {ds['outcome_outcome_name'].item()}" in text
    assert "does US-aligned reach powerful AI" in text
    assert ds.attrs["scenario_name"] in text
    for bloc in io.blocs(ds):
        date = str(ds["outcome_crossing_date"].sel(bloc=bloc).item())
        if date != "not reached":
            assert pd.Timestamp(date).strftime("%B %Y") in text


def test_bad_input_is_an_error_not_a_traceback(tmp_path):
    not_a_run = tmp_path / "not_a_run.h5"
    not_a_run.write_text("hello")
    assert analysis_main(["summary", str(not_a_run)]) == 1
    assert analysis_main(["summary", str(tmp_path / "missing.h5")]) == 1
