"""Writing a report folder: the PNG figures, index.html and report.md (same text as the page).

`write_report` and `write_compare` accept run files and study files alike (told apart by their
`format` attribute); a study gets the study report (analysis.study_narrative, analysis.study_figures).
"""

from __future__ import annotations

from pathlib import Path

import xarray as xr

from . import figures, io, narrative, study, study_figures, study_narrative
from .document import Document, Heading, Image, to_html, to_markdown
from .style import bloc_label

#: (section, file, function, title, how to read it) for one run; the section is where the
#: figure goes in the page (see analysis.narrative.run_document).
RUN_FIGURES = (
    ("outcome", "capability.png", figures.capability_figure, "Frontier AI capability by bloc",
     "Each line is the capability of a bloc's best model (log10 of its effective training compute: "
     "+1 means ten times more). The dashed line is the powerful-AI threshold; circles mark the month each "
     "bloc crossed it. The band underneath says who of the declared pair (leader and rival) held powerful AI "
     "each month: neither, one side alone (a spell of unipolarity), or both."),
    ("lead", "lag.png", figures.lag_figure, "Months behind the leader",
     "How many months ago the leader's best model stood where each bloc's best model stands now (the "
     "leader is at 0; below 0 a bloc is ahead). The number at the right is the value in the last month."),
    ("story", "compute_share.png", figures.share_figure, "Share of the world's effective AI compute",
     "Effective compute is the chips a bloc's labs hold (in H100-equivalents) times their algorithmic "
     "efficiency. The bands add up to 100%."),
    ("story", "deliveries.png", figures.deliveries_figure, "Chips delivered to each bloc, by route",
     "Chips received each month, stacked by the route they came through: legal exports, exports under a "
     "licence, the gray market through third-country hubs, domestic production, and chips rented from "
     "foreign clouds. Left: chips a month on one scale shared by every bloc, so the blocs' sizes compare "
     "(the panel title gives each bloc's peak). Right: the same deliveries as shares of the bloc's own month, "
     "so the route mix of a small bloc is readable too."),
)

#: (file, function, title, how to read it) for several runs.
COMPARE_FIGURES = (
    ("compare_capability.png", figures.compare_capability_figure, "Capability by bloc in each run",
     "One panel per bloc, one line style per run (see the key). Circles mark the month the bloc crossed "
     "the powerful-AI threshold (thin line)."),
    ("compare_lag.png", figures.compare_lag_figure, "Months behind the leader in each run",
     "One panel per bloc, one line style per run. The first month is left out."),
    ("compare_polarity.png", figures.compare_polarity_figure, "Who holds powerful AI in each run",
     "One band per run: whether neither side of the run's declared pair, one side alone, or both held "
     "powerful AI each month."),
)


def _write(doc: Document, out_dir: Path) -> Path:
    (out_dir / "report.md").write_text(to_markdown(doc), encoding="utf-8")
    index = out_dir / "index.html"
    index.write_text(to_html(doc), encoding="utf-8")
    return index


def _draw(file: str, draw, args, out_dir: Path, title: str, caption: str) -> Image:
    draw(*args, out_dir / file)
    return Image(file, title, caption)


def write_report(path, out_dir, reference: str | None = None) -> Path:
    """Report on one run or one study into `out_dir` (created if needed); returns the path of
    index.html. `reference`: for a study, the arm the others are compared with (default: the first)."""
    if io.file_kind(path) == "study":
        return write_study_report(path, out_dir, reference)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = io.open_run(path)
    sections: dict[str, list[Image]] = {}
    for section, file, draw, title, caption in RUN_FIGURES:
        sections.setdefault(section, []).append(_draw(file, draw, (ds,), out_dir, title, caption))
    return _write(narrative.run_document(ds, sections), out_dir)


def run_labels(runs: list[xr.Dataset], label=io.run_label) -> list[str]:
    """Scenario (or study) names; runs that share a name get the first of file name, folder/file
    name or position that tells them apart, e.g. "baseline (seed7)"."""
    names = [label(ds) for ds in runs]
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
    """Compare several runs, or several studies, into `out_dir`; returns the path of index.html.

    Raises ValueError when run files and study files are mixed."""
    kinds = {str(p): io.file_kind(p) for p in paths}
    if len(set(kinds.values())) > 1:
        runs = [p for p, k in kinds.items() if k == "run"]
        studies = [p for p, k in kinds.items() if k == "study"]
        raise ValueError(f"cannot compare run files ({', '.join(runs)}) with study files ({', '.join(studies)}): "
                         "compare runs with runs, or studies with studies")
    if set(kinds.values()) == {"study"}:
        return write_study_compare(paths, out_dir)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    runs = [io.open_run(p) for p in paths]
    labels = run_labels(runs)
    doc = narrative.compare_document(runs, labels)
    doc.add(Heading("Figures"), *[_draw(file, draw, (runs, labels), out_dir, title, caption)
                                  for file, draw, title, caption in COMPARE_FIGURES])
    return _write(doc, out_dir)


# --- studies ------------------------------------------------------------------------------------

