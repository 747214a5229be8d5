"""The figures of a study report (`report` on a `polarity-study/2` file) and of `compare` on studies.

Every function takes a dataset from :func:`analysis.io.open_study` (or several, with labels) and
a path, writes one PNG and returns the path. Probabilities share one axis from zero; arms are
compared as paired differences against a reference arm; fan charts shade the 5th–95th
percentiles of an arm's runs lightly and the 25th–75th darker, with the median as a line; blocs
keep their colours from analysis.style, outcome classes theirs from `CLASS_COLOURS`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import PercentFormatter  # noqa: E402

from . import io, study  # noqa: E402
from .figures import _save, _title_and_key, date_axis, figure_style  # noqa: E402
from .study_narrative import output_name, short_output_name  # noqa: E402
from .style import (ARM_COLOURS, CLASS_COLOURS, CLASS_MARKERS, SENSITIVITY_COLOURS,  # noqa: E402
                    bloc_colours, bloc_label, percent_text)

OUTER, INNER = 0.18, 0.42   # opacity of the 5–95 % and 25–75 % shading
REFERENCE = "#444444"       # the first arm's median, repeated in the other panels


def _grid(n: int) -> tuple[int, int]:
    """(rows, columns) of a grid of n panels."""
    if n <= 3:
        return 1, n
    if n == 4:
        return 2, 2
    if n <= 6:
        return 2, 3
    if n <= 9:
        return 3, 3
    return -(-n // 4), 4


def _panels(n: int, height_per_row: float = 3.5, extra: float = 2.3):
    rows, cols = _grid(n)
    if rows == 1:
        height_per_row = max(height_per_row, 5.2)
    fig, axes = plt.subplots(rows, cols, sharex=True, sharey=True, squeeze=False,
                             figsize=(13.33 if cols > 1 else 12.0, height_per_row * rows + extra))
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, axes


def _band(ds: xr.Dataset, variable: str, arm: str, bloc: str | None = None) -> dict[float, np.ndarray]:
    """{percentile: values over months} of one arm (and bloc, for a per-bloc band)."""
    band = ds[variable].sel(arm=arm) if bloc is None else ds[variable].sel(arm=arm, bloc=bloc)
    return {float(q): band.sel(percentile=q).values.astype(float) for q in ds["percentile"].values}


def _fan(ax, months, band: dict[float, np.ndarray], colour: str, label: str | None = None, lw: float = 3.0) -> None:
    """p5–p95 shaded, p25–p75 darker, median line."""
    q = lambda p: band[min(band, key=lambda k: abs(k - p))]  # noqa: E731
    ax.fill_between(months, q(5), q(95), color=colour, alpha=OUTER, lw=0)
    ax.fill_between(months, q(25), q(75), color=colour, alpha=INNER, lw=0)
    ax.plot(months, q(50), color=colour, lw=lw, label=label)


def _fan_key(extra: list | None = None, colour: str = "#555555") -> list:
    return [Patch(facecolor=to_rgba(colour, OUTER), label="90% of runs (5th–95th percentile)"),
            Patch(facecolor=to_rgba(colour, INNER + OUTER * (1 - INNER)), label="middle half (25th–75th)"),
            Line2D([], [], color=colour, lw=3, label="median")] + (extra or [])


def _panel_title(ax, text: str) -> None:
    """An arm's title over its panel; long titles on two lines so that they fit a third of the width."""
    ax.set_title(textwrap.fill(text, 24), loc="left", fontsize=16 if len(text) <= 24 else 14.5, fontweight="bold")


def _label_outer(fig, axes, n: int, ylabel: str, xlabel: str = "Date") -> None:
    rows, cols = axes.shape
    for i, ax in enumerate(axes.flat[:n]):
        r, c = divmod(i, cols)
        if c == 0:
            ax.set_ylabel(ylabel)
        if r == rows - 1 or i + cols >= n:  # bottom of its column
            ax.set_xlabel(xlabel)
            ax.xaxis.set_tick_params(labelbottom=True)


