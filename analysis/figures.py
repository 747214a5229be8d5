"""The figures, one function per PNG, for one run (`report`) and for several (`compare`).

Every function takes datasets from :func:`analysis.io.open_run` and a path, writes one PNG and
returns the path. Each bloc keeps its colour from :func:`analysis.style.bloc_colours` in every
figure; in `compare` figures the line style tells the runs apart.
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # files only; never needs a display
import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Patch  # noqa: E402
from matplotlib.ticker import FuncFormatter, PercentFormatter  # noqa: E402

from . import io  # noqa: E402
from .style import (RC, RUN_LINESTYLES, ROUTE_COLOURS, bloc_colours, bloc_label, count_text,  # noqa: E402
                    holder_colours, month_short, route_label)

CAPABILITY_LABEL = "Capability\n(log10 effective FLOP)"
LAG_LABEL = "Lag behind the leader (months;\nbelow 0: ahead)"


@contextmanager
def figure_style():
    """Apply the package's matplotlib settings (analysis.style.RC) inside a `with` block."""
    with plt.rc_context(RC):
        yield


def date_axis(ax, maxticks: int = 10) -> None:
    """Year/month ticks with concise date labels on the x axis of `ax`."""
    locator = mdates.AutoDateLocator(minticks=3, maxticks=maxticks)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))


def _save(fig, path: Path) -> Path:
    path = Path(path)
    fig.savefig(path, bbox_inches="tight", pad_inches=0.25)
    plt.close(fig)
    return path


def _months(ds: xr.Dataset) -> np.ndarray:
    return ds["month"].values


def _month_edges(ds: xr.Dataset) -> np.ndarray:
    """The first day of each month of the run plus the first day after its last month."""
    months = _months(ds)
    last = np.datetime64(str(months[-1])[:7], "M") + np.timedelta64(1, "M")
    return np.append(months, last.astype("datetime64[ns]"))


def _holder_segments(ds: xr.Dataset):
    """(start index, end index exclusive, holders value) runs of `powerful_ai_holders`."""
    holders = ds["powerful_ai_holders"].values.astype(int)
    edges = np.flatnonzero(np.diff(holders)) + 1
    bounds = [0, *edges, len(holders)]
    return [(a, b, int(holders[a])) for a, b in zip(bounds[:-1], bounds[1:])]


def holder_names(ds: xr.Dataset) -> dict[int, str]:
    """Words for each `powerful_ai_holders` value, naming the declared pair."""
    leader, rival = bloc_label(io.leader(ds)), bloc_label(io.rival(ds))
    return {0: "neither", 1: f"{leader} alone", 2: f"{rival} alone", 3: "both"}


def holders_strip(ax, ds: xr.Dataset, label: str = "Powerful AI", annotate: bool = True,
                  span_days: float | None = None) -> set[int]:
    """Who of the declared pair holds powerful AI each month, as a coloured band on `ax`; returns
    the values shown. A side alone takes a tint of its bloc's colour. Segments are named when
    wide enough against `span_days` (default: the run's own length)."""
    months = _months(ds)
    ends = _month_edges(ds)[1:]
    span = span_days or (ends[-1] - months[0]) / np.timedelta64(1, "D")
    colours = holder_colours(io.leader(ds), io.rival(ds))
    names = holder_names(ds)
    shown = set()
    for a, b, value in _holder_segments(ds):
        ax.axvspan(months[a], ends[b - 1], color=colours[value], lw=0)
        shown.add(value)
        width = (ends[b - 1] - months[a]) / np.timedelta64(1, "D")
        if annotate and width / span > 0.12:
            mid = months[a] + (ends[b - 1] - months[a]) / 2
            ax.text(mid, 0.5, names[value], ha="center", va="center", fontsize=14, color="#111111",
                    transform=ax.get_xaxis_transform())
    ax.set_yticks([])
    ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=15)
    ax.grid(False)
    for side in ("left", "top", "right"):
        ax.spines[side].set_visible(False)
    ax.set_xlim(months[0], ends[-1])
    return shown


def _holders_legend(fig, ds: xr.Dataset, shown: set[int], **kwargs):
    colours, names = holder_colours(io.leader(ds), io.rival(ds)), holder_names(ds)
    handles = [Patch(facecolor=colours[v], edgecolor="#888888", label=names[v]) for v in sorted(shown)]
    return fig.legend(handles=handles, title="Who holds powerful AI (of the declared pair)", ncol=len(handles),
                      frameon=False, **kwargs)


