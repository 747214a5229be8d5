#include "polarity/model/market.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "polarity/core/random.hpp"
#include "trade_network.hpp"

namespace polarity::model {

namespace {

constexpr int kRounds = 2;
constexpr int kTranches = 4;
constexpr int kLicenceTranches = 10;  // licences are granted in tenths of the quota

/// A capacity-limited node many SKUs flow into and many labs draw from.
struct SharedNode {
    SharedNode(Route r, int v, int n, double m, std::int64_t* cap)
        : route(r), via(v), nation(n), markup(m), capacity(cap) {}
    Route route;
    int via;                 // rule (licensed), hub nation (gray), destination nation (remote)
    int nation;              // destination nation (licensed, remote) or -1
    double markup;           // multiple of the SKU price the lab pays
    std::int64_t* capacity;  // remaining across rounds
    std::size_t in = 0, out = 0;
    std::vector<std::pair<int, std::size_t>> inflow;   // (sku, arc)
    std::vector<std::pair<int, std::size_t>> outflow;  // (lab, arc)
};

struct DirectArc {
    std::size_t arc;
    int sku;
    int lab;
    Route route;
};

/// Splits the flow through a shared node into (sku, lab) pairs, proportionally to each lab's
/// share with largest-remainder style fix-up, so the integers add up exactly on both sides.
std::vector<std::vector<std::int64_t>> decompose(const std::vector<std::int64_t>& in,
                                                 const std::vector<std::int64_t>& out) {
    const std::int64_t total = std::accumulate(in.begin(), in.end(), std::int64_t{0});
    std::vector<std::vector<std::int64_t>> x(in.size(), std::vector<std::int64_t>(out.size(), 0));
    if (total == 0) return x;
    std::vector<std::int64_t> in_left = in, out_left = out;
    for (std::size_t i = 0; i < in.size(); ++i)
        for (std::size_t j = 0; j < out.size(); ++j) {
            // in[i] * out[j] fits: both are chip counts far below 2^31 per month.
            x[i][j] = static_cast<std::int64_t>(
                static_cast<long double>(in[i]) * static_cast<long double>(out[j]) / total);
            in_left[i] -= x[i][j];
            out_left[j] -= x[i][j];
        }
    for (std::size_t i = 0, j = 0; i < in.size() && j < out.size();) {
        const std::int64_t m = std::min(in_left[i], out_left[j]);
        x[i][j] += m;
        in_left[i] -= m;
        out_left[j] -= m;
        if (in_left[i] == 0) ++i;
        if (j < out.size() && out_left[j] == 0) ++j;
    }
    return x;
}

}  // namespace

double hub_enforcement(const World& w, const Regime& g, int nation) {
    const double e = g.gray_enforcement;
    const double own = w.nations[static_cast<std::size_t>(nation)].spec->enforcement_capacity;
    return 1.0 - (1.0 - e) * (1.0 - own * e);
}

ClearingResult clear_market(const World& w, const Regime& g, const std::vector<double>& budgets) {
    const Scenario& sc = *w.scenario;
    const MarketSettings& mk = sc.market;
    const std::size_t nsku = w.skus.size(), nlab = w.labs.size(), nnat = w.nations.size();

    std::vector<std::int64_t> inventory(nsku);
    for (std::size_t s = 0; s < nsku; ++s) inventory[s] = w.skus[s].inventory_units;
    std::vector<double> budget = budgets;

    // Nations for which some SKU is controlled: their labs may look to hubs and clouds.
    std::vector<char> restricted(nnat, 0);
    for (std::size_t s = 0; s < nsku; ++s)
        for (std::size_t n = 0; n < nnat; ++n)
            if (g.at(static_cast<int>(s), static_cast<int>(n)).access != Access::allow) restricted[n] = 1;

    // Shared route capacities for the month, consumed across rounds.
    std::vector<std::int64_t> licence_cap(sc.policy.rules.size() * nnat, 0);
    for (std::size_t r = 0; r < sc.policy.rules.size(); ++r) {
        const ExportRule& rule = sc.policy.rules[r];
        if (!g.rule_in_force[r] || rule.action != RuleAction::license) continue;
        for (std::size_t n = 0; n < nnat; ++n) {
            const std::uint64_t entity = r * nnat + n;
            core::Stream rng(sc.run.seed, sc.run.run_index, core::Purpose::licence_approval,
                             static_cast<std::uint64_t>(w.month_index), entity);
            int approved = 0;
            for (int k = 0; k < kLicenceTranches; ++k) approved += rng.uniform01() <= rule.approval_rate;
            licence_cap[entity] = static_cast<std::int64_t>(
                std::floor(rule.quota_units_per_month * approved / kLicenceTranches));
        }
    }
    std::vector<std::int64_t> hub_cap(nnat, 0);
    std::vector<double> hub_markup(nnat, 0.0);
    for (int h : w.hubs) {
        const double e = hub_enforcement(w, g, h);
        hub_cap[static_cast<std::size_t>(h)] = static_cast<std::int64_t>(
            std::floor(w.nations[static_cast<std::size_t>(h)].spec->hub_capacity_units_per_month * (1.0 - e)));
        hub_markup[static_cast<std::size_t>(h)] = 1.0 + mk.gray_premium + mk.gray_premium_per_enforcement * e;
    }
    std::vector<std::int64_t> remote_cap(nnat, 0);
    if (g.remote_open)
        for (std::size_t n = 0; n < nnat; ++n)
            if (restricted[n]) remote_cap[n] = static_cast<std::int64_t>(std::floor(g.remote_capacity_units));

    // Tranche cost step, as a share of the mean price per H100e of value. Large enough that a
    // short chip goes to every lab's first tranche before anyone's second (suppliers allocate
    // scarce chips across customers), small enough that route mark-ups still matter.
    double mean_cost = 0;
    for (const auto& k : w.skus) mean_cost += k.price_usd / k.value_h100e;
    const std::int64_t tranche_step =
        std::llround(mk.rationing_step * mean_cost / static_cast<double>(std::max<std::size_t>(1, nsku)));

    std::vector<Delivery> all;
    std::vector<double> ref_price(nlab, 0.0);
    std::vector<std::vector<char>> reach(nlab, std::vector<char>(nsku, 0));

    for (int round = 0; round < kRounds; ++round) {
        // Shared nodes that exist this round.
        std::vector<SharedNode> shared;
        for (std::size_t r = 0; r < sc.policy.rules.size(); ++r)
            for (std::size_t n = 0; n < nnat; ++n)
                if (licence_cap[r * nnat + n] > 0 && !w.nations[n].labs.empty())
                    shared.emplace_back(Route::licensed, static_cast<int>(r), static_cast<int>(n), 1.0,
                                        &licence_cap[r * nnat + n]);
        for (int h : w.hubs)
            if (hub_cap[static_cast<std::size_t>(h)] > 0)
                shared.emplace_back(Route::gray, h, -1, hub_markup[static_cast<std::size_t>(h)],
                                    &hub_cap[static_cast<std::size_t>(h)]);
        for (std::size_t n = 0; n < nnat; ++n)
            if (remote_cap[n] > 0 && !w.nations[n].labs.empty())
                shared.emplace_back(Route::remote, static_cast<int>(n), static_cast<int>(n),
                                    1.0 + mk.remote_markup, &remote_cap[n]);

        // Which SKUs a shared node accepts, and which labs it serves.
        const auto node_takes = [&](const SharedNode& sn, std::size_t s) {
            if (inventory[s] <= 0) return false;
            switch (sn.route) {
                case Route::licensed: {
                    const SkuAccess& a = g.at(static_cast<int>(s), sn.nation);
                    return a.access == Access::license && a.rule == sn.via;
                }
                case Route::gray: return g.at(static_cast<int>(s), sn.via).access == Access::allow;
                case Route::remote: return g.at(static_cast<int>(s), sn.nation).access != Access::allow;
                default: return false;
            }
        };
        const auto node_serves = [&](const SharedNode& sn, const LabState& l) {
            switch (sn.route) {
                case Route::licensed:
                case Route::remote: return l.nation == sn.nation;
                case Route::gray:
                    return l.nation != sn.via && l.spec->risk_appetite > 0 &&
                           restricted[static_cast<std::size_t>(l.nation)];
                default: return false;
            }
        };

        // Demand: each lab's budget in chips of its best-value option.
        std::vector<std::int64_t> demand(nlab, 0);
        for (std::size_t l = 0; l < nlab; ++l) {
            const LabState& lab = w.labs[l];
            double best_cost = 0, best_price = 0;
            const auto consider = [&](std::size_t s, double markup) {
                reach[l][s] = 1;
                const double price = w.skus[s].price_usd * markup;
                const double cost = price / w.skus[s].value_h100e;
                if (best_price == 0 || cost < best_cost) best_cost = cost, best_price = price;
            };
            for (std::size_t s = 0; s < nsku; ++s) {
                if (inventory[s] <= 0) continue;
                const int home = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)].nation;
                if (home == lab.nation || g.at(static_cast<int>(s), lab.nation).access == Access::allow)
                    consider(s, 1.0);
                for (const auto& sn : shared)
                    if (node_serves(sn, lab) && node_takes(sn, s)) consider(s, sn.markup);
            }
            if (best_price > 0) ref_price[l] = best_price;  // keep round one's when sold out
            if (best_price > 0 && budget[l] > 0)
                demand[l] = static_cast<std::int64_t>(std::floor(budget[l] / best_price));
        }

