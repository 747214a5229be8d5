#pragma once
/// @file
/// The phases of a month, as free functions over the World, in the order the month loop
/// (simulation.cpp) calls them. Policy is in policy.hpp and market clearing in market.hpp;
/// the equations are written out in docs/model.md.

#include <vector>

#include "polarity/model/market.hpp"
#include "polarity/model/policy.hpp"
#include "polarity/model/world.hpp"

namespace polarity::model {

/// Seconds in an average month (365.2425 days / 12).
inline constexpr double seconds_per_month = 365.2425 * 86400.0 / 12.0;

/// Which SKUs are made and sold this month (released, not discontinued; a compliant variant
/// only once design-around is on and its parent has been restricted for the supplier's lag).
/// Updates the variant latch. production.cpp.
void update_active_skus(World& world, int serial);
[[nodiscard]] bool sku_active(const World& world, int sku, int serial);

/// Phase 2: each supplier makes min(capacity x yield + die-bank draw, HBM supply) chips, split
/// over its active SKUs by production weight; a SKU with more than max_inventory_months of
/// output in stock is not made. Capacity then grows, slowed by tool controls and sped up by
/// subsidies when the supplier's nation is cut off. Returns units made per SKU. production.cpp.
std::vector<double> produce(World& world, const Regime& regime, int serial);

/// After clearing: prices rise with unmet demand for a sold-out SKU and fall with unsold
/// stock, each by at most price_adjustment_rate (log) a month, within [floor, ceiling] x list.
/// production.cpp.
void update_prices(World& world, const ClearingResult& cleared, const std::vector<double>& produced);

/// Phase 3: labs receive outside funding, their share of their nation's state funding and
/// what investors put in on last month's efficiency gain; budget = capex_share x cash.
/// economy.cpp.
[[nodiscard]] std::vector<double> lab_budgets(World& world);

/// Phase 4 bookkeeping: moves delivered chips into labs' stocks and inventories out, pays
/// suppliers, hub traders, clouds and licence revenue shares. economy.cpp.
void settle_deliveries(World& world, const ClearingResult& cleared);

/// Phase 5: chips depreciate (exponential, depreciation_per_year). compute.cpp.
void depreciate(World& world);

/// Phase 6: training, research and serving compute; the frontier run and capability, with
/// the RL paradigm term (the lab with the best model adopts it at paradigm.start, the others
/// adoption_delay_months later). compute.cpp.
void train(World& world, const Regime& regime, int serial);

/// Whether `lab` has adopted the RL paradigm by month `serial`. compute.cpp.
[[nodiscard]] bool adopted_paradigm(const World& world, std::size_t lab, int serial);

/// Phase 7: algorithmic efficiency: drift and random jumps at the lab's research factor, then
/// diffusion toward the frontier as it stood diffusion_delay_months ago, at a speed limited
/// by the lab's research compute. Appends the new frontier to World::efficiency_frontier.
/// algorithms.cpp.
void advance_algorithms(World& world);

/// The research factor: a lab's expected rate of algorithmic progress over the reference
/// rate. (research / reference)^research_elasticity x 10^(-idea_difficulty x efficiency) x
/// (1 + AI acceleration), clamped to [research_factor_min, research_factor_max], so no lab's
/// expected rate exceeds research_factor_max x the reference rate. algorithms.cpp.
[[nodiscard]] double research_factor(const AlgorithmSettings& settings, double research_h100e,
                                     double efficiency_log10, double best_capability);

/// The frontier efficiency `delay_months` before the last entry of `history` (one entry per
/// month start), linearly interpolated; the first entry for delays reaching before it.
/// `history` must not be empty. algorithms.cpp.
[[nodiscard]] double lagged_frontier(const std::vector<double>& history, double delay_months);

/// Phase 8: revenue from serving in the markets a lab may sell in, growing with the lab's
/// capability and falling with its gap to the best on sale; a share is reinvested. The
/// savings of this month's efficiency gain set next month's savings funding. Outside funding
/// grows (tapered); state funding grows while its nation is cut off. economy.cpp.
void earn_revenue(World& world);

/// Outside funding growth this month: the initial rate, halving every
/// funding_growth_halflife_years (capex cannot outgrow the economy for ever). economy.cpp.
[[nodiscard]] double funding_growth(const World& world, double initial_per_year);

/// What a served H100e earns relative to revenue_per_serving_h100e_usd at capability
/// `best_capability`: 10^(elasticity x (C - reference)), at most revenue_value_max_multiplier.
/// economy.cpp.
[[nodiscard]] double capability_value(const MarketSettings& market, double best_capability);

}  // namespace polarity::model
