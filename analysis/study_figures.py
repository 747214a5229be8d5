"""The figures of a study report (`report` on a `polarity-study/1` file) and of `compare` on studies.

Every function takes a dataset from :func:`analysis.io.open_study` (or several, with labels) and
a path, writes one PNG and returns the path. Fan charts shade the 5th–95th percentiles of an
arm's runs lightly and the 25th–75th darker, with the median as a line; blocs keep their colours
from analysis.style, settled states theirs from `STATE_MARK_COLOURS`.
"""

from __future__ import annotations

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
from .figures import CAPABILITY_LABEL, _save, _title_and_key, date_axis, figure_style  # noqa: E402
from .style import (ARM_COLOURS, SENSITIVITY_COLOURS, STATE_MARK_COLOURS, STATE_MARKERS,  # noqa: E402
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


def _band(ds: xr.Dataset, variable: str, arm: str, bloc: str) -> dict[float, np.ndarray]:
    """{percentile: values over months} of one arm and bloc."""
    band = ds[variable].sel(arm=arm, bloc=bloc)
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
    """An arm's name over its panel; long names in smaller type so that they fit a third of the width."""
    ax.set_title(text, loc="left", fontsize=17 if len(text) <= 20 else 14.5, fontweight="bold")


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
    """The rival bloc's lag behind the leader over time: a fan per arm (one panel each, or both
    arms overlaid when there are two), the first month left out (its lag is undefined)."""
    rival = io.rival_bloc(ds)
    arms = io.arm_names(ds)
    months = ds["month"].values[1:]
    bands = {a: {q: v[1:] for q, v in _band(ds, "band_bloc_lag_months", a, rival).items()} for a in arms}
    top = max(float(np.nanmax(b[max(b)])) for b in bands.values())
    top = max(3.0, 1.08 * top) if np.isfinite(top) else 12.0
    ylabel = f"{bloc_label(rival)}'s lag behind\nthe leader (months)"
    title = f"How far behind is {bloc_label(rival)}? Lag behind the leader across runs — {io.study_label(ds)}"
    with figure_style():
        if len(arms) == 2:  # overlaid, one colour per arm
            fig, ax = plt.subplots(figsize=(13.33, 8.0))
            for arm, colour in zip(arms, ARM_COLOURS):
                _fan(ax, months, bands[arm], colour, label=arm)
            ax.set_ylim(0, top)
            ax.set_xlim(months[0], months[-1])
            ax.set_ylabel(ylabel)
            ax.set_xlabel("Date")
            date_axis(ax)
            handles = [Patch(facecolor=to_rgba(c, INNER), edgecolor=c, lw=2, label=a) for a, c in zip(arms, ARM_COLOURS)]
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
            _panel_title(ax, arm if len(arms) > 1 else f"arm: {arm}")
            date_axis(ax, maxticks=8)
        axes[0, 0].set_ylim(0, top)
        axes[0, 0].set_xlim(months[0], months[-1])
        _label_outer(fig, axes, len(arms), ylabel)
        extra = ([Line2D([], [], color=REFERENCE, lw=1.8, ls=(0, (4, 2.5)), label=f"median of {arms[0]}")]
                 if len(arms) > 1 else [])
        _title_and_key(fig, title, _fan_key(extra, colour), bottom=1.0, columns=4)
        fig.subplots_adjust(right=0.98, wspace=0.1)
        return _save(fig, path)


def capability_figure(ds: xr.Dataset, path) -> Path:
    """Frontier capability of every bloc across runs, one panel per arm, with the powerful-AI
    threshold: a line when fixed, a grey band (5th–95th percentile of the sampled values) when a
    study parameter samples it. Months where a percentile is 0 (no frontier model) are left out."""
    arms = io.arm_names(ds)
    names = io.blocs(ds)
    colours = bloc_colours(names)
    months = ds["month"].values
    cap = ds["band_bloc_frontier_capability"].where(ds["band_bloc_frontier_capability"] > 0)
    lows, highs = [float(cap.min())], [float(cap.max())]
    thresholds = {a: study.threshold_range(ds, a) or float(ds["powerful_ai_capability"].sel(arm=a)) for a in arms}
    for t in thresholds.values():
        lows.append(t[0] if isinstance(t, tuple) else t)
        highs.append(t[2] if isinstance(t, tuple) else t)
    with figure_style():
        fig, axes = _panels(len(arms), height_per_row=3.6)
        for ax, arm in zip(axes.flat, arms):
            t = thresholds[arm]
            if isinstance(t, tuple):
                ax.axhspan(t[0], t[2], color="#bbbbbb", alpha=0.45, lw=0, zorder=0)
                ax.axhline(t[1], color="black", lw=1.4, ls=(0, (5, 3)), zorder=1)
            else:
                ax.axhline(t, color="black", lw=1.8, ls=(0, (5, 3)), zorder=1)
            rival = io.rival_bloc(ds)
            for name in sorted(names, key=lambda n: n == rival):  # the rival's fan on top
                band = {float(q): cap.sel(arm=arm, bloc=name, percentile=q).values for q in ds["percentile"].values}
                _fan(ax, months, band, colours[name], lw=2.6 if len(arms) > 1 else 3.0)
            _panel_title(ax, arm if len(arms) > 1 else f"arm: {arm}")
            date_axis(ax, maxticks=8)
        axes[0, 0].set_ylim(min(lows) - 0.3, max(highs) + 0.3)
        axes[0, 0].set_xlim(months[0], months[-1])
        _label_outer(fig, axes, len(arms), CAPABILITY_LABEL)
        never = [n for n in names if not bool(np.isfinite(cap.sel(bloc=n)).any())]
        handles = [Line2D([], [], color=colours[n], lw=3,
                          label=bloc_label(n) + (" (no frontier model)" if n in never else "")) for n in names]
        handles += [Patch(facecolor=to_rgba("#555555", OUTER), label="90% of runs"),
                    Patch(facecolor=to_rgba("#555555", INNER + OUTER * (1 - INNER)), label="middle half")]
        if any(isinstance(t, tuple) for t in thresholds.values()):
            handles.append(Patch(facecolor=to_rgba("#bbbbbb", 0.45), edgecolor="black", ls=(0, (5, 3)),
                                 label="powerful-AI threshold: sampled (grey: 90% of draws, dashed: median)"))
        else:
            levels = sorted(set(thresholds.values()))
            handles.append(Line2D([], [], color="black", lw=1.8, ls=(0, (5, 3)),
                                  label="powerful-AI threshold (" + ", ".join(f"{v:g}" for v in levels) + ")"))
        _title_and_key(fig, f"Frontier AI capability by bloc across runs — {io.study_label(ds)}", handles,
                       bottom=1.0, columns=3 if len(names) == 3 else 4)
        fig.subplots_adjust(right=0.98, wspace=0.1)
        return _save(fig, path)


# --- outcome probabilities ----------------------------------------------------------------------

def _shown_states(ds: xr.Dataset) -> list[str]:
    """States at least one run settled in (the others would be rows of zeros), and always unipolar."""
    return study.shown_states(ds)


def outcome_figure(ds: xr.Dataset, path) -> Path:
    """Dot-and-whisker: the probability of each settled state per arm with its 95 % Wilson
    interval; one panel per state (in its colour), arms as rows, a common 0–x % scale."""
    arms = io.arm_names(ds)
    states = _shown_states(ds)
    f = study.facts(ds)
    if len(arms) == 1:
        return _single_arm_outcome_figure(ds, f.arms[0], states, path)
    with figure_style():
        fig, axes = plt.subplots(1, len(states), sharey=True, squeeze=False,
                                 figsize=(13.33, max(5.5, 0.75 * len(arms) + 3.2)))
        for ax, state in zip(axes[0], states):
            colour = STATE_MARK_COLOURS.get(state, "#444444")
            for i, arm in enumerate(f.arms):
                y = len(arms) - 1 - i
                if i % 2 == 0:
                    ax.axhspan(y - 0.5, y + 0.5, color="#f2f2f2", lw=0, zorder=0)
                p, lo, hi = arm.probability[state], arm.low[state], arm.high[state]
                ax.errorbar([p], [y], xerr=[[p - lo], [hi - p]], fmt=STATE_MARKERS.get(state, "o"), color=colour,
                            ms=11, mec="white", mew=1.2, elinewidth=3, capsize=6, capthick=2.5, zorder=3)
                ax.text(p, y + 0.2, percent_text(p), ha="center", va="bottom", fontsize=13, color="#222222",
                        fontweight="bold" if state == "unipolar" else "normal", zorder=4,
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.6, "pad": 0.5})
            ax.set_title(state, color=colour, fontsize=19, fontweight="bold", loc="left")
            # each panel zoomed on its own values (a dot plot needs no zero baseline), so the
            # intervals and the differences between arms are visible
            lo = min(a.low[state] for a in f.arms)
            hi = max(a.high[state] for a in f.arms)
            pad = max(0.25 * (hi - lo), 0.01)
            ax.set_xlim(max(0.0, lo - pad), min(1.0, hi + pad))
            ax.grid(axis="y", alpha=0)
            ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
            ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        axes[0, 0].set_yticks(range(len(arms)))
        axes[0, 0].set_yticklabels(arms[::-1])
        axes[0, 0].set_ylim(-0.5, len(arms) - 0.5)
        fig.suptitle(f"How likely is each outcome, arm by arm? — {io.study_label(ds)}", x=0.01, ha="left",
                     fontsize=21, fontweight="bold")
        fig.supxlabel("Probability of settling in the state (% of the arm's runs; whiskers: 95% Wilson interval; "
                      "each panel has its own scale)", fontsize=16)
        fig.tight_layout(rect=(0, 0, 1, 0.96), w_pad=1.2)
        return _save(fig, path)


