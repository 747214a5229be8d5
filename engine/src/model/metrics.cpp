#include "polarity/model/metrics.hpp"

#include "polarity/model/run_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace polarity::model {

namespace {

double per_month(double per_year) { return per_year / 12.0; }

}  // namespace

double pair_ratio(double leader, double rival) {
    if (rival > 0) return leader / rival;
    return leader > 0 ? std::numeric_limits<double>::infinity() : 1.0;
}

BlocMetrics measure_polarity(World& w) {
    const std::size_t nb = w.blocs.size();
    const PolarityQuestion& q = w.scenario->question;
    BlocMetrics m;
    m.capability.assign(nb, 0.0);
    m.compute_h100e.assign(nb, 0.0);
    m.compute_share.assign(nb, 0.0);
    m.chips_units.assign(nb, 0.0);
    m.effective_share.assign(nb, 0.0);
    m.lag_months.assign(nb, 0.0);
    m.strategic_h100e.assign(nb, 0.0);
    m.past_threshold.assign(nb, 0);

    std::vector<double> effective(nb, 0.0);
    double world_effective = 0, world_h100e = 0;
    for (const auto& l : w.labs) {
        const auto b = static_cast<std::size_t>(l.bloc);
        double chips = 0;
        for (std::size_t s = 0; s < l.owned_units.size(); ++s) chips += l.owned_units[s] + l.remote_units[s];
        const double e = l.usable_h100e * std::pow(10.0, l.algorithmic_log10);
        if (l.spec->frontier) m.capability[b] = std::max(m.capability[b], l.best_capability);
        m.compute_h100e[b] += l.usable_h100e;
        m.chips_units[b] += chips;
        m.strategic_h100e[b] += l.strategic_h100e;
        effective[b] += e;
        world_effective += e;
        world_h100e += l.usable_h100e;
        if (l.side == kLeaderHolds) {
            if (l.spec->frontier) m.leader_capability = std::max(m.leader_capability, l.best_capability);
            m.leader_h100e += l.usable_h100e, m.leader_chips += chips, m.leader_effective += e;
        } else if (l.side == kRivalHolds) {
            if (l.spec->frontier) m.rival_capability = std::max(m.rival_capability, l.best_capability);
            m.rival_h100e += l.usable_h100e, m.rival_chips += chips, m.rival_effective += e;
        }
    }
    w.world_effective_flop = world_effective;
    m.rival_compute_share = world_h100e > 0 ? m.rival_h100e / world_h100e : 0.0;

    double sum_sq = 0;
    for (std::size_t b = 0; b < nb; ++b) {
        m.effective_share[b] = world_effective > 0 ? effective[b] / world_effective : 0.0;
        m.compute_share[b] = world_h100e > 0 ? m.compute_h100e[b] / world_h100e : 0.0;
        sum_sq += m.effective_share[b] * m.effective_share[b];
        w.blocs[b].capability.push_back(m.capability[b]);
        if (m.capability[b] > m.capability[static_cast<std::size_t>(m.frontier_bloc)]) m.frontier_bloc = static_cast<int>(b);
    }
    m.effective_poles = sum_sq > 0 ? 1.0 / sum_sq : 0.0;
    w.leader_frontier.push_back(m.leader_capability);
    w.rival_frontier.push_back(m.rival_capability);

    const double prehistory = per_month(q.prehistory_growth_log10_per_year);
    for (std::size_t b = 0; b < nb; ++b) m.lag_months[b] = lag_months(w.leader_frontier, w.blocs[b].capability, prehistory);
    m.rival_lag_months = lag_months(w.leader_frontier, w.rival_frontier, prehistory);

    const double threshold = w.scenario->world.powerful_ai_capability;
    for (std::size_t b = 0; b < nb; ++b) {
        m.past_threshold[b] = m.capability[b] >= threshold;
        if (m.past_threshold[b] && w.blocs[b].crossing_month < 0) w.blocs[b].crossing_month = w.month_index;
    }
    if (m.leader_capability >= threshold) {
        m.holders |= kLeaderHolds;
        if (w.leader_crossing < 0) w.leader_crossing = w.month_index;
    }
    if (m.rival_capability >= threshold) {
        m.holders |= kRivalHolds;
        if (w.rival_crossing < 0) w.rival_crossing = w.month_index;
    }
    w.holders.push_back(m.holders);
    return m;
}

Outcome settle_outcome(const World& w, const BlocMetrics& last) {
    const Scenario& sc = *w.scenario;
    Outcome o;
    o.leader = sc.question.leader;
    o.rival = sc.question.rival;
    o.durable_lead_months = sc.question.durable_lead_months;
    o.months_run = static_cast<int>(w.holders.size());
    o.leader_crossing_month = w.leader_crossing;
    o.rival_crossing_month = w.rival_crossing;
    o.label = classify(w.leader_crossing, w.rival_crossing, o.months_run, o.durable_lead_months);
    o.delay = crossing_delay(w.leader_crossing, w.rival_crossing, o.months_run);
    o.spells = unipolar_spells(w.holders);

    // The rival's lag at each December, from the frontiers as they stood then.
    const double prehistory = per_month(sc.question.prehistory_growth_log10_per_year);
    o.year_end_month_index = year_end_months(sc.run.start, o.months_run);
    for (const int m : o.year_end_month_index) {
        const auto upto = static_cast<std::ptrdiff_t>(m) + 1;
        const std::vector<double> leader(w.leader_frontier.begin(), w.leader_frontier.begin() + upto);
        const std::vector<double> rival(w.rival_frontier.begin(), w.rival_frontier.begin() + upto);
        o.rival_lag_at_year_end.push_back(lag_months(leader, rival, prehistory));
    }
    o.rival_lag_months = last.rival_lag_months;
    o.compute_ratio_h100e = pair_ratio(last.leader_h100e, last.rival_h100e);
    o.chip_ratio = pair_ratio(last.leader_chips, last.rival_chips);
    o.effective_compute_ratio = pair_ratio(last.leader_effective, last.rival_effective);
    o.rival_compute_share = last.rival_compute_share;

    o.blocs = sc.blocs;
    for (std::size_t b = 0; b < w.blocs.size(); ++b) o.crossing_month_index.push_back(w.blocs[b].crossing_month);
    o.final_capability = last.capability;
    o.final_lag_months = last.lag_months;
    o.final_compute_share = last.effective_share;
    o.frontier_bloc = o.blocs.empty() ? "" : o.blocs[static_cast<std::size_t>(last.frontier_bloc)];
    return o;
}

}  // namespace polarity::model