def _mark_crossings(ax, ds: xr.Dataset, colours: dict[str, str]) -> None:
    """Circle each bloc's crossing of the threshold and drop a line to a dated label near the x axis.

    Labels are stacked from the bottom in crossing order, so close dates do not collide.
    """
    crossing = ds["outcome_crossing_month"]
    crossed = sorted((crossing.sel(bloc=n).values, n) for n in io.blocs(ds) if not np.isnat(crossing.sel(bloc=n).values))
    bottom, top = ax.get_ylim()
    for rank, (when, name) in enumerate(crossed):
        y = float(ds["bloc_frontier_capability"].sel(bloc=name, month=when))
        label_y = bottom + (0.05 + 0.085 * rank) * (top - bottom)
        ax.plot([when, when], [label_y, y], color=colours[name], lw=1.6, ls=(0, (1, 1.5)), zorder=4)
        ax.plot([when], [y], "o", ms=13, mfc="white", mec=colours[name], mew=3, zorder=5)
        ax.text(when, label_y, f" {bloc_label(name)}: {month_short(when)}", color=colours[name], fontsize=15,
                fontweight="bold", va="center", ha="left", zorder=6,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})


def capability_figure(ds: xr.Dataset, path) -> Path:
    """Frontier capability by bloc with the powerful-AI threshold, crossing dates, and a band
    saying who of the declared pair holds powerful AI each month."""
    names = io.blocs(ds)
    colours = bloc_colours(names)
    threshold = float(ds.attrs["powerful_ai_capability"])
    with figure_style():
        fig, (ax, strip) = plt.subplots(2, 1, sharex=True, figsize=(13.33, 8.2),
                                        gridspec_kw={"height_ratios": [10, 1], "hspace": 0.08})
        capability = ds["bloc_frontier_capability"].where(_has_frontier(ds))
        for name in names:
            ax.plot(_months(ds), capability.sel(bloc=name), color=colours[name], label=_bloc_key(ds, name))
        ax.axhline(threshold, color="black", ls=(0, (5, 3)), lw=1.8)
        ax.text(_months(ds)[-1], threshold, f"powerful-AI threshold ({threshold:g})", va="bottom", ha="right",
                fontsize=14, bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 1})
        ax.set_ylim(min(float(capability.min()), threshold) - 0.5, max(float(capability.max()), threshold) + 0.5)
        _mark_crossings(ax, ds, colours)
        ax.set_ylabel(CAPABILITY_LABEL)
        ax.set_title(f"Frontier AI capability by bloc — {io.run_label(ds)}", loc="left")
        ax.legend(loc="best", frameon=True, framealpha=0.9, edgecolor="none")
        shown = holders_strip(strip, ds)
        date_axis(strip)
        strip.set_xlabel("Date")
        _holders_legend(fig, ds, shown, loc="upper center", bbox_to_anchor=(0.5, 0.02))
        return _save(fig, path)


def _lag_limits(values: np.ndarray) -> float:
    """Top of a lag axis: room for the bulk of the data, ignoring the spike of the first months."""
    finite = values[np.isfinite(values)]
    return max(3.0, 1.15 * float(np.quantile(finite, 0.98))) if finite.size else 12.0


def _has_frontier(ds: xr.Dataset) -> xr.DataArray:
    """(month, bloc) True where the bloc has a frontier model (capability above 0)."""
    return ds["bloc_frontier_capability"] > 0


def _bloc_key(ds: xr.Dataset, name: str) -> str:
    """Legend text of a bloc, flagging a bloc that never had a frontier model (nothing is drawn for it)."""
    return bloc_label(name) + ("" if bool(_has_frontier(ds).sel(bloc=name).any()) else " (no frontier model)")


def _lag_values(ds: xr.Dataset) -> xr.DataArray:
    """Lag by bloc without the months when the bloc had no frontier model (its lag is then
    meaningless). The leader's own lag is 0 by definition."""
    return ds["bloc_lag_months"].where(_has_frontier(ds))