def _single_arm_outcome_figure(ds: xr.Dataset, arm: study.ArmFacts, states: list[str], path) -> Path:
    """One arm: one row per state on a common scale from 0."""
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, max(4.5, 0.9 * len(states) + 2.4)))
        for i, state in enumerate(states):
            y = len(states) - 1 - i
            colour = STATE_MARK_COLOURS.get(state, "#444444")
            p, lo, hi = arm.probability[state], arm.low[state], arm.high[state]
            ax.errorbar([p], [y], xerr=[[p - lo], [hi - p]], fmt=STATE_MARKERS.get(state, "o"), color=colour, ms=13,
                        mec="white", mew=1.2, elinewidth=3.5, capsize=8, capthick=2.5, zorder=3)
            ax.text(hi, y, f"  {percent_text(p)}", va="center", ha="left", fontsize=16, color="#222222",
                    fontweight="bold" if state == "unipolar" else "normal")
        ax.set_yticks(range(len(states)))
        ax.set_yticklabels(states[::-1], fontsize=17)
        for label, state in zip(ax.get_yticklabels(), states[::-1]):
            label.set_color(STATE_MARK_COLOURS.get(state, "#222222"))
            label.set_fontweight("bold")
        ax.set_ylim(-0.6, len(states) - 0.4)
        ax.set_xlim(0, min(1.0, max(arm.high[s] for s in states) * 1.15 + 0.03))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel(f"Probability of settling in the state (% of the {arm.runs:,} runs; whiskers: 95% Wilson interval)")
        ax.grid(axis="y", alpha=0)
        ax.set_title(f"How likely is each outcome? — {io.study_label(ds)}, arm {arm.name}", loc="left", pad=16)
        return _save(fig, path)


