// The priority fill (docs/model.md, "Market clearing"), the default mechanism: every demand
// tranche of every lab bids at its cheapest offer that still has stock and route capacity; the
// cheapest bids are served first, bids of equal cost together, pro rata where they ask more of
// a SKU or route than is left; a bid cut short moves on to its next cheapest offer. Linear in
// labs up to a logarithm.

#include <algorithm>
#include <array>
#include <iterator>

#include "market_detail.hpp"

namespace polarity::model::detail {

namespace {

/// A lab's demand tranche bidding at one of its nation's offers.
struct Bid {
    std::int64_t key;        // offer cost + tranche × tranche step
    std::uint32_t tranche;   // lab * kTranches + tranche: whose, and the order of equal keys
    std::uint32_t offer;     // index into ClearingState::offers
};

/// The priority order of bids: cheaper first, equal keys by lab, then tranche.
bool earlier(const Bid& a, const Bid& b) { return a.key != b.key ? a.key < b.key : a.tranche < b.tranche; }
bool by_tranche(const Bid& a, const Bid& b) { return a.tranche < b.tranche; }

/// The constraints a bid draws on (indices into PriorityFillWorkspace::units_left): its SKU's
/// stock, its shared route's capacity, the lab's allowance at the hub.
struct BidConstraints {
    std::array<std::uint32_t, 3> index;
    std::uint8_t count;
};

/// Buffers of the priority fill, kept per thread (see ClearingState).
struct PriorityFillWorkspace {
    std::vector<int> lab_nation;                   // [lab]
    std::vector<char> nation_buys;                 // [nation] some lab has demand this round
    // Constraints, in one index space: SKU stocks [0, skus), shared-route capacities
    // [skus, skus + shared), labs' hub allowances (skus + shared + lab * hubs + hub slot).
    std::vector<std::int64_t> units_left, units_asked;
    std::vector<std::int64_t> tranche_units_left;  // [lab * kTranches + tranche]
    // The queue of bids, cheapest first, in two sorted lists: every tranche's first bid, sorted
    // once (most are served there), and the bids that moved on, into which each batch's movers
    // are merged.
    std::vector<Bid> first_bids, moved_bids, fresh_bids, merged_bids;
    std::vector<Bid> sort_scratch;
    std::vector<std::uint32_t> radix_counts;
    // The batch being served: bids of one key.
    std::vector<Bid> batch;
    std::vector<BidConstraints> batch_constraints;
    std::vector<std::int64_t> granted_units;
};

PriorityFillWorkspace& workspace() {
    thread_local PriorityFillWorkspace ws;
    return ws;
}

/// Sorts bids by (key, tranche). Many bids (a world's first bids) go through a radix sort on
/// the key, stable, so bids generated in tranche order come out in (key, tranche) order: linear
/// where a comparison sort spent 14 % of a world-scale month. Few go through std::sort.
void sort_bids(std::vector<Bid>& bids, std::vector<Bid>& scratch, std::vector<std::uint32_t>& counts) {
    bool in_tranche_order = true;
    std::int64_t max_key = 0;
    for (std::size_t i = 0; i < bids.size(); ++i) {
        if (bids[i].key < 0) in_tranche_order = false;  // (costs are never negative; be safe)
        max_key = std::max(max_key, bids[i].key);
        if (i > 0 && bids[i].tranche <= bids[i - 1].tranche) in_tranche_order = false;
    }
    if (bids.size() < 256 || !in_tranche_order) {
        std::sort(bids.begin(), bids.end(), earlier);
        return;
    }
    constexpr int kBits = 11;
    constexpr std::uint64_t kMask = (std::uint64_t{1} << kBits) - 1;
    scratch.resize(bids.size());
    for (int shift = 0; shift < 64 && (static_cast<std::uint64_t>(max_key) >> shift) != 0; shift += kBits) {
        const auto digit = [&](const Bid& b) { return (static_cast<std::uint64_t>(b.key) >> shift) & kMask; };
        counts.assign(kMask + 2, 0);
        for (const Bid& b : bids) ++counts[digit(b) + 1];
        for (std::size_t d = 0; d <= kMask; ++d) counts[d + 1] += counts[d];
        for (const Bid& b : bids) scratch[counts[digit(b)]++] = b;
        bids.swap(scratch);
    }
}

/// One round of the fill over the offers and demand in `state`.
class PriorityFill {
public:
    PriorityFill(const World& world, ClearingState& state, PriorityFillWorkspace& ws)
        : world_(world), state_(state), ws_(ws), skus_(world.skus.size()), labs_(world.labs.size()),
          shared_(state.shared.size()), hubs_(state.hubs.size()), hub_base_(skus_ + shared_) {}