def _end_labels(ax, ends: list[tuple[float, str, str]], x) -> None:
    """Write each (value, text, colour) at the right end of the plot, nudged apart vertically."""
    bottom, top = ax.get_ylim()
    gap = 0.055 * (top - bottom)
    placed = []
    for value, text, colour in sorted(ends):
        y = max(value, placed[-1] + gap) if placed else value
        placed.append(y)
        ax.annotate(text, (x, value), xytext=(x, y), textcoords="data", va="center", fontsize=15, color=colour,
                    fontweight="bold", annotation_clip=False)


def lag_figure(ds: xr.Dataset, path) -> Path:
    """Months each bloc is behind the leading bloc, over time, with the final value labelled."""
    names = io.blocs(ds)
    colours = bloc_colours(names)
    lag = _lag_values(ds)
    with figure_style():
        fig, ax = plt.subplots()
        for name in names:
            ax.plot(lag.month, lag.sel(bloc=name), color=colours[name], label=_bloc_key(ds, name))
        top = _lag_limits(lag.values)
        finite = lag.values[np.isfinite(lag.values)]
        bottom = min(-0.03 * top, 1.1 * float(finite.min())) if finite.size else -0.03 * top
        ax.set_ylim(bottom, top)
        if bottom < 0:
            ax.axhline(0, color="black", lw=1)
        ax.set_xlim(_months(ds)[0], _months(ds)[-1])
        last = lag.isel(month=-1)
        _end_labels(ax, [(min(float(last.sel(bloc=n)), top), f" {float(last.sel(bloc=n)):.1f}", colours[n])
                         for n in names if np.isfinite(float(last.sel(bloc=n)))], _months(ds)[-1])
        if float(lag.max()) > top:
            ax.text(0.99, 0.98, "off the scale above", transform=ax.transAxes, ha="right", va="top",
                    fontsize=13, color="#555555")
        ax.set_ylabel(LAG_LABEL)
        ax.set_xlabel("Date")
        ax.set_title(f"How far behind {bloc_label(io.leader(ds))} is each bloc? — {io.run_label(ds)}", loc="left")
        ax.legend(frameon=False, loc="upper left")
        date_axis(ax)
        return _save(fig, path)


