"""The generated text: facts read from a run, and sentences a classroom can follow.

Nothing here is hand-written per scenario: the outcome, crossing dates and the lead come from
the `outcome_*` variables; the "what happened" paragraph is built from the delivery series
(which routes supplied each bloc, when a route opened, closed or changed level) and, to say
why, the policy timeline in the stored scenario file (rules, remote access) whose changes fall
in the same month.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import xarray as xr

from . import io
from .document import Bullets, Document, Heading, Paragraph, Table
from .style import bloc_label, factor_text, month_text, route_noun

#: A route must be empty (or busy) this many months in a row to count as closed (or open).
MIN_RUN_MONTHS = 3
#: Months averaged on each side of a policy change to see a change in deliveries.
WINDOW_MONTHS = 4
#: Ratio of the averages after/before a policy change that counts as a visible change.
VISIBLE_RATIO = 1.5
#: Routes carrying less than this share of a bloc's chips are only mentioned when a policy change explains them.
MINOR_ROUTE_SHARE = 0.03
#: At most this many delivery events are told per bloc.
MAX_EVENTS = 5

STATE_MEANING = {
    "none": "no bloc has powerful AI",
    "unipolar": "exactly one bloc has powerful AI",
    "bipolar": "two blocs have powerful AI",
    "multipolar": "three or more blocs have powerful AI",
}


@dataclass
class BlocFacts:
    """One bloc at the end of a run."""
    name: str
    crossing: pd.Timestamp | None  # first month past the threshold
    capability: float              # log10 effective FLOP, last month
    gap: float                     # leader's capability minus this bloc's
    lag_months: float              # months behind the leader, last month
    share: float                   # share of world effective compute, last month

    @property
    def label(self) -> str:
        return bloc_label(self.name)


@dataclass
class RunFacts:
    """What a run settled into, read from its `outcome_*` variables."""
    label: str
    description: str
    seed: int
    start: pd.Timestamp
    end: pd.Timestamp
    threshold: float
    state: str
    final_state: str
    settling_months: int
    leader: str
    unipolar_months: int
    past_at_end: list[str]
    blocs: list[BlocFacts]

    def bloc(self, name: str) -> BlocFacts:
        return next(b for b in self.blocs if b.name == name)

    @property
    def crossed(self) -> list[BlocFacts]:
        """Blocs that crossed the threshold, earliest first."""
        return sorted((b for b in self.blocs if b.crossing is not None), key=lambda b: b.crossing)


def facts(ds: xr.Dataset) -> RunFacts:
    """Collect the facts of one run opened with :func:`analysis.io.open_run`."""
    config = io.scenario_config(ds)
    leader = str(ds["outcome_leader"].item())
    capability = ds["outcome_final_capability"]
    lead_capability = float(capability.sel(bloc=leader)) if leader in io.blocs(ds) else float(capability.max())
    blocs = []
    for name in io.blocs(ds):
        crossing = ds["outcome_crossing_month"].sel(bloc=name).values
        blocs.append(BlocFacts(
            name=name,
            crossing=None if np.isnat(crossing) else pd.Timestamp(crossing),
            capability=float(capability.sel(bloc=name)),
            gap=max(0.0, lead_capability - float(capability.sel(bloc=name))),
            lag_months=float(ds["outcome_final_lag_months"].sel(bloc=name)),
            share=float(ds["outcome_final_compute_share"].sel(bloc=name))))
    past = ds["bloc_past_threshold"].isel(month=-1)
    return RunFacts(
        label=io.run_label(ds),
        description=" ".join(str(config.get("description", "")).split()),
        seed=int(ds.attrs.get("seed", 0)),
        start=pd.Timestamp(ds["month"].values[0]),
        end=pd.Timestamp(ds["month"].values[-1]),
        threshold=float(ds.attrs["powerful_ai_capability"]),
        state=str(ds["outcome_state"].item()),
        final_state=str(ds["outcome_final_state"].item()),
        settling_months=int(config.get("run", {}).get("settling_window_months", io.DEFAULT_SETTLING_WINDOW_MONTHS)),
        leader=leader,
        unipolar_months=int(ds["outcome_unipolar_window_months"].item()),
        past_at_end=[str(b) for b in past.bloc.values[past.values > 0]],
        blocs=blocs)


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


# --- the outcome and the lead -------------------------------------------------------------

def outcome_sentence(f: RunFacts) -> str:
    """One sentence: the outcome, what it means, and whether it settled."""
    who = _and([bloc_label(b) for b in f.past_at_end]) if f.past_at_end else ""
    if f.state == "unsettled":
        return (f"**Outcome: unsettled.** In the last month ({month_text(f.end)}) the world was "
                f"{f.final_state} ({STATE_MEANING.get(f.final_state, '')}{': ' + who if who else ''}), "
                f"but that had not lasted "
                f"the {f.settling_months}-month settling window, so the race was still changing.")
    text = f"**Outcome: {f.state}** — {STATE_MEANING.get(f.state, f.state)}"
    if who:
        text += f" ({who})"
    text += f" by {month_text(f.end)}, and it held for at least the last {_plural(f.settling_months, 'month')}."
    if f.unipolar_months:
        text += f" The world was unipolar for {_plural(f.unipolar_months, 'month')} in all."
    return text


def crossing_sentences(f: RunFacts) -> list[str]:
    """When each bloc crossed the powerful-AI threshold, relative to the first."""
    if not f.crossed:
        return [f"No bloc reached powerful AI (capability {f.threshold:g}) by the end of the run "
                f"({month_text(f.end)})."]
    lines = []
    first = f.crossed[0].crossing
    for i, b in enumerate(f.crossed):
        if i == 0:
            lines.append(f"**{b.label}** crossed first, in **{month_text(b.crossing)}**.")
        else:
            delay = _months_between(first, b.crossing)
            when = "in the same month" if delay == 0 else f"{_plural(delay, 'month')} later"
            lines.append(f"**{b.label}** crossed in **{month_text(b.crossing)}**, {when}.")
    for b in f.blocs:
        if b.crossing is None:
            lines.append(f"**{b.label}** did not reach it by the end of the run ({month_text(f.end)}).")
    return lines


def lead_sentences(f: RunFacts) -> list[str]:
    """How far each other bloc was behind the leader at the end, in months and in compute."""
    leader = bloc_label(f.leader)
    lines = [f"**{leader}** led at the end ({month_text(f.end)}), holding "
             f"{f.bloc(f.leader).share:.0%} of the world's effective AI compute."]
    for b in f.blocs:
        if b.name == f.leader:
            continue
        if b.capability <= 0:
            lines.append(f"**{b.label}** had no frontier model of its own.")
            continue
        lines.append(f"**{b.label}** was **{b.lag_months:.1f} months** behind, a capability gap of "
                     f"{b.gap:.2f}: {leader}'s best model used **{factor_text(b.gap)}** as much effective "
                     f"compute (10^{b.gap:.2f}). It held {b.share:.1%} of the world's effective compute.")
    return lines


def outcome_table(f: RunFacts) -> Table:
    """Each bloc at the end of the run."""
    rows = [[b.label, month_text(b.crossing) if b.crossing is not None else "not reached",
             f"{b.capability:.2f}", "—" if b.capability <= 0 else f"{b.gap:.2f}",
             "—" if b.name == f.leader or b.capability <= 0 else f"{10 ** b.gap:,.3g}×",
             "—" if b.capability <= 0 else f"{b.lag_months:.1f}", f"{b.share:.1%}"] for b in f.blocs]
    return Table(["bloc", "powerful AI from", "capability (log10 FLOP)", "gap to leader",
                  "leader's compute advantage", "lag (months)", "share of compute"], rows)


# --- what happened and why ----------------------------------------------------------------

@dataclass
class PolicyChange:
    month: pd.Timestamp
    text: str


def _reaches(destinations, bloc: str, nations: list[dict]) -> bool:
    """Whether a rule's destination list reaches a bloc (by bloc, nation, tierN or 'all')."""
    members = [n for n in nations if n.get("bloc") == bloc]
    names = {bloc, "all"} | {str(n.get("name")) for n in members} | {f"tier{n.get('tier', 1)}" for n in members}
    return any(str(d) in names for d in destinations or [])


