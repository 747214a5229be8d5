"""Figures and classroom reports from Polarity run files (`polarity-run/1` HDF5) and Monte Carlo
study files (`polarity-study/1`).

Command line: `/usr/bin/python3 -m analysis {report,compare,summary,table}` (see analysis/README.md).
In Python, start from :func:`analysis.io.open_run` or :func:`analysis.io.open_study`.
"""

from .io import file_kind, open_run, open_study

__all__ = ["file_kind", "open_run", "open_study"]
