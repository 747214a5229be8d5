#include "polarity/model/market.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iterator>

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

/// One way the labs of a nation can buy a SKU this round, at its cost per H100e of value (the
/// flow network's arc cost): straight from the supplier or through shared node `node`.
struct Option {
    std::int64_t cost;
    double price_usd;     // per chip on this route (SKU price x mark-up)
    double value_cost;    // price_usd / value_h100e, unrounded: what demand weighs
    int sku;
    int node;             // index into the round's shared nodes; -1 for the direct route
    int via;              // the shared node's via (Delivery::via); -1 for the direct route
    int gray_slot;        // position of the hub among the round's gray nodes; -1 if not gray
    Route route;
    std::uint32_t order;  // position in weighing order (SKU order; direct, licences, hubs, clouds)
};

/// A nation's best-value option for labs that do (gray = 1) or do not (0) buy on the gray market.
struct BestOffer {
    double cost = 0;   // USD per H100e of value
    double price = 0;  // USD per chip; 0: nothing on offer
    std::uint32_t order = 0;
};

/// A lab's demand tranche bidding at one of its options: what the priority fill queues.
struct Bid {
    std::int64_t key;     // option cost + tranche * tranche step
    std::uint32_t slot;   // lab * kTranches + tranche: the tranche, and the order of equal keys
    std::uint32_t option; // index into the round's options
};

/// The priority order of bids: cheaper first, equal keys by lab, then tranche.
bool earlier(const Bid& a, const Bid& b) { return a.key != b.key ? a.key < b.key : a.slot < b.slot; }

/// Whether `o` is a better offer than `best` (none yet: price 0): cheaper per H100e of value,
/// and of equal costs the first in weighing order.
bool better_offer(const Option& o, const BestOffer& best) {
    return best.price == 0 || o.value_cost < best.cost || (o.value_cost == best.cost && o.order < best.order);
}

/// Route of a direct arc from a SKU to a nation's labs.
enum class Direct : char { none, domestic, legal };

/// Buffers of one clearing, kept per thread so that months and runs reuse their capacity
/// instead of allocating (clear_market is not re-entered on a thread: it starts no parallel
/// work). Every buffer is fully rewritten before it is read, so nothing carries over.
struct Workspace {
    detail::TradeNetwork net;
    std::vector<std::int64_t> inventory, licence_cap, hub_cap, remote_cap, demand, unit_cost;
    std::vector<double> budget, hub_markup, ref_price;
    std::vector<char> restricted, takes;
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
    // Offers of the round, per nation.
    std::vector<BestOffer> best;                       // [nation * 2 + gray]
    std::vector<char> nation_reach;                    // [(nation * 2 + gray) * nsku + sku], all rounds
    // Priority fill.
    std::vector<Option> options;                       // per nation; sorted cheapest first by the fill
    std::vector<std::size_t> options_start;            // [nation] .. [nation + 1]
    std::vector<Bid> bids, moved_bids, fresh_bids, merged_bids, batch;
    std::vector<std::int64_t> tranche_left;            // [lab * kTranches + tranche]
    // Constraints, in one index space: SKU stocks [0, nsku), shared-node capacities
    // [nsku, nsku + nshared), labs' hub allowances (lab * gray nodes + gray slot) after those.
    std::vector<std::int64_t> left, asked;
    std::vector<std::array<std::uint32_t, 3>> bid_constraints;  // of each bid of a batch
    std::vector<std::uint8_t> bid_nconstraints;
    std::vector<std::int64_t> granted;
    std::vector<int> gray_slot;                         // [shared node] position in gray_nodes, or -1
    std::vector<char> nation_buys;                      // [nation] some lab has demand this round
    std::vector<char> nation_sorted;                    // [nation] its options are sorted (this month)
    std::vector<Bid> bid_scratch;
    std::vector<std::uint32_t> bid_counts;
    std::vector<int> lab_nation;
    // Merging the rounds' deliveries.
    std::vector<std::uint32_t> merge_order, merge_scratch;
    std::vector<std::size_t> merge_count;
};