def policy_changes(config: dict, bloc: str, route: str) -> list[PolicyChange]:
    """Policy changes in the scenario that could change a bloc's deliveries on one route."""
    policy = config.get("policy", {}) or {}
    changes = []
    if route in ("legal", "licensed", "gray"):
        for rule in policy.get("rules", []) or []:
            if not _reaches(rule.get("destinations"), bloc, config.get("nations", []) or []):
                continue
            name, action = rule.get("name", "a rule"), rule.get("action", "deny")
            kind = {"deny": "a ban", "license": "a licence requirement", "allow": "a permission"}.get(action, action)
            if rule.get("start"):
                changes.append(PolicyChange(pd.Timestamp(str(rule["start"])), f"{name} ({kind}) took effect"))
            if rule.get("end"):
                changes.append(PolicyChange(pd.Timestamp(str(rule["end"])), f"{name} ended"))
    elif route == "remote":
        for entry in policy.get("remote_access", []) or []:
            if entry.get("start"):
                cap = entry.get("capacity_units_per_month")
                if not entry.get("open", True):
                    text = "remote cloud access was closed"
                elif cap is not None:
                    text = f"remote cloud access was set to {cap:,.0f} chips a month"
                else:
                    text = "remote cloud access was opened"
                changes.append(PolicyChange(pd.Timestamp(str(entry["start"])), text))
    return changes


