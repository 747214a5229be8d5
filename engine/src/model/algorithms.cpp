#include <algorithm>
#include <cmath>

#include "polarity/core/random.hpp"
#include "parallel.hpp"
#include "polarity/model/phases.hpp"

namespace polarity::model {

void advance_algorithms(World& w) {
    const Scenario& sc = *w.scenario;
    const AlgorithmSettings& a = sc.algorithms;
    double frontier = -1e300;  // best efficiency before anyone moves this month
    for (const auto& l : w.labs) frontier = std::max(frontier, l.algorithmic_log10);

    detail::for_each_agent(w.labs.size(), [&](std::size_t i) {
        LabState& l = w.labs[i];
        // Research compute speeds progress with diminishing returns, within clamps, and
        // past a capability a lab's own models help; both bounded, so efficiency grows at
        // most linearly in log space: nothing reaches infinity in finite time.
        const double research = l.research_h100e / a.research_reference_h100e;
        const double r = std::clamp(research > 0 ? std::pow(research, a.research_elasticity) : 0.0,
                                    a.research_factor_min, a.research_factor_max);
        const double progress = std::clamp(
            (l.best_capability - a.acceleration_start_capability) /
                (a.acceleration_full_capability - a.acceleration_start_capability), 0.0, 1.0);
        const double rate = r * (1.0 + a.acceleration_max_multiplier * progress);

        double gain = a.drift_log10_per_year / 12.0 * rate;
        core::Stream rng(sc.run.seed, sc.run.run_index, core::Purpose::algorithm_jump,
                         static_cast<std::uint64_t>(w.month_index), i);
        for (const auto& j : a.jumps) {
            const double p = 1.0 - std::exp(-j.per_year / 12.0 * rate);
            if (rng.uniform01() <= p) gain += std::log10(j.multiplier);
        }
        // Followers close part of the gap: publication, open weights, distillation.
        const double diffusion = a.diffusion_per_month * std::max(0.0, frontier - l.algorithmic_log10);
        l.algorithmic_log10 += gain + diffusion;
    });
}

}  // namespace polarity::model
