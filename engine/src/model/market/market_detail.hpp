#pragma once
// The market's private parts (docs/design.md, "Market clearing"): the state one month's
// clearing keeps between its steps, and the steps themselves, one file each:
//   prices.cpp         what a chip costs per H100e of value on a route; the rationing step
//   routes.cpp         who may buy what where: direct routes, licences, hubs and clouds
//   offers.cpp         each nation's offers of the round and its labs' best value
//   demand.cpp         what labs ask for, and what they still wanted when the month ends
//   priority_fill.cpp  the default mechanism: cheapest bids first, equal bids pro rata
//   min_cost_flow.cpp  the reference mechanism: Boost.Graph min-cost max-flow
//   settlement.cpp     budgets enforced, stock and capacities consumed, rounds merged
//   seizures.cpp       gray-market shipments seized in transit
//   clear_market.cpp   the phase itself, these steps in order
// Each mechanism keeps its own thread-local workspace in its file.

#include <cmath>
#include <cstdint>
#include <vector>

#include "polarity/model/market.hpp"

namespace polarity::model::detail {

/// Clearing rounds a month: after each, over-budget labs hand chips back; the next spends the rest.
inline constexpr int kRounds = 2;
/// A lab's demand enters as this many tranches of rising cost (rationing under scarcity).
inline constexpr int kTranches = 4;
/// Licences are granted in tenths of the quota.
inline constexpr int kLicenceTranches = 10;

/// How a nation's labs buy a SKU straight from its supplier, if they can.
enum class DirectRoute : char { none, domestic, legal };

/// A capacity-limited route many SKUs flow into and many labs draw from: a licence (rule ×
/// nation), a hub or a remote-access cloud.
struct SharedRoute {
    Route route;
    int via;                       // rule (licensed), hub nation (gray), destination nation (remote)
    int nation;                    // destination nation (licensed, remote) or -1
    double markup;                 // multiple of the SKU price the lab pays
    std::int64_t* units_left;      // capacity remaining across rounds (in ClearingState)
};

/// One way the labs of a nation can buy a SKU this round, at its cost per H100e of value (the
/// flow network's arc cost): straight from the supplier or through a shared route.
struct Offer {
    std::int64_t cost;              // USD per H100e of value, rounded: the priority of a bid
    double price_usd;               // per chip on this route (SKU price × mark-up)
    double value_cost;              // price_usd / value_h100e, unrounded: what demand weighs
    int sku;
    int shared_route;               // index into the round's shared routes; -1 for the direct route
    int via;                        // the shared route's via (Delivery::via); -1 for the direct route
    int hub_slot;                   // position of the hub among the round's open hubs; -1 if not gray
    Route route;
    std::uint32_t weighing_order;   // SKU order; per SKU direct, licences, hubs, clouds
};

/// A nation's best-value offer for labs that do or do not buy on the gray market.
struct BestOffer {
    double value_cost = 0;          // USD per H100e of value
    double price_usd = 0;           // USD per chip; 0: nothing on offer
    std::uint32_t weighing_order = 0;
};

/// Whether `offer` beats `best` (none yet: price 0): cheaper per H100e of value, and of equal
/// costs the first in weighing order.
inline bool better_offer(const Offer& offer, const BestOffer& best) {
    return best.price_usd == 0 || offer.value_cost < best.value_cost ||
           (offer.value_cost == best.value_cost && offer.weighing_order < best.weighing_order);
}

/// What one clearing carries from step to step. Kept per thread so that months and runs reuse
/// its buffers instead of allocating (clear_market starts no parallel work, so it is never
/// re-entered on a thread); every buffer is rewritten before it is read.
struct ClearingState {
    // For the month.
    std::vector<std::int64_t> stock_units;        // [sku] inventory left to sell
    std::vector<double> budget_left_usd;          // [lab]
    std::vector<char> restricted;                 // [nation] some SKU is controlled for it
    std::vector<DirectRoute> direct_route;        // [nation * skus + sku]
    std::vector<std::int64_t> direct_cost;        // [sku] cost per H100e straight from the supplier
    std::vector<std::int64_t> licence_units_left; // [rule * nations + nation]
    std::vector<std::int64_t> hub_units_left;     // [nation]
    std::vector<double> hub_markup;               // [nation]
    std::vector<std::int64_t> cloud_units_left;   // [nation]
    std::int64_t tranche_step = 0;                // extra cost of each further demand tranche
    // The shared routes open this round.
    std::vector<SharedRoute> shared;
    std::vector<char> takes;                      // [shared route * skus + sku] accepts the SKU
    std::vector<std::vector<int>> licences_for;   // [nation] its licence routes, in route order
    std::vector<std::vector<int>> clouds_for;     // [nation] its cloud routes, in route order
    std::vector<int> hubs;                        // the open hub routes, in route order
    std::vector<int> hub_slot;                    // [shared route] position in hubs, or -1
    // Offers of the round.
    std::vector<Offer> offers;                    // nation by nation, in weighing order
    std::vector<std::size_t> offers_start;        // [nation] .. [nation + 1]
    std::vector<char> offers_sorted;              // [nation] sorted cheapest first (this month)
    std::vector<BestOffer> best;                  // [nation * 2 + buys gray]
    std::vector<char> reach;                      // [(nation * 2 + buys gray) * skus + sku], all rounds
    // Demand and deliveries.
    std::vector<std::int64_t> demand_units;       // [lab] this round
    std::vector<double> reference_price_usd;      // [lab] price of its last best offer
    std::vector<Delivery> round_deliveries;       // appended by the mechanism
    std::vector<Delivery> month_deliveries;       // settled deliveries of all rounds
};

/// Whether a lab looks to the gray market: it takes risks and its nation is controlled.
inline bool buys_gray(const ClearingState& state, const LabState& lab) {
    return lab.spec->risk_appetite > 0 && state.restricted[static_cast<std::size_t>(lab.nation)];
}

/// Units a lab may take through one hub: risk_appetite × demand.
inline std::int64_t hub_allowance_units(const LabState& lab, std::int64_t demand_units) {
    return static_cast<std::int64_t>(std::floor(lab.spec->risk_appetite * static_cast<double>(demand_units)));
}

/// Capacity of demand tranche `tranche`: equal quarters, the remainder in the last.
inline std::int64_t tranche_units(std::int64_t demand_units, int tranche) {
    return tranche + 1 == kTranches ? demand_units - (kTranches - 1) * (demand_units / kTranches)
                                    : demand_units / kTranches;
}

// prices.cpp
/// Cost of SKU `sku` on a route with mark-up `markup`, in USD per H100e of value: the arc cost
/// of the flow network and the priority of a bid.
inline std::int64_t unit_cost(const World& world, std::size_t sku, double markup) {
    return std::llround(world.skus[sku].price_usd * markup / world.skus[sku].value_h100e);
}
/// Extra cost per H100e of each further demand tranche.
[[nodiscard]] std::int64_t tranche_step(const World& world);
/// Multiple of the SKU price paid through a hub whose effective enforcement is `enforcement`.
[[nodiscard]] double hub_markup(const MarketSettings& market, double enforcement);

// routes.cpp
/// The month's routes: restricted nations, direct routes, and shared-route capacities (licence
/// approvals drawn here).
void open_month_routes(const World& world, const Regime& regime, ClearingState& state);
/// The shared routes that still have capacity this round, and the SKUs each accepts.
void open_shared_routes(const World& world, const Regime& regime, ClearingState& state);

// offers.cpp
/// Every offer of the round, nation by nation, with the best values and the SKUs reached.
void gather_offers(const World& world, ClearingState& state);
/// Round two of the priority fill: the best values among the offers still open.
void refresh_best_offers(const World& world, ClearingState& state);

// demand.cpp
/// Each lab's demand: its budget in chips of its nation's best-value offer.
void size_demand(const World& world, ClearingState& state);
/// Money labs still wanted to spend, in chips, attributed to every SKU they could reach.
[[nodiscard]] std::vector<double> unmet_units_by_sku(const World& world, const ClearingState& state,
                                                     const std::vector<double>& budgets_usd);

// priority_fill.cpp, min_cost_flow.cpp
/// The priority fill: appends this round's deliveries to state.round_deliveries.
void fill_by_priority(const World& world, ClearingState& state);
/// Min-cost max-flow: appends this round's deliveries to state.round_deliveries.
void fill_by_min_cost_flow(const World& world, ClearingState& state);

// settlement.cpp
/// Over-budget labs hand back their most expensive chips per unit of value.
void hand_back_over_budget(const World& world, ClearingState& state);
/// Stock, budgets and shared capacities consumed; deliveries kept for the month.
void settle_round(const World& world, ClearingState& state);
/// One delivery per (route, via, lab, sku), in that order.
[[nodiscard]] std::vector<Delivery> merge_rounds(const World& world, const ClearingState& state);

// seizures.cpp
/// Chips through each hub, and the share of each gray delivery seized.
void draw_seizures(const World& world, const Regime& regime, ClearingResult& result);

}  // namespace polarity::model::detail
