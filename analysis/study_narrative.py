"""The generated text of a study report, of `summary` on a study and of `compare` on studies.

Everything is read from the study file (analysis.study collects the facts): the question is the
study's `description`, the arms are described by their `set` overrides, the numbers come from
the summaries the engine wrote (outcome probabilities with Wilson intervals, lag percentiles,
sensitivity indices) and from the per-run table (the paired comparison of two arms).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import io, study
from .document import Bullets, Document, Heading, Paragraph, Table
from .narrative import STATE_MEANING, _and
from .style import bloc_label, interval_text, month_text, percent_text

SAMPLERS = {"random": "independent random sampling", "latin_hypercube": "Latin hypercube sampling",
            "sobol": "a scrambled Sobol sequence", "saltelli": "a Saltelli design"}

#: Parameters whose |PRCC| is below this are called weak.
WEAK_PRCC = 0.1
#: Parameters listed per output in the text.
TOP_PARAMETERS = 3
#: What a positive / negative PRCC does to each output, in words.
OUTPUT_DIRECTIONS = {"p_unipolar": ("more likely", "less likely"), "rival_lag_months": ("longer", "shorter"),
                     "unipolar_window_months": ("longer", "shorter")}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pp(x: float) -> str:
    """A difference of shares in percentage points: +9.1 pp."""
    return f"{100 * x:+.1f} percentage points"


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


def arm_setting_text(settings: dict) -> str:
    """An arm's overrides in words: "policy.enforcement_scale = 0.5, policy.design_around = false"."""
    if not settings:
        return "the base scenario as it is"
    return ", ".join(f"{k} = {_value(v)}" for k, v in settings.items())


def settling_months(ds: xr.Dataset) -> int:
    arms = io.arm_names(ds)
    run = io.arm_config(ds, arms[0]).get("run", {}) if arms else {}
    return int((run or {}).get("settling_window_months", io.DEFAULT_SETTLING_WINDOW_MONTHS))


def intro_paragraph(f: study.StudyFacts) -> str:
    per_arm = f.runs // max(len(f.arms), 1)
    text = (f"Study **{f.label}** ({f.path}): {len(f.arms)} {'arm' if len(f.arms) == 1 else 'arms'} × "
            f"{per_arm:,} runs = {f.runs:,} runs, {SAMPLERS.get(f.sampler, f.sampler)} (seed {f.seed}), "
            f"{month_text(f.start)} to {month_text(f.end)}. The rival bloc whose lag is followed is "
            f"**{bloc_label(f.rival)}**.")
    if f.sampler == "saltelli" and f.parameters:
        base = per_arm // (len(f.parameters) + 2)
        text += f" The Saltelli design runs {base:,} base samples × ({len(f.parameters)} parameters + 2)."
    return text


def question_blocks(f: study.StudyFacts) -> list:
    blocks = [Paragraph(f.description if f.description else
                        "The study file has no description: it compares the arms below under the uncertain inputs listed.")]
    if len(f.arms) > 1 or f.arms[0].settings:
        blocks.append(Paragraph("The arms (policies compared), each run on the same base scenario with:"))
        blocks.append(Bullets([f"**{a.name}**: {arm_setting_text(a.settings)}" for a in f.arms]))
    if f.parameters:
        blocks.append(Table(["parameter", "scenario key", "distribution"], [list(p) for p in f.parameters],
                            caption="Uncertain inputs, drawn anew for every sample:"))
    if len(f.arms) > 1:
        blocks.append(Paragraph(
            "All arms share the same parameter samples and random draws (common random numbers), so the "
            "differences between arms are paired: they come from the policy, not from luck." if f.crn else
            "The arms do not share random draws (common random numbers are off), so the differences between "
            "arms include sampling noise."))
    return blocks


def arm_sentence(a: study.ArmFacts, rival: str) -> str:
    lag = a.lag
    return (f"**{a.name}**: P(unipolar) **{percent_text(a.p_unipolar)}** (95% interval "
            f"{interval_text(a.low['unipolar'], a.high['unipolar'])}); {bloc_label(rival)} ends "
            f"**{study.percentile(lag, 50):.1f} months** behind the leader (median; 5th–95th percentile "
            f"{study.percentile(lag, 5):.1f}–{study.percentile(lag, 95):.1f}).")