# --- sensitivity --------------------------------------------------------------------------------

def sensitivity_figure(ds: xr.Dataset, output: str, path) -> Path:
    """Horizontal bars ranking the parameters for one output, most important at the top.

    PRCC: one bar per parameter (mean over arms), coloured by sign. Sobol: first- and total-order
    indices side by side, ranked by total order. With several arms, a small black tick marks each
    arm's value."""
    ranked = study.importance(ds, output)
    method = study.sensitivity_method(ds)
    what = study_output_label(ds, output)
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


def study_output_label(ds: xr.Dataset, output: str) -> str:
    """Readable name of a sensitivity output, naming the rival bloc ("China's lag (months)")."""
    if output == "rival_lag_months":
        return f"{bloc_label(io.rival_bloc(ds))}'s final lag"
    if output == "unipolar_window_months":
        return "the unipolar window"
    return io.STUDY_OUTPUTS.get(output, output)


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
            _panel_title(ax, arm if len(arms) > 1 else f"arm: {arm}")
        _label_outer(fig, axes, len(arms), y, xlabel=x)
        fig.suptitle(f"Where is a unipolar world likely? — {io.study_label(ds)}", x=0.01, ha="left",
                     fontsize=21, fontweight="bold")
        bar = fig.colorbar(mesh, ax=axes, fraction=0.05, pad=0.02, aspect=25,
                           format=PercentFormatter(1.0, decimals=0))
        label = "P(unipolar): share of the bin's runs\nsettling unipolar"
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
            p = float(ds["outcome_probability"].sel(arm=arm, state="unipolar"))
            lo = float(ds["outcome_probability_low"].sel(arm=arm, state="unipolar"))
            hi = float(ds["outcome_probability_high"].sel(arm=arm, state="unipolar"))
            ax.plot([lo, hi], [y, y], color=colour[label], lw=3.5, solid_capstyle="butt")
            ax.plot([p], [y], "o", ms=12, color=colour[label], mec="white", mew=1.2)
            ax.text(hi, y, f"  {percent_text(p)}", va="center", fontsize=14, fontweight="bold", color="#222222")
            right = max(right, hi)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{label}: {arm}" for label, arm, _ in rows][::-1])
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
    rivals = list(dict.fromkeys(io.rival_bloc(ds) for ds in studies))
    colours = bloc_colours(list(dict.fromkeys(b for ds in studies for b in io.blocs(ds))))
    with figure_style():
        fig, ax = plt.subplots(figsize=(13.33, max(4.5, 0.55 * len(rows) + 2.6)))
        for i, (label, arm, ds) in enumerate(rows):
            y = len(rows) - 1 - i
            lag = ds["rival_lag_percentiles"].sel(arm=arm)
            q = lambda p: float(lag.sel(percentile=p, method="nearest"))  # noqa: E731
            colour = colours[io.rival_bloc(ds)]
            ax.plot([q(5), q(95)], [y, y], color=colour, lw=2.5, alpha=0.8, solid_capstyle="butt")
            ax.plot([q(25), q(75)], [y, y], color=colour, lw=10, alpha=0.55, solid_capstyle="butt")
            ax.plot([q(50)], [y], "o", ms=12, color=colour, mec="white", mew=1.5)
            ax.text(q(95), y, f"  {q(50):.1f}", va="center", fontsize=14, fontweight="bold", color=colour)
        ax.set_yticks(range(len(rows)))
        ax.set_yticklabels([f"{label}: {arm}" for label, arm, _ in rows][::-1])
        ax.set_ylim(-0.6, len(rows) - 0.4)
        ax.set_xlim(left=0)
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