def study_figure_specs(ds: xr.Dataset, reference: str | None = None) -> list[tuple]:
    """(section, file, function, args, title, caption) of each figure of a study report; the
    differences figure only with several arms, the sensitivity and map figures only when the
    study has uncertain parameters."""
    rival, leader = bloc_label(io.rival(ds)), bloc_label(io.leader(ds))
    arms = io.arm_names(ds)
    reference = study.reference_arm(ds, reference)
    titles = io.arm_titles(ds)
    layout = ("Both arms are drawn on one chart, one colour each." if len(arms) == 2 else
              f"One panel per arm, on one scale; the dashed grey line repeats the median of the first arm "
              f"({titles[arms[0]]})." if len(arms) > 2 else "")
    specs = [
        ("outcome", "study_outcomes.png", study_figures.outcome_figure, (ds,), "Outcome probabilities per arm",
         "One row per arm, one mark per outcome class (none is left out): the share of the arm's runs in the class, "
         "with its 95% Wilson interval, on one axis starting at 0 for every class and arm."),
    ]
    if len(arms) > 1:
        specs.append(("differences", "study_differences.png",
                      lambda d, path: study_figures.differences_figure(d, path, reference), (ds,),
                      f"Each arm against {titles[reference]}",
                      "Left: the change in P(unipolar) and P(bipolar), in percentage points, with its 95% interval. "
                      + ("Samples are paired across arms (common random numbers), so the interval is the paired one. "
                         if int(ds.attrs.get("common_random_numbers", 0)) else "The arms are not paired. ")
                      + f"Right: the change in {rival}'s lag at the horizon and in the months {leader} alone held "
                        "powerful AI, sample by sample: the dot is the mean change with its 95% interval, the grey "
                        "bar holds 90% of the paired differences. Zero is no change."))
    specs += [
        ("delay", "study_delay_survival.png", study_figures.survival_figure, (ds,),
         f"How long {rival} takes to follow {leader}",
         f"For each arm, the share of runs (among those in which {leader} crossed) in which {rival} had not yet "
         f"crossed, by months after {leader}'s crossing: a Kaplan-Meier curve, which keeps runs that ended before "
         f"{rival} crossed in the count until they end. Dots are the engine's values stored in the file; the dashed "
         f"line is the durable-lead window, and the height of a curve there is the share of durable leads."),
        ("lag", "study_rival_lag.png", study_figures.rival_lag_figure, (ds,),
         f"{rival}'s lag behind {leader}, across runs",
         f"Months since {leader}'s best model stood where {rival}'s stands, month by month, over all runs of an arm: "
         f"the line is the median, the dark band the middle half of runs (25th–75th percentile), the light band 90% "
         f"of runs (5th–95th). {layout}"),
    ]
    if io.parameter_names(ds) and study.sensitivity_method(ds):
        method = study.sensitivity_method(ds)
        how = ("Bars: partial rank correlation of the output with each parameter (mean over arms), yellow when a "
               "higher value raises the output, blue when it lowers it." if method == "prcc" else
               "Bars: Sobol first-order index (light; the parameter alone) and total-order index (dark; with its "
               "interactions) of each parameter.")
        if len(arms) > 1:
            how += " Black ticks: the value in each arm."
        for output in study.sensitivity_outputs(ds):
            what = study_narrative.output_name(ds, output)
            specs.append(("sensitivity", f"study_sensitivity_{output}.png",
                          lambda d, path, o=output: study_figures.sensitivity_figure(d, o, path), (ds,),
                          f"Sensitivity of {what}", f"Parameters ranked by their importance for {what}, most important "
                          f"at the top. {how}"))
        params, _ = study.map_parameters(ds)
        if params:
            specs.append(("sensitivity", "study_unipolar_map.png",
                          lambda d, path, p=tuple(params): study_figures.unipolar_map_figure(d, path, list(p)), (ds,),
                          f"P(unipolar) over {params[0]} and {params[1]}", study_narrative.map_caption(ds)))
    return specs


def write_study_report(path, out_dir, reference: str | None = None) -> Path:
    """Report on one study into `out_dir` (created if needed); returns the path of index.html.
    `reference` is the arm the others are compared with (default: the first)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ds = io.open_study(path)
    sections: dict[str, list[Image]] = {}
    for section, file, draw, args, title, caption in study_figure_specs(ds, reference):
        sections.setdefault(section, []).append(_draw(file, draw, args, out_dir, title, caption))
    return _write(study_narrative.study_document(ds, sections, reference), out_dir)


#: (file, function, title, how to read it) for several studies.
STUDY_COMPARE_FIGURES = (
    ("compare_unipolar.png", study_figures.compare_unipolar_figure, "P(unipolar) in every arm of every study",
     "One row per arm, one colour per study: the dot is the share of runs ending unipolar (the number at the "
     "right), the whiskers its 95% Wilson interval, on one axis from 0."),
    ("compare_rival_lag.png", study_figures.compare_lag_figure, "The rival's lag at the horizon in every arm",
     "One row per arm: the dot is the median lag of the rival bloc behind the leader in the last month (the "
     "number at the right), the thick bar the middle half of runs, the thin bar 90% of runs."),
)


def write_study_compare(paths, out_dir) -> Path:
    """Compare several studies into `out_dir`; returns the path of index.html."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    studies = [io.open_study(p) for p in paths]
    labels = run_labels(studies, label=io.study_label)
    doc = study_narrative.study_compare_document(studies, labels)
    doc.add(Heading("Figures"), *[_draw(file, draw, (studies, labels), out_dir, title, caption)
                                  for file, draw, title, caption in STUDY_COMPARE_FIGURES])
    return _write(doc, out_dir)
