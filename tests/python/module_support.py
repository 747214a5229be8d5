"""What the tests of the Python module (test_module*.py) share: the repository root, the
command line to compare with, and the module itself. ctest's python_module test sets
POLARITY_PYTHON_REQUIRED, so there a module that fails to import is a failure, not a skip."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI = Path(os.environ.get("POLARITY_CLI", ROOT / "build" / "release" / "polarity"))
SMALL_STUDY = "tests/data/studies/small.yaml"

if os.environ.get("POLARITY_PYTHON_REQUIRED"):
    import polarity  # noqa: F401
else:
    polarity = pytest.importorskip("polarity", reason="the polarity module is not on PYTHONPATH (docs/python.md)")


def cli(*args: str) -> subprocess.CompletedProcess:
    """Runs the command line from the repository root; fails the test if it fails."""
    done = subprocess.run([str(CLI), *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{CLI} {' '.join(args)} failed ({done.returncode}):\n{done.stderr}"
    return done