# --- fan charts ---------------------------------------------------------------------------------

def rival_lag_figure(ds: xr.Dataset, path) -> Path:
    """The rival's lag behind the leader over time (`band_rival_lag_months`): a fan per arm (one
    panel each, or both arms overlaid when there are two), on one scale."""
    rival, leader = io.rival(ds), bloc_label(io.leader(ds))
    arms = io.arm_names(ds)
    titles = io.arm_titles(ds)
    months = ds["month"].values
    bands = {a: _band(ds, "band_rival_lag_months", a) for a in arms}
    top = max(float(np.nanmax(b[max(b)])) for b in bands.values())
    top = max(3.0, 1.08 * top) if np.isfinite(top) else 12.0
    bottom = min(0.0, 1.08 * min(float(np.nanmin(b[min(b)])) for b in bands.values()))
    ylabel = f"{bloc_label(rival)}'s lag behind\n{leader} (months)"
    title = f"How far behind is {bloc_label(rival)}? Lag behind {leader} across runs — {io.study_label(ds)}"
    with figure_style():
        if len(arms) == 2:  # overlaid, one colour per arm
            fig, ax = plt.subplots(figsize=(13.33, 8.0))
            for arm, colour in zip(arms, ARM_COLOURS):
                _fan(ax, months, bands[arm], colour, label=titles[arm])
            ax.set_ylim(bottom, top)
            ax.set_xlim(months[0], months[-1])
            ax.set_ylabel(ylabel)
            ax.set_xlabel("Date")
            date_axis(ax)
            handles = [Patch(facecolor=to_rgba(c, INNER), edgecolor=c, lw=2, label=titles[a]) for a, c in zip(arms, ARM_COLOURS)]
            handles += _fan_key()
            _title_and_key(fig, title, handles, bottom=1.0, columns=3)
            return _save(fig, path)
        colour = bloc_colours(io.blocs(ds))[rival]
        fig, axes = _panels(len(arms))
        for i, (ax, arm) in enumerate(zip(axes.flat, arms)):
            _fan(ax, months, bands[arm], colour)
            if i > 0:
                ax.plot(months, bands[arms[0]][50.0] if 50.0 in bands[arms[0]] else [], color=REFERENCE, lw=1.8,
                        ls=(0, (4, 2.5)), zorder=5)
            _panel_title(ax, titles[arm] if len(arms) > 1 else f"arm: {titles[arm]}")
            date_axis(ax, maxticks=8)
        axes[0, 0].set_ylim(bottom, top)
        axes[0, 0].set_xlim(months[0], months[-1])
        _label_outer(fig, axes, len(arms), ylabel)
        extra = ([Line2D([], [], color=REFERENCE, lw=1.8, ls=(0, (4, 2.5)), label=f"median of {titles[arms[0]]}")]
                 if len(arms) > 1 else [])
        _title_and_key(fig, title, _fan_key(extra, colour), bottom=1.0, columns=4)
        fig.subplots_adjust(right=0.98, wspace=0.1)
        return _save(fig, path)


# --- outcome probabilities and paired differences ----------------------------------------------

