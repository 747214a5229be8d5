// What labs ask of the market: each round, a lab's remaining budget in chips of its nation's
// best-value offer (with the gray market when the lab takes risks and its nation is
// controlled); at the month's end, what it still wanted and could not buy.

#include <cmath>

#include "market_detail.hpp"

namespace polarity::model::detail {

namespace {

/// Which of its nation's two kinds of buyer `lab` is: the row of ClearingState::best and, times
/// the SKU count, of ClearingState::reach.
std::size_t buyer_row(const ClearingState& state, const LabState& lab) {
    return 2 * static_cast<std::size_t>(lab.nation) + (buys_gray(state, lab) ? 1 : 0);
}

}  // namespace

void size_demand(const World& world, ClearingState& state) {
    const std::size_t labs = world.labs.size();
    state.demand_units.assign(labs, 0);
    for (std::size_t l = 0; l < labs; ++l) {
        const double best_price = state.best[buyer_row(state, world.labs[l])].price_usd;
        if (best_price > 0) state.reference_price_usd[l] = best_price;  // keep round one's when sold out
        if (best_price > 0 && state.budget_left_usd[l] > 0)
            state.demand_units[l] = static_cast<std::int64_t>(std::floor(state.budget_left_usd[l] / best_price));
    }
}

std::vector<double> unmet_units_by_sku(const World& world, const ClearingState& state,
                                       const std::vector<double>& budgets_usd) {
    // Money a lab still wanted to spend, in chips of its last best offer, counts against every
    // SKU it could reach. Rounding crumbs under 1 % of the budget are ignored.
    const std::size_t skus = world.skus.size();
    std::vector<double> unmet_by_sku(skus, 0.0);
    for (std::size_t l = 0; l < world.labs.size(); ++l) {
        const double left_usd = state.budget_left_usd[l];
        if (state.reference_price_usd[l] <= 0 || left_usd <= 0.01 * budgets_usd[l]) continue;
        const double unmet_units = left_usd / state.reference_price_usd[l];
        const char* lab_reach = &state.reach[buyer_row(state, world.labs[l]) * skus];
        for (std::size_t s = 0; s < skus; ++s)
            if (lab_reach[s]) unmet_by_sku[s] += unmet_units;
    }
    return unmet_by_sku;
}

}  // namespace polarity::model::detail
