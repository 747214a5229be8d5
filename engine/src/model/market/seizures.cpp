// Seizures on the gray market, drawn after clearing. Detection grows convexly with the volume
// through a hub ("$1B can be hidden, $10B cannot"): p = e_h (1 - exp(-(V/V0)^2)), with e_h the
// hub's effective enforcement and V0 market.gray_detection_scale_units; each shipment loses
// p (0.5 + u) of its chips, u uniform, drawn per (hub, lab, SKU).

#include <algorithm>
#include <cmath>

#include "market_detail.hpp"
#include "polarity/core/random.hpp"

namespace polarity::model::detail {

void draw_seizures(const World& world, const Regime& regime, ClearingResult& result) {
    const Scenario& scenario = *world.scenario;
    const std::uint64_t skus = world.skus.size(), labs = world.labs.size();
    result.gray_units_by_hub.assign(world.nations.size(), 0.0);
    for (const auto& d : result.deliveries)
        if (d.route == Route::gray) result.gray_units_by_hub[static_cast<std::size_t>(d.via)] += static_cast<double>(d.units);
    for (auto& d : result.deliveries) {
        if (d.route != Route::gray) continue;
        const double volume = result.gray_units_by_hub[static_cast<std::size_t>(d.via)] /
                              scenario.market.gray_detection_scale_units;
        const double detection = hub_enforcement(world, regime, d.via) * (1.0 - std::exp(-volume * volume));
        const std::uint64_t shipment = (static_cast<std::uint64_t>(d.via) * labs + static_cast<std::uint64_t>(d.lab)) * skus +
                                       static_cast<std::uint64_t>(d.sku);
        core::Stream rng(scenario.run.seed, scenario.run.run_index, core::Purpose::gray_seizure,
                         static_cast<std::uint64_t>(world.month_index), shipment);
        const double share = std::min(1.0, detection * (0.5 + rng.uniform01()));
        d.seized = std::min(d.units, static_cast<std::int64_t>(std::llround(static_cast<double>(d.units) * share)));
    }
}

}  // namespace polarity::model::detail
