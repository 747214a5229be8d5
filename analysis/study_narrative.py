"""The generated text of a study report, of `summary` on a study and of `compare` on studies.

Everything is read from the study file (analysis.study collects the facts): the question from
the root attributes (leader, rival, durable-lead window, threshold) and `study_description`, the
arms by their titles and overrides (`arm_title`, `arm_set`), the numbers from the summaries the
engine wrote (every class's probability with its Wilson interval, the Kaplan-Meier survival of
the crossing delay, per-run percentiles, sensitivity indices) and from the per-run table (the
paired comparisons of arms).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from . import io, study
from .document import Bullets, Document, Heading, Paragraph, Table
from .narrative import _and, _plural
from .style import bloc_label, interval_text, month_text, percent_text

SAMPLERS = {"random": "independent random sampling", "latin_hypercube": "Latin hypercube sampling",
            "sobol": "a scrambled Sobol sequence", "saltelli": "a Saltelli design"}

#: Parameters whose |PRCC| is below this are called weak.
WEAK_PRCC = 0.1
#: Parameters listed per output in the text.
TOP_PARAMETERS = 3
#: What a positive / negative PRCC does to each output, in words.
OUTPUT_DIRECTIONS = {"unipolar": ("more likely", "less likely"), "crossing_delay_months": ("longer", "shorter"),
                     "rival_lag_months": ("longer", "shorter"), "rival_compute_share": ("larger", "smaller")}
#: Per-run outputs compared arm against arm, paired by sample.
SHIFT_OUTPUTS = ("rival_lag_months", "leader_unipolar_months")


def class_meaning(name: str, leader: str, rival: str, months: int) -> str:
    """What an outcome class means, naming the declared pair and the durable-lead window."""
    w = _plural(months, "month")
    return {"unipolar": f"{leader} reached powerful AI and {rival} had not followed {w} later",
            "bipolar": f"both reached it within {w} of each other",
            "rival_first": f"{rival} reached it more than {w} before {leader}",
            "none": "neither reached it by the horizon",
            "open": "the run ended before the window had passed, too soon to tell"}.get(name, name)


def output_name(ds: xr.Dataset, output: str) -> str:
    """Readable name of a per-run output, naming the declared pair."""
    leader, rival = bloc_label(io.leader(ds)), bloc_label(io.rival(ds))
    return {"unipolar": "P(unipolar)", "crossing_delay_months": f"the crossing delay ({rival} after {leader})",
            "rival_lag_months": f"{rival}'s lag at the horizon", "rival_compute_share": f"{rival}'s share of world compute",
            "leader_unipolar_months": f"the months {leader} alone held powerful AI",
            "compute_ratio_h100e": f"{leader}'s compute over {rival}'s"}.get(output, output.replace("_", " "))


def short_output_name(ds: xr.Dataset, output: str) -> str:
    """A per-run output in a few words, for figure titles and keys."""
    rival = bloc_label(io.rival(ds))
    return {"unipolar": "P(unipolar)", "crossing_delay_months": "the crossing delay",
            "rival_lag_months": f"{rival}'s final lag", "rival_compute_share": f"{rival}'s compute share"}.get(
        output, output_name(ds, output))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _pp(x: float) -> str:
    """A difference of shares in percentage points: +9.1 pp."""
    return f"{100 * x:+.1f} pp"


def intro_paragraph(f: study.StudyFacts) -> str:
    per_arm = f.runs // max(len(f.arms), 1)
    leader, rival = bloc_label(f.leader), bloc_label(f.rival)
    text = (f"Study **{f.label}** ({f.path}): {len(f.arms)} {'arm' if len(f.arms) == 1 else 'arms'} × "
            f"{per_arm:,} runs = {f.runs:,} runs, {SAMPLERS.get(f.sampler, f.sampler)} (seed {f.seed}), "
            f"{month_text(f.start)} to {month_text(f.end)}. The question: does **{leader}** reach powerful AI "
            f"(capability {f.threshold:g}) and keep it alone for more than {_plural(f.durable_months, 'month')} "
            f"before **{rival}** follows?")
    if f.sampler == "saltelli" and f.parameters:
        base = per_arm // (len(f.parameters) + 2)
        text += f" The Saltelli design runs {base:,} base samples × ({len(f.parameters)} parameters + 2)."
    return text


def question_blocks(f: study.StudyFacts) -> list:
    blocks = [Paragraph(f.description if f.description else
                        "The study file has no description: it compares the arms below under the uncertain inputs listed.")]
    if len(f.arms) > 1 or f.arms[0].settings:
        blocks.append(Paragraph("The arms (policies compared), each run on the same base scenario with:"))
        blocks.append(Bullets([f"**{a.title}** (`{a.name}`): " + (", ".join(a.settings) or "the base scenario as it is")
                               for a in f.arms]))
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


def outcome_table(f: study.StudyFacts) -> Table:
    """P(class) with its Wilson interval for every class, one row per arm."""
    rows = [[a.title, f"{a.runs:,}"] + [f"{percent_text(a.probability[c])} ({interval_text(a.low[c], a.high[c])})"
                                        for c in f.classes] for a in f.arms]
    return Table(["arm", "runs"] + [f"P({c})" for c in f.classes], rows,
                 caption="Share of runs in each outcome class (95% Wilson interval):")


def classes_paragraph(f: study.StudyFacts) -> str:
    leader, rival = bloc_label(f.leader), bloc_label(f.rival)
    meaning = "; ".join(f"**{c}**: {class_meaning(c, leader, rival, f.durable_months)}" for c in f.classes)
    return (f"How to read this: {meaning}. The interval is the 95% Wilson score interval: it reflects the number "
            f"of runs (sampling noise), not how right the model is.")


def arm_sentence(f: study.StudyFacts, a: study.ArmFacts) -> str:
    """The most likely class of an arm, with P(unipolar)."""
    top = max(f.classes, key=lambda c: a.probability[c])
    text = (f"**{a.title}**: P(unipolar) **{percent_text(a.p_unipolar)}** "
            f"({interval_text(a.low['unipolar'], a.high['unipolar'])})")
    if top != "unipolar":
        text += f"; the most likely outcome is {top} ({percent_text(a.probability[top])})"
    return text + "."


def comparison_lines(ds: xr.Dataset, f: study.StudyFacts, reference: str) -> list[str]:
    """Each arm against the reference arm: ΔP(unipolar), ΔP(bipolar) and the paired shifts."""
    ref = f.arm(reference)
    lines = []
    for a in f.arms:
        if a.name == reference:
            continue
        parts = []
        for c in ("unipolar", "bipolar"):
            if c in f.classes:
                d = study.compare_arms(ds, reference, a.name, c)
                parts.append(f"P({c}) {_pp(d.difference)} (95% interval {100 * d.low:+.1f} to {100 * d.high:+.1f})")
        for output in SHIFT_OUTPUTS:
            s = study.paired_shift(ds, reference, a.name, output)
            if s is not None:
                parts.append(f"{output_name(ds, output)} {s.mean:+.1f} months on average ({s.low:+.1f} to {s.high:+.1f}; "
                             f"sample by sample from {s.p5:+.1f} to {s.p95:+.1f})")
        c = study.compare_arms(ds, reference, a.name, "unipolar")
        tail = (f" The outcome class differs in {percent_text(c.differ)} of the {c.pairs:,} paired samples; "
                f"{percent_text(c.only_b)} are unipolar only under {a.title} and {percent_text(c.only_a)} only under "
                f"{ref.title}." if c.paired else " (unpaired: the arms do not share random draws)")
        lines.append(f"**{a.title}** against {ref.title}: " + "; ".join(parts) + "." + tail)
    return lines


def delay_table(f: study.StudyFacts) -> Table:
    ks = list(f.arms[0].survival)
    rows = [[a.title, f"{a.leader_crossed:,}", "not reached" if np.isinf(a.delay_median) else f"{a.delay_median:g}"]
            + [f"{a.survival[k]:.2f}" for k in ks] for a in f.arms]
    return Table(["arm", f"runs in which {bloc_label(f.leader)} crossed", "median delay (months)"]
                 + [f"P(delay > {k:g})" for k in ks], rows,
                 caption=f"Months from {bloc_label(f.leader)}'s crossing to {bloc_label(f.rival)}'s (Kaplan-Meier, "
                         f"over the runs in which {bloc_label(f.leader)} crossed):")


def delay_paragraph(f: study.StudyFacts) -> str:
    leader, rival = bloc_label(f.leader), bloc_label(f.rival)
    w = f.durable_months
    at_w = [(a.title, a.survival.get(float(w))) for a in f.arms]
    text = (f"The crossing delay is {rival}'s crossing month minus {leader}'s. A run that ends before {rival} crosses "
            f"only says the delay is at least the months left, so the distribution is estimated by Kaplan-Meier, "
            f"which counts such runs as at risk until the end instead of dropping them (runs in which {leader} never "
            f"crossed have no delay and are left out).")
    if all(v is not None for _, v in at_w):
        text += (f" The share of delays longer than the {w}-month window — a durable lead — is "
                 + _and([f"{percent_text(v)} under {t}" for t, v in at_w]) + ".")
    return text


def lag_paragraph(f: study.StudyFacts) -> str:
    rival = bloc_label(f.rival)
    lags = [(study.percentile(a.percentiles["rival_lag_months"], 50), a) for a in f.arms
            if "rival_lag_months" in a.percentiles]
    if not lags:
        return ""
    if len(lags) == 1:
        p = lags[0][1].percentiles["rival_lag_months"]
        return (f"At the horizon ({month_text(f.end)}) {rival} is {study.percentile(p, 50):.1f} months behind in the "
                f"median run; in 90% of runs between {study.percentile(p, 5):.1f} and {study.percentile(p, 95):.1f}.")
    lags.sort(key=lambda x: x[0])
    return (f"At the horizon ({month_text(f.end)}) {rival}'s median lag ranges from {lags[0][0]:.1f} months under "
            f"**{lags[0][1].title}** to {lags[-1][0]:.1f} months under **{lags[-1][1].title}**. The lag is time: the "
            f"months since {bloc_label(f.leader)}'s best model stood where {rival}'s stands.")


def sensitivity_lines(ds: xr.Dataset) -> list[str]:
    method = study.sensitivity_method(ds)
    lines = []
    for output in study.sensitivity_outputs(ds):
        ranked = study.importance(ds, output)[:TOP_PARAMETERS]
        if not ranked:
            continue
        what = output_name(ds, output)
        if method == "prcc":
            if all(r.magnitude < WEAK_PRCC for r in ranked):
                lines.append(f"**{_capital(what)}**: no parameter has a partial rank correlation above {WEAK_PRCC:g} in size.")
                continue
            more, less = OUTPUT_DIRECTIONS.get(output, ("larger", "smaller"))
            parts = [f"{r.parameter} ({round(r.value, 2) + 0.0:+.2f}, weak)" if r.magnitude < WEAK_PRCC else
                     f"{r.parameter} ({r.value:+.2f}: higher values make it {more if r.value > 0 else less})"
                     for r in ranked]
        else:
            parts = [f"{r.parameter} (total order {r.value:.2f}, first order {r.first:.2f})" for r in ranked]
        lines.append(f"**{_capital(what)}**: " + _and(parts) + ".")
    return lines


def sensitivity_note(ds: xr.Dataset) -> str:
    method = study.sensitivity_method(ds)
    if method == "prcc":
        return ("Partial rank correlation (PRCC) measures how strongly an output rises (positive) or falls "
                "(negative) with one parameter once the others are accounted for, from −1 to +1. With several "
                "arms, the value is the mean over arms. A censored delay enters at its censoring value.")
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
            f"the share of the arm's runs in that bin that ended unipolar "
            f"({len(binned.x_edges) - 1} × {len(binned.y_edges) - 1} bins, each bin holding about the same number "
            f"of samples along each axis; numbers are percentages when the panels are few).")
    if len(ds["parameter"]) > 2:
        text += " The other parameters vary within each cell, so a cell averages over them."
    text += (" Empty cells are grey." if binned.min_runs == 1 else
             f" Cells with fewer than {binned.min_runs} runs are grey.")
    return text


def study_document(ds: xr.Dataset, figures: dict | None = None, reference: str | None = None) -> Document:
    """The report of a study. `figures` maps a section ("outcome", "differences", "delay", "lag",
    "sensitivity") to the figure blocks shown at its end (analysis.report draws them);
    `reference` is the arm the others are compared with (default: the first)."""
    f = study.facts(ds)
    figures = figures or {}
    reference = study.reference_arm(ds, reference)
    doc = Document(f"Polarity study: {f.label}")
    doc.add(Paragraph(intro_paragraph(f)), Heading("The question"), *question_blocks(f))
    doc.add(Heading("How likely is each outcome?"), Bullets([arm_sentence(f, a) for a in f.arms]),
            outcome_table(f), Paragraph(classes_paragraph(f)), *figures.get("outcome", []))
    if len(f.arms) > 1:
        doc.add(Heading(f"What each arm changes, against {f.arm(reference).title}"),
                Bullets(comparison_lines(ds, f, reference)), *figures.get("differences", []))
    doc.add(Heading(f"How long does {bloc_label(f.rival)} take to follow?"), Paragraph(delay_paragraph(f)),
            delay_table(f), *figures.get("delay", []))
    lag = lag_paragraph(f)
    doc.add(Heading(f"How far behind is {bloc_label(f.rival)}?"), *([Paragraph(lag)] if lag else []),
            *figures.get("lag", []))
    if f.parameters:
        doc.add(Heading("What decides the outcome?"), Bullets(sensitivity_lines(ds)), Paragraph(sensitivity_note(ds)),
                *figures.get("sensitivity", []))
    return doc


def study_summary_document(ds: xr.Dataset) -> Document:
    """The `summary` command's text for a study."""
    f = study.facts(ds)
    doc = Document(f"Polarity study: {f.label}", [Paragraph(intro_paragraph(f))])
    if f.description:
        doc.add(Paragraph(f.description))
    doc.add(Bullets([arm_sentence(f, a) for a in f.arms]), outcome_table(f))
    if len(f.arms) > 1:
        doc.add(Bullets(comparison_lines(ds, f, f.arms[0].name)))
    doc.add(delay_table(f))
    if f.parameters:
        doc.add(Bullets(sensitivity_lines(ds)))
    return doc


