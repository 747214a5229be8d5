#include "polarity/model/world.hpp"

#include <algorithm>
#include <cmath>

#include "polarity/core/error.hpp"

namespace polarity::model {

const char* to_string(Route r) {
    switch (r) {
        case Route::legal: return "legal";
        case Route::licensed: return "licensed";
        case Route::gray: return "gray";
        case Route::domestic: return "domestic";
        case Route::remote: return "remote";
    }
    return "?";
}

const char* to_string(Leak l) {
    switch (l) {
        case Leak::hub: return "hub";
        case Leak::shell: return "shell";
        case Leak::diversion: return "diversion";
        case Leak::remote: return "remote";
    }
    return "?";
}

int find_name(const std::vector<std::string>& names, const std::string& name) {
    auto it = std::find(names.begin(), names.end(), name);
    return it == names.end() ? -1 : static_cast<int>(it - names.begin());
}

namespace {

int require(int index, const std::string& what, const std::string& name) {
    // The loader validates references; reaching this means a Scenario was built by hand wrongly.
    if (index < 0) throw ModelError("unknown " + what + " '" + name + "'");
    return index;
}

/// Training performance falls with interconnect below the reference (crippled chips such as
/// the H800 scale worse across a cluster); serving is memory-bandwidth bound.
void set_performance(SkuState& s, const WorldSettings& w, const MarketSettings& m) {
    const ChipSku& c = *s.spec;
    const double link = std::min(1.0, c.interconnect_gbps / w.interconnect_reference_gbps);
    s.train_h100e = c.flop_per_s / w.h100_flop_per_s * std::pow(link, w.interconnect_exponent);
    s.serve_h100e = c.memory_bandwidth_tbps / w.memory_bandwidth_reference_tbps;
    s.value_h100e = m.training_weight * s.train_h100e + (1.0 - m.training_weight) * s.serve_h100e;
}

}  // namespace

int side_of(const PolarityQuestion& q, const std::string& nation, const std::string& bloc) {
    const auto listed = [&](const std::vector<std::string>& v) { return std::find(v.begin(), v.end(), nation) != v.end(); };
    if (bloc == q.leader || listed(q.leader_aligned)) return kLeaderHolds;
    if (bloc == q.rival || listed(q.rival_aligned)) return kRivalHolds;
    return 0;
}

World build_world(const Scenario& sc) {
    World w;
    w.scenario = &sc;
    w.blocs.resize(sc.blocs.size());
    w.leader_bloc = require(find_name(sc.blocs, sc.question.leader), "bloc", sc.question.leader);
    w.rival_bloc = sc.question.rival.empty() ? -1 : require(find_name(sc.blocs, sc.question.rival), "bloc", sc.question.rival);

    w.nations.resize(sc.nations.size());
    for (std::size_t i = 0; i < sc.nations.size(); ++i) {
        auto& n = w.nations[i];
        n.spec = &sc.nations[i];
        n.state_ai_funding_usd_per_month = n.spec->state_ai_funding_usd_per_month;
        n.bloc = require(find_name(sc.blocs, n.spec->bloc), "bloc", n.spec->bloc);
        // A hub is any third nation chips can leak through: transhipment, shell buyers, diversion.
        if (n.spec->hub_capacity_units_per_month > 0 || n.spec->shell_capacity_units_per_month > 0 ||
            n.spec->diversion_share > 0)
            w.hubs.push_back(static_cast<int>(i));
    }

    for (std::size_t si = 0; si < sc.suppliers.size(); ++si) {
        const Supplier& sp = sc.suppliers[si];
        SupplierState s;
        s.spec = &sp;
        s.nation = require(find_by_name(sc.nations, sp.nation), "nation", sp.nation);
        for (const auto& t : sp.uses_technology_of)
            s.technology_of.push_back(require(find_by_name(sc.nations, t), "nation", t));
        s.capacity_units_per_month = sp.capacity_units_per_month;
        s.yield = sp.yield;
        s.hbm_bought_stacks_per_month = sp.hbm_stacks_per_month;
        s.hbm_stock_stacks = sp.hbm_stockpile_stacks;
        s.own_hbm_stacks_per_month = sp.own_hbm_stacks_per_month;
        s.die_bank_units = sp.die_bank_units;
        for (const auto& sku : sp.skus) {
            SkuState k;
            k.spec = &sku;
            k.supplier = static_cast<int>(si);
            k.unit_cost_usd = sku.unit_cost_usd;
            k.price_usd = sku.unit_cost_usd > 0 ? sku.unit_cost_usd * (1.0 + sp.margin) : sku.price_usd;
            set_performance(k, sc.world, sc.market);
            s.skus.push_back(static_cast<int>(w.skus.size()));
            w.skus.push_back(k);
        }
        w.suppliers.push_back(std::move(s));
    }
    for (auto& k : w.skus) {
        if (k.spec->compliant_variant_of.empty()) continue;
        for (std::size_t j = 0; j < w.skus.size(); ++j)
            if (w.skus[j].spec->name == k.spec->compliant_variant_of) k.parent = static_cast<int>(j);
        require(k.parent, "sku", k.spec->compliant_variant_of);
    }

    const auto sku_index = [&](const std::string& name) {
        for (std::size_t j = 0; j < w.skus.size(); ++j)
            if (w.skus[j].spec->name == name) return static_cast<int>(j);
        return require(-1, "sku", name);
    };
    const int run_months = std::max(1, sc.world.training_run_months);
    for (std::size_t li = 0; li < sc.labs.size(); ++li) {
        const Lab& spec = sc.labs[li];
        LabState l;
        l.spec = &spec;
        l.nation = require(find_by_name(sc.nations, spec.nation), "nation", spec.nation);
        l.bloc = w.nations[static_cast<std::size_t>(l.nation)].bloc;
        l.side = side_of(sc.question, spec.nation, sc.blocs[static_cast<std::size_t>(l.bloc)]);
        for (const auto& m : spec.markets) l.market_blocs.push_back(require(find_name(sc.blocs, m), "bloc", m));
        if (l.market_blocs.empty()) l.market_blocs.push_back(l.bloc);
        l.owned_units.assign(w.skus.size(), 0.0);
        l.remote_units.assign(w.skus.size(), 0.0);
        for (const auto& h : spec.stock) {
            const auto k = static_cast<std::size_t>(sku_index(h.sku));
            l.owned_units[k] += h.units;
            w.skus[k].initial_held += h.units;
            w.initial_units_total += h.units;
        }
        l.funding_usd_per_month = spec.funding_usd_per_month;
        l.cash_usd = spec.cash_usd;
        l.algorithmic_log10 = spec.algorithmic_efficiency_log10;
        l.recent_effective_flop.assign(static_cast<std::size_t>(run_months), 0.0);
        l.recent_rl_flop.assign(static_cast<std::size_t>(run_months), 0.0);
        l.delivered_by_route.assign(route_count, 0.0);
        l.delivered_h100e_by_route.assign(route_count, 0.0);
        w.nations[static_cast<std::size_t>(l.nation)].labs.push_back(static_cast<int>(li));
        w.labs.push_back(std::move(l));
    }
    return w;
}

}  // namespace polarity::model