Workspace& workspace() {
    thread_local Workspace ws;
    return ws;
}

/// Whether a lab looks to the gray market: it takes risks and its nation is controlled.
bool buys_gray(const Workspace& ws, const LabState& lab) {
    return lab.spec->risk_appetite > 0 && ws.restricted[static_cast<std::size_t>(lab.nation)];
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

/// Cost of SKU `s` on a route with mark-up `markup`, in USD per H100e of value: the arc cost of
/// the flow network and the priority of a bid.
std::int64_t unit_cost(const World& w, std::size_t s, double markup) {
    return std::llround(w.skus[s].price_usd * markup / w.skus[s].value_h100e);
}

/// Tranche capacities of a lab's demand: four equal quarters, the remainder in the last.
std::int64_t tranche_size(std::int64_t demand, int k) {
    return k + 1 == kTranches ? demand - (kTranches - 1) * (demand / kTranches) : demand / kTranches;
}

/// Sorts bids by (key, slot). Many bids (a world's first bids) go through a radix sort on the
/// key, stable, so bids generated in slot order come out in (key, slot) order: linear where a
/// comparison sort spent 14 % of a world-scale month. Few go through std::sort. Same order.
void sort_bids(std::vector<Bid>& bids, std::vector<Bid>& scratch, std::vector<std::uint32_t>& counts) {
    bool in_slot_order = true;
    std::int64_t max_key = 0;
    for (std::size_t i = 0; i < bids.size(); ++i) {
        if (bids[i].key < 0) in_slot_order = false;  // (costs are never negative; be safe)
        max_key = std::max(max_key, bids[i].key);
        if (i > 0 && bids[i].slot <= bids[i - 1].slot) in_slot_order = false;
    }
    if (bids.size() < 256 || !in_slot_order) {
        std::sort(bids.begin(), bids.end(), earlier);
        return;
    }
    constexpr int kBits = 11;
    constexpr std::uint64_t kMask = (std::uint64_t{1} << kBits) - 1;
    scratch.resize(bids.size());
    for (int shift = 0; shift < 64 && (static_cast<std::uint64_t>(max_key) >> shift) != 0; shift += kBits) {
        counts.assign(kMask + 2, 0);
        for (const Bid& b : bids) ++counts[((static_cast<std::uint64_t>(b.key) >> shift) & kMask) + 1];
        for (std::size_t d = 0; d <= kMask; ++d) counts[d + 1] += counts[d];
        for (const Bid& b : bids) scratch[counts[(static_cast<std::uint64_t>(b.key) >> shift) & kMask]++] = b;
        bids.swap(scratch);
    }
}

/// The round's offers: for each nation with labs, every (SKU, route) its labs can buy from, in
/// weighing order (SKU order; for each SKU the direct route, then shared nodes in node order:
/// licences, hubs, clouds), into ws.options; the best value for its labs with and without
/// gray-market access (the first strictly cheapest); and which SKUs they reach.
void gather_offers(const World& w, Workspace& ws) {
    const std::size_t nsku = w.skus.size(), nnat = w.nations.size();
    const auto& shared = ws.shared;
    auto& options = ws.options;
    auto& start = ws.options_start;
    options.clear();
    start.assign(nnat + 1, 0);
    ws.nation_sorted.assign(nnat, 0);
    ws.best.assign(2 * nnat, BestOffer{});
    for (std::size_t n = 0; n < nnat; ++n) {
        start[n] = options.size();
        if (w.nations[n].labs.empty()) continue;
        BestOffer* best = &ws.best[2 * n];
        char* reach = &ws.nation_reach[2 * n * nsku];
        for (std::size_t s = 0; s < nsku; ++s) {
            if (ws.inventory[s] <= 0) continue;
            const auto add = [&](int k, Route route) {
                const double markup = k < 0 ? 1.0 : shared[static_cast<std::size_t>(k)].markup;
                const double price = w.skus[s].price_usd * markup;
                options.push_back({unit_cost(w, s, markup), price, price / w.skus[s].value_h100e, static_cast<int>(s), k,
                                   k < 0 ? -1 : shared[static_cast<std::size_t>(k)].via,
                                   k < 0 ? -1 : ws.gray_slot[static_cast<std::size_t>(k)], route,
                                   static_cast<std::uint32_t>(options.size() - start[n])});
                const Option& o = options.back();
                for (int gray = route == Route::gray ? 1 : 0; gray < 2; ++gray) {
                    reach[static_cast<std::size_t>(gray) * nsku + s] = 1;
                    if (better_offer(o, best[gray])) best[gray] = {o.value_cost, o.price_usd, o.order};
                }
            };
            if (const Direct d = ws.direct_route[n * nsku + s]; d != Direct::none)
                add(-1, d == Direct::domestic ? Route::domestic : Route::legal);
            for (const int k : ws.licensed_for[n])
                if (ws.takes[static_cast<std::size_t>(k) * nsku + s]) add(k, Route::licensed);
            if (ws.restricted[n])
                for (const int k : ws.gray_nodes)
                    if (shared[static_cast<std::size_t>(k)].via != static_cast<int>(n) &&
                        ws.takes[static_cast<std::size_t>(k) * nsku + s])
                        add(k, Route::gray);
            for (const int k : ws.remote_for[n])
                if (ws.takes[static_cast<std::size_t>(k) * nsku + s]) add(k, Route::remote);
        }
    }
    start[nnat] = options.size();
}

/// Round two of the priority fill: the best values among round one's offers that are still
/// open (stock and route capacity left), equal to what gather_offers would find anew: the
/// cheapest, and of equal costs the first in weighing order.
void refresh_best_offers(const World& w, Workspace& ws) {
    const std::size_t nnat = w.nations.size();
    ws.best.assign(2 * nnat, BestOffer{});
    for (std::size_t n = 0; n < nnat; ++n) {
        BestOffer* best = &ws.best[2 * n];
        for (std::size_t i = ws.options_start[n]; i < ws.options_start[n + 1]; ++i) {
            const Option& o = ws.options[i];
            if (ws.inventory[static_cast<std::size_t>(o.sku)] <= 0) continue;
            if (o.node >= 0 && *ws.shared[static_cast<std::size_t>(o.node)].capacity <= 0) continue;
            for (int gray = o.route == Route::gray ? 1 : 0; gray < 2; ++gray) {
                if (better_offer(o, best[gray])) best[gray] = {o.value_cost, o.price_usd, o.order};
            }
        }
    }
}

/// The priority fill (docs/model.md, "Market clearing"): every lab tranche bids at its cheapest
/// option that still has stock and route capacity; the cheapest bids are served first, bids of
/// equal cost together, pro rata where they ask more of a SKU or route than is left; a bid cut
/// short moves on to its next cheapest option. Appends one delivery per served bid to ws.got.
void fill_by_priority(const World& w, Workspace& ws, std::int64_t tranche_step) {
    const std::size_t nsku = w.skus.size(), nlab = w.labs.size(), nnat = w.nations.size();
    const std::size_t nshared = ws.shared.size();
    const std::size_t ngray = ws.gray_nodes.size();
    const auto& demand = ws.demand;

    // Each buying nation's options, cheapest first; equal costs keep their weighing order.
    auto& options = ws.options;
    const auto& start = ws.options_start;
    auto& lab_nation = ws.lab_nation;
    lab_nation.resize(nlab);
    auto& wants = ws.nation_buys;
    wants.assign(nnat, 0);
    for (std::size_t l = 0; l < nlab; ++l) {
        lab_nation[l] = w.labs[l].nation;
        if (demand[l] > 0) wants[static_cast<std::size_t>(lab_nation[l])] = 1;
    }
    // (Sorted in place once a month; round two sorts only nations round one did not.)
    auto& sorted = ws.nation_sorted;
    for (std::size_t n = 0; n < nnat; ++n)
        if (wants[n] && !sorted[n]) {
            std::sort(options.begin() + static_cast<std::ptrdiff_t>(start[n]),
                      options.begin() + static_cast<std::ptrdiff_t>(start[n + 1]),
                      [](const Option& a, const Option& b) { return a.cost != b.cost ? a.cost < b.cost : a.order < b.order; });
            sorted[n] = 1;
        }

    // What is left to sell and to buy, in this round.
    const std::size_t gray_base = nsku + nshared;
    auto& left = ws.left;
    left.resize(gray_base + nlab * ngray);
    std::copy(ws.inventory.begin(), ws.inventory.end(), left.begin());
    for (std::size_t k = 0; k < nshared; ++k) left[nsku + k] = *ws.shared[k].capacity;
    auto& tranche_left = ws.tranche_left;
    tranche_left.assign(nlab * kTranches, 0);
    for (std::size_t l = 0; l < nlab; ++l) {
        // A lab takes at most risk_appetite x demand through each hub.
        const auto gray_cap = demand[l] > 0
            ? static_cast<std::int64_t>(std::floor(w.labs[l].spec->risk_appetite * demand[l])) : 0;
        std::fill_n(left.begin() + static_cast<std::ptrdiff_t>(gray_base + l * ngray), ngray, gray_cap);
        if (demand[l] > 0)
            for (int k = 0; k < kTranches; ++k) tranche_left[l * kTranches + static_cast<std::size_t>(k)] = tranche_size(demand[l], k);
    }
    auto& asked = ws.asked;
    asked.assign(left.size(), 0);

    // The constraints a lab's purchase through option o draws on.
    const auto constraints_of = [&](std::size_t lab, const Option& o, std::array<std::uint32_t, 3>& c) {
        std::uint8_t n = 0;
        c[n++] = static_cast<std::uint32_t>(o.sku);
        if (o.node >= 0) c[n++] = static_cast<std::uint32_t>(nsku + static_cast<std::size_t>(o.node));
        if (o.gray_slot >= 0) c[n++] = static_cast<std::uint32_t>(gray_base + lab * ngray + static_cast<std::size_t>(o.gray_slot));
        return n;
    };
    const auto open = [&](std::size_t lab, const Option& o) {
        if (left[static_cast<std::size_t>(o.sku)] <= 0) return false;
        if (o.node < 0) return true;
        if (left[nsku + static_cast<std::size_t>(o.node)] <= 0) return false;
        return o.gray_slot < 0 || left[gray_base + lab * ngray + static_cast<std::size_t>(o.gray_slot)] > 0;
    };
    // A tranche's bid at its first open option from index `from` of its nation's, if any.
    const auto bid_from = [&](std::uint32_t slot, std::size_t from, std::vector<Bid>& into) {
        const std::size_t lab = slot / kTranches;
        const auto n = static_cast<std::size_t>(lab_nation[lab]);
        const std::int64_t step = static_cast<std::int64_t>(slot % kTranches) * tranche_step;
        for (std::size_t i = from; i < start[n + 1]; ++i)
            if (open(lab, options[i])) {
                into.push_back({options[i].cost + step, slot, static_cast<std::uint32_t>(i)});
                return true;
            }
        return false;
    };
    // The queue of bids, cheapest first, in two sorted lists: the first bids of all tranches,
    // sorted once (most are served there), and the bids that moved on, into which each batch's
    // movers are merged.
    auto& first = ws.bids;
    auto& moved = ws.moved_bids;
    auto& fresh = ws.fresh_bids;
    auto& merged = ws.merged_bids;
    first.clear();
    moved.clear();
    std::size_t moved_next = 0;
    for (std::size_t l = 0; l < nlab; ++l)
        for (std::size_t k = 0; k < kTranches; ++k)
            if (tranche_left[l * kTranches + k] > 0)
                bid_from(static_cast<std::uint32_t>(l * kTranches + k), start[static_cast<std::size_t>(lab_nation[l])], first);
    sort_bids(first, ws.bid_scratch, ws.bid_counts);
    std::size_t next = 0;

    auto& batch = ws.batch;
    auto& granted = ws.granted;
    auto& cons = ws.bid_constraints;
    auto& ncons = ws.bid_nconstraints;
    while (next < first.size() || moved_next < moved.size()) {
        // The batch: every bid at the lowest cost, in (lab, tranche) order.
        batch.clear();
        std::int64_t key = next < first.size() ? first[next].key : moved[moved_next].key;
        if (moved_next < moved.size()) key = std::min(key, moved[moved_next].key);
        while (next < first.size() && first[next].key == key) batch.push_back(first[next++]);
        const std::size_t from_first = batch.size();
        while (moved_next < moved.size() && moved[moved_next].key == key) batch.push_back(moved[moved_next++]);
        if (from_first > 0 && batch.size() > from_first) {  // two runs, each in slot order
            const auto mid = batch.begin() + static_cast<std::ptrdiff_t>(from_first);
            merged.clear();
            std::merge(batch.begin(), mid, mid, batch.end(), std::back_inserter(merged),
                       [](const Bid& a, const Bid& b) { return a.slot < b.slot; });
            batch.swap(merged);
        }
        const std::size_t nb = batch.size();
        cons.resize(nb);
        ncons.resize(nb);
        granted.resize(nb);
        // What the batch asks of each constraint.
        for (std::size_t i = 0; i < nb; ++i) {
            ncons[i] = constraints_of(batch[i].slot / kTranches, options[batch[i].option], cons[i]);
            const std::int64_t ask = tranche_left[batch[i].slot];
            for (std::uint8_t c = 0; c < ncons[i]; ++c) asked[cons[i][c]] += ask;
        }
        // Pro rata: each bid gets its ask scaled by the tightest of its constraints, rounded
        // down, so no constraint is overdrawn. (Products of chip counts stay far below 2^63.)
        bool short_somewhere = false;
        for (std::size_t i = 0; i < nb; ++i) {
            const std::int64_t ask = tranche_left[batch[i].slot];
            std::int64_t g = ask;
            for (std::uint8_t c = 0; c < ncons[i]; ++c) {
                const std::int64_t a = asked[cons[i][c]], l = left[cons[i][c]];
                if (a > l) {
                    g = std::min(g, static_cast<std::int64_t>(static_cast<long double>(ask) * l / a));
                    short_somewhere = true;
                }
            }
            granted[i] = g;
        }
        for (std::size_t i = 0; i < nb; ++i) {
            for (std::uint8_t c = 0; c < ncons[i]; ++c) {
                asked[cons[i][c]] = 0;
                left[cons[i][c]] -= granted[i];
            }
            tranche_left[batch[i].slot] -= granted[i];
        }
        // Rounding crumbs, in batch order: each bid takes what its constraints still allow.
        if (short_somewhere)
            for (std::size_t i = 0; i < nb; ++i) {
                std::int64_t more = tranche_left[batch[i].slot];
                for (std::uint8_t c = 0; c < ncons[i]; ++c) more = std::min(more, left[cons[i][c]]);
                if (more <= 0) continue;
                for (std::uint8_t c = 0; c < ncons[i]; ++c) left[cons[i][c]] -= more;
                tranche_left[batch[i].slot] -= more;
                granted[i] += more;
            }
        // Deliveries, then bids cut short move on: one of their constraints is now exhausted.
        fresh.clear();
        for (std::size_t i = 0; i < nb; ++i) {
            const Bid& b = batch[i];
            const Option& o = options[b.option];
            if (granted[i] > 0)
                ws.got.push_back({o.sku, static_cast<int>(b.slot / kTranches), o.route, o.via, granted[i], 0, o.price_usd});
            if (tranche_left[b.slot] > 0) bid_from(b.slot, b.option + 1, fresh);
        }
        if (!fresh.empty()) {
            std::sort(fresh.begin(), fresh.end(), earlier);
            merged.clear();
            std::merge(moved.begin() + static_cast<std::ptrdiff_t>(moved_next), moved.end(), fresh.begin(), fresh.end(),
                       std::back_inserter(merged), earlier);
            moved.swap(merged);
            moved_next = 0;
        }
    }
}

/// The min-cost max-flow allocation: the round's network solved by Boost.Graph's successive
/// shortest paths; flow through a shared node is split into (SKU, lab) pairs by decompose().
/// Appends the deliveries to ws.got.
void fill_by_min_cost_flow(const World& w, Workspace& ws, std::int64_t tranche_step) {
    const std::size_t nsku = w.skus.size(), nlab = w.labs.size();
    const auto& inventory = ws.inventory;
    const auto& demand = ws.demand;
    const auto& direct_route = ws.direct_route;
    const auto& direct_cost = ws.unit_cost;
    const auto& takes = ws.takes;
    auto& shared = ws.shared;
    auto& got = ws.got;
    const auto gray_serves = [&](const SharedNode& sn, const LabState& l) {
        return l.nation != sn.via && buys_gray(ws, l);
    };
    const std::size_t nshared = shared.size();
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
        for (int k = 0; k < kTranches; ++k)
            if (const std::int64_t cap = tranche_size(demand[l], k); cap > 0)
                net.add_arc(lab_node(l), sink, cap, k * tranche_step);
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
                                    net.add_arc(sku_node(s), sn.in, inventory[s], unit_cost(w, s, sn.markup)));
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

    // A compliant variant is made for restricted markets: it is sold only where its parent may
    // not be (not at home, not where the parent is allowed), so buyers who can have the parent
    // do not crowd the variant's real market out.
    const auto sold_in = [&](std::size_t s, std::size_t n) {
        const int parent = w.skus[s].parent;
        if (parent < 0) return true;
        const int home = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)].nation;
        return home != static_cast<int>(n) && g.at(parent, static_cast<int>(n)).access != Access::allow;
    };

    // Direct routes (domestic, or legal where access is allow), the same for every lab of a nation.
    auto& direct_route = ws.direct_route;
    direct_route.assign(nnat * nsku, Direct::none);
    for (std::size_t s = 0; s < nsku; ++s) {
        const int home = w.suppliers[static_cast<std::size_t>(w.skus[s].supplier)].nation;
        for (std::size_t n = 0; n < nnat; ++n) {
            if (!sold_in(s, n)) continue;
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
            if (w.nations[n].labs.empty()) continue;  // nobody to hold the licence
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

    auto& direct_cost = ws.unit_cost;
    direct_cost.resize(nsku);
    for (std::size_t s = 0; s < nsku; ++s) direct_cost[s] = unit_cost(w, s, 1.0);

    auto& all = ws.all;
    all.clear();
    auto& ref_price = ws.ref_price;
    ref_price.assign(nlab, 0.0);
    ws.nation_reach.assign(2 * nnat * nsku, 0);
    auto& shared = ws.shared;
    auto& takes = ws.takes;  // [shared node * nsku + sku]
    auto& demand = ws.demand;
    auto& licensed_for = ws.licensed_for;
    auto& remote_for = ws.remote_for;
    auto& gray_nodes = ws.gray_nodes;
    if (licensed_for.size() < nnat) licensed_for.resize(nnat);
    if (remote_for.size() < nnat) remote_for.resize(nnat);

    for (int round = 0; round < kRounds; ++round) {
        // Round two of the priority fill keeps round one's routes and offers: stock and route
        // capacity only fall between rounds, so the offers still open are a subset, in the same
        // order; only the best values are re-read. (Min-cost flow rebuilds its network.)
        const bool reuse_offers = round > 0 && mk.clearing == ClearingMechanism::priority;
        if (!reuse_offers) {
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
                            t = a.access == Access::license && a.rule == sn.via && sold_in(s, static_cast<std::size_t>(sn.nation));
                            break;
                        }
                        case Route::gray:
                            t = g.at(static_cast<int>(s), sn.via).access == Access::allow && sold_in(s, static_cast<std::size_t>(sn.via));
                            break;
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
            ws.gray_slot.assign(nshared, -1);
            for (std::size_t i = 0; i < gray_nodes.size(); ++i) ws.gray_slot[static_cast<std::size_t>(gray_nodes[i])] = static_cast<int>(i);
        }
        // Demand: each lab's budget in chips of its nation's best-value option (with the gray
        // market when the lab takes risks and its nation is controlled).
        if (reuse_offers) refresh_best_offers(w, ws);
        else gather_offers(w, ws);
        demand.assign(nlab, 0);
        for (std::size_t l = 0; l < nlab; ++l) {
            const LabState& lab = w.labs[l];
            const auto n = static_cast<std::size_t>(lab.nation);
            const double best_price = ws.best[2 * n + (buys_gray(ws, lab) ? 1 : 0)].price;
            if (best_price > 0) ref_price[l] = best_price;  // keep round one's when sold out
            if (best_price > 0 && budget[l] > 0)
                demand[l] = static_cast<std::int64_t>(std::floor(budget[l] / best_price));
        }

        auto& got = ws.got;
        got.clear();
        if (mk.clearing == ClearingMechanism::priority) fill_by_priority(w, ws, tranche_step);
        else fill_by_min_cost_flow(w, ws, tranche_step);

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

    // Merge the rounds: one delivery per (route, via, lab, sku), in that order. A radix sort
    // (stable counting passes on sku, lab, via, route), linear in deliveries; deliveries with the
    // same key have the same price within a month, so their order does not matter.
    auto& order = ws.merge_order;
    auto& scratch = ws.merge_scratch;
    auto& count = ws.merge_count;
    order.resize(all.size());
    scratch.resize(all.size());
    for (std::size_t i = 0; i < all.size(); ++i) order[i] = static_cast<std::uint32_t>(i);
    const auto pass = [&](std::size_t range, auto digit) {
        count.assign(range + 1, 0);
        for (const auto i : order) ++count[digit(all[i]) + 1];
        for (std::size_t k = 0; k < range; ++k) count[k + 1] += count[k];
        for (const auto i : order) scratch[count[digit(all[i])]++] = i;
        order.swap(scratch);
    };
    pass(nsku, [](const Delivery& d) { return static_cast<std::size_t>(d.sku); });
    pass(nlab, [](const Delivery& d) { return static_cast<std::size_t>(d.lab); });
    pass(std::max(nnat, nrule) + 1, [](const Delivery& d) { return static_cast<std::size_t>(d.via + 1); });
    pass(route_count, [](const Delivery& d) { return static_cast<std::size_t>(d.route); });
    ClearingResult res;
    for (const auto i : order) {
        const Delivery& d = all[i];
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
        const auto n = static_cast<std::size_t>(w.labs[l].nation);
        const char* lab_reach = &ws.nation_reach[(2 * n + (buys_gray(ws, w.labs[l]) ? 1 : 0)) * nsku];
        for (std::size_t s = 0; s < nsku; ++s)
            if (lab_reach[s]) res.unmet_units_by_sku[s] += unmet;
    }
    return res;
}

}  // namespace polarity::model
