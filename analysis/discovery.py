"""Scenario discovery: which ranges of a study's uncertain inputs make an outcome likely.

Usage from Python (any table of inputs and a 0/1 outcome)::

    from analysis import discovery
    result = discovery.prim(x, y, names=["diffusion", "threshold"])   # x: [runs, inputs], y: 0/1
    print(discovery.format_box(result.box, result.names))             # the pasted box, in x's units
    tree = discovery.cart(x, y, names=["diffusion", "threshold"])     # second view (scikit-learn)

    ds = xarray.open_dataset("out/study.h5", engine="h5netcdf")     # or from a study file:
    x, y, names = discovery.study_inputs(ds, outcome="unipolar")
    discovery.discover("out/study.h5", outcome="unipolar", out_dir="out/discovery")  # text + figures

Command line: ``/usr/bin/python3 -m analysis discover STUDY.h5 --outcome unipolar -o DIR``
(``polarity discover`` runs the same command).

PRIM (Friedman & Fisher 1999, "Bump hunting in high-dimensional data"): starting from the box
holding every run, **peeling** repeatedly removes the ``peel_alpha`` share of the box's runs at
the lower or upper end of one input, choosing the cut that leaves the highest density (share of
runs with the outcome), until the box holds less than ``mass_min`` of the runs. Each step is a box
on the **coverage/density trade-off** (coverage: share of all outcome runs the box holds). The
chosen box is the one with the highest coverage among those with density >= ``threshold`` (the
densest box if none reaches it); **pasting** then widens its bounds again, ``paste_alpha`` of
its runs at a time, while that raises its density. An input with few distinct values (a
``choice`` parameter, a grid) is peeled a whole value at a time.

CART (Breiman et al. 1984) is the second view: a shallow classification tree from Debian's
``python3-sklearn`` whose leaves are boxes too; :func:`cart` reports the leaf chosen by the same
rule.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import xarray as xr


@dataclass
class Box:
    """An axis-aligned box: runs with ``lower <= x <= upper`` in every input."""

    lower: np.ndarray
    upper: np.ndarray
    coverage: float  #: share of all outcome runs inside the box
    density: float   #: share of the box's runs with the outcome
    mass: float      #: share of all runs inside the box
    restricted: np.ndarray = field(default_factory=lambda: np.zeros(0, bool))  #: inputs the box limits

    def contains(self, x: np.ndarray) -> np.ndarray:
        """Boolean mask of the rows of ``x`` inside the box."""
        return np.all((x >= self.lower) & (x <= self.upper), axis=1)


@dataclass
class PrimResult:
    names: list[str]
    trajectory: list[Box]  #: the peeling trajectory, from the box of all runs
    chosen: int            #: index in the trajectory of the box that was pasted
    box: Box               #: the chosen box after pasting
    threshold: float
    reached: bool          #: whether any box on the trajectory reached ``threshold``


@dataclass
class CartResult:
    names: list[str]
    leaves: list[Box]
    chosen: int
    text: str              #: the tree as text (sklearn's export_text)
    model: object          #: the fitted DecisionTreeClassifier

    @property
    def box(self) -> Box:
        return self.leaves[self.chosen]


def _box(x: np.ndarray, y: np.ndarray, inside: np.ndarray, lower, upper, full_lower, full_upper) -> Box:
    n_in = int(inside.sum())
    positives = max(float(y.sum()), 1.0)
    return Box(lower=np.array(lower, float), upper=np.array(upper, float),
               coverage=float(y[inside].sum()) / positives,
               density=float(y[inside].mean()) if n_in else 0.0,
               mass=n_in / len(y),
               restricted=(np.asarray(lower) > full_lower) | (np.asarray(upper) < full_upper))


def _choose(boxes: list[Box], threshold: float) -> tuple[int, bool]:
    """The box with the most coverage among those dense enough, else the densest (ties: more coverage)."""
    dense = [i for i, b in enumerate(boxes) if b.density >= threshold]
    if dense:
        return max(dense, key=lambda i: (boxes[i].coverage, -i)), True
    return max(range(len(boxes)), key=lambda i: (boxes[i].density, boxes[i].coverage)), False


def _peel_cut(values: np.ndarray, alpha: float, low_side: bool) -> float | None:
    """The new bound after peeling ``alpha`` of ``values`` from one end; None if nothing can go.

    Runs at the bound stay in the box; when the quantile sits on the extreme value (ties, a
    discrete input) the whole extreme value is peeled instead.
    """
    distinct = np.unique(values)
    if len(distinct) < 2:
        return None
    if low_side:
        cut = float(np.quantile(values, alpha))
        return cut if cut > distinct[0] else float(distinct[1])
    cut = float(np.quantile(values, 1.0 - alpha))
    return cut if cut < distinct[-1] else float(distinct[-2])


def _paste(x: np.ndarray, y: np.ndarray, box: Box, alpha: float, full_lower, full_upper) -> Box:
    """Widens one bound at a time while that raises the density (Friedman & Fisher §5)."""
    lower, upper = box.lower.copy(), box.upper.copy()
    inside = box.contains(x)
    while True:
        best = None
        n_add = max(1, int(np.ceil(alpha * inside.sum())))
        for j in range(x.shape[1]):
            others = np.all(np.delete((x >= lower) & (x <= upper), j, axis=1), axis=1)
            for low_side in (True, False):
                outside = others & ((x[:, j] < lower[j]) if low_side else (x[:, j] > upper[j]))
                if not outside.any():
                    continue
                candidates = np.sort(x[outside, j])
                bound = candidates[-min(n_add, len(candidates))] if low_side else candidates[min(n_add, len(candidates)) - 1]
                new_lower, new_upper = lower.copy(), upper.copy()
                (new_lower if low_side else new_upper)[j] = bound
                grown = np.all((x >= new_lower) & (x <= new_upper), axis=1)
                density = y[grown].mean()
                if density > y[inside].mean() and (best is None or density > best[0]):
                    best = (density, new_lower, new_upper, grown)
        if best is None:
            return _box(x, y, inside, lower, upper, full_lower, full_upper)
        _, lower, upper, inside = best


def prim(x, y, names: list[str] | None = None, peel_alpha: float = 0.05, paste_alpha: float = 0.05,
         mass_min: float = 0.05, threshold: float = 0.8) -> PrimResult:
    """PRIM with peeling and pasting on ``x`` [runs, inputs] and the 0/1 outcome ``y`` [runs].

    Returns the peeling trajectory, the chosen box (before pasting) and the pasted box. Raises
    ValueError when the shapes disagree, there are no runs, or no run has the outcome.
    """
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    if x.ndim != 2 or y.shape != (x.shape[0],) or x.shape[0] == 0:
        raise ValueError(f"prim: expected x [runs, inputs] and y [runs], got {x.shape} and {y.shape}")
    if not y.any():
        raise ValueError("prim: no run has the outcome; there is nothing to find")
    names = list(names) if names is not None else [f"x{j}" for j in range(x.shape[1])]
    full_lower, full_upper = x.min(axis=0), x.max(axis=0)
    lower, upper = full_lower.copy(), full_upper.copy()
    inside = np.ones(len(y), bool)
    trajectory = [_box(x, y, inside, lower, upper, full_lower, full_upper)]
    min_runs = mass_min * len(y)
    while True:
        best = None
        for j in range(x.shape[1]):
            values = x[inside, j]
            for low_side in (True, False):
                cut = _peel_cut(values, peel_alpha, low_side)
                if cut is None:
                    continue
                keep = inside & ((x[:, j] >= cut) if low_side else (x[:, j] <= cut))
                kept = int(keep.sum())
                if kept < min_runs or kept == 0:
                    continue
                score = (y[keep].mean(), kept)  # densest, then the smaller peel
                if best is None or score > best[0]:
                    best = (score, j, low_side, cut, keep)
        if best is None:
            break
        _, j, low_side, cut, inside = best
        (lower if low_side else upper)[j] = cut
        trajectory.append(_box(x, y, inside, lower, upper, full_lower, full_upper))
    chosen, reached = _choose(trajectory, threshold)
    box = _paste(x, y, trajectory[chosen], paste_alpha, full_lower, full_upper)
    return PrimResult(names=names, trajectory=trajectory, chosen=chosen, box=box, threshold=threshold,
                      reached=reached)


def cart(x, y, names: list[str] | None = None, max_depth: int = 4, mass_min: float = 0.05,
         threshold: float = 0.8) -> CartResult:
    """A classification tree (scikit-learn) of the outcome on the inputs; its leaves as boxes.

    ``min_samples_leaf`` is ``mass_min`` of the runs, so leaves are as large as PRIM's smallest
    box; the chosen leaf follows PRIM's rule (most coverage among leaves with density >=
    ``threshold``, else the densest). Raises ImportError without python3-sklearn.
    """
    from sklearn.tree import DecisionTreeClassifier, export_text

    x = np.asarray(x, float)
    y = np.asarray(y, float)
    names = list(names) if names is not None else [f"x{j}" for j in range(x.shape[1])]
    model = DecisionTreeClassifier(max_depth=max_depth, min_samples_leaf=max(1, int(mass_min * len(y))),
                                   random_state=0)
    model.fit(x, y.astype(int))
    tree = model.tree_
    full_lower, full_upper = x.min(axis=0), x.max(axis=0)
    leaves: list[Box] = []

    def walk(node: int, lower: np.ndarray, upper: np.ndarray) -> None:
        if tree.children_left[node] == -1:
            # Bounds shrink to the leaf's own runs, so a box reads in values that occur.
            inside = _in_open_box(x, lower, upper)
            lo = np.where(np.isfinite(lower), x[inside].min(axis=0), full_lower)
            hi = np.where(np.isfinite(upper), x[inside].max(axis=0), full_upper)
            leaves.append(_box(x, y, inside, lo, hi, full_lower, full_upper))
            return
        j, t = tree.feature[node], tree.threshold[node]
        left_upper, right_lower = upper.copy(), lower.copy()
        left_upper[j] = min(upper[j], t)
        right_lower[j] = max(lower[j], t)
        walk(tree.children_left[node], lower, left_upper)
        walk(tree.children_right[node], right_lower, upper)

    walk(0, np.full(x.shape[1], -np.inf), np.full(x.shape[1], np.inf))
    chosen, _ = _choose(leaves, threshold)
    return CartResult(names=names, leaves=leaves, chosen=chosen, text=export_text(model, feature_names=names),
                      model=model)


def _in_open_box(x: np.ndarray, lower: np.ndarray, upper: np.ndarray) -> np.ndarray:
    """sklearn's split rule: left is ``x <= threshold``, right ``x > threshold``."""
    return np.all((x > lower) & (x <= upper), axis=1)


