#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <map>
#include <string>
#include <tuple>
#include <utility>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/market.hpp"
#include "polarity/model/phases.hpp"
#include "polarity/model/simulation.hpp"

using namespace polarity::model;

namespace {

/// Index of the entity called `name` in a world list (labs, SKUs, nations); fails the test,
/// naming what was looked for, when there is none.
template <class State>
int index_named(const std::vector<State>& states, const std::string& name) {
    for (std::size_t i = 0; i < states.size(); ++i)
        if (states[i].spec->name == name) return static_cast<int>(i);
    FAIL("the world has no entity named '" << name << "'");
    return -1;
}

/// The clearing mechanisms as types, so that one test body runs under each (TEMPLATE_TEST_CASE
/// names the mechanism in the test's name).
template <ClearingMechanism M>
struct Clearing {
    static constexpr ClearingMechanism mechanism = M;
};
using PriorityFill = Clearing<ClearingMechanism::priority>;
using MinCostFlow = Clearing<ClearingMechanism::min_cost_flow>;

/// minimal.yaml in a month of our choosing, its stock set by SKU name and budgets by lab name.
struct Fixture {
    Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    World world;
    Regime regime;

    explicit Fixture(ClearingMechanism mechanism = ClearingMechanism::priority) { sc.market.clearing = mechanism; }

