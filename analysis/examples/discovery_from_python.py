"""Scenario discovery from Python, as a notebook would do it: load the baseline, run it, run a
500-run study in memory, and ask PRIM which inputs make a unipolar world likely.

Run from the repository root after the build (docs/python.md):

    PYTHONPATH=build/release/python /usr/bin/python3 analysis/examples/discovery_from_python.py -o out/examples

It prints the baseline's outcome, the study's summary, the time the runs took and the PRIM box
for ``unipolar`` in the parameters' own units, and saves ``discovery_unipolar.png`` (the
coverage/density trade-off and the box). tests/python/test_module_example.py runs it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))  # the analysis package, from any working directory
os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import polarity  # noqa: E402
from analysis import discovery  # noqa: E402  (PRIM and CART: analysis/discovery.py)

STUDY = ROOT / "analysis/examples/discovery_study.yaml"

parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
parser.add_argument("-o", "--output", default="out/examples", help="folder for the figure")
parser.add_argument("--runs", type=int, default=500, help="runs of the study (default 500)")
parser.add_argument("--threads", type=int, default=0, help="engine threads (default: all cores)")
args = parser.parse_args()
out = Path(args.output)
out.mkdir(parents=True, exist_ok=True)

# %% The baseline, run once in memory: an xarray Dataset laid out like the run file.
baseline = polarity.load(ROOT / "scenarios/baseline.yaml")
run = polarity.run(baseline, threads=args.threads)
leader, rival = run["outcome_leader"].item(), run["outcome_rival"].item()
crossed = run["outcome_crossing_date"]
print(f"{baseline.name}: {run['outcome_outcome_name'].item()} ({leader} crossed {crossed.sel(bloc=leader).item()}, "
      f"{rival} {crossed.sel(bloc=rival).item()})")

# %% The study: 500 runs of the baseline under uncertainty, the per-run table as a DataFrame.
result = polarity.study(STUDY, runs=args.runs, threads=args.threads)
table = result.table
print(result.report)
print(f"{len(table)} runs from Python in {result.seconds:.2f} s ({len(table) / result.seconds:.0f} runs/s)")
print(table["outcome"].value_counts().to_string(), "\n")

# %% Scenario discovery: the box of inputs in which 'unipolar' is likely (PRIM, pasted).
names = [str(p) for p in result.summary["parameter"].values]
x = table[names].to_numpy()
y = (table["outcome"] == "unipolar").to_numpy(dtype=float)
prim = discovery.prim(x, y, names)
print(f"PRIM box for 'unipolar' (base rate {y.mean():.3f}):")
print(discovery.format_box(prim.box, names))

# %% The figure: the peeling trajectory's coverage/density trade-off, and the box on each input.
fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
coverage = [b.coverage for b in prim.trajectory]
density = [b.density for b in prim.trajectory]
left.plot(coverage, density, "o-", color="#777777", ms=4, label="peeling trajectory")
left.plot(prim.box.coverage, prim.box.density, "*", color="#b2182b", ms=18, label="chosen box, pasted")
left.set(xlabel="coverage (share of unipolar runs in the box)", ylabel="density (share of the box unipolar)",
         title="PRIM: coverage against density", xlim=(0, 1.02), ylim=(0, 1.02))
left.legend(loc="lower left")
low, high = x.min(axis=0), x.max(axis=0)
span = np.where(high > low, high - low, 1.0)
rows = np.arange(len(names))
right.barh(rows, np.ones(len(names)), color="#dddddd", height=0.6)
right.barh(rows, (prim.box.upper - prim.box.lower) / span, left=(prim.box.lower - low) / span, height=0.6,
           color=["#b2182b" if r else "#aaaaaa" for r in prim.box.restricted])
for j, name in enumerate(names):
    right.text(1.01, j, f"{prim.box.lower[j]:.3g} to {prim.box.upper[j]:.3g}", va="center")
right.set_yticks(rows, names)
right.set(xlim=(0, 1.25), xlabel="share of the sampled range", title="The box for 'unipolar'")
fig.tight_layout()
figure = out / "discovery_unipolar.png"
fig.savefig(figure, dpi=100)
print(f"Wrote {figure}")