def format_box(box: Box, names: list[str], units: list[str] | None = None) -> str:
    """The box as text: one line per restricted input with its range, then coverage, density, mass."""
    width = max([len(n) for n in names] + [5])
    lines = []
    for j, name in enumerate(names):
        if not box.restricted[j]:
            continue
        unit = f" {units[j]}" if units and units[j] else ""
        lines.append(f"  {name:<{width}}  {box.lower[j]:.4g} to {box.upper[j]:.4g}{unit}")
    if not lines:
        lines.append("  (no input restricted: the box is every run)")
    lines.append(f"  coverage {box.coverage:.3f}, density {box.density:.3f}, mass {box.mass:.3f}")
    return "\n".join(lines)


# --- Study files ---------------------------------------------------------------------------------

def study_inputs(ds: xr.Dataset, outcome: str = "unipolar", arm: str | None = None):
    """The inputs and the outcome of a study, read straight from the file's datasets.

    Returns ``(x, y, names)``: ``run_parameters`` [run, parameter] (in each parameter's own
    units), 1 where ``run_outcome_name`` is ``outcome``, and the parameter names. ``arm`` keeps
    one arm's runs (default: every run). Raises ValueError for an unknown outcome or arm, or a
    study without uncertain parameters.
    """
    classes = [str(c) for c in ds["outcome_class"].values]
    if outcome not in classes:
        raise ValueError(f"outcome '{outcome}' is not an outcome class (expected one of: {', '.join(classes)})")
    if "run_parameters" not in ds:
        raise ValueError("the study has no uncertain parameters: there are no inputs to bound")
    names = [str(p) for p in ds["parameter"].values]
    keep = np.ones(ds.sizes["run"], bool)
    if arm is not None:
        arms = [str(a) for a in ds["arm"].values]
        if arm not in arms:
            raise ValueError(f"arm '{arm}' is not an arm of the study (expected one of: {', '.join(arms)})")
        keep = ds["run_arm_name"].values.astype(str) == arm
    x = ds["run_parameters"].values[keep].astype(float)
    y = (ds["run_outcome_name"].values.astype(str)[keep] == outcome).astype(float)
    return x, y, names


