#include "polarity/model/policy.hpp"

#include <algorithm>

namespace polarity::model {

bool chip_matches(const ChipCriteria& c, const ChipSku& sku) {
    if (std::find(c.skus.begin(), c.skus.end(), sku.name) != c.skus.end()) return true;
    // Threshold test: every given threshold of (TPP, interconnect) must be met.
    if (c.tpp_at_least || c.interconnect_at_least_gbps) {
        const bool tpp_ok = !c.tpp_at_least || sku.tpp >= *c.tpp_at_least;
        const bool link_ok =
            !c.interconnect_at_least_gbps || sku.interconnect_gbps >= *c.interconnect_at_least_gbps;
        if (tpp_ok && link_ok) return true;
    }
    // Density test (Oct 2023 rule): moderate TPP packed densely.
    if (c.density_tpp_at_least && c.performance_density_at_least)
        return sku.tpp >= *c.density_tpp_at_least &&
               sku.performance_density >= *c.performance_density_at_least;
    return false;
}

namespace {

bool in_force(const CalendarMonth& start, const std::optional<CalendarMonth>& end, int serial) {
    return start.serial() <= serial && (!end || serial < end->serial());
}

bool destination_matches(const std::string& dest, const World& w, int nation) {
    const Nation& n = *w.nations[static_cast<std::size_t>(nation)].spec;
    if (dest == "all" || dest == n.name || dest == n.bloc) return true;
    return dest.size() == 5 && dest.rfind("tier", 0) == 0 && dest[4] - '0' == n.tier;
}

}  // namespace

PolicyIndex build_policy_index(const World& w) {
    const auto& rules = w.scenario->policy.rules;
    PolicyIndex idx;
    idx.covers.assign(rules.size(), std::vector<char>(w.skus.size(), 0));
    idx.reaches.assign(rules.size(), std::vector<char>(w.nations.size(), 0));
    for (std::size_t r = 0; r < rules.size(); ++r) {
        const ExportRule& rule = rules[r];
        const int jurisdiction = find_by_name(w.scenario->nations, rule.jurisdiction);
        for (std::size_t s = 0; s < w.skus.size(); ++s) {
            const SupplierState& sup = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)];
            const bool reach =
                sup.nation == jurisdiction ||
                (rule.foreign_direct_product &&
                 std::find(sup.technology_of.begin(), sup.technology_of.end(), jurisdiction) !=
                     sup.technology_of.end());
            idx.covers[r][s] = reach && chip_matches(rule.chips, *w.skus[s].spec);
        }
        for (std::size_t n = 0; n < w.nations.size(); ++n)
            for (const auto& d : rule.destinations)
                if (destination_matches(d, w, static_cast<int>(n))) idx.reaches[r][n] = 1;
    }
    return idx;
}

double effective_enforcement(const World& w, const ExportRule& rule) {
    const int j = find_by_name(w.scenario->nations, rule.jurisdiction);
    const double effort = j >= 0 ? w.nations[static_cast<std::size_t>(j)].enforcement_effort : 1.0;
    return std::clamp(rule.enforcement * w.scenario->policy.enforcement_scale * effort, 0.0, 1.0);
}

