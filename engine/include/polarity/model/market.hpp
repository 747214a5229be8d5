#pragma once
/// @file
/// Phase 4 of a month: market clearing on the trade network.
///
/// Mechanism (docs/model.md, "Market clearing"): chips move from SKUs' inventories to labs along
/// routes — legal and domestic straight from the supplier; a licence (rule × nation), a hub
/// (gray) and a remote-access cloud are capacity-limited routes many SKUs and labs share. Costs
/// are integers in USD per H100-equivalent of value; a lab's demand enters as four tranches of
/// rising cost, so under scarcity chips are rationed across labs instead of going first-come.
/// Allocation is `market.clearing`: the priority fill (cheapest bids first, equal bids pro rata;
/// the default) or Boost.Graph min-cost max-flow (successive shortest paths). Clearing runs in
/// two rounds: after each, a lab whose deliveries cost more than its budget hands back its most
/// expensive chips; round two spends what is left. Seizures on the gray market are drawn last.

#include <cstdint>
#include <vector>

#include "polarity/model/policy.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

/// Chips that moved from one SKU's inventory to one lab by one route this month.
struct Delivery {
    int sku = 0;
    int lab = 0;
    Route route = Route::legal;
    int via = -1;                   ///< hub nation (gray), host nation (remote), rule (licensed)
    std::int64_t units = 0;         ///< left the supplier's inventory
    std::int64_t seized = 0;        ///< of those, seized in transit (gray only)
    double unit_price_usd = 0;      ///< what the lab paid per chip
    int channel = 0;                ///< gray only: the Leak (hub, shell, diversion) it took
};

struct ClearingResult {
    std::vector<Delivery> deliveries;
    std::vector<double> unmet_units_by_sku;  ///< unmet demand of labs that could reach each SKU
    std::vector<double> gray_units_by_hub;   ///< [nation] chips sent through each hub
    std::vector<double> unmet_budget_share_by_nation;  ///< [nation] share of its gray-buying labs' budgets left unspent
};

/// Price a lab pays per chip on a route, as a multiple of the SKU price.
struct RouteMarkups {
    double gray = 0;     ///< hub premium (depends on enforcement)
    double remote = 0;   ///< cloud mark-up
};

/// Effective enforcement against smuggling through hub `nation`: the controller's enforcement,
/// compounded by the hub's own enforcement capacity.
[[nodiscard]] double hub_enforcement(const World& world, const Regime& regime, int nation);

/// Effective enforcement against one gray channel (hub, shell or diversion) in `nation`: the
/// hub's enforcement times the share of it that reaches the channel (market.*_enforcement_reach).
[[nodiscard]] double leak_enforcement(const World& world, const Regime& regime, int nation, Leak channel);

/// Phase 4. Pure: reads the world, returns what moved. `budgets_usd` is per lab.
[[nodiscard]] ClearingResult clear_market(const World& world, const Regime& regime,
                                          const std::vector<double>& budgets_usd);

}  // namespace polarity::model
