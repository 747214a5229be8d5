"""Colours, names, number formats and matplotlib settings shared by every figure and text.

This module does not import matplotlib (so `summary` starts fast); analysis.figures applies `RC`.

Colours are colour-blind safe: blocs use the Okabe-Ito palette (one fixed colour per known
bloc, the same in every figure), routes use Paul Tol's "muted" scheme (so they are not
mistaken for blocs), and the outcome classes have their own marks (CLASS_COLOURS, CLASS_MARKERS).
"""

from __future__ import annotations

import pandas as pd

_KNOWN_BLOC_COLOURS = {"us_aligned": "#0072B2", "china": "#D55E00", "nonaligned": "#009E73"}
_SPARE_BLOC_COLOURS = ("#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
_BLOC_LABELS = {"us_aligned": "US-aligned", "china": "China", "nonaligned": "Non-aligned"}

ROUTE_COLOURS = {"legal": "#88CCEE", "licensed": "#DDCC77", "gray": "#999999",
                 "domestic": "#332288", "remote": "#CC6677"}
ROUTE_LABELS = {"legal": "legal export", "licensed": "licensed export", "gray": "gray market",
                "domestic": "domestic", "remote": "remote cloud"}

ROUTE_NOUNS = {"legal": "legal exports", "licensed": "licensed exports", "gray": "gray-market imports",
               "domestic": "domestic supply", "remote": "remote cloud rental"}

#: Marks of each outcome class in study figures: unipolar in a dark purple, the others in
#: Okabe-Ito colours no bloc uses, "none" in grey and "open" (too soon to tell) in black.
CLASS_COLOURS = {"none": "#999999", "unipolar": "#54278f", "bipolar": "#E69F00", "rival_first": "#CC79A7",
                 "open": "#222222"}
CLASS_MARKERS = {"none": "s", "unipolar": "o", "bipolar": "D", "rival_first": "v", "open": "X"}

#: Fill of the "who holds powerful AI" band (`powerful_ai_holders`: neither, leader, rival, both);
#: a side alone takes a light tint of its bloc's colour (see holder_colours).
NEITHER_COLOUR, BOTH_COLOUR = "#f0f0f0", "#9e9ac8"

#: Colours of arms (or studies) drawn on one axis: Paul Tol's high-contrast scheme, then "vibrant".
ARM_COLOURS = ("#004488", "#DDAA33", "#BB5566", "#009988", "#EE7733", "#33BBEE", "#EE3377", "#000000")

#: Sensitivity bars: PRCC by sign (blue/yellow, safe for every colour vision), Sobol first and total order.
SENSITIVITY_COLOURS = {"raises": "#DDAA33", "lowers": "#004488", "first": "#88CCEE", "total": "#332288"}

#: Line styles that tell runs apart in `compare` (the colour stays the bloc's).
RUN_LINESTYLES = ("-", (0, (6, 2.5)), (0, (1.2, 1.8)), (0, (7, 2, 1.5, 2)), (0, (3, 1.5)),
                  (0, (7, 2, 1.5, 2, 1.5, 2)))

#: matplotlib settings of every figure: 16:9, large type for a projector.
RC = {
    "figure.figsize": (13.33, 7.5),  # 16:9
    "figure.dpi": 100,
    "savefig.dpi": 120,
    "savefig.facecolor": "white",
    "font.size": 16,
    "axes.titlesize": 21,
    "axes.titleweight": "bold",
    "axes.labelsize": 17,
    "xtick.labelsize": 15,
    "ytick.labelsize": 15,
    "legend.fontsize": 15,
    "legend.title_fontsize": 15,
    "lines.linewidth": 3.0,
    "axes.grid": True,
    "grid.alpha": 0.35,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def bloc_colours(names) -> dict[str, str]:
    """A colour for each bloc name: fixed for known blocs, spare colours in order for others."""
    spare = iter(c for c in _SPARE_BLOC_COLOURS if c not in _KNOWN_BLOC_COLOURS.values())
    colours = {}
    for name in names:
        colours[name] = _KNOWN_BLOC_COLOURS.get(name) or next(spare, "#444444")
    return colours


def holder_colours(leader: str, rival: str) -> dict[int, str]:
    """Fill of each `powerful_ai_holders` value: neither, the leader alone (a tint of its colour),
    the rival alone (a tint of its colour), both."""
    colours = bloc_colours([leader, rival])
    tint = lambda hex_: "#" + "".join(f"{int(255 - 0.45 * (255 - int(hex_[i:i + 2], 16))):02x}" for i in (1, 3, 5))  # noqa: E731
    return {0: NEITHER_COLOUR, 1: tint(colours[leader]), 2: tint(colours[rival]), 3: BOTH_COLOUR}


def bloc_label(name: str) -> str:
    """Readable name of a bloc ("us_aligned" -> "US-aligned")."""
    return _BLOC_LABELS.get(name, name.replace("_", " ").capitalize())


def route_label(name: str) -> str:
    """Short name of a delivery route, for keys."""
    return ROUTE_LABELS.get(name, name)


def route_noun(name: str) -> str:
    """A delivery route as the subject of a sentence ("legal exports")."""
    return ROUTE_NOUNS.get(name, f"{name} deliveries")


def month_text(when) -> str:
    """A month as words: 'June 2026'."""
    return pd.Timestamp(when).strftime("%B %Y")


def month_short(when) -> str:
    """A month as a short label: 'Jun 2026'."""
    return pd.Timestamp(when).strftime("%b %Y")


def count_text(value: float) -> str:
    """A count with k/M suffixes: 1234 -> '1.2k', 2.5e6 -> '2.5M'."""
    value = float(value)
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= scale:
            return f"{value / scale:.3g}{suffix}"
    return f"{value:.0f}"


def factor_text(log10_factor: float) -> str:
    """10**x as words for a classroom: 1.78 -> 'about 60 times'."""
    if log10_factor >= 6:
        return "more than a million times"
    factor = 10 ** log10_factor
    if factor < 1.05:
        return "about the same"
    if factor < 10:
        return f"about {factor:.1f} times"
    rounded = float(f"{factor:.2g}")
    return f"about {rounded:,.0f} times"


def percent_text(p: float, digits: int = 1) -> str:
    """A share as a percentage: 0.2755 -> '27.6%'."""
    return f"{100 * p:.{digits}f}%"


def interval_text(low: float, high: float, digits: int = 1) -> str:
    """A 95 % interval of a share: '25.7–29.6%'."""
    return f"{100 * low:.{digits}f}–{100 * high:.{digits}f}%"
