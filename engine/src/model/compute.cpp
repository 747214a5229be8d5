#include <algorithm>
#include <cmath>
#include <numeric>

#include "parallel.hpp"
#include "polarity/model/phases.hpp"

namespace polarity::model {

void depreciate(World& w) {
    const double keep = std::pow(1.0 - w.scenario->world.depreciation_per_year, 1.0 / 12.0);
    for (auto& l : w.labs) {
        for (std::size_t s = 0; s < l.owned_units.size(); ++s) {
            const double retired = (l.owned_units[s] + l.remote_units[s]) * (1.0 - keep);
            l.owned_units[s] *= keep;
            l.remote_units[s] *= keep;
            l.retired_units_total += retired;
            w.skus[s].retired_total += retired;
        }
    }
}

void train(World& w, const Regime& g, int serial) {
    const Scenario& sc = *w.scenario;
    const WorldSettings& ws = sc.world;
    const ParadigmSettings& pd = sc.paradigm;
    const bool paradigm = pd.enabled && serial >= pd.start.serial();
    const double rl_share = paradigm ? pd.rl_share_of_training : 0.0;
    const double flop_per_h100e_month = ws.h100_flop_per_s * ws.utilization * seconds_per_month;
    const auto slot = static_cast<std::size_t>(w.month_index) % static_cast<std::size_t>(std::max(1, ws.training_run_months));

    // Each lab writes only its own state: safe and deterministic in parallel.
    detail::for_each_agent(w.labs.size(), [&](std::size_t i) {
        LabState& l = w.labs[i];
        double train_h = 0, serve_h = 0;
        for (std::size_t s = 0; s < w.skus.size(); ++s) {
            // Chips rented abroad count only while remote access is open.
            const double units = l.owned_units[s] + (g.remote_open ? l.remote_units[s] : 0.0);
            train_h += units * w.skus[s].train_h100e;
            serve_h += units * w.skus[s].serve_h100e;
        }
        const double military = w.nations[static_cast<std::size_t>(l.nation)].spec->military_compute_share;
        l.usable_h100e = train_h;
        l.strategic_h100e = military * train_h;
        const double civil = 1.0 - military;
        l.training_h100e = civil * train_h * l.spec->training_share;
        l.research_h100e = civil * train_h * l.spec->research_share;
        l.serving_h100e = civil * serve_h * (1.0 - l.spec->training_share - l.spec->research_share);

        const double effective = l.training_h100e * flop_per_h100e_month * std::pow(10.0, l.algorithmic_log10);
        l.rl_effective_flop += rl_share * effective;
        l.recent_effective_flop[slot] = (1.0 - rl_share) * effective;
        const double run = std::accumulate(l.recent_effective_flop.begin(), l.recent_effective_flop.end(), 0.0);
        const double rl_gain = pd.enabled && serial >= pd.start.serial()
            ? pd.max_gain * (1.0 - std::exp(-l.rl_effective_flop / pd.saturation_flop))
            : 0.0;
        l.capability = std::log10(std::max(run, 1.0)) + rl_gain;
        l.best_capability = std::max(l.best_capability, l.capability);
    });
}

}  // namespace polarity::model