def outcome_figure(ds: xr.Dataset, path) -> Path:
    """Dot-and-whisker: every outcome class's probability with its 95 % Wilson interval, for every
    arm, on one axis from 0 (so a difference of 7 points looks like 7 points)."""
    f = study.facts(ds)
    classes = f.classes
    n = len(f.arms)
    step = 0.8 / max(len(classes), 1)
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, max(5.0, 0.95 * n * max(1.0, len(classes) / 4) + 2.8)))
        for i, arm in enumerate(f.arms):
            y0 = n - 1 - i
            if i % 2 == 0:
                ax.axhspan(y0 - 0.5, y0 + 0.5, color="#f2f2f2", lw=0, zorder=0)
            for j, c in enumerate(classes):
                y = y0 + 0.4 - step / 2 - j * step
                p, lo, hi = arm.probability[c], arm.low[c], arm.high[c]
                ax.errorbar([p], [y], xerr=[[p - lo], [hi - p]], fmt=CLASS_MARKERS.get(c, "o"),
                            color=CLASS_COLOURS.get(c, "#444444"), ms=9, mec="white", mew=1.0, elinewidth=2.5,
                            capsize=4, zorder=3)
                ax.text(hi, y, f" {percent_text(p, 0)}", va="center", ha="left", fontsize=11.5, color="#222222",
                        fontweight="bold" if c == "unipolar" else "normal")
        ax.set_yticks(range(n))
        ax.set_yticklabels([a.title for a in f.arms][::-1])
        ax.set_ylim(-0.5, n - 0.5)
        right = max(a.high[c] for a in f.arms for c in classes)
        ax.set_xlim(0, min(1.0, right + 0.08))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"Share of the arm's runs in the class\n(whiskers: 95% Wilson interval; {f.arms[0].runs:,} runs "
                      f"per arm)")
        ax.grid(axis="y", alpha=0)
        handles = [Line2D([], [], color=CLASS_COLOURS.get(c, "#444444"), marker=CLASS_MARKERS.get(c, "o"), ms=10,
                          ls="none", label=c) for c in classes]
        _title_and_key(fig, f"How likely is each outcome? — {io.study_label(ds)}", handles, bottom=1.0,
                       columns=len(handles), handlelength=1.0)
        fig.subplots_adjust(left=0.3)
        return _save(fig, path)


def differences_figure(ds: xr.Dataset, path, reference: str | None = None) -> Path:
    """Each arm minus the reference arm, paired sample by sample (common random numbers): the change
    in P(unipolar) and P(bipolar) (percentage points, 95 % paired interval) and the change in the
    rival's lag and in the leader's months alone (mean with its 95 % interval, and the 5th–95th
    percentile of the sample-by-sample differences)."""
    f = study.facts(ds)
    reference = study.reference_arm(ds, reference)
    others = [a for a in f.arms if a.name != reference]
    shifts = [o for o in ("rival_lag_months", "leader_unipolar_months") if f"run_{o}" in ds]
    classes = [c for c in ("unipolar", "bipolar") if c in f.classes]
    with figure_style():
        fig, axes = plt.subplots(1, 1 + len(shifts), sharey=True, squeeze=False,
                                 figsize=(13.33, max(4.8, 0.8 * len(others) + 3.2)),
                                 gridspec_kw={"width_ratios": [1.3] + [1] * len(shifts)})
        axes = axes[0]
        ys = np.arange(len(others))[::-1]
        for y, arm in zip(ys, others):
            for j, c in enumerate(classes):
                d = study.compare_arms(ds, reference, arm.name, c)
                yy = y + (0.15 if j == 0 else -0.15) * (len(classes) > 1)
                axes[0].errorbar([100 * d.difference], [yy], xerr=[[100 * (d.difference - d.low)], [100 * (d.high - d.difference)]],
                                 fmt=CLASS_MARKERS[c], color=CLASS_COLOURS[c], ms=10, mec="white", elinewidth=2.5,
                                 capsize=4, zorder=3)
            for ax, output in zip(axes[1:], shifts):
                s = study.paired_shift(ds, reference, arm.name, output)
                if s is None:
                    continue
                ax.plot([s.p5, s.p95], [y, y], color="#888888", lw=6, alpha=0.45, solid_capstyle="butt", zorder=2)
                ax.errorbar([s.mean], [y], xerr=[[s.mean - s.low], [s.high - s.mean]], fmt="o", color="#222222", ms=9,
                            elinewidth=2.5, capsize=4, zorder=3)
        for ax in axes:
            ax.axvline(0, color="black", lw=1.2)
            ax.grid(axis="y", alpha=0)
            for y in ys[::2]:
                ax.axhspan(y - 0.5, y + 0.5, color="#f2f2f2", lw=0, zorder=0)
        axes[0].set_yticks(ys)
        axes[0].set_yticklabels([a.title for a in others])
        axes[0].set_ylim(-0.5, len(others) - 0.5)
        axes[0].set_xlabel("change in probability\n(percentage points)")
        axes[0].set_title("outcome\nprobabilities", loc="left", fontsize=16)
        short = {"rival_lag_months": f"{bloc_label(f.rival)}'s lag\nat the horizon",
                 "leader_unipolar_months": f"months {bloc_label(f.leader)}\nheld it alone"}
        for ax, output in zip(axes[1:], shifts):
            ax.set_xlabel("change (months)")
            ax.set_title(short.get(output, output), loc="left", fontsize=16)
        handles = [Line2D([], [], color=CLASS_COLOURS[c], marker=CLASS_MARKERS[c], ls="none", ms=10, label=f"P({c})")
                   for c in classes]
        if shifts:
            handles += [Line2D([], [], color="#222222", marker="o", ms=9, lw=2.5, label="mean change (95% interval)"),
                        Line2D([], [], color="#888888", lw=6, alpha=0.45, label="5th–95th pct. of paired differences")]
        paired = "paired by sample" if f.crn else "NOT paired (no common random numbers)"
        _title_and_key(fig, f"What each arm changes against {f.arm(reference).title} ({paired})", handles,
                       bottom=1.1, columns=4, handlelength=1.6)
        fig.subplots_adjust(left=0.27, wspace=0.12)
        return _save(fig, path)