def discover(study_path, outcome: str = "unipolar", out_dir=None, arm: str | None = None,
             threshold: float = 0.8, peel_alpha: float = 0.05, mass_min: float = 0.05) -> str:
    """PRIM and CART on a study file; returns the text report and, with ``out_dir``, draws
    ``tradeoff.png``, ``box.png``, ``box_scatter.png``, ``cart_tree.png`` and (for a Morris
    study) ``morris_screening.png`` there, and writes ``discovery.txt``."""
    with xr.open_dataset(study_path, engine="h5netcdf") as file:
        ds = file.load()
    x, y, names = study_inputs(ds, outcome, arm)
    paths = [str(p) for p in ds["parameter_path"].values]
    result = prim(x, y, names, peel_alpha=peel_alpha, mass_min=mass_min, threshold=threshold)
    where = f"arm {arm}" if arm else f"all {len(ds['arm'])} arm(s)"
    lines = [f"Scenario discovery: '{outcome}' in {len(y):,} runs of {ds.attrs.get('study_name', study_path)} "
             f"({where}), base rate {y.mean():.3f}",
             "",
             f"PRIM box (peeling step {result.chosen} of {len(result.trajectory) - 1}, then pasted; "
             + (f"most coverage with density >= {threshold:g})" if result.reached
                else f"no box reached density {threshold:g}: the densest)"),
             format_box(result.box, [f"{n} ({p})" if n != p else n for n, p in zip(names, paths)])]
    try:
        tree = cart(x, y, names, mass_min=mass_min, threshold=threshold)
    except ImportError:
        tree = None
        lines += ["", "CART: not drawn (install Debian's python3-sklearn)"]
    if tree is not None:
        lines += ["", f"CART leaf (a tree of depth {tree.model.get_depth()}; the leaf chosen by the same rule)",
                  format_box(tree.box, names), "", tree.text.rstrip()]
    text = "\n".join(lines) + "\n"
    if out_dir is not None:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        (out / "discovery.txt").write_text(text)
        _figures(x, y, result, tree, outcome, out)
        if "sensitivity_morris_mu_star" in ds:
            morris_screening_figure(ds, out / "morris_screening.png")
    return text