def share_figure(ds: xr.Dataset, path) -> Path:
    """Stacked shares of world effective compute (compute x algorithmic efficiency) by bloc."""
    names = io.blocs(ds)
    colours = bloc_colours(names)
    share = ds["bloc_effective_compute_share"] * 100
    with figure_style():
        fig, ax = plt.subplots()
        ax.stackplot(_months(ds), *[share.sel(bloc=n).values for n in names],
                     colors=[colours[n] for n in names], labels=[bloc_label(n) for n in names],
                     edgecolor="white", linewidth=0.6)
        ax.set_ylim(0, 100)
        ax.set_xlim(_months(ds)[0], _months(ds)[-1])
        ax.yaxis.set_major_formatter(PercentFormatter())
        ax.set_ylabel("Share of world effective compute (%)")
        ax.set_xlabel("Date")
        ax.set_title(f"Who holds the world's AI compute? — {io.run_label(ds)}", loc="left")
        handles, legend_labels = ax.get_legend_handles_labels()  # top of the stack first
        ax.legend(handles[::-1], legend_labels[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        ax.grid(axis="x", alpha=0)
        date_axis(ax)
        return _save(fig, path)


def deliveries_figure(ds: xr.Dataset, path) -> Path:
    """Chips delivered each month by route, one row per bloc: on the left stacked chips a month on
    one scale shared by every bloc (so 4M and 150k look different), on the right the same
    deliveries as shares of the bloc's month (its route mix, readable however small the bloc)."""
    names = io.blocs(ds)
    colours = bloc_colours(names)
    delivered = io.delivered_by_route(ds)
    routes = [str(r) for r in delivered.route.values]
    months = _months(ds)
    edges = _month_edges(ds)
    totals = delivered.sum("route")
    with figure_style():
        fig, axes = plt.subplots(len(names), 2, sharex=True, figsize=(13.33, 2.9 * len(names) + 1.9), squeeze=False,
                                 gridspec_kw={"width_ratios": [3, 2]})
        peak = max(float(totals.max()), 1.0)
        for (ax, mix), name in zip(axes, names):
            bottom, share_bottom = np.zeros(len(months)), np.zeros(len(months))
            total = totals.sel(bloc=name).values
            with np.errstate(invalid="ignore", divide="ignore"):
                scale = np.where(total > 0, 100.0 / total, np.nan)
            for route in routes:
                x = delivered.sel(bloc=name, route=route).values
                colour = ROUTE_COLOURS.get(route, "#444444")
                # one flat step per month: the value holds from the first to the last day of the month
                for axis, low, high in ((ax, bottom, bottom + x), (mix, share_bottom, share_bottom + x * scale)):
                    axis.fill_between(edges, np.append(low, low[-1]), np.append(high, high[-1]), step="post",
                                      color=colour, linewidth=0)
                bottom, share_bottom = bottom + x, share_bottom + x * scale
            ax.set_ylim(0, 1.05 * peak)
            ax.set_title(f"{bloc_label(name)}: peak {count_text(float(total.max()))} chips a month", loc="left",
                         color=colours[name], fontsize=17)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: count_text(v)))
            mix.set_ylim(0, 100)
            mix.yaxis.set_major_formatter(PercentFormatter())
            mix.set_yticks([0, 50, 100])
            mix.yaxis.tick_right()
            mix.yaxis.set_label_position("right")
            mix.set_title("route mix", loc="left", fontsize=15, color="#444444")
            for axis in (ax, mix):
                axis.set_xlim(edges[0], edges[-1])
                axis.grid(axis="x", alpha=0)
            if total.max() <= 0:
                mix.text(0.5, 0.5, "no deliveries", transform=mix.transAxes, ha="center", va="center",
                         color="#555555")
        axes[len(names) // 2, 0].set_ylabel("chips a month (one scale for every bloc)")
        axes[len(names) // 2, 1].set_ylabel("share of the bloc's own deliveries")
        for column in (0, 1):
            date_axis(axes[-1, column], maxticks=6 if column else 8)
            axes[-1, column].set_xlabel("Date")
        handles = [Patch(facecolor=ROUTE_COLOURS.get(r, "#444444"), label=route_label(r)) for r in routes]
        _title_and_key(fig, f"Chips delivered to each bloc, by route — {io.run_label(ds)}", handles, bottom=0.9,
                       columns=len(handles), handlelength=1.2)
        fig.subplots_adjust(wspace=0.08, hspace=0.45)
        return _save(fig, path)


# --- several runs -------------------------------------------------------------------------

def _run_handles(labels: list[str]) -> list[Line2D]:
    return [Line2D([], [], color="#222222", ls=RUN_LINESTYLES[i % len(RUN_LINESTYLES)], lw=3, label=label)
            for i, label in enumerate(labels)]


def _per_bloc_panels(runs: list[xr.Dataset], labels: list[str], path, variable: str, ylabel: str, title: str,
                     threshold: bool = False) -> Path:
    """One panel per bloc, one line per run (line style), in the bloc's colour."""
    names = list(dict.fromkeys(b for ds in runs for b in io.blocs(ds)))
    colours = bloc_colours(names)
    with figure_style():
        fig, axes = plt.subplots(1, len(names), sharey=True, figsize=(5.2 * len(names) + 1, 7.2), squeeze=False)
        top = 0.0
        # One thin grey line per distinct threshold: dashed when all runs agree, else in the style
        # of the first run that uses it, named in the key.
        thresholds: dict[float, tuple[object, str]] = {}
        for i, (ds, label) in enumerate(zip(runs, labels)):
            level = float(ds.attrs["powerful_ai_capability"])
            if level not in thresholds:
                thresholds[level] = (RUN_LINESTYLES[i % len(RUN_LINESTYLES)], label)
        if len(thresholds) == 1:
            thresholds = {level: ((0, (5, 3)), "") for level in thresholds}
        for ax, name in zip(axes[0], names):
            for i, ds in enumerate(runs):
                if name not in io.blocs(ds):
                    continue
                series = ds[variable].where(_has_frontier(ds)).sel(bloc=name)
                if variable == "bloc_lag_months":
                    series = _lag_values(ds).sel(bloc=name)
                    top = max(top, _lag_limits(series.values))
                ax.plot(series.month, series, color=colours[name], ls=RUN_LINESTYLES[i % len(RUN_LINESTYLES)], lw=2.8)
                if threshold:
                    when = ds["outcome_crossing_month"].sel(bloc=name).values
                    if not np.isnat(when):
                        ax.plot([when], [float(series.sel(month=when))], "o", ms=10, mfc="white",
                                mec=colours[name], mew=2.5, zorder=5)
            if threshold:  # one line per distinct threshold, in the style of the first run that uses it
                for level, (style, _) in thresholds.items():
                    ax.axhline(level, color="#666666", lw=1.5, ls=style, zorder=1)
            ax.set_title(bloc_label(name), color=colours[name], loc="left", fontsize=20)
            ax.set_xlabel("Date")
            date_axis(ax, maxticks=6)
        if variable == "bloc_lag_months":
            axes[0, 0].set_ylim(-0.03 * top, top)
        if threshold:
            values = [ds[variable].where(_has_frontier(ds)) for ds in runs]
            levels = list(thresholds)
            axes[0, 0].set_ylim(min([float(v.min()) for v in values] + levels) - 0.5,
                                max([float(v.max()) for v in values] + levels) + 0.5)
        axes[0, 0].set_ylabel(ylabel)
        extra = []
        if threshold:
            extra = [Line2D([], [], color="#666666", lw=1.5, ls=style,
                            label=f"threshold {level:g}, {run}" if len(thresholds) > 1
                            else f"powerful-AI threshold ({level:g})")
                     for level, (style, run) in thresholds.items()]
        _title_and_key(fig, title, _run_handles(labels) + extra, bottom=1.0)
        return _save(fig, path)


def _title_and_key(fig, title: str, handles: list, bottom: float, columns: int = 4,
                   handlelength: float = 3.2) -> None:
    """A left-aligned figure title with a key under it (`columns` entries a row); the panels fill
    the rest, leaving `bottom` inches for the x axis."""
    height = fig.get_figheight()
    columns = min(len(handles), columns)
    rows = -(-len(handles) // columns)
    key_at = 1 - (0.65 + 0.4 * rows) / height
    fig.suptitle(title, x=0.01, y=1 - 0.15 / height, ha="left", va="top", fontsize=21, fontweight="bold")
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, key_at), ncol=columns,
               frameon=False, handlelength=handlelength, fontsize=15)
    fig.subplots_adjust(top=key_at - 0.45 / height, bottom=bottom / height, hspace=0.38, wspace=0.12)


def compare_capability_figure(runs, labels, path) -> Path:
    """Capability of each bloc, one panel per bloc, one line style per run; circles mark crossings."""
    return _per_bloc_panels(runs, labels, path, "bloc_frontier_capability", CAPABILITY_LABEL,
                            "Frontier AI capability by bloc, run by run", threshold=True)


def compare_lag_figure(runs, labels, path) -> Path:
    """Lag behind the leader, one panel per bloc, one line style per run."""
    return _per_bloc_panels(runs, labels, path, "bloc_lag_months", LAG_LABEL,
                            "How far behind the leader, run by run")


def compare_polarity_figure(runs, labels, path) -> Path:
    """Who of each run's declared pair holds powerful AI, one band per run on a common time axis."""
    with figure_style():
        fig, axes = plt.subplots(len(runs), 1, sharex=True, figsize=(13.33, 1.0 * len(runs) + 2.6), squeeze=False)
        start = min(ds["month"].values[0] for ds in runs)
        end = max(ds["month"].values[-1] for ds in runs)
        span = (end - start) / np.timedelta64(1, "D")
        for ax, ds, label in zip(axes[:, 0], runs, labels):
            holders_strip(ax, ds, label=label, span_days=span)
        axes[-1, 0].set_xlim(start, end + np.timedelta64(31, "D"))
        date_axis(axes[-1, 0])
        axes[-1, 0].set_xlabel("Date")
        fig.suptitle("Who holds powerful AI, run by run", x=0.01, ha="left", fontsize=21, fontweight="bold")
        fig.tight_layout(rect=(0, 0.14, 1, 0.97))
        pairs = {(io.leader(ds), io.rival(ds)) for ds in runs}
        # one key when every run asks about the same pair; otherwise the bands say it in words
        shown = set().union(*[set(int(v) for v in ds["powerful_ai_holders"].values) for ds in runs])
        if len(pairs) == 1:
            _holders_legend(fig, runs[0], shown, loc="lower center", bbox_to_anchor=(0.5, 0.0))
        return _save(fig, path)
