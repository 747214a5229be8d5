#include <algorithm>
#include <cmath>

#include "polarity/model/phases.hpp"

namespace polarity::model {

std::vector<double> lab_budgets(World& w) {
    std::vector<double> budgets(w.labs.size(), 0.0);
    for (std::size_t i = 0; i < w.labs.size(); ++i) {
        LabState& l = w.labs[i];
        const NationState& n = w.nations[static_cast<std::size_t>(l.nation)];
        const double state = n.state_ai_funding_usd_per_month / static_cast<double>(n.labs.size());
        l.funding_in_usd = l.funding_usd_per_month + state + l.savings_funding_usd;
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
        std::fill(l.delivered_by_route.begin(), l.delivered_by_route.end(), 0.0);
        std::fill(l.delivered_h100e_by_route.begin(), l.delivered_h100e_by_route.end(), 0.0);
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
        l.delivered_h100e_by_route[static_cast<std::size_t>(d.route)] += kept * k.spec->flop_per_s / w.scenario->world.h100_flop_per_s;

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

double capability_value(const MarketSettings& mk, double best_capability) {
    const double value = std::pow(10.0, mk.revenue_capability_elasticity * (best_capability - mk.revenue_reference_capability));
    return std::min(value, mk.revenue_value_max_multiplier);
}

double cheapest_training_h100e_usd(const World& w, int serial) {
    double cheapest = 0;
    for (std::size_t s = 0; s < w.skus.size(); ++s) {
        const SkuState& k = w.skus[s];
        if (!sku_active(w, static_cast<int>(s), serial) || k.train_h100e <= 0) continue;
        const double per_h100e = k.price_usd / k.train_h100e;
        if (cheapest == 0 || per_h100e < cheapest) cheapest = per_h100e;
    }
    return cheapest;
}

void earn_revenue(World& w) {
    const Scenario& sc = *w.scenario;
    const MarketSettings& mk = sc.market;
    const int serial = sc.run.start.serial() + w.month_index;
    // Best capability on sale in each bloc's market.
    std::vector<double> best(sc.blocs.size(), 0.0);
    for (const auto& l : w.labs)
        for (int b : l.market_blocs) best[static_cast<std::size_t>(b)] = std::max(best[static_cast<std::size_t>(b)], l.best_capability);
    // What a market can pay: a share of its bloc's GDP (demand is not unbounded).
    std::vector<double> demand(sc.blocs.size(), 0.0), asked(sc.blocs.size(), 0.0);
    for (const auto& n : w.nations) demand[static_cast<std::size_t>(n.bloc)] += mk.revenue_max_gdp_share * n.spec->gdp_usd / 12.0;
    // Smarter models earn more per served H100e; a model behind the best on sale earns less.
    std::vector<double> earned(w.labs.size() * sc.blocs.size(), 0.0);
    for (std::size_t i = 0; i < w.labs.size(); ++i) {
        const LabState& l = w.labs[i];
        const double value = capability_value(mk, l.best_capability);
        const double per_market = l.serving_h100e / static_cast<double>(l.market_blocs.size());
        for (int b : l.market_blocs) {
            const auto bb = static_cast<std::size_t>(b);
            const double gap = std::max(0.0, best[bb] - l.best_capability);
            earned[i * sc.blocs.size() + bb] = per_market * mk.revenue_per_serving_h100e_usd * value / (1.0 + gap / mk.quality_gap_scale);
            asked[bb] += earned[i * sc.blocs.size() + bb];
        }
    }
    const double h100e_usd = cheapest_training_h100e_usd(w, serial);
    for (std::size_t i = 0; i < w.labs.size(); ++i) {
        LabState& l = w.labs[i];
        double revenue = 0;
        for (std::size_t b = 0; b < sc.blocs.size(); ++b) {
            const bool capped = mk.revenue_max_gdp_share > 0 && asked[b] > demand[b];
            revenue += earned[i * sc.blocs.size() + b] * (capped ? demand[b] / asked[b] : 1.0);
        }
        l.revenue_usd = revenue;
        l.cash_usd += l.spec->reinvest_share * revenue;  // the rest pays running costs
        // Savings are poured back: the training compute this month's efficiency gain made
        // unnecessary for the same run, valued at the cheapest chip, is funded into the next run.
        const double saved_h100e = (1.0 - std::pow(10.0, -std::max(0.0, l.efficiency_gain_log10))) * l.training_h100e;
        l.savings_funding_usd = mk.savings_reinvest_share * saved_h100e * h100e_usd;
        l.funding_usd_per_month *= std::pow(1.0 + funding_growth(w, l.spec->funding_growth_per_year), 1.0 / 12.0);
    }
    // A nation cut off from the leading chips raises its state AI funding (strategy).
    for (auto& n : w.nations)
        if (n.cut_off) n.state_ai_funding_usd_per_month *= std::pow(1.0 + n.spec->state_ai_funding_growth_cut_off_per_year, 1.0 / 12.0);
}

}  // namespace polarity::model
