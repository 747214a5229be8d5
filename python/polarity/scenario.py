"""A scenario loaded and validated by the engine, with the overrides that made it."""

from __future__ import annotations

import json
import math
import os
from collections.abc import Iterable, Mapping

from polarity import _engine


def override_text(path: str, value) -> str:
    """One ``key.path=value`` override as the command line's ``--set`` takes it (value in YAML)."""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float) and not math.isfinite(value):
        text = ".nan" if math.isnan(value) else (".inf" if value > 0 else "-.inf")
    else:  # bools, numbers (repr: exact), None, lists and maps: JSON is YAML
        text = json.dumps(value)
    return f"{path}={text}"


def override_list(overrides: Mapping | Iterable[str] | None) -> list[str]:
    """Overrides given as {key path: value} or as "key.path=value" strings."""
    if overrides is None:
        return []
    if isinstance(overrides, Mapping):
        return [override_text(str(k), v) for k, v in overrides.items()]
    if isinstance(overrides, str):
        return [overrides]
    return [str(o) for o in overrides]


class Scenario:
    """A validated scenario: the file, the overrides applied after ``extends``, and what the
    engine resolved (name, seed, dates, blocs, and the YAML a run file records)."""

    def __init__(self, path: str | os.PathLike, overrides: list[str]):
        self.path = os.fspath(path)
        self.overrides = list(overrides)
        self._engine = _engine.load_scenario(self.path, self.overrides)

    @property
    def name(self) -> str:
        return self._engine.name

    @property
    def seed(self) -> int:
        return self._engine.seed

    @property
    def start(self) -> str:
        """First simulated month, "YYYY-MM"."""
        year, month = self._engine.start
        return f"{year:04d}-{month:02d}"

    @property
    def horizon_months(self) -> int:
        return self._engine.horizon_months

    @property
    def blocs(self) -> list[str]:
        return list(self._engine.blocs)

    @property
    def yaml(self) -> str:
        """The scenario as a run records it: the file's text, or the resolved scenario when it
        extends another or has overrides."""
        return self._engine.source_text

    def with_overrides(self, overrides: Mapping | Iterable[str]) -> "Scenario":
        """The same file with more overrides applied after these (reloaded and validated)."""
        return Scenario(self.path, self.overrides + override_list(overrides))

    def __repr__(self) -> str:
        return (f"Scenario({self.name!r}, path={self.path!r}, seed={self.seed}, start={self.start}, "
                f"horizon_months={self.horizon_months}, overrides={self.overrides!r})")


def load(path: str | os.PathLike, set: Mapping | Iterable[str] | None = None) -> Scenario:  # noqa: A002 - the CLI's word
    """Load and validate a scenario file, with ``set`` overrides applied after ``extends``
    (``{"policy.enforcement_scale": 1.5}`` or ``["policy.enforcement_scale=1.5"]``).

    Raises :class:`polarity.ConfigError` (with ``file``, ``line``, ``column``, ``key_path``).
    """
    return Scenario(path, override_list(set))
