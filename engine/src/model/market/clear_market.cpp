// Phase 4 of a month: market clearing, its steps in order (market_detail.hpp lists where each
// lives). Two rounds: each sizes demand from the best offers, lets the mechanism allocate, and
// settles; then the rounds are merged, seizures drawn and unmet demand counted.

#include "market_detail.hpp"

namespace polarity::model {

namespace {

detail::ClearingState& clearing_state() {
    thread_local detail::ClearingState state;
    return state;
}

/// The month's starting point: stock, budgets, routes and their capacities, prices.
void open_month(const World& world, const Regime& regime, const std::vector<double>& budgets_usd,
                detail::ClearingState& state) {
    const std::size_t skus = world.skus.size(), labs = world.labs.size();
    state.stock_units.resize(skus);
    for (std::size_t s = 0; s < skus; ++s) state.stock_units[s] = world.skus[s].inventory_units;
    state.budget_left_usd.assign(budgets_usd.begin(), budgets_usd.end());
    detail::open_month_routes(world, regime, state);
    state.tranche_step = detail::tranche_step(world);
    state.direct_cost.resize(skus);
    for (std::size_t s = 0; s < skus; ++s) state.direct_cost[s] = detail::unit_cost(world, s, 1.0);
    state.month_deliveries.clear();
    state.reference_price_usd.assign(labs, 0.0);
    state.reach.assign(2 * world.nations.size() * skus, 0);
}

}  // namespace

ClearingResult clear_market(const World& world, const Regime& regime, const std::vector<double>& budgets_usd) {
    detail::ClearingState& state = clearing_state();
    const bool priority = world.scenario->market.clearing == ClearingMechanism::priority;
    open_month(world, regime, budgets_usd, state);
    for (int round = 0; round < detail::kRounds; ++round) {
        // Round two of the priority fill keeps round one's routes and offers (only the best
        // values are re-read); min-cost flow rebuilds its network.
        if (round > 0 && priority) {
            detail::refresh_best_offers(world, state);
        } else {
            detail::open_shared_routes(world, regime, state);
            detail::gather_offers(world, state);
        }
        detail::size_demand(world, state);
        state.round_deliveries.clear();
        if (priority) detail::fill_by_priority(world, state);
        else detail::fill_by_min_cost_flow(world, state);
        detail::hand_back_over_budget(world, state);
        detail::settle_round(world, state);
    }
    ClearingResult result;
    result.deliveries = detail::merge_rounds(world, state);
    detail::draw_seizures(world, regime, result);
    result.unmet_units_by_sku = detail::unmet_units_by_sku(world, state, budgets_usd);
    return result;
}

}  // namespace polarity::model
