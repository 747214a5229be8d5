#include <algorithm>
#include <cmath>

#include "polarity/model/phases.hpp"

namespace polarity::model {

std::vector<double> lab_budgets(World& w) {
    std::vector<double> budgets(w.labs.size(), 0.0);
    for (std::size_t i = 0; i < w.labs.size(); ++i) {
        LabState& l = w.labs[i];
        const NationState& n = w.nations[static_cast<std::size_t>(l.nation)];
        const double state = n.spec->state_ai_funding_usd_per_month / static_cast<double>(n.labs.size());
        l.funding_in_usd = l.funding_usd_per_month + state;
        l.cash_usd += l.funding_in_usd;
        l.budget_usd = l.spec->capex_share * l.cash_usd;
        budgets[i] = l.budget_usd;
    }
    return budgets;
}

void settle_deliveries(World& w, const ClearingResult& c) {
    for (auto& k : w.skus) k.delivered_month = k.seized_month = 0;
    for (auto& s : w.suppliers) s.revenue_usd_month = 0;
    for (auto& n : w.nations) n.treasury_month_usd = n.gray_units_month = 0;
    for (auto& l : w.labs) {
        l.spend_usd = 0;
        l.delivered_h100e = 0;
        std::fill(l.delivered_by_route.begin(), l.delivered_by_route.end(), 0.0);
    }
    const auto& rules = w.scenario->policy.rules;
    // Controlling nation of each rule, looked up by name once per call rather than per delivery.
    std::vector<int> jurisdiction(rules.size(), -2);
    for (const auto& d : c.deliveries) {
        SkuState& k = w.skus[static_cast<std::size_t>(d.sku)];
        LabState& l = w.labs[static_cast<std::size_t>(d.lab)];
        SupplierState& sup = w.suppliers[static_cast<std::size_t>(k.supplier)];
        const auto units = static_cast<double>(d.units);
        const double kept = static_cast<double>(d.units - d.seized);

        k.inventory_units -= d.units;
        k.delivered_month += units;
        k.delivered_total += units;
        k.seized_month += static_cast<double>(d.seized);
        k.seized_total += static_cast<double>(d.seized);
        w.seized_units_total += static_cast<double>(d.seized);
        if (d.route == Route::remote) l.remote_units[static_cast<std::size_t>(d.sku)] += kept;
        else l.owned_units[static_cast<std::size_t>(d.sku)] += kept;
        l.delivered_by_route[static_cast<std::size_t>(d.route)] += kept;
        l.delivered_h100e += kept * k.spec->flop_per_s / w.scenario->world.h100_flop_per_s;

        // Money: the lab pays the route price; the supplier gets the SKU price and passes any
        // licence revenue share to the controlling government; mark-ups go to hub traders
        // (gray) or foreign clouds (remote).
        const double paid = units * d.unit_price_usd;
        const double base = units * k.price_usd;
        l.cash_usd -= paid;
        l.spend_usd += paid;
        double share = 0;
        if (d.route == Route::licensed) {
            const ExportRule& r = rules[static_cast<std::size_t>(d.via)];
            share = base * r.revenue_share;
            int& j = jurisdiction[static_cast<std::size_t>(d.via)];
            if (j == -2) j = find_by_name(w.scenario->nations, r.jurisdiction);
            w.nations[static_cast<std::size_t>(j)].treasury_usd += share;
            w.nations[static_cast<std::size_t>(j)].treasury_month_usd += share;
        }
        sup.revenue_usd_month += base - share;
        sup.revenue_usd_total += base - share;
        if (d.route == Route::gray) {
            w.nations[static_cast<std::size_t>(d.via)].gray_intermediary_usd += paid - base;
            w.nations[static_cast<std::size_t>(d.via)].gray_units_month += units;
        }
        if (d.route == Route::remote) {
            const int host = w.suppliers[static_cast<std::size_t>(k.supplier)].nation;
            w.nations[static_cast<std::size_t>(host)].cloud_income_usd += paid - base;
        }
    }
}

double funding_growth(const World& w, double initial_per_year) {
    const double halflife = w.scenario->world.funding_growth_halflife_years;
    if (halflife <= 0) return initial_per_year;
    return initial_per_year * std::pow(0.5, w.month_index / 12.0 / halflife);
}

void earn_revenue(World& w) {
    const MarketSettings& mk = w.scenario->market;
    // Best capability on sale in each bloc's market.
    std::vector<double> best(w.scenario->blocs.size(), 0.0);
    for (const auto& l : w.labs)
        for (int b : l.market_blocs) best[static_cast<std::size_t>(b)] = std::max(best[static_cast<std::size_t>(b)], l.best_capability);
    for (auto& l : w.labs) {
        double revenue = 0;
        const double per_market = l.serving_h100e / static_cast<double>(l.market_blocs.size());
        for (int b : l.market_blocs) {
            const double gap = std::max(0.0, best[static_cast<std::size_t>(b)] - l.best_capability);
            revenue += per_market * mk.revenue_per_serving_h100e_usd / (1.0 + gap / mk.quality_gap_scale);
        }
        l.revenue_usd = revenue;
        l.cash_usd += l.spec->reinvest_share * revenue;  // the rest pays running costs
        l.funding_usd_per_month *= std::pow(1.0 + funding_growth(w, l.spec->funding_growth_per_year), 1.0 / 12.0);
    }
}

}  // namespace polarity::model
