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

namespace {

double monthly_factor(double per_year) { return std::pow(1.0 + per_year, 1.0 / 12.0); }

/// HBM stacks a supplier can build into chips this month: its store, plus what it buys abroad
/// (cut by HBM export controls) and, once started, what it makes itself. -1: unlimited.
double hbm_available_stacks(SupplierState& s, const Regime& g, int serial) {
    const Supplier& spec = *s.spec;
    const auto n = static_cast<std::size_t>(s.nation);
    if (s.hbm_bought_stacks_per_month < 0) return -1;
    double arriving = s.hbm_bought_stacks_per_month * g.tool_hbm_import_factor[n];
    if (spec.own_hbm_start && spec.own_hbm_start->serial() <= serial) arriving += s.own_hbm_stacks_per_month;
    return s.hbm_stock_stacks + arriving;
}

/// Capacity, bought and own HBM grow; yield learns toward its ceiling. Tool controls slow the
/// domestic growth (capacity, own HBM) and the learning; subsidies speed capacity when cut off.
void grow_supplier(World& w, SupplierState& s, const Regime& g, int serial) {
    const Supplier& spec = *s.spec;
    const auto n = static_cast<std::size_t>(s.nation);
    const double subsidy = w.nations[n].cut_off ? w.nations[n].spec->subsidy_growth_per_year : 0.0;
    s.capacity_units_per_month *= monthly_factor(spec.capacity_growth_per_year * g.tool_growth_factor[n] + subsidy);
    if (s.hbm_bought_stacks_per_month >= 0) s.hbm_bought_stacks_per_month *= monthly_factor(spec.hbm_growth_per_year);
    if (spec.own_hbm_start && spec.own_hbm_start->serial() <= serial)
        s.own_hbm_stacks_per_month *= monthly_factor(spec.own_hbm_growth_per_year * g.tool_growth_factor[n]);
    if (spec.yield_ceiling > s.yield) {
        const double closed = 1.0 - std::pow(1.0 - spec.yield_learning_per_year, g.tool_yield_learning_factor[n] / 12.0);
        s.yield += (spec.yield_ceiling - s.yield) * closed;
    }
}

}  // namespace

std::vector<double> produce(World& w, const Regime& g, int serial) {
    std::vector<double> made(w.skus.size(), 0.0);
    for (auto& s : w.suppliers) {
        const auto n = static_cast<std::size_t>(s.nation);
        const double wafer_dies = s.capacity_units_per_month * s.yield * g.tool_yield_factor[n];
        const bool bank_open = !s.spec->die_bank_from || s.spec->die_bank_from->serial() <= serial;
        const double bank_dies = bank_open ? std::min(s.die_bank_units, s.spec->die_bank_draw_per_month) : 0.0;
        const double hbm = hbm_available_stacks(s, g, serial);
        s.hbm_stacks_month = hbm;

        // Output in chips of the active mix (production weights): dies and HBM stacks per chip
        // are the mix's weighted means, and the scarcer input decides.
        double weights = 0, dies_per_chip = 0, stacks_per_chip = 0;
        for (int k : s.skus) {
            if (!sku_active(w, k, serial)) continue;
            const ChipSku& c = *w.skus[static_cast<std::size_t>(k)].spec;
            weights += c.production_weight;
            dies_per_chip += c.production_weight * c.dies_per_chip;
            stacks_per_chip += c.production_weight * c.hbm_stacks_per_chip;
        }
        double dies_used = 0, stacks_used = 0;
        if (weights > 0) {
            double total = (wafer_dies + bank_dies) / (dies_per_chip / weights);
            if (hbm >= 0 && stacks_per_chip > 0) total = std::min(total, hbm / (stacks_per_chip / weights));
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
                dies_used += static_cast<double>(units) * sku.spec->dies_per_chip;
                stacks_used += static_cast<double>(units) * sku.spec->hbm_stacks_per_chip;
            }
        }
        // Wafers first, then banked dies; unused HBM stays in store for later months.
        s.die_bank_units -= std::clamp(dies_used - wafer_dies, 0.0, bank_dies);
        if (hbm >= 0) s.hbm_stock_stacks = std::max(0.0, hbm - stacks_used);
        grow_supplier(w, s, g, serial);
    }
    return made;
}

void update_prices(World& w, const ClearingResult& c, const std::vector<double>& produced) {
    const WorldSettings& ws = w.scenario->world;
    for (std::size_t s = 0; s < w.skus.size(); ++s) {
        SkuState& k = w.skus[s];
        // Cost-plus SKUs keep their price; a shortage of them is rationed, not priced away.
        if (k.unit_cost_usd > 0) continue;
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
    // What the market signals to next month's smugglers: how much of its gray-buying labs'
    // budgets each nation left unspent, and the leaks its labs received.
    for (auto& n : w.nations) {
        n.unmet_budget_share = 0;
        std::fill(n.leaked_units_month.begin(), n.leaked_units_month.end(), 0.0);
    }
    for (std::size_t n = 0; n < c.unmet_budget_share_by_nation.size(); ++n)
        w.nations[n].unmet_budget_share = c.unmet_budget_share_by_nation[n];
    for (const auto& d : c.deliveries) {
        if (d.route != Route::gray && d.route != Route::remote) continue;
        const auto nation = static_cast<std::size_t>(w.labs[static_cast<std::size_t>(d.lab)].nation);
        const Leak leak = d.route == Route::remote ? Leak::remote : static_cast<Leak>(d.channel);
        w.nations[nation].leaked_units_month[static_cast<std::size_t>(leak)] += static_cast<double>(d.units - d.seized);
    }
}

}  // namespace polarity::model