# --- Figures -------------------------------------------------------------------------------------

def _pyplot():
    os.environ.setdefault("MPLBACKEND", "Agg")
    import matplotlib.pyplot as plt

    from . import style
    plt.rcParams.update(style.RC)
    return plt


def _figures(x, y, result: PrimResult, tree: CartResult | None, outcome: str, out: Path) -> None:
    plt = _pyplot()
    from . import style
    mark = style.CLASS_COLOURS.get(outcome, "#54278f")

    # The trade-off: every box of the peeling trajectory, coloured by how many inputs it limits.
    fig, ax = plt.subplots()
    cov = [b.coverage for b in result.trajectory]
    den = [b.density for b in result.trajectory]
    dims = [int(b.restricted.sum()) for b in result.trajectory]
    ax.plot(cov, den, color="#bbbbbb", lw=1.5, zorder=1)
    points = ax.scatter(cov, den, c=dims, cmap="viridis", s=60, zorder=2)
    fig.colorbar(points, ax=ax, label="inputs restricted")
    chosen = result.trajectory[result.chosen]
    ax.scatter([chosen.coverage], [chosen.density], s=260, facecolors="none", edgecolors="black", lw=2.5, zorder=3,
               label="chosen box (before pasting)")
    ax.scatter([result.box.coverage], [result.box.density], marker="*", s=360, color=mark, zorder=4,
               label="after pasting")
    if tree is not None:
        ax.scatter([tree.box.coverage], [tree.box.density], marker="s", s=140, color="#DDAA33", zorder=4,
                   label="CART leaf")
    ax.axhline(result.threshold, color="#888888", ls="--", lw=1.5)
    ax.set(xlabel=f"Coverage (share of '{outcome}' runs inside the box)",
           ylabel=f"Density (share of the box's runs '{outcome}')",
           title=f"PRIM: coverage against density for '{outcome}'", xlim=(0, 1.02), ylim=(0, 1.02))
    ax.legend(loc="lower left")
    fig.tight_layout()
    fig.savefig(out / "tradeoff.png")
    plt.close(fig)

    # The box: each input's range across the runs (grey), the box's range (coloured), in own units.
    box = result.box
    k = len(result.names)
    fig, axes = plt.subplots(k, 1, figsize=(13.33, max(2.0 + 1.1 * k, 4.0)), squeeze=False)
    lo_all, hi_all = x.min(axis=0), x.max(axis=0)
    for j, ax in enumerate(axes[:, 0]):
        ax.barh([0], [hi_all[j] - lo_all[j]], left=lo_all[j], color="#dddddd", height=0.6)
        ax.barh([0], [box.upper[j] - box.lower[j]], left=box.lower[j], height=0.6,
                color=mark if box.restricted[j] else "#aaaaaa")
        if tree is not None and tree.box.restricted[j]:
            ax.plot([tree.box.lower[j], tree.box.upper[j]], [-0.42, -0.42], color="#DDAA33", lw=5)
        ax.set_yticks([0], [result.names[j]])
        ax.set_ylim(-0.6, 0.5)
        ax.grid(axis="y", visible=False)
        ax.text(1.0, 0.95, f"{box.lower[j]:.3g} to {box.upper[j]:.3g}" if box.restricted[j] else "not restricted",
                transform=ax.transAxes, ha="right", va="top", fontsize=13)
    axes[0, 0].set_title(f"The PRIM box for '{outcome}': coverage {box.coverage:.2f}, density {box.density:.2f}"
                         + ("\n(yellow line: the CART leaf)" if tree is not None else ""))
    fig.tight_layout()
    fig.savefig(out / "box.png")
    plt.close(fig)

    # The runs on the two inputs the box limits most, with the box drawn.
    span = np.where(hi_all > lo_all, (box.upper - box.lower) / np.where(hi_all > lo_all, hi_all - lo_all, 1), 1.0)
    pair = list(np.argsort(span, kind="stable")[:2]) if k >= 2 else [0, 0]
    fig, ax = plt.subplots()
    hit = y > 0
    ax.scatter(x[~hit, pair[0]], x[~hit, pair[1]], s=10, color="#bbbbbb", label=f"not {outcome}")
    ax.scatter(x[hit, pair[0]], x[hit, pair[1]], s=14, color=mark, label=outcome)
    from matplotlib.patches import Rectangle
    ax.add_patch(Rectangle((box.lower[pair[0]], box.lower[pair[1]]), box.upper[pair[0]] - box.lower[pair[0]],
                           box.upper[pair[1]] - box.lower[pair[1]], fill=False, lw=3, color="black",
                           label="PRIM box"))
    ax.set(xlabel=result.names[pair[0]], ylabel=result.names[pair[1]],
           title=f"Runs on the two most restricted inputs")
    ax.legend(loc="upper right", framealpha=0.9)
    fig.tight_layout()
    fig.savefig(out / "box_scatter.png")
    plt.close(fig)

    if tree is not None:
        from sklearn.tree import plot_tree
        fig, ax = plt.subplots(figsize=(16, 8))
        plot_tree(tree.model, feature_names=result.names, class_names=[f"not {outcome}", outcome], filled=True,
                  impurity=False, proportion=True, rounded=True, fontsize=11, ax=ax)
        ax.set_title(f"CART: a depth-{tree.model.get_depth()} tree for '{outcome}' (value: share of runs)")
        fig.tight_layout()
        fig.savefig(out / "cart_tree.png")
        plt.close(fig)