# --- several studies ----------------------------------------------------------------------------

def study_compare_document(studies: list[xr.Dataset], labels: list[str]) -> Document:
    """The compare page's text for several studies: every class's probability and the rival's lag per arm."""
    all_facts = [study.facts(ds) for ds in studies]
    doc = Document("Polarity studies: " + " vs ".join(labels))
    classes = list(dict.fromkeys(c for f in all_facts for c in f.classes))
    rows, entries = [], []
    for label, f in zip(labels, all_facts):
        for a in f.arms:
            lag = a.percentiles.get("rival_lag_months")
            rows.append([label, a.title, f"{a.runs:,}"]
                        + [f"{percent_text(a.probability[c])} ({interval_text(a.low[c], a.high[c])})"
                           if c in a.probability else "—" for c in classes]
                        + [f"{bloc_label(f.leader)} / {bloc_label(f.rival)}",
                           f"{study.percentile(lag, 50):.1f} [{study.percentile(lag, 5):.1f}, "
                           f"{study.percentile(lag, 95):.1f}]" if lag else "—"])
            entries.append((a.p_unipolar, f"{label}: {a.title}", a))
    doc.add(Heading("Studies"),
            Bullets([f"**{label}**: {f.description or 'no description'} ({f.runs:,} runs, "
                     f"{SAMPLERS.get(f.sampler, f.sampler)}, {month_text(f.start)} – {month_text(f.end)})"
                     for label, f in zip(labels, all_facts)]),
            Heading("Outcome probabilities and the rival's lag, arm by arm"),
            Table(["study", "arm", "runs"] + [f"P({c})" for c in classes]
                  + ["leader / rival", "rival's lag, months: median [p5, p95]"], rows))
    best = max(entries, key=lambda e: e[0])
    worst = min(entries, key=lambda e: e[0])
    lines = [f"A unipolar world is most likely in **{best[1]}** ({percent_text(best[0])}, 95% interval "
             f"{interval_text(best[2].low['unipolar'], best[2].high['unipolar'])}) and least likely in **{worst[1]}** "
             f"({percent_text(worst[0])}, {interval_text(worst[2].low['unipolar'], worst[2].high['unipolar'])})."]
    if best[2].low["unipolar"] <= worst[2].high["unipolar"]:
        lines.append("Their 95% intervals overlap: the studies cannot tell these two apart.")
    lines.append("Different studies use different samples and random draws, so differences between studies are "
                 "not paired (unlike arms within one study with common random numbers).")
    doc.add(Heading("What changes between the studies"), Bullets(lines))
    return doc