def outcome_table(f: study.StudyFacts, states: list[str]) -> Table:
    rows = []
    for a in f.arms:
        rows.append([a.name, f"{a.runs:,}"]
                    + [f"{percent_text(a.probability[s])} ({interval_text(a.low[s], a.high[s])})" for s in states]
                    + [f"{study.percentile(a.lag, 50):.1f} [{study.percentile(a.lag, 5):.1f}, "
                       f"{study.percentile(a.lag, 95):.1f}]",
                       f"{study.percentile(a.window, 50):.0f}"])
    return Table(["arm", "runs"] + [f"P({s})" for s in states]
                 + [f"{bloc_label(f.rival)} lag, months: median [p5, p95]", "unipolar window, months (median)"],
                 rows, caption="Share of runs settling in each state (95% Wilson interval), and the rival's lag "
                               "behind the leader at the horizon:")


def comparison_paragraph(ds: xr.Dataset, f: study.StudyFacts) -> str | None:
    """Which arm makes unipolarity most likely and by how much, against the first arm, paired."""
    if len(f.arms) < 2:
        return None
    values = [a.p_unipolar for a in f.arms]
    if max(values) - min(values) < 1e-12:
        return f"No arm changes the chance of a unipolar world: P(unipolar) is {percent_text(values[0])} in every arm."
    c = study.most_unipolar_comparison(ds)
    pa, pb = f.arm(c.a).p_unipolar, f.arm(c.b).p_unipolar
    first = f.arms[0].name
    if c.b != first:
        text = (f"**{c.b}** makes a unipolar world most likely: {percent_text(pb)} against {percent_text(pa)} under "
                f"**{c.a}** (the first arm), {_pp(c.difference)}")
    else:
        text = (f"**{c.b}** (the first arm) makes a unipolar world most likely: {percent_text(pb)} against "
                f"{percent_text(pa)} under **{c.a}**, the next most likely, {_pp(c.difference)}")
    text += f" (95% interval {100 * c.low:+.1f} to {100 * c.high:+.1f})."
    if c.paired:
        text += (f" Paired comparison: with common random numbers each of the {c.pairs:,} samples ran under both "
                 f"arms with the same inputs and random draws. Their settled outcomes differ in "
                 f"**{percent_text(c.differ)}** of the samples; {percent_text(c.only_b)} were unipolar only under "
                 f"{c.b} and {percent_text(c.only_a)} only under {c.a}.")
    else:
        text += " The arms are independent samples (no common random numbers), so this interval is unpaired."
    lowest = min(f.arms, key=lambda a: a.p_unipolar)
    if lowest.name not in (c.a, c.b):
        text += f" The least likely is **{lowest.name}** ({percent_text(lowest.p_unipolar)})."
    return text


def lag_paragraph(f: study.StudyFacts) -> str:
    rival = bloc_label(f.rival)
    medians = sorted((study.percentile(a.lag, 50), a.name) for a in f.arms)
    if len(f.arms) == 1:
        a = f.arms[0]
        return (f"At the horizon ({month_text(f.end)}) {rival} is {study.percentile(a.lag, 50):.1f} months behind the "
                f"leader in the median run; in 90% of runs between {study.percentile(a.lag, 5):.1f} and "
                f"{study.percentile(a.lag, 95):.1f} months.")
    return (f"At the horizon ({month_text(f.end)}) the median lag of {rival} ranges from {medians[0][0]:.1f} months "
            f"under **{medians[0][1]}** to {medians[-1][0]:.1f} months under **{medians[-1][1]}**. The lag is the "
            f"number of months of the leader's recent progress that separate {rival} from the leading bloc.")


def sensitivity_lines(ds: xr.Dataset) -> list[str]:
    method = study.sensitivity_method(ds)
    lines = []
    for output in (str(o) for o in ds["output"].values):
        ranked = study.importance(ds, output)[:TOP_PARAMETERS]
        if not ranked:
            continue
        what = study_output_name(ds, output)
        if method == "prcc":
            if all(r.magnitude < WEAK_PRCC for r in ranked):
                lines.append(f"**{_capital(what)}**: no parameter has a partial rank correlation above {WEAK_PRCC:g} in size.")
                continue
            more, less = OUTPUT_DIRECTIONS.get(output, ("larger", "smaller"))
            parts = []
            for r in ranked:
                if r.magnitude < WEAK_PRCC:
                    parts.append(f"{r.parameter} ({round(r.value, 2) + 0.0:+.2f}, weak)")
                else:
                    parts.append(f"{r.parameter} ({r.value:+.2f}: higher values make it "
                                 f"{more if r.value > 0 else less})")
            lines.append(f"**{_capital(what)}**: " + _and(parts) + ".")
        else:
            parts = [f"{r.parameter} (total order {r.value:.2f}, first order {r.first:.2f})" for r in ranked]
            lines.append(f"**{_capital(what)}**: " + _and(parts) + ".")
    return lines


