"""analysis/examples/discovery_from_python.py runs: it loads the baseline, runs the study from
Python, prints the PRIM box for 'unipolar' and saves its figure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from module_support import ROOT, polarity

EXAMPLE = ROOT / "analysis/examples/discovery_from_python.py"


def test_the_discovery_example_prints_the_box_and_saves_the_figure(tmp_path):
    if not (ROOT / "analysis/discovery.py").is_file():
        pytest.skip("analysis/discovery.py (PRIM, the discovery branch) is not merged yet")
    package = str(Path(polarity.__file__).resolve().parents[1])  # the polarity this test imported
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([package, os.environ.get("PYTHONPATH", "")]))
    done = subprocess.run([sys.executable, str(EXAMPLE), "-o", str(tmp_path), "--runs", "500"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=500)
    assert done.returncode == 0, done.stderr
    assert "500 runs from Python in" in done.stdout
    box = done.stdout.split("PRIM box for 'unipolar'", 1)[1]
    assert "coverage" in box and "density" in box
    assert (tmp_path / "discovery_unipolar.png").stat().st_size > 10_000
