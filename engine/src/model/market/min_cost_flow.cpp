// Min-cost max-flow (`market.clearing: min_cost_flow`), the engine's first mechanism, kept as a
// reference: the round's trade network solved by Boost.Graph's successive shortest paths
// (trade_network.hpp), with integer flows and costs. One Dijkstra per augmenting path,
// quadratic in labs.

#include <algorithm>
#include <utility>

#include "market_detail.hpp"
#include "trade_network.hpp"

namespace polarity::model::detail {

namespace {

/// A direct arc from a SKU to a lab.
struct DirectArc {
    std::size_t arc;
    int sku;
    int lab;
    Route route;
};

/// A shared route as the network sees it: an in node (SKUs' arcs enter), an out node (labs'
/// arcs leave), the capacity arc between, and its arcs' ranges in the workspace.
struct SharedRouteArcs {
    std::size_t in_node = 0, out_node = 0;
    std::size_t inflow_begin = 0, inflow_end = 0;    // [begin, end) of MinCostFlowWorkspace::inflow
    std::size_t outflow_begin = 0, outflow_end = 0;  // [begin, end) of MinCostFlowWorkspace::outflow
};

/// Buffers of the min-cost flow, kept per thread (see ClearingState).
struct MinCostFlowWorkspace {
    TradeNetwork network;
    std::vector<DirectArc> direct;
    std::vector<SharedRouteArcs> shared;               // [shared route]
    std::vector<std::pair<int, std::size_t>> inflow;   // (sku, arc)
    std::vector<std::pair<int, std::size_t>> outflow;  // (lab, arc)
    // Splitting one shared route's flow into (SKU, lab) pairs.
    std::vector<std::int64_t> in_units, out_units, in_left, out_left, pair_units;
    std::vector<std::size_t> in_used, out_used;
};

MinCostFlowWorkspace& workspace() {
    thread_local MinCostFlowWorkspace ws;
    return ws;
}

/// Splits the flow through a shared route into (SKU, lab) pairs in proportion to each side's
/// share, then fills the rounding remainder north-west, so the integers add up exactly on both
/// sides. On return pair_units[i * out_used.size() + j] is the flow from the i-th inflow with
/// flow (index in_used[i]) to the j-th outflow with flow (out_used[j]); arcs without flow are
/// left out (their entries would be zero and the fill-up steps over them without effect).
void split_shared_flow(MinCostFlowWorkspace& ws) {
    const auto& in = ws.in_units;
    const auto& out = ws.out_units;
    std::int64_t total = 0;
    for (const auto units : in) total += units;
    ws.in_used.clear();
    ws.out_used.clear();
    if (total == 0) return;
    for (std::size_t i = 0; i < in.size(); ++i)
        if (in[i] != 0) ws.in_used.push_back(i);
    for (std::size_t j = 0; j < out.size(); ++j)
        if (out[j] != 0) ws.out_used.push_back(j);
    const std::size_t ins = ws.in_used.size(), outs = ws.out_used.size();
    auto& pair = ws.pair_units;
    pair.assign(ins * outs, 0);
    ws.in_left.resize(ins);
    ws.out_left.resize(outs);
    for (std::size_t i = 0; i < ins; ++i) ws.in_left[i] = in[ws.in_used[i]];
    for (std::size_t j = 0; j < outs; ++j) ws.out_left[j] = out[ws.out_used[j]];
    for (std::size_t i = 0; i < ins; ++i)
        for (std::size_t j = 0; j < outs; ++j) {
            // in × out fits: both are chip counts far below 2^31 per month.
            const auto units = static_cast<std::int64_t>(static_cast<long double>(in[ws.in_used[i]]) *
                                                         static_cast<long double>(out[ws.out_used[j]]) / total);
            pair[i * outs + j] = units;
            ws.in_left[i] -= units;
            ws.out_left[j] -= units;
        }
    for (std::size_t i = 0, j = 0; i < ins && j < outs;) {
        const std::int64_t units = std::min(ws.in_left[i], ws.out_left[j]);
        pair[i * outs + j] += units;
        ws.in_left[i] -= units;
        ws.out_left[j] -= units;
        if (ws.in_left[i] == 0) ++i;
        if (j < outs && ws.out_left[j] == 0) ++j;
    }
}

}  // namespace

void fill_by_min_cost_flow(const World& world, ClearingState& state) {
    MinCostFlowWorkspace& ws = workspace();
    const std::size_t skus = world.skus.size(), labs = world.labs.size();
    const auto& stock = state.stock_units;
    const auto& demand = state.demand_units;

    // The network: 0 source, 1 sink, then SKUs, labs, shared routes' in/out pairs.
    TradeNetwork& net = ws.network;
    net.reset(2 + skus + labs);
    const std::size_t source = 0, sink = 1;
    const auto sku_node = [&](std::size_t s) { return 2 + s; };
    const auto lab_node = [&](std::size_t l) { return 2 + skus + l; };
    for (std::size_t s = 0; s < skus; ++s)
        if (stock[s] > 0) net.add_arc(source, sku_node(s), stock[s], 0);
    ws.direct.clear();
    for (std::size_t l = 0; l < labs; ++l) {
        if (demand[l] <= 0) continue;
        const auto n = static_cast<std::size_t>(world.labs[l].nation);
        for (std::size_t s = 0; s < skus; ++s) {
            if (stock[s] <= 0) continue;
            const DirectRoute direct = state.direct_route[n * skus + s];
            if (direct == DirectRoute::none) continue;
            const Route route = direct == DirectRoute::domestic ? Route::domestic : Route::legal;
            ws.direct.push_back({net.add_arc(sku_node(s), lab_node(l), demand[l], state.direct_cost[s]),
                                 static_cast<int>(s), static_cast<int>(l), route});
        }
        for (int k = 0; k < kTranches; ++k)
            if (const std::int64_t units = tranche_units(demand[l], k); units > 0)
                net.add_arc(lab_node(l), sink, units, k * state.tranche_step);
    }
    ws.inflow.clear();
    ws.outflow.clear();
    ws.shared.resize(state.shared.size());
    for (std::size_t k = 0; k < state.shared.size(); ++k) {
        const SharedRoute& route = state.shared[k];
        SharedRouteArcs& arcs = ws.shared[k];
        arcs.in_node = net.add_node();
        arcs.out_node = net.add_node();
        net.add_arc(arcs.in_node, arcs.out_node, *route.units_left, 0);
        arcs.inflow_begin = ws.inflow.size();
        for (std::size_t s = 0; s < skus; ++s)
            if (state.takes[k * skus + s])
                ws.inflow.emplace_back(static_cast<int>(s),
                                       net.add_arc(sku_node(s), arcs.in_node, stock[s], unit_cost(world, s, route.markup)));
        arcs.inflow_end = ws.inflow.size();
        arcs.outflow_begin = ws.outflow.size();
        const auto serve = [&](std::size_t l) {
            if (demand[l] <= 0) return;
            const std::int64_t units = route.route == Route::gray ? hub_allowance_units(world.labs[l], demand[l]) : demand[l];
            if (units > 0) ws.outflow.emplace_back(static_cast<int>(l), net.add_arc(arcs.out_node, lab_node(l), units, 0));
        };
        if (route.route == Route::gray) {
            // A hub serves the labs of other nations that buy gray.
            for (std::size_t l = 0; l < labs; ++l)
                if (world.labs[l].nation != route.via && buys_gray(state, world.labs[l])) serve(l);
        } else {
            // Licence and cloud routes serve the labs of their nation (listed in index order).
            for (const int l : world.nations[static_cast<std::size_t>(route.nation)].labs) serve(static_cast<std::size_t>(l));
        }
        arcs.outflow_end = ws.outflow.size();
    }
    net.solve(source, sink);

    // Read the flows back as deliveries.
    auto& deliveries = state.round_deliveries;
    for (const auto& d : ws.direct)
        if (const auto units = net.flow(d.arc); units > 0)
            deliveries.push_back({d.sku, d.lab, d.route, -1, units, 0, world.skus[static_cast<std::size_t>(d.sku)].price_usd});
    for (std::size_t k = 0; k < state.shared.size(); ++k) {
        const SharedRoute& route = state.shared[k];
        const SharedRouteArcs& arcs = ws.shared[k];
        ws.in_units.clear();
        ws.out_units.clear();
        for (std::size_t a = arcs.inflow_begin; a < arcs.inflow_end; ++a) ws.in_units.push_back(net.flow(ws.inflow[a].second));
        for (std::size_t a = arcs.outflow_begin; a < arcs.outflow_end; ++a) ws.out_units.push_back(net.flow(ws.outflow[a].second));
        split_shared_flow(ws);
        const std::size_t outs = ws.out_used.size();
        for (std::size_t i = 0; i < ws.in_used.size(); ++i)
            for (std::size_t j = 0; j < outs; ++j)
                if (const std::int64_t units = ws.pair_units[i * outs + j]; units > 0) {
                    const int sku = ws.inflow[arcs.inflow_begin + ws.in_used[i]].first;
                    deliveries.push_back({sku, ws.outflow[arcs.outflow_begin + ws.out_used[j]].first, route.route, route.via,
                                          units, 0, world.skus[static_cast<std::size_t>(sku)].price_usd * route.markup});
                }
    }
}

}  // namespace polarity::model::detail