def sensitivity_note(ds: xr.Dataset) -> str:
    method = study.sensitivity_method(ds)
    if method == "prcc":
        return ("Partial rank correlation (PRCC) measures how strongly an output rises (positive) or falls "
                "(negative) with one parameter once the others are accounted for, from −1 to +1. With several "
                "arms, the value is the mean over arms.")
    if method == "sobol":
        text = ("Sobol indices split the variance of an output between the parameters: the first-order index is "
                "the share due to the parameter alone, the total-order index includes its interactions with the "
                "others (so totals can add up to more than 1).")
        first, total = ds["sensitivity_first_order"].values, ds["sensitivity_total_order"].values
        if np.nanmin(first) < -0.05 or np.nanmax(total) > 1.05:
            per_arm = ds.sizes["run"] // max(ds.sizes["arm"], 1)
            base = per_arm // (max(ds.sizes.get("parameter", 0), 1) + 2)
            text += (f" Some estimates fall below 0 or above 1: with {base:,} base samples the indices are noisy; "
                     f"run the study with more runs (`--runs`) before trusting the ranking.")
        return text
    return "The study has no uncertain parameters, so there is no sensitivity ranking."


def study_output_name(ds: xr.Dataset, output: str) -> str:
    if output == "rival_lag_months":
        return f"{bloc_label(io.rival_bloc(ds))}'s lag at the horizon"
    if output == "unipolar_window_months":
        return "the months of unipolarity"
    return io.STUDY_OUTPUTS.get(output, output)


def top_parameters_sentence(ds: xr.Dataset) -> str | None:
    ranked = study.importance(ds, "p_unipolar")
    if not ranked:
        return None
    names = [r.parameter for r in ranked[:2] if r.magnitude > 0]
    lag = [r.parameter for r in study.importance(ds, "rival_lag_months")[:2] if r.magnitude > 0]
    parts = []
    if names:
        parts.append(f"whether the world ends unipolar depends most on {_and(names)}")
    if lag:
        parts.append(f"{bloc_label(io.rival_bloc(ds))}'s lag on {_and(lag)}")
    return ("In this study, " + " and ".join(parts) + ".") if parts else None


def map_caption(ds: xr.Dataset) -> str:
    params, reason = study.map_parameters(ds)
    if not params:
        return ""
    binned = study.binned_unipolar(ds, *params)
    f = study.facts(ds)
    paths = {n: p for n, p, _ in f.parameters}
    dists = {n: d for n, _, d in f.parameters}
    text = (f"The parameters shown are {reason}: **{params[0]}** across ({paths[params[0]]}, "
            f"{dists[params[0]]}) and **{params[1]}** up ({paths[params[1]]}, {dists[params[1]]}). Each cell is "
            f"the share of the arm's runs in that bin that settled unipolar "
            f"({len(binned.x_edges) - 1} × {len(binned.y_edges) - 1} bins, each bin holding about the same number "
            f"of samples along each axis; numbers are percentages when the panels are few).")
    if len(ds["parameter"]) > 2:
        text += " The other parameters vary within each cell, so a cell averages over them."
    text += (" Empty cells are grey." if binned.min_runs == 1 else
             f" Cells with fewer than {binned.min_runs} runs are grey.")
    return text


def capability_caption(ds: xr.Dataset) -> str:
    text = ("Each bloc's frontier capability (log10 of the effective compute behind its best model) across the "
            "runs of each arm: the line is the median run, the dark band the middle half of runs, the light band "
            "90% of runs.")
    name = ds.attrs.get("threshold_parameter", "")
    if name:
        r = study.threshold_range(ds)
        text += (f" The powerful-AI threshold is itself uncertain (parameter **{name}**): the grey band holds 90% "
                 f"of its sampled values ({r[0]:.2f}–{r[2]:.2f}), the dashed line their median ({r[1]:.2f}).")
    else:
        levels = sorted(set(float(v) for v in ds["powerful_ai_capability"].values))
        text += (" The dashed line is the powerful-AI threshold (world.powerful_ai_capability of each arm's "
                 "scenario: " + ", ".join(f"{v:g}" for v in levels) + ").")
    return text