def survival_figure(ds: xr.Dataset, path) -> Path:
    """Kaplan-Meier survival of the crossing delay, one step curve per arm on one axis: the share of
    runs (in which the leader crossed) whose rival had not yet crossed k months later. The
    engine's values at its grid points are marked; the durable-lead window is a dashed line."""
    f = study.facts(ds)
    leader, rival = bloc_label(f.leader), bloc_label(f.rival)
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, 7.8))
        right = float(max(ds["delay_months"].values))
        left = 0.0
        for arm, colour in zip(f.arms, ARM_COLOURS * 4):
            times, events = study.delay_observations(ds, arm.name)
            steps = study.kaplan_meier(times, events)
            if times.size:
                left = min(left, float(times.min()))
            xs = np.concatenate([[left - 1], steps[0], [right]])
            ys = np.concatenate([[1.0], steps[1], [steps[1][-1] if steps[1].size else 1.0]])
            ax.step(xs, ys, where="post", color=colour, lw=2.6, label=arm.title)
            ax.plot(list(arm.survival), list(arm.survival.values()), "o", color=colour, ms=8, mec="white", zorder=4)
        ax.axvline(f.durable_months, color="black", ls=(0, (5, 3)), lw=1.6)
        ax.text(f.durable_months, 1.02, f" durable-lead window ({f.durable_months} months)", fontsize=13,
                transform=ax.get_xaxis_transform(), va="bottom")
        ax.set_xlim(left - 1, right)
        ax.set_ylim(0, 1.0)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"Months after {leader} crossed")
        ax.set_ylabel(f"Runs in which {rival} had\nnot yet crossed (Kaplan-Meier)")
        handles, labels = ax.get_legend_handles_labels()
        handles.append(Line2D([], [], color="#444444", marker="o", ls="none", ms=8, label="engine's values (file)"))
        _title_and_key(fig, f"How long does {rival} take to follow {leader}? — {io.study_label(ds)}", handles,
                       bottom=1.0, columns=3 if len(handles) > 4 else len(handles))
        return _save(fig, path)


# --- sensitivity --------------------------------------------------------------------------------

