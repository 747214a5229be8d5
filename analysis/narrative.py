"""The generated text of a run: facts read from the file, and sentences a classroom can follow.

Nothing here is hand-written per scenario: the question (leader, rival, durable-lead window,
threshold) comes from the root attributes, the answer from the `outcome_*` variables (class,
crossing months, delay, unipolar spells with their holders, lag, ratios); the "what happened"
paragraph is built from the delivery series and, to say why, from the rules in force
(`rule_in_force`, with each rule's `rule_title`, `rule_action` and `rule_reaches`) and the
remote-access series, whose changes fall in the same month.
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
#: What a rule's action does, as a noun.
ACTION_NOUNS = {"deny": "a ban", "license": "a licence requirement", "allow": "a permission"}


@dataclass
class BlocFacts:
    """One bloc at the end of a run."""
    name: str
    crossing: pd.Timestamp | None  # first month past the threshold
    capability: float              # log10 effective FLOP, last month
    gap: float                     # the leader's capability minus this bloc's
    lag_months: float              # months since the leader's frontier stood where this bloc stands
    share: float                   # share of world effective compute, last month

    @property
    def label(self) -> str:
        return bloc_label(self.name)


@dataclass
class Spell:
    """A run of months in which one side of the pair alone held powerful AI."""
    holder: str
    start: pd.Timestamp
    months: int
    ongoing: bool

    @property
    def end(self) -> pd.Timestamp:
        return self.start + pd.DateOffset(months=self.months - 1)


@dataclass
class RunFacts:
    """What a run settled into, read from its attributes and `outcome_*` variables."""
    label: str
    description: str
    question_text: str
    seed: int
    start: pd.Timestamp
    end: pd.Timestamp
    threshold: float
    leader: str
    rival: str
    durable_months: int
    outcome: str
    outcome_meaning: str
    leader_crossing: pd.Timestamp | None
    rival_crossing: pd.Timestamp | None
    delay_months: float
    delay_censoring: str           # exact, at_least, at_most, unknown
    spells: list[Spell]
    rival_lag_months: float        # the rival's sphere behind the leader's, at the horizon
    lag_at_year_end: dict[str, float]
    compute_ratio: float           # leader's sphere / rival's, H100e
    chip_ratio: float
    effective_ratio: float
    rival_compute_share: float     # of world H100e
    frontier_bloc: str
    blocs: list[BlocFacts]

    def bloc(self, name: str) -> BlocFacts:
        return next(b for b in self.blocs if b.name == name)

    @property
    def crossed(self) -> list[BlocFacts]:
        """Blocs that crossed the threshold, earliest first."""
        return sorted((b for b in self.blocs if b.crossing is not None), key=lambda b: b.crossing)

    @property
    def leader_label(self) -> str:
        return bloc_label(self.leader)

    @property
    def rival_label(self) -> str:
        return bloc_label(self.rival)

    def alone_months(self, holder: str) -> int:
        return sum(s.months for s in self.spells if s.holder == holder)


def facts(ds: xr.Dataset) -> RunFacts:
    """Collect the facts of one run opened with :func:`analysis.io.open_run`."""
    leader, rival = io.leader(ds), io.rival(ds)
    capability = ds["outcome_final_capability"]
    lead_capability = float(capability.sel(bloc=leader)) if leader in io.blocs(ds) else float(capability.max())
    blocs = []
    for name in io.blocs(ds):
        crossing = ds["outcome_crossing_month"].sel(bloc=name).values
        blocs.append(BlocFacts(
            name=name, crossing=None if np.isnat(crossing) else pd.Timestamp(crossing),
            capability=float(capability.sel(bloc=name)),
            gap=lead_capability - float(capability.sel(bloc=name)),
            lag_months=float(ds["outcome_final_lag_months"].sel(bloc=name)),
            share=float(ds["outcome_final_compute_share"].sel(bloc=name))))
    item = lambda name: ds[f"outcome_{name}"].item()  # noqa: E731
    year_end = {str(y): float(v) for y, v in zip(ds["year_end"].values, ds["outcome_rival_lag_year_end_months"].values)} \
        if "year_end" in ds.dims else {}
    return RunFacts(
        label=io.run_label(ds), description=" ".join(str(ds.attrs.get("scenario_description", "")).split()),
        question_text=" ".join(str(ds.attrs.get("question_text", "")).split()),
        seed=int(ds.attrs.get("seed", 0)), start=pd.Timestamp(ds["month"].values[0]),
        end=pd.Timestamp(ds["month"].values[-1]), threshold=float(ds.attrs["powerful_ai_capability"]),
        leader=leader, rival=rival, durable_months=int(ds.attrs["durable_lead_months"]),
        outcome=str(item("outcome_name")), outcome_meaning=str(item("outcome_description")),
        leader_crossing=io.month_at(ds, int(item("leader_crossing_month"))),
        rival_crossing=io.month_at(ds, int(item("rival_crossing_month"))),
        delay_months=float(item("crossing_delay_months")), delay_censoring=str(item("crossing_delay_censoring_name")),
        spells=[Spell(r.holder, r.start, int(r.months), bool(r.ongoing)) for r in io.spells(ds).itertuples()],
        rival_lag_months=float(item("rival_lag_months")), lag_at_year_end=year_end,
        compute_ratio=float(item("compute_ratio_h100e")), chip_ratio=float(item("chip_ratio")),
        effective_ratio=float(item("effective_compute_ratio")), rival_compute_share=float(item("rival_compute_share")),
        frontier_bloc=str(item("frontier_bloc")), blocs=blocs)


def _and(items: list[str]) -> str:
    """'a', 'a and b', 'a, b and c'."""
    return " and ".join(items) if len(items) < 3 else ", ".join(items[:-1]) + " and " + items[-1]


def _months_between(a: pd.Timestamp, b: pd.Timestamp) -> int:
    return (b.year - a.year) * 12 + (b.month - a.month)


def _plural(n: float, word: str) -> str:
    return f"{n:g} {word}" if n == 1 else f"{n:g} {word}s"


def ratio_text(x: float) -> str:
    """A ratio for a sentence: '54×', 'more than 1,000×', or 'all of it' when the rival holds none."""
    if not np.isfinite(x):
        return "all"
    return f"{x:,.0f}×" if x >= 10 else f"{x:.1f}×"


# --- the question and its answer ------------------------------------------------------------

def question_sentence(f: RunFacts) -> str:
    """The question the run answers, from the declared pair and the durable-lead window."""
    text = (f"The question: does **{f.leader_label}** reach powerful AI (capability {f.threshold:g}) and keep it "
            f"alone for more than {_plural(f.durable_months, 'month')} before **{f.rival_label}** follows?")
    return (f"{f.question_text} " if f.question_text else "") + text


def outcome_sentence(f: RunFacts) -> str:
    """One sentence naming the class and why it was chosen: who crossed when, against the window."""
    leader, rival, w = f.leader_label, f.rival_label, _plural(f.durable_months, "month")
    head = f"**Outcome: {f.outcome}** ({f.outcome_meaning})."
    lc, rc = f.leader_crossing, f.rival_crossing
    if f.outcome == "none":
        return f"{head} Neither {leader} nor {rival} reached powerful AI by {month_text(f.end)}."
    if f.outcome == "unipolar":
        after = (f"{rival} followed only {_plural(_months_between(lc, rc), 'month')} later ({month_text(rc)})"
                 if rc is not None else f"{rival} had not followed by the end of the run ({month_text(f.end)})")
        return f"{head} {leader} reached powerful AI in {month_text(lc)}; {after}, more than the {w} a lead must last."
    if f.outcome == "bipolar":
        first, second = (leader, rival) if lc <= rc else (rival, leader)
        gap = abs(_months_between(lc, rc))
        when = "in the same month" if gap == 0 else f"{_plural(gap, 'month')} later"
        return (f"{head} {first} reached powerful AI in {month_text(min(lc, rc))} and {second} {when} "
                f"({month_text(max(lc, rc))}), within the {w} a lead must last to count as durable.")
    if f.outcome == "rival_first":
        after = (f"{leader} only {_plural(_months_between(rc, lc), 'month')} later ({month_text(lc)})"
                 if lc is not None else f"{leader} not by the end of the run")
        return f"{head} {rival} reached powerful AI first, in {month_text(rc)}; {after}."
    first = lc if lc is not None else rc
    who = leader if lc is not None else rival
    return (f"{head} {who} reached powerful AI in {month_text(first)}, less than {w} before the run ended "
            f"({month_text(f.end)}), and the other side had not yet: the run is too short to tell.")


def spell_sentence(f: RunFacts) -> str:
    """Who held powerful AI alone, and when."""
    if not f.spells:
        return "Neither side ever held powerful AI alone."
    parts = []
    for s in f.spells:
        until = (f"from {month_text(s.start)} to the end of the run, still holding it"
                 if s.ongoing else f"from {month_text(s.start)} to {month_text(s.end)}")
        parts.append(f"**{bloc_label(s.holder)}** alone {until} ({_plural(s.months, 'month')})")
    return "Powerful AI held by one side alone: " + "; ".join(parts) + "."


def delay_sentence(f: RunFacts) -> str | None:
    """The crossing delay and how it is known (censored at the horizon)."""
    d = f.delay_months
    if f.delay_censoring == "exact":
        return (f"Crossing delay: {f.rival_label} crossed {_plural(abs(d), 'month')} "
                f"{'after' if d >= 0 else 'before'} {f.leader_label}.")
    if f.delay_censoring == "at_least":
        return (f"Crossing delay: at least {_plural(d, 'month')} — {f.rival_label} had not crossed when the run "
                f"ended.")
    if f.delay_censoring == "at_most":
        return (f"Crossing delay: at most {_plural(d, 'month')} — {f.leader_label} had not crossed when the run "
                f"ended.")
    return None


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


def _lag_words(lag: float) -> str:
    return f"**{lag:.1f} months** behind" if lag >= 0 else f"**{-lag:.1f} months** ahead"


def lead_sentences(f: RunFacts) -> list[str]:
    """How far the rival (and every other bloc) was behind the leader at the end."""
    leader, rival = f.leader_label, f.rival_label
    lines = [f"At the end ({month_text(f.end)}) {rival}'s side was {_lag_words(f.rival_lag_months)} {leader}'s: "
             f"{leader}'s best model stood where {rival}'s stands now {abs(f.rival_lag_months):.1f} months "
             f"{'earlier' if f.rival_lag_months >= 0 else 'later'}."
             + (" By December: " + ", ".join(f"{y[:4]} {v:.1f}" for y, v in f.lag_at_year_end.items()) + " months."
                if f.lag_at_year_end else "")]
    lines.append(f"{leader}'s side held {ratio_text(f.compute_ratio)} {rival}'s usable compute, "
                 f"{ratio_text(f.chip_ratio)} its chips and {ratio_text(f.effective_ratio)} its effective compute; "
                 f"{rival}'s side held {f.rival_compute_share:.1%} of the world's compute.")
    for b in f.blocs:
        if b.name == f.leader:
            continue
        if b.capability <= 0:
            lines.append(f"**{b.label}** had no frontier model of its own.")
            continue
        if b.gap > 0:
            lines.append(f"**{b.label}** ended {_lag_words(b.lag_months)} {leader}: {leader}'s best model used "
                         f"{factor_text(b.gap)} as much effective compute (10^{b.gap:.2f}).")
        else:
            lines.append(f"**{b.label}** ended {_lag_words(b.lag_months)} {leader}, with the better model.")
    return lines


def outcome_table(f: RunFacts) -> Table:
    """Each bloc at the end of the run; the declared pair marked."""
    role = {f.leader: " (leader)", f.rival: " (rival)"}
    rows = [[b.label + role.get(b.name, ""), month_text(b.crossing) if b.crossing is not None else "not reached",
             f"{b.capability:.2f}", "—" if b.name == f.leader or b.capability <= 0 else f"{b.gap:+.2f}",
             "—" if b.capability <= 0 else f"{b.lag_months:.1f}", f"{b.share:.1%}"] for b in f.blocs]
    return Table(["bloc", "powerful AI from", "capability (log10 FLOP)", f"gap to {f.leader_label}",
                  "lag (months)", "share of effective compute"], rows)


# --- what happened and why ----------------------------------------------------------------

@dataclass
class PolicyChange:
    month: int          # index into the run's months
    text: str


def _switches(on: np.ndarray) -> tuple[list[int], list[int]]:
    """Months a 0/1 series switches on and off (after the first month)."""
    diff = np.diff(on.astype(int))
    return list(np.flatnonzero(diff == 1) + 1), list(np.flatnonzero(diff == -1) + 1)


def rule_phrase(rule) -> str:
    """A rule in a sentence: "the <title>" when the scenario gives it a title, else "rule <name>"."""
    return f"the {rule.title}" if rule.title != rule.name else f"rule {rule.name}"


def policy_changes(ds: xr.Dataset, bloc: str, route: str) -> list[PolicyChange]:
    """Policy changes during the run that could change a bloc's deliveries on one route: rules that
    reach the bloc taking effect or ending (legal, licensed and gray routes), and remote access
    opening, closing or changing its capacity (remote route)."""
    changes = []
    if route in ("legal", "licensed", "gray"):
        table = io.rules(ds)
        for i, rule in table.iterrows():
            if not rule[f"reaches_{bloc}"]:
                continue
            kind = ACTION_NOUNS.get(rule.action, rule.action)
            starts, ends = _switches(ds["rule_in_force"].isel(rule=i).values)
            changes += [PolicyChange(t, f"{rule_phrase(rule)} ({kind}) took effect") for t in starts]
            changes += [PolicyChange(t, f"{rule_phrase(rule)} ended") for t in ends]
    elif route == "remote":
        is_open = ds["remote_access_open"].values
        capacity = ds["remote_access_capacity_units"].values
        for t in range(1, len(is_open)):
            if is_open[t] != is_open[t - 1]:
                changes.append(PolicyChange(t, "remote cloud access " + ("opened" if is_open[t] else "closed")))
            elif is_open[t] and capacity[t] != capacity[t - 1]:
                changes.append(PolicyChange(t, f"remote cloud access was set to {capacity[t]:,.0f} chips a month"))
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


def route_events(x: np.ndarray, route: str, changes: list[PolicyChange]) -> list[DeliveryEvent]:
    """Changes in one route's monthly deliveries `x`: the route opening or closing for good
    (MIN_RUN_MONTHS at least), and level changes of VISIBLE_RATIO or more in the month of a policy
    change (or the month after)."""
    why_at: dict[int, list[str]] = {}
    for change in changes:
        if 0 < change.month < len(x):
            why_at.setdefault(change.month, []).append(change.text)
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
    months = pd.DatetimeIndex(ds["month"].values)
    delivered = io.delivered_by_route(ds).sel(bloc=bloc)
    floor = 0.02 * float(delivered.sum("route").mean())
    route_share = delivered.sum("month") / max(float(delivered.sum()), 1.0)
    found = []
    for route in (str(r) for r in delivered.route.values):
        x = delivered.sel(route=route).values.astype(float)
        for e in route_events(x, route, policy_changes(ds, bloc, route)):
            minor_route = float(route_share.sel(route=route)) < MINOR_ROUTE_SHARE
            if e.size > floor and (e.why or not minor_route):
                found.append(e)
    if not found:
        return standing_rules_sentence(ds, bloc)
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


def standing_rules_sentence(ds: xr.Dataset, bloc: str) -> str | None:
    """For a bloc whose deliveries never visibly changed: the rules reaching it in force from the start."""
    table = io.rules(ds)
    standing = [f"{rule_phrase(r)} ({ACTION_NOUNS.get(r.action, r.action)})" for i, r in table.iterrows()
                if r[f"reaches_{bloc}"] and ds["rule_in_force"].isel(rule=i, month=0).item()]
    if not standing:
        return None
    return (f"No delivery route to {bloc_label(bloc)} opened or closed during the run: the export rules on it "
            f"({_and(standing)}) were in force from the start.")


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
    """The "what happened and why" paragraphs: the race, then one paragraph per bloc (the pair first)."""
    if f.crossed:
        race = (f"The threshold for powerful AI was a capability of {f.threshold:g}, a best model trained with "
                f"about 10^{f.threshold:g} effective FLOP. {f.crossed[0].label} got there first "
                f"({month_text(f.crossed[0].crossing)}). {spell_sentence(f)}")
    else:
        race = f"No bloc reached the powerful-AI threshold ({f.threshold:g}) before {month_text(f.end)}."
    paragraphs = [race]
    order = [f.leader, f.rival] + [b.name for b in f.blocs if b.name not in (f.leader, f.rival)]
    for name in order:
        sentences = [supply_sentence(ds, name), events_sentence(ds, name), share_sentence(ds, name)]
        paragraphs.append(" ".join(s for s in sentences if s))
    return paragraphs


def answer_blocks(f: RunFacts) -> list:
    """The question, the answer and the spells, as document blocks."""
    return [Paragraph(question_sentence(f)), Paragraph(outcome_sentence(f)),
            Bullets([s for s in (spell_sentence(f), delay_sentence(f)) if s])]


def run_document(ds: xr.Dataset, figures: dict | None = None) -> Document:
    """The report for one run. `figures` maps a section ("outcome", "lead", "story") to the
    figure blocks shown at its end (analysis.report draws them)."""
    f = facts(ds)
    figures = figures or {}
    doc = Document(f"Polarity run: {f.label}")
    doc.add(Paragraph(f"Scenario **{f.label}** (seed {f.seed}), {month_text(f.start)} to {month_text(f.end)}."
                      + (f" {f.description}" if f.description else "")),
            Heading("Outcome"), *answer_blocks(f),
            Heading("Who reached powerful AI, and when"), Bullets(crossing_sentences(f)),
            *figures.get("outcome", []),
            Heading(f"How far behind is {f.rival_label}?"), Bullets(lead_sentences(f)), outcome_table(f),
            Paragraph("How to read this: capability is the base-10 logarithm of the effective compute (FLOP) "
                      "behind a bloc's best model, so a gap of 1 means ten times as much compute. The lag is time, "
                      f"not slope: the number of months since {f.leader_label}'s best model stood where the bloc's "
                      "best model stands now."),
            *figures.get("lead", []),
            Heading("What happened and why"), *[Paragraph(p) for p in story(ds, f)],
            *figures.get("story", []))
    return doc


# --- several runs -------------------------------------------------------------------------

def _delay_text(f: RunFacts) -> str:
    prefix = {"exact": "", "at_least": "≥ ", "at_most": "≤ "}.get(f.delay_censoring)
    return "—" if prefix is None else f"{prefix}{f.delay_months:g}"


def compare_document(runs: list[xr.Dataset], labels: list[str]) -> Document:
    """The compare page's text: an outcome table, a per-bloc table and a few generated lines."""
    all_facts = [facts(ds) for ds in runs]
    doc = Document("Polarity: " + " vs ".join(labels))
    doc.add(Heading("Outcomes"),
            Table(["run", "leader / rival", "outcome", "crossing delay (months)", "leader alone (months)",
                   "rival's lag at the end (months)", "threshold", "months"],
                  [[label, f"{f.leader_label} / {f.rival_label}", f.outcome, _delay_text(f),
                    f"{f.alone_months(f.leader)}", f"{f.rival_lag_months:.1f}", f"{f.threshold:g}",
                    f"{month_text(f.start)} – {month_text(f.end)}"]
                   for label, f in zip(labels, all_facts)],
                  caption="Crossing delay: the rival's crossing month minus the leader's; ≥ when the rival had "
                          "not crossed by the end, ≤ when the leader had not."))
    bloc_names = list(dict.fromkeys(b.name for f in all_facts for b in f.blocs))
    rows = []
    for name in bloc_names:
        for label, f in zip(labels, all_facts):
            if any(b.name == name for b in f.blocs):
                b = f.bloc(name)
                rows.append([bloc_label(name), label, month_text(b.crossing) if b.crossing is not None else "not reached",
                             *(["—", "—"] if b.capability <= 0 else [f"{b.lag_months:.1f}", f"{b.gap:+.2f}"]),
                             f"{b.share:.1%}"])
    doc.add(Heading("Each bloc at the end"),
            Table(["bloc", "run", "powerful AI from", "lag (months)", "gap to the leader", "share of compute"], rows))
    ranked = sorted(zip(labels, all_facts), key=lambda p: p[1].rival_lag_months)
    lines = [f"The rival ends " + _and([f"{f.rival_lag_months:.1f} months behind in {label}" for label, f in ranked]) + "."]
    windows = sorted(zip(labels, all_facts), key=lambda p: p[1].alone_months(p[1].leader))
    lines.append("The leader held powerful AI alone for " + _and(
        [f"{_plural(f.alone_months(f.leader), 'month')} in {label}" for label, f in windows]) + ".")
    doc.add(Heading("What changes between the runs"), Bullets(lines))
    return doc


def summary_document(ds: xr.Dataset) -> Document:
    """The `summary` command's text: question, answer, crossings, lead and the table."""
    f = facts(ds)
    return Document(f"Polarity run: {f.label} (seed {f.seed}), {month_text(f.start)} to {month_text(f.end)}",
                    [*answer_blocks(f), Bullets(crossing_sentences(f)), Bullets(lead_sentences(f)),
                     outcome_table(f)])
