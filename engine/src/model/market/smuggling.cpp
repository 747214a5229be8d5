// How strongly chips are pulled toward controlled buyers through a hub nation. Smugglers,
// shell buyers and diverters expand where the margin is: the price gap between what a
// controlled nation's labs pay for compute by other routes and what the chips cost where they
// are legal, and where the labs' money last month found no chips at all.
//     gap_{h,n}  = c_alt(n) / c_hub(h)          (cost per H100e of value, at list prices)
//     pull_h     = min(pull_max, (gap_h / gap_reference)^elasticity x (1 + unmet_elasticity x unmet_h))
// with gap_h and unmet_h the means over the hub's customers (controlled nations other than h
// with gray-buying labs), weighted by those labs' budgets. A customer with no other route has
// gap_{h,n} = pull_max x gap_reference; a hub with no chips legal there, or no customers, pulls nothing.

#include <algorithm>
#include <cmath>

#include "market_detail.hpp"

namespace polarity::model::detail {

std::vector<double> smuggling_pull(const World& world, const Regime& regime, const ClearingState& state) {
    const MarketSettings& market = world.scenario->market;
    const std::size_t nations = world.nations.size(), skus = world.skus.size();

    // Each controlled nation's best other option (direct or licensed) and its gray buyers' budgets.
    std::vector<double> alternative(nations, 0.0), budget(nations, 0.0);
    for (std::size_t l = 0; l < world.labs.size(); ++l)
        if (buys_gray(state, world.labs[l]))
            budget[static_cast<std::size_t>(world.labs[l].nation)] += std::max(0.0, state.budget_left_usd[l]);
    for (std::size_t n = 0; n < nations; ++n) {
        if (budget[n] <= 0) continue;
        alternative[n] = cheapest_value_cost(world, state, [&](std::size_t s) {
            if (state.direct_route[n * skus + s] != DirectRoute::none) return true;
            const SkuAccess& access = regime.at(static_cast<int>(s), static_cast<int>(n));
            return access.access == Access::license && sold_in(world, regime, s, n) &&
                   state.licence_units_left[static_cast<std::size_t>(access.rule) * nations + n] > 0;
        });
    }

    std::vector<double> pull(nations, 0.0);
    for (const int hub : world.hubs) {
        const auto h = static_cast<std::size_t>(hub);
        const double at_hub = cheapest_value_cost(world, state, [&](std::size_t s) {
            return regime.at(static_cast<int>(s), hub).access != Access::deny && sold_in(world, regime, s, h);
        });
        if (at_hub <= 0) continue;
        double weight = 0, gap = 0, unmet = 0;
        for (std::size_t n = 0; n < nations; ++n) {
            if (n == h || budget[n] <= 0) continue;
            const double g = alternative[n] > 0 ? alternative[n] / at_hub
                                                : market.smuggling_pull_max * market.smuggling_gap_reference;
            weight += budget[n];
            gap += budget[n] * g;
            unmet += budget[n] * world.nations[n].unmet_budget_share;
        }
        if (weight <= 0) continue;
        const double price_pull = std::pow(gap / weight / market.smuggling_gap_reference, market.smuggling_gap_elasticity);
        pull[h] = std::min(market.smuggling_pull_max,
                           price_pull * (1.0 + market.smuggling_unmet_elasticity * unmet / weight));
    }
    return pull;
}

}  // namespace polarity::model::detail