def sensitivity_figure(ds: xr.Dataset, output: str, path) -> Path:
    """Horizontal bars ranking the parameters for one output, most important at the top.

    PRCC: one bar per parameter (mean over arms), coloured by sign. Sobol: first- and total-order
    indices side by side, ranked by total order. With several arms, a small black tick marks each
    arm's value."""
    ranked = study.importance(ds, output)
    method = study.sensitivity_method(ds)
    what = short_output_name(ds, output)
    n = len(ranked)
    several = ds.sizes["arm"] > 1
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, min(8.5, max(4.8, (0.75 if method == "sobol" else 0.6) * n + 2.6))))
        ys = np.arange(n)[::-1]
        if method == "prcc":
            values = np.array([r.value for r in ranked])
            colours = [SENSITIVITY_COLOURS["raises" if v >= 0 else "lowers"] for v in values]
            ax.barh(ys, values, height=0.66, color=colours, zorder=2)
            for y, r in zip(ys, ranked):
                end = max([r.value, *r.per_arm]) if r.value >= 0 else min([r.value, *r.per_arm])
                ax.text(end + (0.025 if r.value >= 0 else -0.025), y, f"{round(r.value, 2) + 0.0:+.2f}", va="center",
                        ha="left" if r.value >= 0 else "right", fontsize=14, zorder=4)
                if several:
                    ax.plot(r.per_arm, [y] * len(r.per_arm), "|", color="black", ms=22, mew=1.6, zorder=3)
            ax.axvline(0, color="black", lw=1.2)
            reach = max(0.5, float(np.max(np.abs(values))) + 0.25) if n else 1.0
            ax.set_xlim(-min(1.05, reach), min(1.05, reach))
            ax.set_xlabel(f"Partial rank correlation with {what} (−1 to +1)")
            handles = [Patch(facecolor=SENSITIVITY_COLOURS["raises"], label=f"higher value raises {what}"),
                       Patch(facecolor=SENSITIVITY_COLOURS["lowers"], label=f"higher value lowers {what}")]
        else:
            h = 0.38
            total = np.array([r.value for r in ranked])
            first = np.array([r.first or 0.0 for r in ranked])
            ax.barh(ys + h / 2, first, height=h, color=SENSITIVITY_COLOURS["first"], zorder=2)
            ax.barh(ys - h / 2, total, height=h, color=SENSITIVITY_COLOURS["total"], zorder=2)
            for y, a, b in zip(ys, first, total):
                ax.text(max(a, 0) + 0.01, y + h / 2, f"{a:.2f}", va="center", ha="left", fontsize=13)
                ax.text(max(b, 0) + 0.01, y - h / 2, f"{b:.2f}", va="center", ha="left", fontsize=13)
            if several:
                for y, r in zip(ys, ranked):
                    ax.plot(r.per_arm, [y - h / 2] * len(r.per_arm), "|", color="black", ms=14, mew=1.6, zorder=3)
            ax.axvline(0, color="black", lw=1.2)
            lo = min(0.0, float(first.min()) if n else 0.0)
            hi = max(1.0, float(max(total.max(), first.max())) if n else 1.0)
            ax.set_xlim(lo - 0.05, hi + 0.12)
            ax.set_xlabel(f"Sobol index for {what} (share of its variance; 0 to 1)")
            handles = [Patch(facecolor=SENSITIVITY_COLOURS["first"], label="first order (the parameter alone)"),
                       Patch(facecolor=SENSITIVITY_COLOURS["total"], label="total order (with its interactions)")]
        if several:
            handles.append(Line2D([], [], color="black", marker="|", ms=16, mew=1.6, ls="none",
                                  label="value in each arm (bar: mean over arms)"))
        ax.set_yticks(ys)
        ax.set_yticklabels([r.parameter for r in ranked])
        ax.set_ylim(-0.6, n - 0.4)
        ax.grid(axis="y", alpha=0)
        method_name = "partial rank correlation" if method == "prcc" else "Sobol indices"
        _title_and_key(fig, f"What drives {what}? Parameters ranked by {method_name}", handles, bottom=1.0,
                       columns=len(handles) if len(handles) <= 2 else 3)
        fig.subplots_adjust(left=0.25)
        return _save(fig, path)