def _active_periods(x: np.ndarray) -> np.ndarray:
    """Months a route counts as open: deliveries > 0, with gaps shorter than MIN_RUN_MONTHS filled."""
    on = x > 0
    filled = on.copy()
    idx = np.flatnonzero(on)
    for a, b in zip(idx[:-1], idx[1:]):
        if b - a - 1 < MIN_RUN_MONTHS:
            filled[a:b] = True
    return filled


@dataclass
class DeliveryEvent:
    """A visible change in one route's deliveries, with the policy change of that month if any."""
    month: int          # index into the run's months
    route: str
    verb: str           # "stopped", "started", "resumed", "rose by 40%", "fell by 35%"
    why: str | None     # the policy change(s) of that month
    size: float         # change in chips per month (mean after - mean before, absolute)


def _window_means(x: np.ndarray, t: int) -> tuple[float, float]:
    return float(x[max(0, t - WINDOW_MONTHS):t].mean()), float(x[t:t + WINDOW_MONTHS].mean())


def route_events(x: np.ndarray, route: str, months: pd.DatetimeIndex,
                 changes: list[PolicyChange]) -> list[DeliveryEvent]:
    """Changes in one route's monthly deliveries `x`: the route opening or closing for good
    (MIN_RUN_MONTHS at least), and level changes of VISIBLE_RATIO or more in the month of a policy
    change (or the month after)."""
    why_at: dict[int, list[str]] = {}
    for change in changes:
        t = _months_between(months[0], change.month)
        if 0 < t < len(x):
            why_at.setdefault(t, []).append(change.text)
    why = lambda t: _and(why_at[t]) if t in why_at else None  # noqa: E731

    events: dict[int, DeliveryEvent] = {}
    open_ = _active_periods(x)
    for t in range(1, len(x)):
        span = open_[t:t + MIN_RUN_MONTHS]
        if open_[t] != open_[t - 1] and len(span) == MIN_RUN_MONTHS and (span == open_[t]).all():
            verb = "stopped" if not open_[t] else ("started" if not open_[:t].any() else "resumed")
            cause = t if t in why_at else (t - 1 if t - 1 in why_at else None)
            before, after = _window_means(x, t)
            events[t] = DeliveryEvent(t, route, verb, why(cause) if cause is not None else None, abs(after - before))
    for t in why_at:
        if t in events or t + 1 in events:
            continue
        before, after = _window_means(x, t)
        if before > 0 and after > 0 and max(after / before, before / after) >= VISIBLE_RATIO:
            verb = f"rose by {after / before - 1:.0%}" if after > before else f"fell by {1 - after / before:.0%}"
            events[t] = DeliveryEvent(t, route, verb, why(t), abs(after - before))
    return [events[t] for t in sorted(events)]


def supply_sentence(ds: xr.Dataset, bloc: str) -> str | None:
    """Where a bloc's chips came from over the whole run, by route."""
    totals = io.delivered_by_route(ds).sel(bloc=bloc).sum("month")
    total = float(totals.sum())
    if total <= 0:
        return f"{bloc_label(bloc)} received no chips during the run."
    parts = sorted(((float(v) / total, str(r)) for r, v in zip(totals.route.values, totals.values)), reverse=True)
    listed = [f"{share:.0%} {route_noun(route)}" for share, route in parts if share >= 0.005]
    return (f"Over the whole run {bloc_label(bloc)} received {total / 1e6:,.1f} million chips "
            f"(counted as chips, whatever their speed): {_and(listed)}.")


