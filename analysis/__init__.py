"""Figures and classroom reports from Polarity run files (`polarity-run/2` HDF5) and Monte Carlo
study files (`polarity-study/2`); other versions are refused with a message naming the format.

Command line: `/usr/bin/python3 -m analysis {report,compare,summary,table}` (see analysis/README.md).
In Python, start from :func:`analysis.io.open_run` or :func:`analysis.io.open_study`.
"""

from .io import file_kind, open_run, open_study

__all__ = ["file_kind", "open_run", "open_study"]
