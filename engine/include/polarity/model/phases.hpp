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

/// Phase 3: labs receive outside and state funding; budget = capex_share x cash. economy.cpp.
[[nodiscard]] std::vector<double> lab_budgets(World& world);

/// Phase 4 bookkeeping: moves delivered chips into labs' stocks and inventories out, pays
/// suppliers, hub traders, clouds and licence revenue shares. economy.cpp.
void settle_deliveries(World& world, const ClearingResult& cleared);

/// Phase 5: chips depreciate (exponential, depreciation_per_year). compute.cpp.
void depreciate(World& world);

/// Phase 6: training, research and serving compute; the frontier run and capability, with
/// the RL paradigm term. compute.cpp.
void train(World& world, const Regime& regime, int serial);

/// Phase 7: algorithmic efficiency: drift and random jumps scaled by research compute and
/// AI-accelerated research, then diffusion toward the best lab. algorithms.cpp.
void advance_algorithms(World& world);

/// Phase 8: revenue from serving in the markets a lab may sell in; a share is reinvested.
/// Outside funding grows. economy.cpp.
void earn_revenue(World& world);

/// Outside funding growth this month: the initial rate, halving every
/// funding_growth_halflife_years (capex cannot outgrow the economy for ever). economy.cpp.
[[nodiscard]] double funding_growth(const World& world, double initial_per_year);

}  // namespace polarity::model
