#include "polarity/model/market.hpp"

#include <algorithm>
#include <cmath>

#include "polarity/core/random.hpp"
#include "trade_network.hpp"

namespace polarity::model {

namespace {

constexpr int kRounds = 2;
constexpr int kTranches = 4;
constexpr int kLicenceTranches = 10;  // licences are granted in tenths of the quota

/// A capacity-limited node many SKUs flow into and many labs draw from. Its arcs are ranges of
/// the workspace's inflow/outflow arrays, so the nodes of a round hold no memory of their own.
struct SharedNode {
    Route route;
    int via;                 // rule (licensed), hub nation (gray), destination nation (remote)
    int nation;              // destination nation (licensed, remote) or -1
    double markup;           // multiple of the SKU price the lab pays
    std::int64_t* capacity;  // remaining across rounds
    std::size_t in = 0, out = 0;
    std::size_t inflow_begin = 0, inflow_end = 0;    // [begin, end) of Workspace::inflow
    std::size_t outflow_begin = 0, outflow_end = 0;  // [begin, end) of Workspace::outflow
};

struct DirectArc {
    std::size_t arc;
    int sku;
    int lab;
    Route route;
};

/// Route of a direct arc from a SKU to a nation's labs.
enum class Direct : char { none, domestic, legal };

/// Buffers of one clearing, kept per thread so that months and runs reuse their capacity
/// instead of allocating (clear_market is not re-entered on a thread: it starts no parallel
/// work). Every buffer is fully rewritten before it is read, so nothing carries over.
struct Workspace {
    detail::TradeNetwork net;
    std::vector<std::int64_t> inventory, licence_cap, hub_cap, remote_cap, demand, unit_cost;
    std::vector<double> budget, hub_markup, ref_price;
    std::vector<char> restricted, reach, takes;
    std::vector<Direct> direct_route;            // [nation * nsku + sku]
    std::vector<SharedNode> shared;
    std::vector<std::vector<int>> licensed_for, remote_for;  // [nation] shared nodes, in order
    std::vector<int> gray_nodes;
    std::vector<std::pair<int, std::size_t>> inflow;   // (sku, arc)
    std::vector<std::pair<int, std::size_t>> outflow;  // (lab, arc)
    std::vector<DirectArc> direct;
    std::vector<Delivery> got, all;
    std::vector<std::size_t> by_lab_start, by_lab_fill, by_lab;
    // Decomposition of one shared node's flow.
    std::vector<std::int64_t> in, out, in_left, out_left, x;
    std::vector<std::size_t> in_idx, out_idx;
};

Workspace& workspace() {
    thread_local Workspace ws;
    return ws;
}

/// Splits the flow through a shared node into (sku, lab) pairs, proportionally to each lab's
/// share with largest-remainder style fix-up, so the integers add up exactly on both sides.
/// `in` and `out` are the flows on the node's inflow and outflow arcs; on return `x` holds
/// x[i * no + j] for the i-th nonzero inflow (index in_idx[i]) and the j-th nonzero outflow
/// (out_idx[j]). Rows and columns without flow are left out: their entries are zero and the
/// north-west fill-up below steps over them without effect.
void decompose(Workspace& ws) {
    const auto& in = ws.in;
    const auto& out = ws.out;
    std::int64_t total = 0;
    for (const auto f : in) total += f;
    ws.in_idx.clear();
    ws.out_idx.clear();
    if (total == 0) return;
    for (std::size_t i = 0; i < in.size(); ++i)
        if (in[i] != 0) ws.in_idx.push_back(i);
    for (std::size_t j = 0; j < out.size(); ++j)
        if (out[j] != 0) ws.out_idx.push_back(j);
    const std::size_t ni = ws.in_idx.size(), no = ws.out_idx.size();
    ws.x.assign(ni * no, 0);
    ws.in_left.resize(ni);
    ws.out_left.resize(no);
    for (std::size_t i = 0; i < ni; ++i) ws.in_left[i] = in[ws.in_idx[i]];
    for (std::size_t j = 0; j < no; ++j) ws.out_left[j] = out[ws.out_idx[j]];
    for (std::size_t i = 0; i < ni; ++i)
        for (std::size_t j = 0; j < no; ++j) {
            // in[i] * out[j] fits: both are chip counts far below 2^31 per month.
            const std::int64_t v = static_cast<std::int64_t>(
                static_cast<long double>(in[ws.in_idx[i]]) * static_cast<long double>(out[ws.out_idx[j]]) / total);
            ws.x[i * no + j] = v;
            ws.in_left[i] -= v;
            ws.out_left[j] -= v;
        }
    for (std::size_t i = 0, j = 0; i < ni && j < no;) {
        const std::int64_t m = std::min(ws.in_left[i], ws.out_left[j]);
        ws.x[i * no + j] += m;
        ws.in_left[i] -= m;
        ws.out_left[j] -= m;
        if (ws.in_left[i] == 0) ++i;
        if (j < no && ws.out_left[j] == 0) ++j;
    }
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
    const std::size_t nrule = sc.policy.rules.size();
    Workspace& ws = workspace();

    auto& inventory = ws.inventory;
    inventory.resize(nsku);
    for (std::size_t s = 0; s < nsku; ++s) inventory[s] = w.skus[s].inventory_units;
    auto& budget = ws.budget;
    budget.assign(budgets.begin(), budgets.end());

    // Nations for which some SKU is controlled: their labs may look to hubs and clouds.
    auto& restricted = ws.restricted;
    restricted.assign(nnat, 0);
    for (std::size_t s = 0; s < nsku; ++s)
        for (std::size_t n = 0; n < nnat; ++n)
            if (g.at(static_cast<int>(s), static_cast<int>(n)).access != Access::allow) restricted[n] = 1;

    // Direct routes (domestic, or legal where access is allow), the same for every lab of a nation.
    auto& direct_route = ws.direct_route;
    direct_route.assign(nnat * nsku, Direct::none);
    for (std::size_t s = 0; s < nsku; ++s) {
        const int home = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)].nation;
        for (std::size_t n = 0; n < nnat; ++n) {
            if (home == static_cast<int>(n)) direct_route[n * nsku + s] = Direct::domestic;
            else if (g.at(static_cast<int>(s), static_cast<int>(n)).access == Access::allow)
                direct_route[n * nsku + s] = Direct::legal;
        }
    }