def morris_screening_figure(ds: xr.Dataset, path, arm: int = 0) -> Path:
    """Morris screening: mu* (mean |elementary effect|) against sigma for each parameter and each
    sensitivity output of one arm; inputs far right matter, inputs high up interact or act non-linearly."""
    plt = _pyplot()
    outputs = [str(o) for o in ds["sensitivity_output"].values]
    names = [str(p) for p in ds["parameter"].values]
    columns = min(3, len(outputs))
    rows = -(-len(outputs) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(6.0 * columns, 5.5 * rows + 0.8), squeeze=False)
    for ax in axes.flat[len(outputs):]:
        ax.set_visible(False)
    for o, ax in enumerate(axes.flat[:len(outputs)]):
        mu_star = ds["sensitivity_morris_mu_star"].values[arm, o]
        sigma = ds["sensitivity_morris_sigma"].values[arm, o]
        ax.scatter(mu_star, sigma, s=70, color="#004488")
        for j, name in enumerate(names):
            ax.annotate(name, (mu_star[j], sigma[j]), xytext=(5, 4), textcoords="offset points", fontsize=12)
        top = max(float(np.nanmax(mu_star)), float(np.nanmax(sigma)), 1e-12) * 1.1
        ax.plot([0, top], [0, top], color="#999999", ls="--", lw=1.2)  # sigma = mu*: effects vary as much as they act
        ax.set(xlim=(0, top), ylim=(0, top), xlabel="mu* (mean |elementary effect|)", ylabel="sigma",
               title=outputs[o])
    fig.suptitle(f"Morris screening, arm {ds['arm'].values[arm]}", fontsize=21, fontweight="bold")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return Path(path)