        // The network: 0 source, 1 sink, then SKUs, labs, shared in/out pairs.
        detail::TradeNetwork net(2 + nsku + nlab);
        const std::size_t source = 0, sink = 1;
        const auto sku_node = [&](std::size_t s) { return 2 + s; };
        const auto lab_node = [&](std::size_t l) { return 2 + nsku + l; };
        const auto unit_cost = [&](std::size_t s, double markup) {
            return std::llround(w.skus[s].price_usd * markup / w.skus[s].value_h100e);
        };
        for (std::size_t s = 0; s < nsku; ++s)
            if (inventory[s] > 0) net.add_arc(source, sku_node(s), inventory[s], 0);
        std::vector<DirectArc> direct;
        for (std::size_t l = 0; l < nlab; ++l) {
            if (demand[l] <= 0) continue;
            const LabState& lab = w.labs[l];
            for (std::size_t s = 0; s < nsku; ++s) {
                if (inventory[s] <= 0) continue;
                const int home = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)].nation;
                Route route;
                if (home == lab.nation) route = Route::domestic;
                else if (g.at(static_cast<int>(s), lab.nation).access == Access::allow) route = Route::legal;
                else continue;
                direct.push_back({net.add_arc(sku_node(s), lab_node(l), demand[l], unit_cost(s, 1.0)),
                                  static_cast<int>(s), static_cast<int>(l), route});
            }
            std::int64_t left = demand[l];
            for (int k = 0; k < kTranches; ++k) {
                const std::int64_t cap = k + 1 == kTranches ? left : demand[l] / kTranches;
                left -= cap;
                if (cap > 0) net.add_arc(lab_node(l), sink, cap, k * tranche_step);
            }
        }
        for (auto& sn : shared) {
            sn.in = net.add_node();
            sn.out = net.add_node();
            net.add_arc(sn.in, sn.out, *sn.capacity, 0);
            for (std::size_t s = 0; s < nsku; ++s)
                if (node_takes(sn, s))
                    sn.inflow.emplace_back(static_cast<int>(s),
                                           net.add_arc(sku_node(s), sn.in, inventory[s], unit_cost(s, sn.markup)));
            for (std::size_t l = 0; l < nlab; ++l) {
                if (demand[l] <= 0 || !node_serves(sn, w.labs[l])) continue;
                const std::int64_t cap = sn.route == Route::gray
                    ? static_cast<std::int64_t>(std::floor(w.labs[l].spec->risk_appetite * demand[l]))
                    : demand[l];
                if (cap > 0) sn.outflow.emplace_back(static_cast<int>(l), net.add_arc(sn.out, lab_node(l), cap, 0));
            }
        }
        net.solve(source, sink);

        // Read the flows back as deliveries.
        std::vector<Delivery> got;
        for (const auto& d : direct)
            if (const auto f = net.flow(d.arc); f > 0)
                got.push_back({d.sku, d.lab, d.route, -1, f, 0, w.skus[static_cast<std::size_t>(d.sku)].price_usd});
        for (const auto& sn : shared) {
            std::vector<std::int64_t> in, out;
            for (const auto& [s, a] : sn.inflow) in.push_back(net.flow(a));
            for (const auto& [l, a] : sn.outflow) out.push_back(net.flow(a));
            const auto x = decompose(in, out);
            for (std::size_t i = 0; i < in.size(); ++i)
                for (std::size_t j = 0; j < out.size(); ++j)
                    if (x[i][j] > 0) {
                        const int s = sn.inflow[i].first;
                        got.push_back({s, sn.outflow[j].first, sn.route, sn.via, x[i][j], 0,
                                       w.skus[static_cast<std::size_t>(s)].price_usd * sn.markup});
                    }
        }

        // Budget: a lab that overspent hands back its most expensive chips per unit of value.
        std::vector<std::vector<std::size_t>> by_lab(nlab);
        for (std::size_t i = 0; i < got.size(); ++i) by_lab[static_cast<std::size_t>(got[i].lab)].push_back(i);
        for (std::size_t l = 0; l < nlab; ++l) {
            double spend = 0;
            for (auto i : by_lab[l]) spend += static_cast<double>(got[i].units) * got[i].unit_price_usd;
            double over = spend - budget[l];
            if (over <= 0) continue;
            auto& idx = by_lab[l];
            std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
                return got[a].unit_price_usd / w.skus[static_cast<std::size_t>(got[a].sku)].value_h100e >
                       got[b].unit_price_usd / w.skus[static_cast<std::size_t>(got[b].sku)].value_h100e;
            });
            for (auto i : idx) {
                if (over <= 0) break;
                const auto cut = std::min(got[i].units,
                                          static_cast<std::int64_t>(std::ceil(over / got[i].unit_price_usd)));
                got[i].units -= cut;
                over -= static_cast<double>(cut) * got[i].unit_price_usd;
            }
        }

        // Consume inventory, budgets and shared capacities.
        for (const auto& d : got) {
            if (d.units <= 0) continue;
            inventory[static_cast<std::size_t>(d.sku)] -= d.units;
            budget[static_cast<std::size_t>(d.lab)] -= static_cast<double>(d.units) * d.unit_price_usd;
            const LabState& lab = w.labs[static_cast<std::size_t>(d.lab)];
            if (d.route == Route::licensed) licence_cap[static_cast<std::size_t>(d.via) * nnat + static_cast<std::size_t>(lab.nation)] -= d.units;
            if (d.route == Route::gray) hub_cap[static_cast<std::size_t>(d.via)] -= d.units;
            if (d.route == Route::remote) remote_cap[static_cast<std::size_t>(d.via)] -= d.units;
            all.push_back(d);
        }
    }

    // Merge the rounds: one delivery per (route, via, lab, sku), in that order.
    std::sort(all.begin(), all.end(), [](const Delivery& a, const Delivery& b) {
        return std::tie(a.route, a.via, a.lab, a.sku) < std::tie(b.route, b.via, b.lab, b.sku);
    });
    ClearingResult res;
    for (const auto& d : all) {
        if (!res.deliveries.empty()) {
            Delivery& last = res.deliveries.back();
            if (last.route == d.route && last.via == d.via && last.lab == d.lab && last.sku == d.sku) {
                // Same route, same price within a month.
                last.units += d.units;
                continue;
            }
        }
        res.deliveries.push_back(d);
    }

    // Seizures: detection grows convexly with the volume through a hub ("$1B can be hidden,
    // $10B cannot"): p = e_h (1 - exp(-(V/V0)^2)); each shipment loses p(0.5 + u) of its chips.
    res.gray_units_by_hub.assign(nnat, 0.0);
    for (const auto& d : res.deliveries)
        if (d.route == Route::gray) res.gray_units_by_hub[static_cast<std::size_t>(d.via)] += static_cast<double>(d.units);
    for (auto& d : res.deliveries) {
        if (d.route != Route::gray) continue;
        const double v = res.gray_units_by_hub[static_cast<std::size_t>(d.via)] / mk.gray_detection_scale_units;
        const double p = hub_enforcement(w, g, d.via) * (1.0 - std::exp(-v * v));
        core::Stream rng(sc.run.seed, sc.run.run_index, core::Purpose::gray_seizure,
                         static_cast<std::uint64_t>(w.month_index),
                         (static_cast<std::uint64_t>(d.via) * nlab + static_cast<std::uint64_t>(d.lab)) * nsku +
                             static_cast<std::uint64_t>(d.sku));
        const double share = std::min(1.0, p * (0.5 + rng.uniform01()));
        d.seized = std::min(d.units, static_cast<std::int64_t>(std::llround(static_cast<double>(d.units) * share)));
    }

    // Unmet demand: money a lab still wanted to spend, in chips of its last best option,
    // attributed to every SKU it could reach. Ignore rounding crumbs under 1 % of the budget.
    res.unmet_units_by_sku.assign(nsku, 0.0);
    for (std::size_t l = 0; l < nlab; ++l) {
        if (ref_price[l] <= 0 || budget[l] <= 0.01 * budgets[l]) continue;
        const double unmet = budget[l] / ref_price[l];
        for (std::size_t s = 0; s < nsku; ++s)
            if (reach[l][s]) res.unmet_units_by_sku[s] += unmet;
    }
    return res;
}

}  // namespace polarity::model
