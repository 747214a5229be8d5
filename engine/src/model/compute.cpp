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

bool adopted_paradigm(const World& w, std::size_t lab, int serial) {
    const ParadigmSettings& pd = w.scenario->paradigm;
    if (!pd.enabled || w.paradigm_pioneer < 0) return false;
    const double months = serial - pd.start.serial();
    return static_cast<int>(lab) == w.paradigm_pioneer ? months >= 0 : months >= pd.adoption_delay_months;
}

void train(World& w, const Regime& g, int serial) {
    const Scenario& sc = *w.scenario;
    const WorldSettings& ws = sc.world;
    const ParadigmSettings& pd = sc.paradigm;
    // The paradigm appears at the lab with the best model; the others follow after a delay.
    if (pd.enabled && serial >= pd.start.serial() && w.paradigm_pioneer < 0) {
        for (std::size_t i = 0; i < w.labs.size(); ++i) {
            const LabState& l = w.labs[i];
            if (!l.spec->frontier) continue;
            if (w.paradigm_pioneer < 0 || l.best_capability > w.labs[static_cast<std::size_t>(w.paradigm_pioneer)].best_capability)
                w.paradigm_pioneer = static_cast<int>(i);
        }
    }
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

        const bool adopted = adopted_paradigm(w, i, serial);
        const double effective = l.training_h100e * flop_per_h100e_month * std::pow(10.0, l.algorithmic_log10);
        l.recent_rl_flop[slot] = adopted ? pd.rl_share_of_training * effective : 0.0;
        l.recent_effective_flop[slot] = effective - l.recent_rl_flop[slot];
        const double run = std::accumulate(l.recent_effective_flop.begin(), l.recent_effective_flop.end(), 0.0);
        const double rl = std::accumulate(l.recent_rl_flop.begin(), l.recent_rl_flop.end(), 0.0);
        // Per-lab returns to RL in the current run: steep and saturating, so a follower that
        // adopts the paradigm gets most of it cheaply; beyond that, pretraining compute decides.
        const double rl_gain = adopted ? pd.max_gain * (1.0 - std::exp(-rl / pd.saturation_flop)) : 0.0;
        l.pretraining_capability = std::log10(std::max(run, 1.0));
        l.best_pretraining_capability = std::max(l.best_pretraining_capability, l.pretraining_capability);
        l.capability = l.pretraining_capability + rl_gain;
        l.best_capability = std::max(l.best_capability, l.capability);
    });
}

}  // namespace polarity::model