# --- P(unipolar) over two parameters ------------------------------------------------------------

def unipolar_map_figure(ds: xr.Dataset, path, parameters: list[str] | None = None) -> Path:
    """Share of runs settling unipolar in bins of two parameters (binned means of run_outcome ==
    unipolar over run_parameters), one panel per arm, a common colour scale from 0 to 100 %."""
    if parameters is None:
        parameters, _ = study.map_parameters(ds)
    x, y = parameters
    binned = study.binned_unipolar(ds, x, y)
    arms = io.arm_names(ds)
    nx, ny = len(binned.x_edges) - 1, len(binned.y_edges) - 1
    annotate = len(arms) <= 3 and nx * ny <= 64
    with figure_style():
        rows, cols = _grid(len(arms))
        height = {1: 7.0 if cols == 1 else 6.2 if cols == 2 else 5.0}.get(rows, 3.9 * rows + 1.0)
        fig, axes = plt.subplots(rows, cols, squeeze=False, sharex=True, sharey=True, layout="constrained",
                                 figsize=(13.33 if cols > 1 else 11.5, height))
        for ax in axes.flat[len(arms):]:
            ax.set_visible(False)
        mesh = None
        for ax, arm in zip(axes.flat, arms):
            p = binned.probability[arm]
            ax.set_facecolor("#d9d9d9")
            ax.grid(False)
            mesh = ax.pcolormesh(binned.x_edges, binned.y_edges, np.ma.masked_invalid(p), cmap="viridis", vmin=0,
                                 vmax=1, edgecolors="white", linewidth=0.6)
            if annotate:
                for (iy, ix), value in np.ndenumerate(p):
                    if np.isfinite(value):
                        ax.text((binned.x_edges[ix] + binned.x_edges[ix + 1]) / 2,
                                (binned.y_edges[iy] + binned.y_edges[iy + 1]) / 2, f"{100 * value:.0f}",
                                ha="center", va="center", fontsize=13 if cols < 3 else 11,
                                color="white" if value < 0.6 else "black")
            ax.grid(False)
            ax.tick_params(labelsize=14)
            _panel_title(ax, io.arm_titles(ds)[arm] if len(arms) > 1 else f"arm: {io.arm_titles(ds)[arm]}")
        _label_outer(fig, axes, len(arms), y, xlabel=x)
        fig.suptitle(f"Where is a unipolar world likely? — {io.study_label(ds)}", x=0.01, ha="left",
                     fontsize=21, fontweight="bold")
        bar = fig.colorbar(mesh, ax=axes, fraction=0.05, pad=0.02, aspect=25,
                           format=PercentFormatter(1.0, decimals=0))
        label = "P(unipolar): share of the bin's runs\nending unipolar"
        if np.isnan(np.concatenate([v.ravel() for v in binned.probability.values()])).any():
            label += " (grey: no runs)" if binned.min_runs == 1 else f" (grey: under {binned.min_runs} runs)"
        bar.set_label(label)
        return _save(fig, path)


# --- several studies ----------------------------------------------------------------------------

def _rows(studies: list[xr.Dataset], labels: list[str]) -> list[tuple[str, str, xr.Dataset]]:
    return [(label, arm, ds) for ds, label in zip(studies, labels) for arm in io.arm_names(ds)]


def _shade_studies(ax, rows) -> None:
    """A light band behind the rows of every other study, so that the studies stand apart."""
    labels = list(dict.fromkeys(label for label, _, _ in rows))
    for k, label in enumerate(labels):
        if k % 2 == 1:
            ys = [len(rows) - 1 - i for i, row in enumerate(rows) if row[0] == label]
            ax.axhspan(min(ys) - 0.5, max(ys) + 0.5, color="#efefef", lw=0, zorder=0)


