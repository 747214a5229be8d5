#include <algorithm>
#include <cmath>

#include "polarity/core/random.hpp"
#include "parallel.hpp"
#include "polarity/model/phases.hpp"

namespace polarity::model {

double lagged_frontier(const std::vector<double>& history, double delay_months) {
    const double now = static_cast<double>(history.size() - 1);
    const double at = now - delay_months;
    if (at <= 0) return history.front();
    const auto k = static_cast<std::size_t>(at);
    const double fraction = at - static_cast<double>(k);
    return k + 1 < history.size() ? history[k] + fraction * (history[k + 1] - history[k]) : history[k];
}

double research_factor(const AlgorithmSettings& a, double research_h100e, double efficiency_log10,
                       double best_capability) {
    const double research = research_h100e / a.research_reference_h100e;
    const double returns = research > 0 ? std::pow(research, a.research_elasticity) : 0.0;
    const double harder = std::pow(10.0, -a.idea_difficulty * efficiency_log10);
    const double progress = std::clamp(
        (best_capability - a.acceleration_start_capability) /
            (a.acceleration_full_capability - a.acceleration_start_capability), 0.0, 1.0);
    const double accelerated = 1.0 + a.acceleration_max_multiplier * progress;
    return std::clamp(returns * harder * accelerated, a.research_factor_min, a.research_factor_max);
}

void advance_algorithms(World& w) {
    const Scenario& sc = *w.scenario;
    const AlgorithmSettings& a = sc.algorithms;
    // The frontier at the start of each month so far; what others can absorb is delayed.
    if (w.efficiency_frontier.empty()) {
        double start = -1e300;
        for (const auto& l : w.labs) start = std::max(start, l.algorithmic_log10);
        w.efficiency_frontier.push_back(start);
    }
    const double reachable = lagged_frontier(w.efficiency_frontier, a.diffusion_delay_months);

    detail::for_each_agent(w.labs.size(), [&](std::size_t i) {
        LabState& l = w.labs[i];
        const double rate = research_factor(a, l.research_h100e, l.algorithmic_log10, l.best_capability);
        double gain = a.drift_log10_per_year / 12.0 * rate;
        core::Stream rng(sc.run.seed, sc.run.run_index, core::Purpose::algorithm_jump,
                         static_cast<std::uint64_t>(w.month_index), i);
        for (const auto& j : a.jumps) {
            const double p = 1.0 - std::exp(-j.per_year / 12.0 * rate);
            if (rng.uniform01() <= p) gain += std::log10(j.multiplier);
        }
        // Followers close part of the gap to what was public `delay` months ago, as fast as
        // their own research compute lets them reproduce it.
        const double absorb = a.absorption_research_h100e > 0
            ? l.research_h100e / (l.research_h100e + a.absorption_research_h100e)
            : 1.0;
        const double diffusion = a.diffusion_per_month * absorb * std::max(0.0, reachable - l.algorithmic_log10);
        l.research_factor = rate;
        l.efficiency_gain_log10 = gain + diffusion;
        l.algorithmic_log10 += l.efficiency_gain_log10;
    });
    double best = -1e300;
    for (const auto& l : w.labs) best = std::max(best, l.algorithmic_log10);
    w.efficiency_frontier.push_back(best);
}

}  // namespace polarity::model
