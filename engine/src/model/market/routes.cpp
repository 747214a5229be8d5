// Who may buy what where. Direct routes (domestic, or legal where access is allow) are the same
// for every lab of a nation. Shared routes are capacity-limited: a licence (rule × nation,
// approved in tenths of its quota), a hub (its capacity shrinks with enforcement) and a
// remote-access cloud; their capacities are drawn once a month and consumed across rounds.

#include <cmath>

#include "market_detail.hpp"
#include "polarity/core/random.hpp"

namespace polarity::model::detail {

namespace {

/// Whether SKU `sku` is sold in nation `nation`. A compliant variant is made for restricted
/// markets: it is sold only where its parent may not be (not at home, not where the parent is
/// allowed), so buyers who can have the parent do not crowd the variant's real market out.
bool sold_in(const World& world, const Regime& regime, std::size_t sku, std::size_t nation) {
    const int parent = world.skus[sku].parent;
    if (parent < 0) return true;
    const int home = world.suppliers[static_cast<std::size_t>(world.skus[sku].supplier)].nation;
    return home != static_cast<int>(nation) && regime.at(parent, static_cast<int>(nation)).access != Access::allow;
}

/// Licences approved this month: each in-force licence rule, per nation with labs to hold one,
/// grants the tenths of its quota that pass their approval draw.
void approve_licences(const World& world, const Regime& regime, ClearingState& state) {
    const Scenario& scenario = *world.scenario;
    const std::size_t nations = world.nations.size(), rules = scenario.policy.rules.size();
    state.licence_units_left.assign(rules * nations, 0);
    for (std::size_t r = 0; r < rules; ++r) {
        const ExportRule& rule = scenario.policy.rules[r];
        if (!regime.rule_in_force[r] || rule.action != RuleAction::license) continue;
        for (std::size_t n = 0; n < nations; ++n) {
            if (world.nations[n].labs.empty()) continue;  // nobody to hold the licence
            const std::uint64_t entity = r * nations + n;
            core::Stream rng(scenario.run.seed, scenario.run.run_index, core::Purpose::licence_approval,
                             static_cast<std::uint64_t>(world.month_index), entity);
            int approved = 0;
            for (int k = 0; k < kLicenceTranches; ++k) approved += rng.uniform01() <= rule.approval_rate;
            state.licence_units_left[entity] = static_cast<std::int64_t>(
                std::floor(rule.quota_units_per_month * approved / kLicenceTranches));
        }
    }
}

/// Whether shared route `shared` accepts SKU `sku`: a licence the SKUs its rule licenses for its
/// nation, a hub what it may buy legally, a cloud what its nation may not.
bool route_takes(const World& world, const Regime& regime, const SharedRoute& shared, std::size_t sku) {
    const int s = static_cast<int>(sku);
    switch (shared.route) {
        case Route::licensed: {
            const SkuAccess& access = regime.at(s, shared.nation);
            return access.access == Access::license && access.rule == shared.via &&
                   sold_in(world, regime, sku, static_cast<std::size_t>(shared.nation));
        }
        case Route::gray:
            return regime.at(s, shared.via).access == Access::allow &&
                   sold_in(world, regime, sku, static_cast<std::size_t>(shared.via));
        case Route::remote: return regime.at(s, shared.nation).access != Access::allow;
        default: return false;
    }
}

}  // namespace

void open_month_routes(const World& world, const Regime& regime, ClearingState& state) {
    const std::size_t skus = world.skus.size(), nations = world.nations.size();
    const MarketSettings& market = world.scenario->market;

    // Nations for which some SKU is controlled: their labs may look to hubs and clouds.
    state.restricted.assign(nations, 0);
    for (std::size_t s = 0; s < skus; ++s)
        for (std::size_t n = 0; n < nations; ++n)
            if (regime.at(static_cast<int>(s), static_cast<int>(n)).access != Access::allow) state.restricted[n] = 1;

    state.direct_route.assign(nations * skus, DirectRoute::none);
    for (std::size_t s = 0; s < skus; ++s) {
        const int home = world.suppliers[static_cast<std::size_t>(world.skus[s].supplier)].nation;
        for (std::size_t n = 0; n < nations; ++n) {
            if (!sold_in(world, regime, s, n)) continue;
            if (home == static_cast<int>(n)) state.direct_route[n * skus + s] = DirectRoute::domestic;
            else if (regime.at(static_cast<int>(s), static_cast<int>(n)).access == Access::allow)
                state.direct_route[n * skus + s] = DirectRoute::legal;
        }
    }

    approve_licences(world, regime, state);
    state.hub_units_left.assign(nations, 0);
    state.hub_markup.assign(nations, 0.0);
    for (const int hub : world.hubs) {
        const double enforcement = hub_enforcement(world, regime, hub);
        const auto h = static_cast<std::size_t>(hub);
        state.hub_units_left[h] = static_cast<std::int64_t>(
            std::floor(world.nations[h].spec->hub_capacity_units_per_month * (1.0 - enforcement)));
        state.hub_markup[h] = hub_markup(market, enforcement);
    }
    state.cloud_units_left.assign(nations, 0);
    if (regime.remote_open)
        for (std::size_t n = 0; n < nations; ++n)
            if (state.restricted[n]) state.cloud_units_left[n] = static_cast<std::int64_t>(std::floor(regime.remote_capacity_units));
}

void open_shared_routes(const World& world, const Regime& regime, ClearingState& state) {
    const std::size_t skus = world.skus.size(), nations = world.nations.size();
    const std::size_t rules = world.scenario->policy.rules.size();
    const double cloud_markup = 1.0 + world.scenario->market.remote_markup;
    auto& shared = state.shared;
    shared.clear();
    for (std::size_t r = 0; r < rules; ++r)
        for (std::size_t n = 0; n < nations; ++n)
            if (state.licence_units_left[r * nations + n] > 0 && !world.nations[n].labs.empty())
                shared.push_back({Route::licensed, static_cast<int>(r), static_cast<int>(n), 1.0,
                                  &state.licence_units_left[r * nations + n]});
    for (const int hub : world.hubs)
        if (const auto h = static_cast<std::size_t>(hub); state.hub_units_left[h] > 0)
            shared.push_back({Route::gray, hub, -1, state.hub_markup[h], &state.hub_units_left[h]});
    for (std::size_t n = 0; n < nations; ++n)
        if (state.cloud_units_left[n] > 0 && !world.nations[n].labs.empty())
            shared.push_back({Route::remote, static_cast<int>(n), static_cast<int>(n), cloud_markup,
                              &state.cloud_units_left[n]});

    // Which SKUs (with stock) each route accepts, and which labs it serves: licence and cloud
    // routes the labs of their nation, hubs the labs of other restricted nations that take
    // risks. Per nation, the routes serving its labs in route order.
    if (state.licences_for.size() < nations) state.licences_for.resize(nations);
    if (state.clouds_for.size() < nations) state.clouds_for.resize(nations);
    for (auto& routes : state.licences_for) routes.clear();
    for (auto& routes : state.clouds_for) routes.clear();
    state.hubs.clear();
    state.takes.assign(shared.size() * skus, 0);
    for (std::size_t k = 0; k < shared.size(); ++k) {
        for (std::size_t s = 0; s < skus; ++s)
            if (state.stock_units[s] > 0) state.takes[k * skus + s] = route_takes(world, regime, shared[k], s);
        const int route = static_cast<int>(k);
        switch (shared[k].route) {
            case Route::licensed: state.licences_for[static_cast<std::size_t>(shared[k].nation)].push_back(route); break;
            case Route::gray: state.hubs.push_back(route); break;
            case Route::remote: state.clouds_for[static_cast<std::size_t>(shared[k].nation)].push_back(route); break;
            default: break;
        }
    }
    state.hub_slot.assign(shared.size(), -1);
    for (std::size_t i = 0; i < state.hubs.size(); ++i)
        state.hub_slot[static_cast<std::size_t>(state.hubs[i])] = static_cast<int>(i);
}

}  // namespace polarity::model::detail