def events_sentence(ds: xr.Dataset, bloc: str) -> str | None:
    """The largest changes in a bloc's deliveries, told in order, with the policy change of that month.

    Events smaller than 2% of the bloc's mean monthly deliveries are left out; events that
    coincide with a policy change count double when choosing the MAX_EVENTS to tell.
    """
    config = io.scenario_config(ds)
    months = pd.DatetimeIndex(ds["month"].values)
    delivered = io.delivered_by_route(ds).sel(bloc=bloc)
    floor = 0.02 * float(delivered.sum("route").mean())
    route_share = delivered.sum("month") / max(float(delivered.sum()), 1.0)
    found = []
    for route in (str(r) for r in delivered.route.values):
        x = delivered.sel(route=route).values.astype(float)
        for e in route_events(x, route, months, policy_changes(config, bloc, route)):
            minor_route = float(route_share.sel(route=route)) < MINOR_ROUTE_SHARE
            if e.size > floor and (e.why or not minor_route):
                found.append(e)
    if not found:
        return _standing_rules_sentence(config, bloc, months[0])
    chosen = sorted(found, key=lambda e: e.size * (2 if e.why else 1), reverse=True)[:MAX_EVENTS]
    by_month: dict[int, list[DeliveryEvent]] = {}
    for e in sorted(chosen, key=lambda e: (e.month, -e.size)):
        by_month.setdefault(e.month, []).append(e)
    parts = []
    for t, events in by_month.items():
        whys = list(dict.fromkeys(e.why for e in events if e.why))
        when = f"in {month_text(months[t])}" + (f", when {_and(whys)}," if whys else "")
        parts.append(f"{when} " + _and([f"{route_noun(e.route)} {e.verb}" for e in events]))
    return f"What the delivery series show for {bloc_label(bloc)}: " + "; ".join(parts) + "."


def _standing_rules_sentence(config: dict, bloc: str, start: pd.Timestamp) -> str | None:
    """For a bloc whose deliveries never visibly changed: the rules on it in force from the start."""
    rules = [r for r in (config.get("policy", {}) or {}).get("rules", []) or []
             if _reaches(r.get("destinations"), bloc, config.get("nations", []) or [])
             and r.get("start") and pd.Timestamp(str(r["start"])) <= start
             and not (r.get("end") and pd.Timestamp(str(r["end"])) <= start)]
    if not rules:
        return None
    named = _and([f"{r.get('name', 'a rule')} ({r.get('action', 'deny')})" for r in rules])
    return (f"No delivery route to {bloc_label(bloc)} opened or closed during the run: the export rules on it "
            f"({named}) were in force from the start.")


def share_sentence(ds: xr.Dataset, bloc: str) -> str:
    """How a bloc's share of world effective compute moved over the run."""
    share = ds["bloc_effective_compute_share"].sel(bloc=bloc).to_series()
    first, last, peak = share.iloc[0], share.iloc[-1], share.max()
    if peak < 0.005:
        return "It held almost none of the world's effective compute."
    text = (f"Its share of the world's effective compute went from {first:.0%} in {month_text(share.index[0])} "
            f"to {last:.0%} in {month_text(share.index[-1])}")
    if peak > 1.2 * max(first, last) and peak - max(first, last) > 0.02:
        text += f", peaking at {peak:.0%} in {month_text(share.idxmax())}"
    return text + "."


def story(ds: xr.Dataset, f: RunFacts) -> list[str]:
    """The "what happened and why" paragraphs: the race, then one paragraph per bloc."""
    crossed = f.crossed
    if crossed:
        race = (f"The threshold for powerful AI was a capability of {f.threshold:g}, a best model trained with "
                f"about 10^{f.threshold:g} effective FLOP. {bloc_label(crossed[0].name)} got there first "
                f"({month_text(crossed[0].crossing)})")
        if len(crossed) > 1:
            gap = _months_between(crossed[0].crossing, crossed[1].crossing)
            if gap == 0:
                race += f", in the same month as {bloc_label(crossed[1].name)}, so no bloc ever had it alone"
            else:
                race += (f"; {bloc_label(crossed[1].name)} followed {_plural(gap, 'month')} later, so the first "
                         f"bloc's monopoly on powerful AI lasted {_plural(f.unipolar_months, 'month')}")
        race += "."
    else:
        race = f"No bloc reached the powerful-AI threshold ({f.threshold:g}) before {month_text(f.end)}."
    paragraphs = [race]
    order = [f.leader] + [b.name for b in f.blocs if b.name != f.leader]
    for name in order:
        sentences = [supply_sentence(ds, name), events_sentence(ds, name), share_sentence(ds, name)]
        paragraphs.append(" ".join(s for s in sentences if s))
    return paragraphs


