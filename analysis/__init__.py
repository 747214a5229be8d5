"""Figures and classroom reports from Polarity run files (`polarity-run/1` HDF5).

Command line: `/usr/bin/python3 -m analysis {report,compare,summary}` (see analysis/README.md).
In Python, start from :func:`analysis.io.open_run`.
"""

from .io import open_run

__all__ = ["open_run"]