    void run() {
        sort_offers();
        open_constraints();
        queue_first_bids();
        std::size_t next_first = 0, next_moved = 0;
        const auto& first = ws_.first_bids;
        const auto& moved = ws_.moved_bids;
        while (next_first < first.size() || next_moved < moved.size()) {
            take_batch(next_first, next_moved);
            grant_batch();
            deliver_batch_and_move_on();
            if (!ws_.fresh_bids.empty()) {
                merge_fresh_bids(next_moved);
                next_moved = 0;
            }
        }
    }

private:
    /// Each buying nation's offers, cheapest first; equal costs keep their weighing order.
    /// (Sorted in place once a month; round two sorts only nations round one did not.)
    void sort_offers() {
        const std::size_t nations = world_.nations.size();
        ws_.lab_nation.resize(labs_);
        ws_.nation_buys.assign(nations, 0);
        for (std::size_t l = 0; l < labs_; ++l) {
            ws_.lab_nation[l] = world_.labs[l].nation;
            if (state_.demand_units[l] > 0) ws_.nation_buys[static_cast<std::size_t>(ws_.lab_nation[l])] = 1;
        }
        auto& offers = state_.offers;
        for (std::size_t n = 0; n < nations; ++n)
            if (ws_.nation_buys[n] && !state_.offers_sorted[n]) {
                std::sort(offers.begin() + static_cast<std::ptrdiff_t>(state_.offers_start[n]),
                          offers.begin() + static_cast<std::ptrdiff_t>(state_.offers_start[n + 1]),
                          [](const Offer& a, const Offer& b) {
                              return a.cost != b.cost ? a.cost < b.cost : a.weighing_order < b.weighing_order;
                          });
                state_.offers_sorted[n] = 1;
            }
    }

    /// What is left to sell and to buy in this round.
    void open_constraints() {
        auto& left = ws_.units_left;
        left.resize(hub_base_ + labs_ * hubs_);
        std::copy(state_.stock_units.begin(), state_.stock_units.end(), left.begin());
        for (std::size_t k = 0; k < shared_; ++k) left[skus_ + k] = *state_.shared[k].units_left;
        ws_.tranche_units_left.assign(labs_ * kTranches, 0);
        for (std::size_t l = 0; l < labs_; ++l) {
            const std::int64_t demand = state_.demand_units[l];
            const std::int64_t allowance = demand > 0 ? hub_allowance_units(world_.labs[l], demand) : 0;
            std::fill_n(left.begin() + static_cast<std::ptrdiff_t>(hub_base_ + l * hubs_), hubs_, allowance);
            if (demand > 0)
                for (int k = 0; k < kTranches; ++k)
                    ws_.tranche_units_left[l * kTranches + static_cast<std::size_t>(k)] = tranche_units(demand, k);
        }
        ws_.units_asked.assign(left.size(), 0);
    }

    BidConstraints constraints_of(std::size_t lab, const Offer& offer) const {
        BidConstraints c{};
        c.index[c.count++] = static_cast<std::uint32_t>(offer.sku);
        if (offer.shared_route >= 0)
            c.index[c.count++] = static_cast<std::uint32_t>(skus_ + static_cast<std::size_t>(offer.shared_route));
        if (offer.hub_slot >= 0)
            c.index[c.count++] = static_cast<std::uint32_t>(hub_base_ + lab * hubs_ + static_cast<std::size_t>(offer.hub_slot));
        return c;
    }

    bool open(std::size_t lab, const Offer& offer) const {
        const auto& left = ws_.units_left;
        if (left[static_cast<std::size_t>(offer.sku)] <= 0) return false;
        if (offer.shared_route < 0) return true;
        if (left[skus_ + static_cast<std::size_t>(offer.shared_route)] <= 0) return false;
        return offer.hub_slot < 0 || left[hub_base_ + lab * hubs_ + static_cast<std::size_t>(offer.hub_slot)] > 0;
    }

    /// A tranche's bid at its first open offer from index `from` of its nation's, if any.
    void bid_from(std::uint32_t tranche, std::size_t from, std::vector<Bid>& into) const {
        const std::size_t lab = tranche / kTranches;
        const auto nation = static_cast<std::size_t>(ws_.lab_nation[lab]);
        const std::int64_t step = static_cast<std::int64_t>(tranche % kTranches) * state_.tranche_step;
        for (std::size_t i = from; i < state_.offers_start[nation + 1]; ++i)
            if (open(lab, state_.offers[i])) {
                into.push_back({state_.offers[i].cost + step, tranche, static_cast<std::uint32_t>(i)});
                return;
            }
    }

    void queue_first_bids() {
        ws_.first_bids.clear();
        ws_.moved_bids.clear();
        for (std::size_t l = 0; l < labs_; ++l)
            for (std::size_t k = 0; k < kTranches; ++k)
                if (ws_.tranche_units_left[l * kTranches + k] > 0)
                    bid_from(static_cast<std::uint32_t>(l * kTranches + k),
                             state_.offers_start[static_cast<std::size_t>(ws_.lab_nation[l])], ws_.first_bids);
        sort_bids(ws_.first_bids, ws_.sort_scratch, ws_.radix_counts);
    }

