// Settling a round: a lab whose deliveries cost more than its budget hands back its most
// expensive chips per unit of value; what remains leaves the SKUs' stock, the labs' budgets and
// the shared routes' capacities. At the month's end the rounds' deliveries are merged into one
// per (route, via, lab, SKU).

#include <algorithm>
#include <cmath>

#include "market_detail.hpp"

namespace polarity::model::detail {

namespace {

/// Buffers of settlement, kept per thread (see ClearingState).
struct SettlementWorkspace {
    // The round's deliveries lab by lab: by_lab[lab_start[l] .. lab_start[l + 1]), in delivery order.
    std::vector<std::size_t> lab_start, lab_fill, by_lab;
    // Merging the rounds.
    std::vector<std::uint32_t> merge_order, merge_scratch;
    std::vector<std::size_t> merge_count;
};

SettlementWorkspace& workspace() {
    thread_local SettlementWorkspace ws;
    return ws;
}

double value_cost(const World& world, const Delivery& d) {
    return d.unit_price_usd / world.skus[static_cast<std::size_t>(d.sku)].value_h100e;
}

}  // namespace

void hand_back_over_budget(const World& world, ClearingState& state) {
    SettlementWorkspace& ws = workspace();
    auto& got = state.round_deliveries;
    const std::size_t labs = world.labs.size();
    auto& start = ws.lab_start;
    auto& by_lab = ws.by_lab;
    start.assign(labs + 1, 0);
    for (const auto& d : got) ++start[static_cast<std::size_t>(d.lab) + 1];
    for (std::size_t l = 0; l < labs; ++l) start[l + 1] += start[l];
    by_lab.resize(got.size());
    ws.lab_fill.assign(start.begin(), start.end() - 1);
    for (std::size_t i = 0; i < got.size(); ++i) by_lab[ws.lab_fill[static_cast<std::size_t>(got[i].lab)]++] = i;
    for (std::size_t l = 0; l < labs; ++l) {
        const auto first = by_lab.begin() + static_cast<std::ptrdiff_t>(start[l]);
        const auto last = by_lab.begin() + static_cast<std::ptrdiff_t>(start[l + 1]);
        double spend_usd = 0;
        for (auto it = first; it != last; ++it) spend_usd += static_cast<double>(got[*it].units) * got[*it].unit_price_usd;
        double over_usd = spend_usd - state.budget_left_usd[l];
        if (over_usd <= 0) continue;
        std::stable_sort(first, last, [&](std::size_t a, std::size_t b) {
            return value_cost(world, got[a]) > value_cost(world, got[b]);
        });
        for (auto it = first; it != last && over_usd > 0; ++it) {
            Delivery& d = got[*it];
            const auto cut = std::min(d.units, static_cast<std::int64_t>(std::ceil(over_usd / d.unit_price_usd)));
            d.units -= cut;
            over_usd -= static_cast<double>(cut) * d.unit_price_usd;
        }
    }
}

void settle_round(const World& world, ClearingState& state) {
    const std::size_t nations = world.nations.size();
    for (const auto& d : state.round_deliveries) {
        if (d.units <= 0) continue;
        const auto via = static_cast<std::size_t>(d.via);
        state.stock_units[static_cast<std::size_t>(d.sku)] -= d.units;
        state.budget_left_usd[static_cast<std::size_t>(d.lab)] -= static_cast<double>(d.units) * d.unit_price_usd;
        const auto nation = static_cast<std::size_t>(world.labs[static_cast<std::size_t>(d.lab)].nation);
        if (d.route == Route::licensed) state.licence_units_left[via * nations + nation] -= d.units;
        if (d.route == Route::gray) state.hub_units_left[via] -= d.units;
        if (d.route == Route::remote) state.cloud_units_left[via] -= d.units;
        state.month_deliveries.push_back(d);
    }
}

std::vector<Delivery> merge_rounds(const World& world, const ClearingState& state) {
    // A radix sort (stable counting passes on SKU, lab, via, route), linear in deliveries.
    // Deliveries with the same key have the same price within a month, so their order does not
    // matter.
    SettlementWorkspace& ws = workspace();
    const auto& all = state.month_deliveries;
    const std::size_t vias = std::max(world.nations.size(), world.scenario->policy.rules.size()) + 1;
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
    pass(world.skus.size(), [](const Delivery& d) { return static_cast<std::size_t>(d.sku); });
    pass(world.labs.size(), [](const Delivery& d) { return static_cast<std::size_t>(d.lab); });
    pass(vias, [](const Delivery& d) { return static_cast<std::size_t>(d.via + 1); });
    pass(route_count, [](const Delivery& d) { return static_cast<std::size_t>(d.route); });
    std::vector<Delivery> merged;
    for (const auto i : order) {
        const Delivery& d = all[i];
        if (!merged.empty()) {
            Delivery& last = merged.back();
            if (last.route == d.route && last.via == d.via && last.lab == d.lab && last.sku == d.sku) {
                last.units += d.units;
                continue;
            }
        }
        merged.push_back(d);
    }
    return merged;
}

}  // namespace polarity::model::detail