def compare_unipolar_figure(studies: list[xr.Dataset], labels: list[str], path) -> Path:
    """P(unipolar) with its 95 % interval for every arm of every study, one colour per study."""
    rows = _rows(studies, labels)
    colour = {label: ARM_COLOURS[i % len(ARM_COLOURS)] for i, label in enumerate(labels)}
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, max(4.5, 0.55 * len(rows) + 2.6)))
        right = 0.0
        for i, (label, arm, ds) in enumerate(rows):
            y = len(rows) - 1 - i
            p = float(ds["outcome_probability"].sel(arm=arm, outcome_class="unipolar"))
            lo = float(ds["outcome_probability_low"].sel(arm=arm, outcome_class="unipolar"))
            hi = float(ds["outcome_probability_high"].sel(arm=arm, outcome_class="unipolar"))
            ax.plot([lo, hi], [y, y], color=colour[label], lw=3.5, solid_capstyle="butt")
            ax.plot([p], [y], "o", ms=12, color=colour[label], mec="white", mew=1.2)
            ax.text(hi, y, f"  {percent_text(p)}", va="center", fontsize=14, fontweight="bold", color="#222222")
            right = max(right, hi)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{label}: {io.arm_titles(ds)[arm]}" for label, arm, ds in rows][::-1])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(0, min(1.0, right * 1.15 + 0.02))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        _shade_studies(ax, rows)
        ax.set_xlabel("P(unipolar): % of runs settling unipolar (whiskers: 95% interval)")
        ax.grid(axis="y", alpha=0)
        handles = [Line2D([], [], color=colour[name], marker="o", ms=11, lw=3.5, label=name) for name in labels]
        _title_and_key(fig, "How likely is a unipolar world? Study by study, arm by arm", handles, bottom=1.0)
        fig.subplots_adjust(left=0.3)
        return _save(fig, path)


def compare_lag_figure(studies: list[xr.Dataset], labels: list[str], path) -> Path:
    """The rival bloc's lag at the horizon for every arm of every study: median (dot), middle half
    (thick bar) and 90 % of runs (thin bar)."""
    rows = _rows(studies, labels)
    rivals = list(dict.fromkeys(io.rival(ds) for ds in studies))
    colours = bloc_colours(list(dict.fromkeys(b for ds in studies for b in io.blocs(ds))))
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, max(4.5, 0.55 * len(rows) + 2.6)))
        for i, (label, arm, ds) in enumerate(rows):
            y = len(rows) - 1 - i
            lag = ds["output_percentiles"].sel(arm=arm, percentile_output="rival_lag_months")
            q = lambda p: float(lag.sel(percentile=p, method="nearest"))  # noqa: E731
            colour = colours[io.rival(ds)]
            ax.plot([q(5), q(95)], [y, y], color=colour, lw=2.5, alpha=0.8, solid_capstyle="butt")
            ax.plot([q(25), q(75)], [y, y], color=colour, lw=10, alpha=0.55, solid_capstyle="butt")
            ax.plot([q(50)], [y], "o", ms=12, color=colour, mec="white", mew=1.5)
            ax.text(q(95), y, f"  {q(50):.1f}", va="center", fontsize=14, fontweight="bold", color=colour)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{label}: {io.arm_titles(ds)[arm]}" for label, arm, ds in rows][::-1])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        who = " / ".join(bloc_label(r) for r in rivals)
        _shade_studies(ax, rows)
        ax.set_xlabel(f"{who}'s lag behind the leader at the horizon (months)")
        ax.grid(axis="y", alpha=0)
        c = colours[rivals[0]]
        handles = [Line2D([], [], color=c, marker="o", ms=11, ls="none", label="median (number at the right)"),
                   Line2D([], [], color=c, lw=10, alpha=0.55, label="middle half of runs"),
                   Line2D([], [], color=c, lw=2.5, alpha=0.8, label="90% of runs")]
        _title_and_key(fig, f"How far behind is {who} at the end? Study by study, arm by arm", handles,
                       bottom=1.0, columns=3)
        fig.subplots_adjust(left=0.3)
        return _save(fig, path)
