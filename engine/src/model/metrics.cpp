#include "polarity/model/metrics.hpp"

#include <algorithm>
#include <cmath>

namespace polarity::model {

PolarityState state_from_count(int n) {
    if (n <= 0) return PolarityState::none;
    if (n == 1) return PolarityState::unipolar;
    if (n == 2) return PolarityState::bipolar;
    return PolarityState::multipolar;
}

BlocMetrics measure_polarity(World& w) {
    const std::size_t nb = w.blocs.size();
    BlocMetrics m;
    m.capability.assign(nb, 0.0);
    m.compute_h100e.assign(nb, 0.0);
    m.effective_share.assign(nb, 0.0);
    m.lag_months.assign(nb, 0.0);
    m.strategic_h100e.assign(nb, 0.0);
    m.past_threshold.assign(nb, 0);

    std::vector<double> effective(nb, 0.0);
    double world_effective = 0;
    for (const auto& l : w.labs) {
        const auto b = static_cast<std::size_t>(l.bloc);
        if (l.spec->frontier) m.capability[b] = std::max(m.capability[b], l.best_capability);
        m.compute_h100e[b] += l.usable_h100e;
        m.strategic_h100e[b] += l.strategic_h100e;
        const double e = l.usable_h100e * std::pow(10.0, l.algorithmic_log10);
        effective[b] += e;
        world_effective += e;
    }
    w.world_effective_flop = world_effective;

    double sum_sq = 0;
    for (std::size_t b = 0; b < nb; ++b) {
        m.effective_share[b] = world_effective > 0 ? effective[b] / world_effective : 0.0;
        sum_sq += m.effective_share[b] * m.effective_share[b];
        w.blocs[b].capability.push_back(m.capability[b]);
        if (m.capability[b] > m.capability[static_cast<std::size_t>(m.leader)]) m.leader = static_cast<int>(b);
    }
    m.effective_poles = sum_sq > 0 ? 1.0 / sum_sq : 0.0;

    const auto& lead = w.blocs[static_cast<std::size_t>(m.leader)].capability;
    const std::size_t back = std::min<std::size_t>(12, lead.size() - 1);
    const double growth = back > 0 ? (lead.back() - lead[lead.size() - 1 - back]) / static_cast<double>(back) : 0.0;
    const double rate = std::max(growth, min_growth_per_month);

    int past = 0;
    const double threshold = w.scenario->world.powerful_ai_capability;
    for (std::size_t b = 0; b < nb; ++b) {
        const double gap = m.capability[static_cast<std::size_t>(m.leader)] - m.capability[b];
        m.lag_months[b] = std::min(gap / rate, max_lag_months);
        m.past_threshold[b] = m.capability[b] >= threshold;
        past += m.past_threshold[b];
        if (m.past_threshold[b] && w.blocs[b].crossing_month < 0) w.blocs[b].crossing_month = w.month_index;
    }
    m.state = state_from_count(past);
    return m;
}

Outcome settle_outcome(const World& w, const std::vector<PolarityState>& states, const BlocMetrics& last) {
    Outcome o;
    o.blocs = w.scenario->blocs;
    o.final_state = states.empty() ? PolarityState::none : states.back();
    const auto window = static_cast<std::size_t>(w.scenario->run.settling_window_months);
    const bool settled = states.size() >= window &&
        std::all_of(states.end() - static_cast<std::ptrdiff_t>(window), states.end(),
                    [&](PolarityState s) { return s == o.final_state; });
    o.state = settled ? o.final_state : PolarityState::unsettled;
    o.unipolar_window_months = static_cast<int>(std::count(states.begin(), states.end(), PolarityState::unipolar));
    for (std::size_t b = 0; b < w.blocs.size(); ++b) o.crossing_month_index.push_back(w.blocs[b].crossing_month);
    o.final_capability = last.capability;
    o.final_lag_months = last.lag_months;
    o.final_compute_share = last.effective_share;
    o.leader = o.blocs.empty() ? "" : o.blocs[static_cast<std::size_t>(last.leader)];
    return o;
}

}  // namespace polarity::model