    void build(const CalendarMonth& month) {
        world = build_world(sc);
        regime = regime_in_force(world, build_policy_index(world), month.serial());
        stock("h100", 40'000);
        stock("h20", 0);  // not live yet
        stock("ascend_910b", 8'000);
    }
    int lab(const std::string& name) const { return index_named(world.labs, name); }
    int sku(const std::string& name) const { return index_named(world.skus, name); }
    int nation(const std::string& name) const { return index_named(world.nations, name); }
    void stock(const std::string& name, std::int64_t units) {
        world.skus[static_cast<std::size_t>(sku(name))].inventory_units = units;
    }
    /// Per-lab budgets from (lab name, USD) pairs; labs not named get nothing.
    std::vector<double> budgets(const std::vector<std::pair<std::string, double>>& by_lab) const {
        std::vector<double> out(world.labs.size(), 0.0);
        for (const auto& [name, usd] : by_lab) out[static_cast<std::size_t>(lab(name))] = usd;
        return out;
    }
    ClearingResult clear(const std::vector<std::pair<std::string, double>>& by_lab) const {
        return clear_market(world, regime, budgets(by_lab));
    }
};

/// Units moved per (lab, SKU), summed over routes.
std::int64_t units_to(const ClearingResult& r, int lab, int sku) {
    std::int64_t units = 0;
    for (const auto& d : r.deliveries)
        if (d.lab == lab && d.sku == sku) units += d.units;
    return units;
}

/// The market's invariants on one clearing of `world` (before settlement) under `regime`:
/// chips are conserved per route and SKU once settled, no stock goes negative, no lab spends
/// more than its budget, and no shared route carries more than its capacity.
void check_clearing(const World& world, const Regime& regime, const std::vector<double>& budgets,
                    const ClearingResult& cleared) {
    const std::size_t skus = world.skus.size(), labs = world.labs.size(), nations = world.nations.size();
    std::map<std::pair<Route, int>, std::int64_t> moved, seized;  // (route, sku)
    std::map<std::pair<int, int>, std::int64_t> licensed;          // (rule, nation)
    std::vector<std::int64_t> by_sku(skus, 0), gray_by_hub(nations, 0), remote_by_nation(nations, 0);
    std::vector<double> spend_usd(labs, 0.0);
    for (const auto& d : cleared.deliveries) {
        REQUIRE(d.units > 0);
        REQUIRE(d.seized >= 0);
        REQUIRE(d.seized <= d.units);
        const LabState& lab = world.labs[static_cast<std::size_t>(d.lab)];
        moved[{d.route, d.sku}] += d.units;
        seized[{d.route, d.sku}] += d.seized;
        by_sku[static_cast<std::size_t>(d.sku)] += d.units;
        spend_usd[static_cast<std::size_t>(d.lab)] += static_cast<double>(d.units) * d.unit_price_usd;
        if (d.route != Route::gray) REQUIRE(d.seized == 0);
        switch (d.route) {
            case Route::licensed: licensed[{d.via, lab.nation}] += d.units; break;
            case Route::gray:
                REQUIRE(lab.nation != d.via);
                REQUIRE(lab.spec->risk_appetite > 0);
                gray_by_hub[static_cast<std::size_t>(d.via)] += d.units;
                break;
            case Route::remote: remote_by_nation[static_cast<std::size_t>(d.via)] += d.units; break;
            case Route::domestic:
                REQUIRE(world.suppliers[static_cast<std::size_t>(world.skus[static_cast<std::size_t>(d.sku)].supplier)].nation ==
                        lab.nation);
                break;
            case Route::legal: REQUIRE(regime.at(d.sku, lab.nation).access == Access::allow); break;
        }
    }
    // No SKU sells more than its stock; no lab spends more than its budget.
    for (std::size_t s = 0; s < skus; ++s) REQUIRE(by_sku[s] <= world.skus[s].inventory_units);
    for (std::size_t l = 0; l < labs; ++l) REQUIRE(spend_usd[l] <= budgets[l] * (1 + 1e-12));
    // No shared route carries more than its capacity.
    for (const auto& [key, units] : licensed)
        REQUIRE(units <= static_cast<std::int64_t>(world.scenario->policy.rules[static_cast<std::size_t>(key.first)].quota_units_per_month));
    for (std::size_t h = 0; h < nations; ++h) {
        REQUIRE(static_cast<double>(gray_by_hub[h]) == cleared.gray_units_by_hub[h]);
        if (gray_by_hub[h] == 0) continue;
        const double open = world.nations[h].spec->hub_capacity_units_per_month *
                            (1.0 - hub_enforcement(world, regime, static_cast<int>(h)));
        REQUIRE(static_cast<double>(gray_by_hub[h]) <= open);
    }
    for (std::size_t n = 0; n < nations; ++n)
        if (remote_by_nation[n] > 0) {
            REQUIRE(regime.remote_open);
            REQUIRE(static_cast<double>(remote_by_nation[n]) <= regime.remote_capacity_units);
        }

    // Settled, every chip that left a SKU's stock by a route reached a lab by that route or
    // was seized on it.
    World after = world;
    settle_deliveries(after, cleared);
    for (std::size_t s = 0; s < skus; ++s) {
        const auto sku = static_cast<int>(s);
        REQUIRE(after.skus[s].inventory_units == world.skus[s].inventory_units - by_sku[s]);
        REQUIRE(after.skus[s].inventory_units >= 0);
        double owned_gain = 0, remote_gain = 0;
        for (std::size_t l = 0; l < labs; ++l) {
            owned_gain += after.labs[l].owned_units[s] - world.labs[l].owned_units[s];
            remote_gain += after.labs[l].remote_units[s] - world.labs[l].remote_units[s];
            REQUIRE(after.labs[l].owned_units[s] >= 0);
            REQUIRE(after.labs[l].remote_units[s] >= 0);
        }
        std::int64_t owned_expected = 0, seized_total = 0;
        for (const Route route : {Route::legal, Route::licensed, Route::gray, Route::domestic})
            owned_expected += moved[{route, sku}] - seized[{route, sku}];
        for (const Route route : {Route::legal, Route::licensed, Route::gray, Route::domestic, Route::remote})
            seized_total += seized[{route, sku}];
        REQUIRE(owned_gain == Approx(static_cast<double>(owned_expected)).margin(1e-6));
        REQUIRE(remote_gain == Approx(static_cast<double>(moved[{Route::remote, sku}] - seized[{Route::remote, sku}])).margin(1e-6));
        REQUIRE(after.skus[s].seized_month == static_cast<double>(seized_total));
    }
}

}  // namespace

TEMPLATE_TEST_CASE("every month's clearing conserves chips per route and SKU, keeps stock non-negative and budgets",
                   "[market]", PriorityFill, MinCostFlow) {
    const std::string file = GENERATE(as<std::string>{}, "tests/data/minimal.yaml", "scenarios/baseline.yaml");
    CAPTURE(file);
    Scenario sc = polarity::config::load_scenario_file(std::string(POLARITY_SOURCE_DIR) + "/" + file);
    sc.market.clearing = TestType::mechanism;
    Simulation sim(sc);
    std::int64_t moved = 0, gray = 0;
    while (!sim.finished()) {
        // Phases 1-3 of the month on a copy of the world, as Simulation::advance runs them.
        World world = sim.world();
        CAPTURE(world.month_index);
        const int serial = sc.run.start.serial() + world.month_index;
        if (world.month_index > 0) apply_adaptive_rules(world, sim.last_metrics().lag_months);
        const Regime regime = regime_in_force(world, build_policy_index(world), serial);
        update_active_skus(world, serial);
        (void)produce(world, regime, serial);
        const std::vector<double> budgets = lab_budgets(world);
        const ClearingResult cleared = clear_market(world, regime, budgets);
        check_clearing(world, regime, budgets, cleared);
        for (const auto& d : cleared.deliveries) {
            moved += d.units;
            if (d.route == Route::gray) gray += d.units;
        }
        sim.advance();
    }
    // Chips moved, some through hubs, so the invariants were exercised.
    REQUIRE(moved > 0);
    REQUIRE(gray > 0);
}

TEMPLATE_TEST_CASE("clearing sells out a scarce SKU within stock and budgets", "[market]", PriorityFill, MinCostFlow) {
    Fixture f(TestType::mechanism);
    f.build({2023, 6});
    const std::vector<double> budgets = f.budgets({{"us_frontier", 2.0e9}, {"cn_frontier", 3.0e8}, {"in_lab", 1.0e8}});
    const ClearingResult r = clear_market(f.world, f.regime, budgets);
    check_clearing(f.world, f.regime, budgets, r);
    // Scarce H100s are all sold: 40k chips, budgets worth far more.
    std::int64_t h100 = 0;
    for (const auto& d : r.deliveries)
        if (d.sku == f.sku("h100")) h100 += d.units;
    REQUIRE(h100 == 40'000);
}

TEMPLATE_TEST_CASE("routes obey the regime", "[market]", PriorityFill, MinCostFlow) {
    Fixture f(TestType::mechanism);
    f.build({2023, 6});
    const ClearingResult r = f.clear({{"us_frontier", 2.0e9}, {"cn_frontier", 3.0e9}, {"in_lab", 1.0e8}});
    const int us = f.lab("us_frontier"), cn = f.lab("cn_frontier");
    const int h100 = f.sku("h100"), ascend = f.sku("ascend_910b");
    bool cn_got_h100 = false;
    for (const auto& d : r.deliveries) {
        // China is denied the H100: only the gray market (via Singapore) or remote access bring it.
        if (d.lab == cn && d.sku == h100) {
            cn_got_h100 = true;
            REQUIRE((d.route == Route::gray || d.route == Route::remote));
            if (d.route == Route::gray) REQUIRE(d.via == f.nation("singapore"));
        }
        if (d.lab == cn && d.sku == ascend) REQUIRE(d.route == Route::domestic);
        if (d.lab == us) REQUIRE(d.route == (d.sku == h100 ? Route::domestic : Route::legal));
        if (d.route == Route::gray) {
            REQUIRE(d.lab == cn);  // the only lab with risk appetite
            REQUIRE(d.unit_price_usd > f.world.skus[static_cast<std::size_t>(d.sku)].price_usd);
        }
    }
    REQUIRE(cn_got_h100);
}

TEMPLATE_TEST_CASE("licensed deliveries stay within the approved quota", "[market]", PriorityFill, MinCostFlow) {
    Fixture f(TestType::mechanism);
    f.build({2025, 6});
    const ClearingResult r = f.clear({{"us_frontier", 1.0e6}, {"cn_frontier", 1.0e6}, {"in_lab", 5.0e9}});
    const int india_lab = f.lab("in_lab");
    std::int64_t licensed = 0;
    for (const auto& d : r.deliveries) {
        if (d.lab == india_lab && d.sku == f.sku("h100")) REQUIRE(d.route != Route::legal);  // tier 2 needs a licence
        if (d.route == Route::licensed && d.lab == india_lab) licensed += d.units;
    }
    REQUIRE(licensed > 0);
    REQUIRE(licensed <= 5000);  // tier2_license's quota
}

TEMPLATE_TEST_CASE("stronger enforcement shrinks the gray market", "[market]", PriorityFill, MinCostFlow) {
    std::int64_t previous = -1;
    for (double scale : {1.5, 1.0, 0.5, 0.0}) {
        Fixture f(TestType::mechanism);
        f.sc.policy.enforcement_scale = scale;
        f.build({2023, 6});
        std::int64_t gray = 0;
        for (const auto& d : f.clear({{"us_frontier", 2.0e9}, {"cn_frontier", 3.0e9}, {"in_lab", 1.0e8}}).deliveries)
            if (d.route == Route::gray) gray += d.units;
        REQUIRE(gray >= previous);  // weaker enforcement, at least as much smuggling
        previous = gray;
    }
    REQUIRE(previous > 0);
}

TEMPLATE_TEST_CASE("a compliant variant is sold only where its parent may not be", "[market]", PriorityFill, MinCostFlow) {
    // China, denied the H100 in mid-2023, may buy the H20; the US (its home) and India, which
    // may buy the H100, are not its market.
    Fixture f(TestType::mechanism);
    f.build({2023, 6});
    f.stock("h20", 1'000'000);
    const ClearingResult r = f.clear({{"us_frontier", 2.0e9}, {"cn_frontier", 3.0e9}, {"in_lab", 1.0e9}});
    const int h20 = f.sku("h20");
    for (const auto& d : r.deliveries)
        if (d.sku == h20) REQUIRE(d.lab == f.lab("cn_frontier"));
    REQUIRE(units_to(r, f.lab("cn_frontier"), h20) > 0);
}

TEST_CASE("hub enforcement compounds the hub's own capacity", "[market]") {
    Fixture f;
    f.build({2023, 6});
    f.regime.gray_enforcement = 0.5;
    const int singapore = f.nation("singapore");
    REQUIRE(hub_enforcement(f.world, f.regime, singapore) == Approx(0.5));  // its own capacity is 0 in minimal.yaml
    f.sc.nations[static_cast<std::size_t>(singapore)].enforcement_capacity = 0.5;
    REQUIRE(hub_enforcement(f.world, f.regime, singapore) == Approx(1 - 0.5 * 0.75));
}

TEST_CASE("with stock to spare, the priority fill gives every lab what min-cost flow gives it", "[market]") {
    // No SKU, route or hub allowance binds: each lab buys its cheapest offers under both.
    using Allocation = std::map<std::tuple<int, int, Route, int>, std::int64_t>;  // (lab, sku, route, via)
    for (const CalendarMonth month : {CalendarMonth{2023, 6}, CalendarMonth{2025, 6}}) {
        std::map<ClearingMechanism, Allocation> got;
        for (const auto mechanism : {ClearingMechanism::priority, ClearingMechanism::min_cost_flow}) {
            Fixture f(mechanism);
            f.build(month);
            f.stock("h100", 10'000'000);
            f.stock("ascend_910b", 10'000'000);
            for (const auto& d : f.clear({{"us_frontier", 2.0e9}, {"cn_frontier", 3.0e8}, {"in_lab", 1.0e8}}).deliveries)
                got[mechanism][{d.lab, d.sku, d.route, d.via}] += d.units;
        }
        REQUIRE_FALSE(got[ClearingMechanism::priority].empty());
        REQUIRE(got[ClearingMechanism::priority] == got[ClearingMechanism::min_cost_flow]);
    }
}

TEST_CASE("the priority fill shares a short SKU pro rata between equal bids", "[market]") {
    Fixture f;
    // A second US lab, the same as the first.
    const int us_frontier = find_by_name(f.sc.labs, "us_frontier");
    REQUIRE(us_frontier >= 0);
    Lab twin = f.sc.labs[static_cast<std::size_t>(us_frontier)];
    twin.name = "us_twin";
    f.sc.labs.push_back(twin);
    f.build({2023, 6});
    f.stock("h100", 10'001);  // an odd number, to be split between two
    f.stock("ascend_910b", 0);
    const ClearingResult r = f.clear({{"us_frontier", 2.0e9}, {"us_twin", 2.0e9}});
    const std::int64_t first = units_to(r, f.lab("us_frontier"), f.sku("h100"));
    const std::int64_t second = units_to(r, f.lab("us_twin"), f.sku("h100"));
    REQUIRE(first + second == 10'001);  // all sold: each lab wants 80,000
    REQUIRE(std::abs(first - second) <= 1);
}

TEST_CASE("the priority fill serves the cheapest bids first", "[market]") {
    // Without a rationing step a bid's priority is its cost per H100e: the US lab buys H100s
    // straight from the supplier, the Chinese lab only through a hub at a mark-up, so a short
    // supply goes to the US lab, while with enough for both the Chinese lab gets the rest.
    for (const std::int64_t h100 : {30'000, 200'000}) {
        Fixture f;
        f.sc.market.rationing_step = 0;
        f.build({2023, 6});
        f.stock("h100", h100);
        f.stock("ascend_910b", 0);
        f.regime.remote_open = false;
        const ClearingResult r = f.clear({{"us_frontier", 2.0e9}, {"cn_frontier", 3.0e9}});  // US wants 80,000
        const int cn = f.lab("cn_frontier");
        for (const auto& d : r.deliveries)
            if (d.lab == cn) REQUIRE(d.route == Route::gray);
        const std::int64_t us_units = units_to(r, f.lab("us_frontier"), f.sku("h100"));
        const std::int64_t cn_units = units_to(r, cn, f.sku("h100"));
        if (h100 < 80'000) {
            REQUIRE(us_units == h100);
            REQUIRE(cn_units == 0);
        } else {
            REQUIRE(us_units == 80'000);
            REQUIRE(cn_units > 0);
            REQUIRE(cn_units <= 20'000);  // Singapore's hub capacity before enforcement
        }
    }
}