Regime regime_in_force(World& w, const PolicyIndex& idx, int serial) {
    const Policy& p = w.scenario->policy;
    const std::size_t nn = w.nations.size();
    Regime g;
    g.nations = static_cast<int>(nn);
    g.access.assign(w.skus.size() * nn, SkuAccess{});
    g.rule_in_force.assign(p.rules.size(), 0);

    // Rules in precedence order: later start wins, ties by file order.
    std::vector<std::size_t> order;
    for (std::size_t r = 0; r < p.rules.size(); ++r)
        if (p.rules[r].enabled && in_force(p.rules[r].start, p.rules[r].end, serial)) order.push_back(r);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return p.rules[a].start.serial() < p.rules[b].start.serial();
    });
    for (std::size_t r : order) {
        g.rule_in_force[r] = 1;
        const ExportRule& rule = p.rules[r];
        const double e = effective_enforcement(w, rule);
        const Access a = rule.action == RuleAction::deny      ? Access::deny
                         : rule.action == RuleAction::license ? Access::license
                                                              : Access::allow;
        if (a != Access::allow) g.gray_enforcement = std::max(g.gray_enforcement, e);
        for (std::size_t s = 0; s < w.skus.size(); ++s) {
            if (!idx.covers[r][s]) continue;
            const int home = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)].nation;
            for (std::size_t n = 0; n < nn; ++n)
                if (idx.reaches[r][n] && static_cast<int>(n) != home)
                    g.access[s * nn + n] = SkuAccess{a, static_cast<int>(r), e};
        }
    }

    // Remote access: the latest switch that has started is in force; open by default.
    int latest = -1;
    for (std::size_t i = 0; i < p.remote_access.size(); ++i)
        if (p.remote_access[i].start.serial() <= serial &&
            (latest < 0 || p.remote_access[i].start.serial() >=
                               p.remote_access[static_cast<std::size_t>(latest)].start.serial()))
            latest = static_cast<int>(i);
    if (latest >= 0) {
        g.remote_open = p.remote_access[static_cast<std::size_t>(latest)].open;
        g.remote_capacity_units = p.remote_access[static_cast<std::size_t>(latest)].capacity_units_per_month;
    } else {
        g.remote_open = false;  // no switch declared: no remote route modelled
    }

    g.tool_growth_factor.assign(nn, 1.0);
    g.tool_yield_factor.assign(nn, 1.0);
    g.tool_yield_learning_factor.assign(nn, 1.0);
    g.tool_hbm_import_factor.assign(nn, 1.0);
    for (const auto& t : p.tool_controls) {
        if (!in_force(t.start, t.end, serial)) continue;
        for (const auto& target : t.targets) {
            const int n = find_by_name(w.scenario->nations, target);
            if (n < 0) continue;
            g.tool_growth_factor[static_cast<std::size_t>(n)] *= t.capacity_growth_factor;
            g.tool_yield_factor[static_cast<std::size_t>(n)] *= t.yield_factor;
            g.tool_yield_learning_factor[static_cast<std::size_t>(n)] *= t.yield_learning_factor;
            g.tool_hbm_import_factor[static_cast<std::size_t>(n)] *= t.hbm_import_factor;
        }
    }

    // Latches: when a rule first restricted each SKU (for design-around), and who is cut off.
    for (auto& n : w.nations) n.cut_off = false;
    for (std::size_t s = 0; s < w.skus.size(); ++s) {
        for (std::size_t n = 0; n < nn; ++n) {
            const SkuAccess& a = g.access[s * nn + n];
            if (a.access == Access::allow) continue;
            const int start = p.rules[static_cast<std::size_t>(a.rule)].start.serial();
            w.skus[s].restricted_since = std::min(w.skus[s].restricted_since, start);
            if (a.access == Access::deny) w.nations[n].cut_off = true;
        }
    }
    return g;
}

void apply_adaptive_rules(World& w, const std::vector<double>& last_lag_months) {
    for (const auto& a : w.scenario->policy.adaptive) {
        const int c = find_by_name(w.scenario->nations, a.controller);
        const int b = find_name(w.scenario->blocs, a.rival_bloc);
        if (c < 0 || b < 0 || static_cast<std::size_t>(b) >= last_lag_months.size()) continue;
        auto& n = w.nations[static_cast<std::size_t>(c)];
        const double lag = last_lag_months[static_cast<std::size_t>(b)];
        if (lag < a.tighten_below_lag_months) n.enforcement_effort += a.step;
        else if (lag > a.loosen_above_lag_months) n.enforcement_effort -= a.step;
        n.enforcement_effort = std::clamp(n.enforcement_effort, 0.0, 1.0 + n.spec->enforcement_capacity);
    }
}

}  // namespace polarity::model