    // Shared route capacities for the month, consumed across rounds.
    auto& licence_cap = ws.licence_cap;
    licence_cap.assign(nrule * nnat, 0);
    for (std::size_t r = 0; r < nrule; ++r) {
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
    auto& hub_cap = ws.hub_cap;
    auto& hub_markup = ws.hub_markup;
    hub_cap.assign(nnat, 0);
    hub_markup.assign(nnat, 0.0);
    for (int h : w.hubs) {
        const double e = hub_enforcement(w, g, h);
        hub_cap[static_cast<std::size_t>(h)] = static_cast<std::int64_t>(
            std::floor(w.nations[static_cast<std::size_t>(h)].spec->hub_capacity_units_per_month * (1.0 - e)));
        hub_markup[static_cast<std::size_t>(h)] = 1.0 + mk.gray_premium + mk.gray_premium_per_enforcement * e;
    }
    auto& remote_cap = ws.remote_cap;
    remote_cap.assign(nnat, 0);
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

    // Arc cost of a SKU on a route with mark-up m, in USD per H100e of value.
    const auto unit_cost = [&](std::size_t s, double markup) {
        return std::llround(w.skus[s].price_usd * markup / w.skus[s].value_h100e);
    };
    auto& direct_cost = ws.unit_cost;
    direct_cost.resize(nsku);
    for (std::size_t s = 0; s < nsku; ++s) direct_cost[s] = unit_cost(s, 1.0);

    auto& all = ws.all;
    all.clear();
    auto& ref_price = ws.ref_price;
    ref_price.assign(nlab, 0.0);
    auto& reach = ws.reach;  // [lab * nsku + sku]
    reach.assign(nlab * nsku, 0);
    auto& shared = ws.shared;
    auto& takes = ws.takes;  // [shared node * nsku + sku]
    auto& demand = ws.demand;
    auto& licensed_for = ws.licensed_for;
    auto& remote_for = ws.remote_for;
    auto& gray_nodes = ws.gray_nodes;
    if (licensed_for.size() < nnat) licensed_for.resize(nnat);
    if (remote_for.size() < nnat) remote_for.resize(nnat);

    for (int round = 0; round < kRounds; ++round) {
        // Shared nodes that exist this round.
        shared.clear();
        for (std::size_t r = 0; r < nrule; ++r)
            for (std::size_t n = 0; n < nnat; ++n)
                if (licence_cap[r * nnat + n] > 0 && !w.nations[n].labs.empty())
                    shared.push_back({Route::licensed, static_cast<int>(r), static_cast<int>(n), 1.0,
                                      &licence_cap[r * nnat + n]});
        for (int h : w.hubs)
            if (hub_cap[static_cast<std::size_t>(h)] > 0)
                shared.push_back({Route::gray, h, -1, hub_markup[static_cast<std::size_t>(h)],
                                  &hub_cap[static_cast<std::size_t>(h)]});
        for (std::size_t n = 0; n < nnat; ++n)
            if (remote_cap[n] > 0 && !w.nations[n].labs.empty())
                shared.push_back({Route::remote, static_cast<int>(n), static_cast<int>(n),
                                  1.0 + mk.remote_markup, &remote_cap[n]});

        // Which SKUs a shared node accepts (with stock this round), and which labs it serves:
        // licence and cloud nodes the labs of their nation, hubs the labs of other restricted
        // nations that take risks. Per nation, the nodes serving its labs in node order.
        const std::size_t nshared = shared.size();
        takes.assign(nshared * nsku, 0);
        for (auto& v : licensed_for) v.clear();
        for (auto& v : remote_for) v.clear();
        gray_nodes.clear();
        for (std::size_t k = 0; k < nshared; ++k) {
            const SharedNode& sn = shared[k];
            for (std::size_t s = 0; s < nsku; ++s) {
                if (inventory[s] <= 0) continue;
                bool t = false;
                switch (sn.route) {
                    case Route::licensed: {
                        const SkuAccess& a = g.at(static_cast<int>(s), sn.nation);
                        t = a.access == Access::license && a.rule == sn.via;
                        break;
                    }
                    case Route::gray: t = g.at(static_cast<int>(s), sn.via).access == Access::allow; break;
                    case Route::remote: t = g.at(static_cast<int>(s), sn.nation).access != Access::allow; break;
                    default: break;
                }
                takes[k * nsku + s] = t;
            }
            switch (sn.route) {
                case Route::licensed: licensed_for[static_cast<std::size_t>(sn.nation)].push_back(static_cast<int>(k)); break;
                case Route::gray: gray_nodes.push_back(static_cast<int>(k)); break;
                case Route::remote: remote_for[static_cast<std::size_t>(sn.nation)].push_back(static_cast<int>(k)); break;
                default: break;
            }
        }
        const auto gray_serves = [&](const SharedNode& sn, const LabState& l) {
            return l.nation != sn.via && l.spec->risk_appetite > 0 && restricted[static_cast<std::size_t>(l.nation)];
        };

        // Demand: each lab's budget in chips of its best-value option. Options are weighed in
        // SKU order, and for each SKU the direct route first, then shared nodes in node order
        // (licences, hubs, clouds): the first strictly cheapest wins.
        demand.assign(nlab, 0);
        for (std::size_t l = 0; l < nlab; ++l) {
            const LabState& lab = w.labs[l];
            const auto n = static_cast<std::size_t>(lab.nation);
            const bool gray_ok = lab.spec->risk_appetite > 0 && restricted[n];
            double best_cost = 0, best_price = 0;
            char* lab_reach = reach.data() + l * nsku;
            const auto consider = [&](std::size_t s, double markup) {
                lab_reach[s] = 1;
                const double price = w.skus[s].price_usd * markup;
                const double cost = price / w.skus[s].value_h100e;
                if (best_price == 0 || cost < best_cost) best_cost = cost, best_price = price;
            };
            for (std::size_t s = 0; s < nsku; ++s) {
                if (inventory[s] <= 0) continue;
                if (direct_route[n * nsku + s] != Direct::none) consider(s, 1.0);
                for (const int k : licensed_for[n])
                    if (takes[static_cast<std::size_t>(k) * nsku + s]) consider(s, shared[static_cast<std::size_t>(k)].markup);
                if (gray_ok)
                    for (const int k : gray_nodes)
                        if (shared[static_cast<std::size_t>(k)].via != lab.nation && takes[static_cast<std::size_t>(k) * nsku + s])
                            consider(s, shared[static_cast<std::size_t>(k)].markup);
                for (const int k : remote_for[n])
                    if (takes[static_cast<std::size_t>(k) * nsku + s]) consider(s, shared[static_cast<std::size_t>(k)].markup);
            }
            if (best_price > 0) ref_price[l] = best_price;  // keep round one's when sold out
            if (best_price > 0 && budget[l] > 0)
                demand[l] = static_cast<std::int64_t>(std::floor(budget[l] / best_price));
        }

        // The network: 0 source, 1 sink, then SKUs, labs, shared in/out pairs.
        detail::TradeNetwork& net = ws.net;
        net.reset(2 + nsku + nlab);
        const std::size_t source = 0, sink = 1;
        const auto sku_node = [&](std::size_t s) { return 2 + s; };
        const auto lab_node = [&](std::size_t l) { return 2 + nsku + l; };
        for (std::size_t s = 0; s < nsku; ++s)
            if (inventory[s] > 0) net.add_arc(source, sku_node(s), inventory[s], 0);
        auto& direct = ws.direct;
        direct.clear();
        for (std::size_t l = 0; l < nlab; ++l) {
            if (demand[l] <= 0) continue;
            const auto n = static_cast<std::size_t>(w.labs[l].nation);
            for (std::size_t s = 0; s < nsku; ++s) {
                if (inventory[s] <= 0) continue;
                const Direct d = direct_route[n * nsku + s];
                if (d == Direct::none) continue;
                const Route route = d == Direct::domestic ? Route::domestic : Route::legal;
                direct.push_back({net.add_arc(sku_node(s), lab_node(l), demand[l], direct_cost[s]),
                                  static_cast<int>(s), static_cast<int>(l), route});
            }
            std::int64_t left = demand[l];
            for (int k = 0; k < kTranches; ++k) {
                const std::int64_t cap = k + 1 == kTranches ? left : demand[l] / kTranches;
                left -= cap;
                if (cap > 0) net.add_arc(lab_node(l), sink, cap, k * tranche_step);
            }
        }
        auto& inflow = ws.inflow;
        auto& outflow = ws.outflow;
        inflow.clear();
        outflow.clear();
        for (std::size_t k = 0; k < nshared; ++k) {
            SharedNode& sn = shared[k];
            sn.in = net.add_node();
            sn.out = net.add_node();
            net.add_arc(sn.in, sn.out, *sn.capacity, 0);
            sn.inflow_begin = inflow.size();
            for (std::size_t s = 0; s < nsku; ++s)
                if (takes[k * nsku + s])
                    inflow.emplace_back(static_cast<int>(s),
                                        net.add_arc(sku_node(s), sn.in, inventory[s], unit_cost(s, sn.markup)));
            sn.inflow_end = inflow.size();
            sn.outflow_begin = outflow.size();
            const auto serve = [&](std::size_t l) {
                if (demand[l] <= 0) return;
                const std::int64_t cap = sn.route == Route::gray
                    ? static_cast<std::int64_t>(std::floor(w.labs[l].spec->risk_appetite * demand[l]))
                    : demand[l];
                if (cap > 0) outflow.emplace_back(static_cast<int>(l), net.add_arc(sn.out, lab_node(l), cap, 0));
            };
            if (sn.route == Route::gray) {
                for (std::size_t l = 0; l < nlab; ++l)
                    if (gray_serves(sn, w.labs[l])) serve(l);
            } else {
                // Licence and cloud nodes serve the labs of their nation (listed in index order).
                for (const int l : w.nations[static_cast<std::size_t>(sn.nation)].labs) serve(static_cast<std::size_t>(l));
            }
            sn.outflow_end = outflow.size();
        }
        net.solve(source, sink);

        // Read the flows back as deliveries.
        auto& got = ws.got;
        got.clear();
        for (const auto& d : direct)
            if (const auto f = net.flow(d.arc); f > 0)
                got.push_back({d.sku, d.lab, d.route, -1, f, 0, w.skus[static_cast<std::size_t>(d.sku)].price_usd});
        for (const auto& sn : shared) {
            ws.in.clear();
            ws.out.clear();
            for (std::size_t a = sn.inflow_begin; a < sn.inflow_end; ++a) ws.in.push_back(net.flow(inflow[a].second));
            for (std::size_t a = sn.outflow_begin; a < sn.outflow_end; ++a) ws.out.push_back(net.flow(outflow[a].second));
            decompose(ws);
            const std::size_t no = ws.out_idx.size();
            for (std::size_t i = 0; i < ws.in_idx.size(); ++i)
                for (std::size_t j = 0; j < no; ++j)
                    if (const std::int64_t x = ws.x[i * no + j]; x > 0) {
                        const int s = inflow[sn.inflow_begin + ws.in_idx[i]].first;
                        got.push_back({s, outflow[sn.outflow_begin + ws.out_idx[j]].first, sn.route, sn.via, x, 0,
                                       w.skus[static_cast<std::size_t>(s)].price_usd * sn.markup});
                    }
        }

        // Budget: a lab that overspent hands back its most expensive chips per unit of value.
        // by_lab[by_lab_start[l] ..) lists the lab's deliveries in delivery order.
        auto& start = ws.by_lab_start;
        auto& by_lab = ws.by_lab;
        start.assign(nlab + 1, 0);
        for (const auto& d : got) ++start[static_cast<std::size_t>(d.lab) + 1];
        for (std::size_t l = 0; l < nlab; ++l) start[l + 1] += start[l];
        by_lab.resize(got.size());
        ws.by_lab_fill.assign(start.begin(), start.end() - 1);
        for (std::size_t i = 0; i < got.size(); ++i) by_lab[ws.by_lab_fill[static_cast<std::size_t>(got[i].lab)]++] = i;
        for (std::size_t l = 0; l < nlab; ++l) {
            const auto first = by_lab.begin() + static_cast<std::ptrdiff_t>(start[l]);
            const auto last = by_lab.begin() + static_cast<std::ptrdiff_t>(start[l + 1]);
            double spend = 0;
            for (auto it = first; it != last; ++it) spend += static_cast<double>(got[*it].units) * got[*it].unit_price_usd;
            double over = spend - budget[l];
            if (over <= 0) continue;
            std::stable_sort(first, last, [&](std::size_t a, std::size_t b) {
                return got[a].unit_price_usd / w.skus[static_cast<std::size_t>(got[a].sku)].value_h100e >
                       got[b].unit_price_usd / w.skus[static_cast<std::size_t>(got[b].sku)].value_h100e;
            });
            for (auto it = first; it != last; ++it) {
                if (over <= 0) break;
                Delivery& d = got[*it];
                const auto cut = std::min(d.units, static_cast<std::int64_t>(std::ceil(over / d.unit_price_usd)));
                d.units -= cut;
                over -= static_cast<double>(cut) * d.unit_price_usd;
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
        const char* lab_reach = reach.data() + l * nsku;
        for (std::size_t s = 0; s < nsku; ++s)
            if (lab_reach[s]) res.unmet_units_by_sku[s] += unmet;
    }
    return res;
}

}  // namespace polarity::model