def run_document(ds: xr.Dataset, figures: dict | None = None) -> Document:
    """The report for one run. `figures` maps a section ("outcome", "lead", "story") to the
    figure blocks shown at its end (analysis.report draws them)."""
    f = facts(ds)
    figures = figures or {}
    doc = Document(f"Polarity run: {f.label}")
    doc.add(Paragraph(f"Scenario **{f.label}** (seed {f.seed}), {month_text(f.start)} to {month_text(f.end)}."
                      + (f" {f.description}" if f.description else "")),
            Heading("Outcome"), Paragraph(outcome_sentence(f)),
            Heading("Who reached powerful AI, and when"), Bullets(crossing_sentences(f)),
            *figures.get("outcome", []),
            Heading("The size of the lead"), Bullets(lead_sentences(f)), outcome_table(f),
            Paragraph("How to read this: capability is the base-10 logarithm of the effective compute "
                      "(FLOP) behind a bloc's best model, so a gap of 1 means ten times as much compute and a gap "
                      "of 2 a hundred times. The lag is the number of months of the leader's recent progress "
                      "that separate a bloc from the leader."),
            *figures.get("lead", []),
            Heading("What happened and why"), *[Paragraph(p) for p in story(ds, f)],
            *figures.get("story", []))
    return doc


# --- several runs -------------------------------------------------------------------------

def compare_document(runs: list[xr.Dataset], labels: list[str]) -> Document:
    """The compare page's text: an outcome table, a per-bloc table and a few generated lines."""
    all_facts = [facts(ds) for ds in runs]
    doc = Document("Polarity: " + " vs ".join(labels))
    doc.add(Heading("Outcomes"),
            Table(["run", "outcome", "unipolar window", "first to powerful AI", "leader at the end", "threshold",
                   "months"],
                  [[label, f.state, _plural(f.unipolar_months, "month"),
                    f"{bloc_label(f.crossed[0].name)} ({month_text(f.crossed[0].crossing)})" if f.crossed else "nobody",
                    bloc_label(f.leader), f"{f.threshold:g}", f"{month_text(f.start)} – {month_text(f.end)}"]
                   for label, f in zip(labels, all_facts)]))
    bloc_names = list(dict.fromkeys(b.name for f in all_facts for b in f.blocs))
    rows = []
    for name in bloc_names:
        for label, f in zip(labels, all_facts):
            if any(b.name == name for b in f.blocs):
                b = f.bloc(name)
                rows.append([bloc_label(name), label, month_text(b.crossing) if b.crossing is not None else "not reached",
                             *(["—", "—"] if b.capability <= 0 else [f"{b.lag_months:.1f}", f"{b.gap:.2f}"]),
                             f"{b.share:.1%}"])
    doc.add(Heading("Each bloc at the end"),
            Table(["bloc", "run", "powerful AI from", "lag (months)", "gap to leader", "share of compute"], rows))
    lines = []
    for name in bloc_names:
        present = [(label, f.bloc(name)) for label, f in zip(labels, all_facts)
                   if any(b.name == name for b in f.blocs) and f.leader != name]
        if not present:
            continue  # the leader in every run that has it
        ranked = sorted((p for p in present if p[1].capability > 0), key=lambda p: p[1].lag_months)
        parts = [f"{b.lag_months:.1f} months behind in {label} (compute gap {factor_text(b.gap)})" for label, b in ranked]
        parts += [f"without a frontier model in {label}" for label, b in present if b.capability <= 0]
        lines.append(f"**{bloc_label(name)}** ends " + _and(parts) + ".")
    windows = sorted(zip(labels, all_facts), key=lambda p: p[1].unipolar_months)
    lines.append("The world was unipolar for " + _and([f"{_plural(f.unipolar_months, 'month')} in {label}"
                                                      for label, f in windows]) + ".")
    doc.add(Heading("What changes between the runs"), Bullets(lines))
    return doc


def summary_document(ds: xr.Dataset) -> Document:
    """The `summary` command's text: outcome, crossings, lead and the table."""
    f = facts(ds)
    return Document(f"Polarity run: {f.label} (seed {f.seed}), {month_text(f.start)} to {month_text(f.end)}",
                    [Paragraph(outcome_sentence(f)), Bullets(crossing_sentences(f)), Bullets(lead_sentences(f)),
                     outcome_table(f)])
