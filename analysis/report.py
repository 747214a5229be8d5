"""Writing a report folder: the PNG figures, index.html and report.md (same text as the page)."""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from . import figures, io, narrative
from .document import Document, Heading, Image, to_html, to_markdown

#: (section, file, function, title, how to read it) for one run; the section is where the
#: figure goes in the page (see analysis.narrative.run_document).
RUN_FIGURES = (
    ("outcome", "capability.png", figures.capability_figure, "Frontier AI capability by bloc",
     "Each line is the capability of a bloc's best model (log10 of its effective training compute: "
     "+1 means ten times more). The dashed line is the powerful-AI threshold; circles mark the month each "
     "bloc crossed it. The band underneath shows how many blocs had powerful AI each month."),
    ("lead", "lag.png", figures.lag_figure, "Months behind the leader",
     "How many months of the leader's recent progress separate each bloc from the leading bloc (the "
     "leader is at 0). The number at the right is the value in the last month. The first month is left "
     "out: the lag needs a month of history."),
    ("story", "compute_share.png", figures.share_figure, "Share of the world's effective AI compute",
     "Effective compute is the chips a bloc's labs hold (in H100-equivalents) times their algorithmic "
     "efficiency. The bands add up to 100%."),
    ("story", "deliveries.png", figures.deliveries_figure, "Chips delivered to each bloc, by route",
     "Chips received each month, stacked by the route they came through: legal exports, exports under a "
     "licence, the gray market through third-country hubs, domestic production, and chips rented from "
     "foreign clouds. Each panel has its own scale."),
)

#: (file, function, title, how to read it) for several runs.
COMPARE_FIGURES = (
    ("compare_capability.png", figures.compare_capability_figure, "Capability by bloc in each run",
     "One panel per bloc, one line style per run (see the key). Circles mark the month the bloc crossed "
     "the powerful-AI threshold (thin line)."),
    ("compare_lag.png", figures.compare_lag_figure, "Months behind the leader in each run",
     "One panel per bloc, one line style per run. The first month is left out."),
    ("compare_polarity.png", figures.compare_polarity_figure, "Polarity over time in each run",
     "One band per run: how many blocs had powerful AI each month."),
)


def _write(doc: Document, out_dir: Path) -> Path:
    (out_dir / "report.md").write_text(to_markdown(doc), encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(to_html(doc), encoding="utf-8")
    return index


def _draw(file: str, draw, args, out_dir: Path, title: str, caption: str) -> Image:
    draw(*args, out_dir / file)
    return Image(file, title, caption)


def write_report(path, out_dir) -> Path:
    """Report on one run into `out_dir` (created if needed); returns the path of index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = io.open_run(path)
    sections: dict[str, list[Image]] = {}
    for section, file, draw, title, caption in RUN_FIGURES:
        sections.setdefault(section, []).append(_draw(file, draw, (ds,), out_dir, title, caption))
    return _write(narrative.run_document(ds, sections), out_dir)


def run_labels(runs: list[xr.Dataset]) -> list[str]:
    """Scenario names; runs that share a name get the first of file name, folder/file name or
    position that tells them apart, e.g. "baseline (seed7)"."""
    names = [io.run_label(ds) for ds in runs]
    paths = [Path(ds.attrs["source_path"]) for ds in runs]
    labels = list(names)
    for name in set(names):
        same = [i for i, n in enumerate(names) if n == name]
        if len(same) < 2:
            continue
        for tag in (lambda i: paths[i].stem, lambda i: f"{paths[i].parent.name}/{paths[i].stem}",
                    lambda i: f"run {i + 1}"):
            tags = [tag(i) for i in same]
            if len(set(tags)) == len(tags):
                break
        for i, t in zip(same, tags):
            labels[i] = f"{name} ({t})"
    return labels


def write_compare(paths, out_dir) -> Path:
    """Compare several runs into `out_dir`; returns the path of index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = [io.open_run(p) for p in paths]
    labels = run_labels(runs)
    doc = narrative.compare_document(runs, labels)
    doc.add(Heading("Figures"), *[_draw(file, draw, (runs, labels), out_dir, title, caption)
                                  for file, draw, title, caption in COMPARE_FIGURES])
    return _write(doc, out_dir)