    /// The batch: every bid at the lowest key, in tranche order.
    void take_batch(std::size_t& next_first, std::size_t& next_moved) {
        const auto& first = ws_.first_bids;
        const auto& moved = ws_.moved_bids;
        auto& batch = ws_.batch;
        batch.clear();
        std::int64_t key = next_first < first.size() ? first[next_first].key : moved[next_moved].key;
        if (next_moved < moved.size()) key = std::min(key, moved[next_moved].key);
        while (next_first < first.size() && first[next_first].key == key) batch.push_back(first[next_first++]);
        const std::size_t from_first = batch.size();
        while (next_moved < moved.size() && moved[next_moved].key == key) batch.push_back(moved[next_moved++]);
        if (from_first > 0 && batch.size() > from_first) {  // two runs, each in tranche order
            const auto mid = batch.begin() + static_cast<std::ptrdiff_t>(from_first);
            ws_.merged_bids.clear();
            std::merge(batch.begin(), mid, mid, batch.end(), std::back_inserter(ws_.merged_bids), by_tranche);
            batch.swap(ws_.merged_bids);
        }
    }

    /// Pro rata: each bid gets its ask scaled by the tightest of its constraints, rounded down,
    /// so no constraint is overdrawn; the rounding crumbs then go in batch order to each bid as
    /// far as its constraints still allow.
    void grant_batch() {
        const auto& batch = ws_.batch;
        auto& constraints = ws_.batch_constraints;
        auto& granted = ws_.granted_units;
        auto& left = ws_.units_left;
        auto& asked = ws_.units_asked;
        auto& tranche_left = ws_.tranche_units_left;
        const std::size_t size = batch.size();
        constraints.resize(size);
        granted.resize(size);
        for (std::size_t i = 0; i < size; ++i) {
            constraints[i] = constraints_of(batch[i].tranche / kTranches, state_.offers[batch[i].offer]);
            const std::int64_t ask = tranche_left[batch[i].tranche];
            for (std::uint8_t c = 0; c < constraints[i].count; ++c) asked[constraints[i].index[c]] += ask;
        }
        // (Products of chip counts stay far below 2^63.)
        bool short_somewhere = false;
        for (std::size_t i = 0; i < size; ++i) {
            const std::int64_t ask = tranche_left[batch[i].tranche];
            std::int64_t grant = ask;
            for (std::uint8_t c = 0; c < constraints[i].count; ++c) {
                const std::uint32_t at = constraints[i].index[c];
                if (asked[at] > left[at]) {
                    grant = std::min(grant, static_cast<std::int64_t>(static_cast<long double>(ask) * left[at] / asked[at]));
                    short_somewhere = true;
                }
            }
            granted[i] = grant;
        }
        for (std::size_t i = 0; i < size; ++i) {
            for (std::uint8_t c = 0; c < constraints[i].count; ++c) {
                asked[constraints[i].index[c]] = 0;
                left[constraints[i].index[c]] -= granted[i];
            }
            tranche_left[batch[i].tranche] -= granted[i];
        }
        if (!short_somewhere) return;
        for (std::size_t i = 0; i < size; ++i) {
            std::int64_t more = tranche_left[batch[i].tranche];
            for (std::uint8_t c = 0; c < constraints[i].count; ++c) more = std::min(more, left[constraints[i].index[c]]);
            if (more <= 0) continue;
            for (std::uint8_t c = 0; c < constraints[i].count; ++c) left[constraints[i].index[c]] -= more;
            tranche_left[batch[i].tranche] -= more;
            granted[i] += more;
        }
    }

    /// Deliveries, then bids cut short move on: one of their constraints is now exhausted.
    void deliver_batch_and_move_on() {
        ws_.fresh_bids.clear();
        for (std::size_t i = 0; i < ws_.batch.size(); ++i) {
            const Bid& bid = ws_.batch[i];
            const Offer& offer = state_.offers[bid.offer];
            if (ws_.granted_units[i] > 0)
                state_.round_deliveries.push_back({offer.sku, static_cast<int>(bid.tranche / kTranches), offer.route,
                                                   offer.via, ws_.granted_units[i], 0, offer.price_usd});
            if (ws_.tranche_units_left[bid.tranche] > 0) bid_from(bid.tranche, bid.offer + 1, ws_.fresh_bids);
        }
    }

    void merge_fresh_bids(std::size_t next_moved) {
        auto& fresh = ws_.fresh_bids;
        auto& moved = ws_.moved_bids;
        std::sort(fresh.begin(), fresh.end(), earlier);
        ws_.merged_bids.clear();
        std::merge(moved.begin() + static_cast<std::ptrdiff_t>(next_moved), moved.end(), fresh.begin(), fresh.end(),
                   std::back_inserter(ws_.merged_bids), earlier);
        moved.swap(ws_.merged_bids);
    }

    const World& world_;
    ClearingState& state_;
    PriorityFillWorkspace& ws_;
    const std::size_t skus_, labs_, shared_, hubs_;
    const std::size_t hub_base_;  // first hub-allowance constraint
};

}  // namespace

void fill_by_priority(const World& world, ClearingState& state) {
    PriorityFill(world, state, workspace()).run();
}

}  // namespace polarity::model::detail
