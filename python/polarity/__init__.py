"""Polarity from Python: load scenarios, run them and run studies without files.

::

    import polarity
    scenario = polarity.load("scenarios/baseline.yaml", set={"policy.enforcement_scale": 1.5})
    ds = polarity.run(scenario, seed=7)            # xarray.Dataset, laid out like the run file
    result = polarity.study("scenarios/studies/enforcement.yaml", runs=200, threads=2)
    result.table                                   # pandas.DataFrame, one row per run
    result.summary                                 # xarray.Dataset, the study file's summaries

The engine runs with the GIL released, on its own threads (``threads=0``: all cores); Ctrl-C
stops it between months of a run or batches of a study and raises KeyboardInterrupt. Errors
are :class:`Error` and its kinds; :class:`ConfigError` carries ``file``, ``line``,
``column`` and ``key_path``. See docs/python.md.
"""

from polarity._engine import ConfigError, Error, IoError, ModelError
from polarity.ema import ema_model
from polarity.run import open_run, run
from polarity.scenario import Scenario, load
from polarity.study import StudyResult, study

__all__ = ["ConfigError", "Error", "IoError", "ModelError", "Scenario", "StudyResult", "ema_model", "load",
           "open_run", "run", "study"]
