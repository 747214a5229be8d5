"""Scenario discovery (analysis/discovery.py): PRIM finds a planted box, CART agrees, and
`python3 -m analysis discover` works on a study file written by the engine.

The planted case: 2,000 points uniform in [0, 1]^4; the outcome has probability 0.95 inside
x0 in [0.2, 0.6] and x1 in [0.5, 0.9] (any x2, x3) and 0.05 outside. Run with Debian's
interpreter: /usr/bin/python3 -m pytest -q tests/python/test_discovery.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("MPLBACKEND", "Agg")

from analysis import discovery  # noqa: E402
from analysis.__main__ import main as analysis_main  # noqa: E402

CLI = Path(os.environ.get("POLARITY_CLI", ROOT / "build" / "release" / "polarity")).resolve()
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
LOW, HIGH = np.array([0.2, 0.5]), np.array([0.6, 0.9])


def planted(n: int = 2000, seed: int = 11):
    rng = np.random.default_rng(seed)
    x = rng.uniform(size=(n, 4))
    inside = np.all((x[:, :2] >= LOW) & (x[:, :2] <= HIGH), axis=1)
    y = (rng.uniform(size=n) < np.where(inside, 0.95, 0.05)).astype(float)
    return x, y, inside


def test_prim_finds_the_planted_box():
    x, y, inside = planted()
    # The planted density is 0.95: ask for boxes nearly that dense.
    result = discovery.prim(x, y, names=["a", "b", "c", "d"], threshold=0.9)
    box = result.box
    assert result.reached
    assert list(box.restricted) == [True, True, False, False]
    np.testing.assert_allclose(box.lower[:2], LOW, atol=0.04)
    np.testing.assert_allclose(box.upper[:2], HIGH, atol=0.04)
    assert box.density >= 0.9 and box.coverage >= 0.7
    # The box's runs are the planted box's runs, nearly.
    found = box.contains(x)
    assert (found & inside).sum() / (found | inside).sum() > 0.85
    # The trajectory starts from every run and trades coverage for density.
    first = result.trajectory[0]
    assert first.mass == 1.0 and first.coverage == 1.0 and not first.restricted.any()
    assert result.trajectory[-1].mass < 0.06
    assert max(b.density for b in result.trajectory) > first.density + 0.5


def test_pasting_widens_a_box_peeled_too_far():
    x, y, inside = planted()
    box = discovery.Box(lower=np.array([0.3, 0.6, 0.0, 0.0]), upper=np.array([0.5, 0.8, 1.0, 1.0]),
                        coverage=0, density=0, mass=0)
    pasted = discovery._paste(x, y, box, 0.05, x.min(axis=0), x.max(axis=0))
    assert pasted.density >= 0.85
    assert pasted.mass > box.contains(x).mean()
    assert np.all(pasted.lower[:2] <= [0.3, 0.6]) and np.all(pasted.upper[:2] >= [0.5, 0.8])


def test_prim_peels_a_discrete_input_a_value_at_a_time():
    rng = np.random.default_rng(5)
    level = rng.integers(0, 3, size=900).astype(float)  # a `choice` parameter with values 0, 1, 2
    other = rng.uniform(size=900)
    y = ((level == 2) & (rng.uniform(size=900) < 0.9)).astype(float)
    result = discovery.prim(np.column_stack([level, other]), y, threshold=0.8)
    assert result.box.lower[0] == 2.0 and result.box.upper[0] == 2.0
    assert result.box.coverage > 0.9


def test_prim_rejects_bad_input():
    with pytest.raises(ValueError, match="no run has the outcome"):
        discovery.prim(np.zeros((5, 2)), np.zeros(5))
    with pytest.raises(ValueError, match="expected x"):
        discovery.prim(np.zeros((5, 2)), np.zeros(4))


def test_cart_agrees_on_the_planted_box():
    pytest.importorskip("sklearn")
    x, y, inside = planted()
    tree = discovery.cart(x, y, names=["a", "b", "c", "d"], threshold=0.9)
    box = tree.box
    assert list(box.restricted[:2]) == [True, True]
    np.testing.assert_allclose(box.lower[:2], LOW, atol=0.04)
    np.testing.assert_allclose(box.upper[:2], HIGH, atol=0.04)
    prim_box = discovery.prim(x, y, threshold=0.9).box
    a, b = box.contains(x), prim_box.contains(x)
    assert (a & b).sum() / (a | b).sum() > 0.8
    assert "a <=" in tree.text


STUDY = f"""\
schema_version: 1
name: discovery_check
scenario: {ROOT / "scenarios" / "baseline.yaml"}
set: {{run.horizon_months: 60}}
seed: 4
runs: 120
sampler: latin_hypercube
parameters:
  - {{name: diffusion, path: algorithms.diffusion_per_month, uniform: [0.02, 0.15]}}
  - {{name: threshold, path: world.powerful_ai_capability, uniform: [29.0, 31.0]}}
"""


@pytest.fixture(scope="module")
def study_file(tmp_path_factory) -> Path:
    if not CLI.exists():
        pytest.skip(f"no engine at {CLI}")
    folder = tmp_path_factory.mktemp("discovery")
    (folder / "study.yaml").write_text(STUDY)
    done = subprocess.run([str(CLI), "study", str(folder / "study.yaml"), "-o", str(folder / "study.h5"), "-q"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return folder / "study.h5"


def test_study_file_opens_without_a_helper(study_file):
    ds = xr.open_dataset(study_file, engine="h5netcdf")
    assert ds["run_parameters"].dims == ("run", "parameter")
    assert set(ds["run_outcome_name"].values.astype(str)) <= set(ds["outcome_class"].values.astype(str))
    frame = ds[["run_arm_name", "run_outcome_name", "run_rival_lag_months"]].to_dataframe()
    assert len(frame) == 120 and frame["run_arm_name"].astype(str).eq("base").all()
    wide = ds["run_parameters"].to_pandas()
    assert list(wide.columns.astype(str)) == ["diffusion", "threshold"]
    ds.close()


def test_discover_command_on_a_study(study_file, tmp_path, capsys):
    assert analysis_main(["discover", str(study_file), "--outcome", "unipolar", "-o", str(tmp_path)]) == 0
    text = capsys.readouterr().out
    assert "PRIM box" in text and "coverage" in text
    assert (tmp_path / "discovery.txt").read_text() == text
    for name in ("tradeoff.png", "box.png", "box_scatter.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG_MAGIC
    assert analysis_main(["discover", str(study_file), "--outcome", "sideways", "-o", str(tmp_path)]) == 1
    assert "is not an outcome class" in capsys.readouterr().err


def test_polarity_discover_runs_the_analysis(study_file, tmp_path):
    done = subprocess.run([str(CLI), "discover", str(study_file), "--outcome", "unipolar", "-o", str(tmp_path)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "PRIM box" in done.stdout
    assert (tmp_path / "tradeoff.png").exists()