def study_document(ds: xr.Dataset, figures: dict | None = None) -> Document:
    """The report of a study. `figures` maps a section ("outcome", "lag", "sensitivity") to the
    figure blocks shown at its end (analysis.report draws them)."""
    f = study.facts(ds)
    figures = figures or {}
    states = study.shown_states(ds)
    doc = Document(f"Polarity study: {f.label}")
    doc.add(Paragraph(intro_paragraph(f)), Heading("The question"), *question_blocks(f))
    doc.add(Heading("How likely is a unipolar world?"), Bullets([arm_sentence(a, f.rival) for a in f.arms]))
    comparison = comparison_paragraph(ds, f)
    if comparison:
        doc.add(Paragraph(comparison))
    settle = settling_months(ds)
    meaning = "; ".join(f"{s}: {STATE_MEANING[s]}" for s in states if s in STATE_MEANING)
    doc.add(outcome_table(f, states),
            Paragraph(f"How to read this: a run settles in a state when that state held for the last {settle} months "
                      f"of the run ({meaning}); **unsettled** means the state was still changing. The interval is "
                      f"the 95% Wilson score interval: it reflects the number of runs (sampling noise), not how "
                      f"right the model is."),
            *figures.get("outcome", []))
    doc.add(Heading(f"How far behind is {bloc_label(f.rival)}?"), Paragraph(lag_paragraph(f)), *figures.get("lag", []))
    if f.parameters:
        doc.add(Heading("What decides the outcome?"))
        top = top_parameters_sentence(ds)
        if top:
            doc.add(Paragraph(top))
        doc.add(Bullets(sensitivity_lines(ds)), Paragraph(sensitivity_note(ds)), *figures.get("sensitivity", []))
    return doc


def study_summary_document(ds: xr.Dataset) -> Document:
    """The `summary` command's text for a study."""
    f = study.facts(ds)
    states = study.shown_states(ds)
    doc = Document(f"Polarity study: {f.label}", [Paragraph(intro_paragraph(f))])
    if f.description:
        doc.add(Paragraph(f.description))
    doc.add(Bullets([arm_sentence(a, f.rival) for a in f.arms]))
    comparison = comparison_paragraph(ds, f)
    if comparison:
        doc.add(Paragraph(comparison))
    doc.add(outcome_table(f, states))
    if f.parameters:
        doc.add(Bullets(sensitivity_lines(ds)))
    return doc


# --- several studies ----------------------------------------------------------------------------

def study_compare_document(studies: list[xr.Dataset], labels: list[str]) -> Document:
    """The compare page's text for several studies: P(unipolar) and the rival's lag per arm."""
    all_facts = [study.facts(ds) for ds in studies]
    doc = Document("Polarity studies: " + " vs ".join(labels))
    rows, entries = [], []
    for label, f in zip(labels, all_facts):
        for a in f.arms:
            rows.append([label, a.name, f"{a.runs:,}",
                         f"{percent_text(a.p_unipolar)} ({interval_text(a.low['unipolar'], a.high['unipolar'])})",
                         bloc_label(f.rival),
                         f"{study.percentile(a.lag, 50):.1f} [{study.percentile(a.lag, 5):.1f}, "
                         f"{study.percentile(a.lag, 95):.1f}]",
                         f"{month_text(f.start)} – {month_text(f.end)}"])
            entries.append((a.p_unipolar, study.percentile(a.lag, 50), f"{label}: {a.name}", a))
    doc.add(Heading("Studies"),
            Bullets([f"**{label}**: {f.description or 'no description'} ({f.runs:,} runs, "
                     f"{SAMPLERS.get(f.sampler, f.sampler)})" for label, f in zip(labels, all_facts)]),
            Heading("P(unipolar) and the rival's lag, arm by arm"),
            Table(["study", "arm", "runs", "P(unipolar) (95% interval)", "rival", "rival's lag, months: median [p5, p95]",
                   "period"], rows))
    best = max(entries, key=lambda e: e[0])
    worst = min(entries, key=lambda e: e[0])
    lines = [f"A unipolar world is most likely in **{best[2]}** ({percent_text(best[0])}, 95% interval "
             f"{interval_text(best[3].low['unipolar'], best[3].high['unipolar'])}) and least likely in **{worst[2]}** "
             f"({percent_text(worst[0])}, {interval_text(worst[3].low['unipolar'], worst[3].high['unipolar'])})."]
    overlap = best[3].low["unipolar"] <= worst[3].high["unipolar"]
    if overlap:
        lines.append("Their 95% intervals overlap: the studies cannot tell these two apart.")
    lags = sorted(entries, key=lambda e: e[1])
    lines.append(f"The rival's median lag at the horizon ranges from {lags[0][1]:.1f} months ({lags[0][2]}) to "
                 f"{lags[-1][1]:.1f} months ({lags[-1][2]}).")
    lines.append("Different studies use different samples and random draws, so differences between studies are "
                 "not paired (unlike arms within one study with common random numbers).")
    doc.add(Heading("What changes between the studies"), Bullets(lines))
    return doc
