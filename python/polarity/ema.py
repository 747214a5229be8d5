"""A model function in the EMA Workbench's shape: keyword uncertainties in, a dict of
outcomes out. The project does not depend on the EMA Workbench; docs/python.md shows the use.

::

    from ema_workbench import Model, RealParameter, ScalarOutcome, perform_experiments
    f = polarity.ema_model("scenarios/baseline.yaml", names={"enforcement": "policy.enforcement_scale"})
    model = Model("polarity", function=f)
    model.uncertainties = [RealParameter("enforcement", 0.5, 2.0)]
    model.outcomes = [ScalarOutcome("unipolar"), ScalarOutcome("rival_lag_months")]
    experiments, outcomes = perform_experiments(model, 100)
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping

from polarity import _engine
from polarity.scenario import Scenario, override_list


class EmaModel:
    """``model(**uncertainties) -> {outcome: value}``: one run of the scenario with each
    uncertainty set at its key path, returning the run's scalar outputs (the run file's
    ``/outcome`` numbers: ``outcome`` as its class code, ``unipolar`` 0/1,
    ``crossing_delay_months``, ``rival_lag_months``, ...).

    An uncertainty's keyword is its key path; since EMA names are identifiers, ``names`` maps
    a name to a key path, and otherwise ``__`` in a name stands for ``.``
    (``policy__enforcement_scale``). A keyword ``seed`` sets ``run.seed``.
    """

    def __init__(self, scenario_path: str | os.PathLike, *, set: Mapping | Iterable[str] | None = None,  # noqa: A002
                 names: Mapping[str, str] | None = None, outcomes: Iterable[str] | None = None, threads: int = 0):
        self.scenario_path = os.fspath(scenario_path)
        self.overrides = override_list(set)
        self.names = dict(names or {})
        self.outcomes = None if outcomes is None else list(outcomes)
        self.threads = int(threads)

    def key_path(self, name: str) -> str:
        """The scenario key path an uncertainty's keyword sets."""
        if name == "seed":
            return "run.seed"
        return self.names.get(name, name.replace("__", "."))

    def __call__(self, **uncertainties) -> dict[str, float]:
        scenario = Scenario(self.scenario_path,
                            self.overrides + override_list({self.key_path(k): v for k, v in uncertainties.items()}))
        raw = _engine.run(scenario._engine, self.threads)
        values = {name: float(v[0]) for spec, (name, v) in zip(raw["run_outputs"], raw["outcome"]["outputs"])
                  if not spec["axis"]}
        if self.outcomes is None:
            return values
        return {name: values[name] for name in self.outcomes}


def ema_model(scenario_path: str | os.PathLike, **options) -> EmaModel:
    """A callable for ``ema_workbench.Model(name, function=...)``; see :class:`EmaModel`."""
    return EmaModel(scenario_path, **options)
