#include <algorithm>
#include <cmath>
#include <limits>

#include "polarity/model/phases.hpp"

namespace polarity::model {

bool sku_active(const World& w, int sku, int serial) {
    const SkuState& k = w.skus[static_cast<std::size_t>(sku)];
    if (k.spec->release.serial() > serial) return false;
    if (k.spec->discontinued && k.spec->discontinued->serial() <= serial) return false;
    return k.parent < 0 || k.variant_live;
}

void update_active_skus(World& w, int serial) {
    const Policy& p = w.scenario->policy;
    for (auto& k : w.skus) {
        if (k.parent < 0 || k.variant_live) continue;
        const SkuState& parent = w.skus[static_cast<std::size_t>(k.parent)];
        const Supplier& sup = *w.suppliers[static_cast<std::size_t>(k.supplier)].spec;
        if (!p.design_around || !sup.design_around) continue;
        if (parent.restricted_since == std::numeric_limits<int>::max()) continue;
        k.variant_live = serial >= std::max(k.spec->release.serial(),
                                            parent.restricted_since + sup.design_around_lag_months);
    }
}

/// Most chips of one SKU made in a month: 1e15, a million times today's world output.
constexpr double kMaxUnitsPerMonth = 1e15;

std::vector<double> produce(World& w, const Regime& g, int serial) {
    std::vector<double> made(w.skus.size(), 0.0);
    for (auto& s : w.suppliers) {
        const Supplier& spec = *s.spec;
        const auto n = static_cast<std::size_t>(s.nation);
        const double wafer = s.capacity_units_per_month * spec.yield * g.tool_yield_factor[n];
        const double draw = std::min(s.die_bank_units, spec.die_bank_draw_per_month);
        const double limit = s.hbm_units_per_month < 0 ? std::numeric_limits<double>::infinity()
                                                       : s.hbm_units_per_month;
        const double total = std::min(wafer + draw, limit);
        s.die_bank_units -= std::max(0.0, total - wafer);  // wafers first, banked dies fill up

        double weights = 0;
        for (int k : s.skus)
            if (sku_active(w, k, serial)) weights += w.skus[static_cast<std::size_t>(k)].spec->production_weight;
        if (weights > 0) {
            for (int k : s.skus) {
                SkuState& sku = w.skus[static_cast<std::size_t>(k)];
                if (!sku_active(w, k, serial)) continue;
                const double share = total * sku.spec->production_weight / weights;
                // Demand-led production: no more of a SKU that is piling up unsold.
                if (static_cast<double>(sku.inventory_units) > w.scenario->world.max_inventory_months * share) continue;
                // Saturates far below 2^63 (compounding growth over a long horizon could pass
                // it), so the integer chip accounting can never overflow.
                const auto units = static_cast<std::int64_t>(std::floor(std::min(share, kMaxUnitsPerMonth)));
                sku.inventory_units += units;
                sku.produced_total += static_cast<double>(units);
                made[static_cast<std::size_t>(k)] = static_cast<double>(units);
            }
        }

        const double subsidy = w.nations[n].cut_off ? w.nations[n].spec->subsidy_growth_per_year : 0.0;
        const double growth = spec.capacity_growth_per_year * g.tool_growth_factor[n] + subsidy;
        s.capacity_units_per_month *= std::pow(1.0 + growth, 1.0 / 12.0);
        if (s.hbm_units_per_month >= 0)
            s.hbm_units_per_month *= std::pow(1.0 + spec.hbm_growth_per_year, 1.0 / 12.0);
    }
    return made;
}

void update_prices(World& w, const ClearingResult& c, const std::vector<double>& produced) {
    const WorldSettings& ws = w.scenario->world;
    for (std::size_t s = 0; s < w.skus.size(); ++s) {
        SkuState& k = w.skus[s];
        double excess = 0;  // in (-1, 1): positive = short of chips
        const double left = static_cast<double>(k.inventory_units);
        if (left <= 0 && c.unmet_units_by_sku[s] > 0)
            excess = std::min(1.0, c.unmet_units_by_sku[s] / std::max(1.0, produced[s]));
        else if (left > 0)
            excess = -std::min(1.0, left / std::max(1.0, produced[s]));
        k.price_usd = std::clamp(k.price_usd * std::exp(ws.price_adjustment_rate * excess),
                                 k.spec->price_usd * ws.price_floor_ratio,
                                 k.spec->price_usd * ws.price_ceiling_ratio);
    }
}

}  // namespace polarity::model
