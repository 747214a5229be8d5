// What chips cost on each route: enforcement against smuggling through a hub, the hub's
// mark-up, and the rationing step between a lab's demand tranches.

#include <algorithm>

#include "market_detail.hpp"

namespace polarity::model {

double hub_enforcement(const World& world, const Regime& regime, int nation) {
    const double controller = regime.gray_enforcement;
    const double own = world.nations[static_cast<std::size_t>(nation)].spec->enforcement_capacity;
    return 1.0 - (1.0 - controller) * (1.0 - own * controller);
}

namespace detail {

double hub_markup(const MarketSettings& market, double enforcement) {
    return 1.0 + market.gray_premium + market.gray_premium_per_enforcement * enforcement;
}

std::int64_t tranche_step(const World& world) {
    // A share of the mean price per H100e of value: large enough that a short chip goes to
    // every lab's first tranche before anyone's second (suppliers allocate scarce chips across
    // customers), small enough that route mark-ups still matter.
    double mean_cost = 0;
    for (const auto& sku : world.skus) mean_cost += sku.price_usd / sku.value_h100e;
    return std::llround(world.scenario->market.rationing_step * mean_cost /
                        static_cast<double>(std::max<std::size_t>(1, world.skus.size())));
}

}  // namespace detail
}  // namespace polarity::model
