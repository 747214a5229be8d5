#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <tuple>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/market.hpp"

using namespace polarity::model;

namespace {

struct Fixture {
    Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    World w;
    PolicyIndex idx;
    Regime g;
    void build(const CalendarMonth& month) {
        w = build_world(sc);
        idx = build_policy_index(w);
        g = regime_in_force(w, idx, month.serial());
        w.skus[0].inventory_units = 40000;  // h100
        w.skus[1].inventory_units = 0;      // h20 not live yet
        w.skus[2].inventory_units = 8000;   // ascend_910b
    }
};

constexpr int usa_lab = 0, cn_lab = 1, in_lab = 2;
constexpr int prc = 1, singapore = 2, india = 3;

}  // namespace

TEST_CASE("clearing never moves more chips than are in stock, nor spends more than budgets", "[market]") {
    Fixture f;
    f.build({2023, 6});
    const std::vector<double> budgets{2.0e9, 3.0e8, 1.0e8};
    const ClearingResult r = clear_market(f.w, f.g, budgets);
    std::map<int, std::int64_t> by_sku;
    std::vector<double> spend(3, 0.0);
    for (const auto& d : r.deliveries) {
        REQUIRE(d.units > 0);
        REQUIRE(d.seized >= 0);
        REQUIRE(d.seized <= d.units);
        by_sku[d.sku] += d.units;
        spend[static_cast<std::size_t>(d.lab)] += static_cast<double>(d.units) * d.unit_price_usd;
    }
    for (const auto& [s, units] : by_sku) REQUIRE(units <= f.w.skus[static_cast<std::size_t>(s)].inventory_units);
    for (int l = 0; l < 3; ++l) REQUIRE(spend[l] <= budgets[l] * (1 + 1e-12));
    // Scarce H100s are all sold: 40k chips, budgets worth far more.
    REQUIRE(by_sku[0] == 40000);
}

TEST_CASE("routes obey the regime", "[market]") {
    Fixture f;
    f.build({2023, 6});
    const ClearingResult r = clear_market(f.w, f.g, {2.0e9, 3.0e9, 1.0e8});
    bool cn_got_h100 = false;
    for (const auto& d : r.deliveries) {
        // China is denied the H100: only the gray market (via Singapore) or remote access bring it.
        if (d.lab == cn_lab && d.sku == 0) {
            cn_got_h100 = true;
            REQUIRE((d.route == Route::gray || d.route == Route::remote));
            if (d.route == Route::gray) REQUIRE(d.via == singapore);
        }
        if (d.lab == cn_lab && d.sku == 2) REQUIRE(d.route == Route::domestic);
        if (d.lab == usa_lab) REQUIRE(d.route == (d.sku == 0 ? Route::domestic : Route::legal));
        if (d.route == Route::gray) {
            REQUIRE(d.lab == cn_lab);  // the only lab with risk appetite
            REQUIRE(d.unit_price_usd > f.w.skus[static_cast<std::size_t>(d.sku)].price_usd);
        }
    }
    REQUIRE(cn_got_h100);
}

TEST_CASE("licensed deliveries stay within the approved quota", "[market]") {
    Fixture f;
    f.build({2025, 6});
    const ClearingResult r = clear_market(f.w, f.g, {1.0e6, 1.0e6, 5.0e9});
    std::int64_t licensed_india = 0;
    for (const auto& d : r.deliveries) {
        if (d.lab == in_lab && d.sku == 0) REQUIRE(d.route != Route::legal);  // H100 needs a licence in tier 2
        if (d.route == Route::licensed && d.lab == in_lab) licensed_india += d.units;
    }
    REQUIRE(licensed_india > 0);
    REQUIRE(licensed_india <= 5000);
}

TEST_CASE("stronger enforcement shrinks the gray market", "[market]") {
    std::int64_t previous = -1;
    for (double scale : {1.5, 1.0, 0.5, 0.0}) {
        Fixture f;
        f.sc.policy.enforcement_scale = scale;
        f.build({2023, 6});
        std::int64_t gray = 0;
        for (const auto& d : clear_market(f.w, f.g, {2.0e9, 3.0e9, 1.0e8}).deliveries)
            if (d.route == Route::gray) gray += d.units;
        REQUIRE(gray >= previous);  // weaker enforcement, at least as much smuggling
        previous = gray;
    }
    REQUIRE(previous > 0);
}

TEST_CASE("hub enforcement compounds the hub's own capacity", "[market]") {
    Fixture f;
    f.build({2023, 6});
    f.g.gray_enforcement = 0.5;
    const double base = hub_enforcement(f.w, f.g, singapore);
    REQUIRE(base == Approx(0.5));  // Singapore's own enforcement capacity is 0 in minimal.yaml
    f.sc.nations[static_cast<std::size_t>(singapore)].enforcement_capacity = 0.5;
    REQUIRE(hub_enforcement(f.w, f.g, singapore) == Approx(1 - 0.5 * 0.75));
    (void)prc;
    (void)india;
}

namespace {

/// Deliveries summed per (lab, sku, route, via), for comparing allocations.
std::map<std::tuple<int, int, Route, int>, std::int64_t> by_key(const ClearingResult& r) {
    std::map<std::tuple<int, int, Route, int>, std::int64_t> out;
    for (const auto& d : r.deliveries) out[{d.lab, d.sku, d.route, d.via}] += d.units;
    return out;
}

}  // namespace

TEST_CASE("with stock to spare, the priority fill gives every lab what min-cost flow gives it", "[market]") {
    // No SKU, route or hub allowance binds: each lab buys its cheapest options under both.
    for (const CalendarMonth month : {CalendarMonth{2023, 6}, CalendarMonth{2025, 6}}) {
        std::map<std::tuple<int, int, Route, int>, std::int64_t> got[2];
        for (const auto mechanism : {ClearingMechanism::priority, ClearingMechanism::min_cost_flow}) {
            Fixture f;
            f.sc.market.clearing = mechanism;
            f.build(month);
            f.w.skus[0].inventory_units = 10'000'000;
            f.w.skus[2].inventory_units = 10'000'000;
            got[mechanism == ClearingMechanism::priority ? 0 : 1] = by_key(clear_market(f.w, f.g, {2.0e9, 3.0e8, 1.0e8}));
        }
        REQUIRE_FALSE(got[0].empty());
        REQUIRE(got[0] == got[1]);
    }
}

TEST_CASE("the priority fill shares a short SKU pro rata between equal bids", "[market]") {
    Fixture f;
    // A second US lab, the same as the first.
    Lab twin = f.sc.labs[0];
    twin.name = "us_twin";
    f.sc.labs.push_back(twin);
    f.build({2023, 6});
    f.w.skus[0].inventory_units = 10'001;  // h100: an odd number, to be split between two
    f.w.skus[2].inventory_units = 0;
    const ClearingResult r = clear_market(f.w, f.g, {2.0e9, 0.0, 0.0, 2.0e9});
    std::int64_t first = 0, second = 0;
    for (const auto& d : r.deliveries) {
        if (d.lab == usa_lab) first += d.units;
        if (d.lab == 3) second += d.units;
    }
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
        f.w.skus[0].inventory_units = h100;
        f.w.skus[2].inventory_units = 0;
        f.g.remote_open = false;
        const ClearingResult r = clear_market(f.w, f.g, {2.0e9, 3.0e9, 0.0});  // US wants 80,000
        std::int64_t us = 0, cn = 0;
        for (const auto& d : r.deliveries) {
            if (d.lab == usa_lab) us += d.units;
            if (d.lab == cn_lab) {
                REQUIRE(d.route == Route::gray);
                cn += d.units;
            }
        }
        if (h100 < 80'000) {
            REQUIRE(us == h100);
            REQUIRE(cn == 0);
        } else {
            REQUIRE(us == 80'000);
            REQUIRE(cn > 0);
            REQUIRE(cn <= 20'000);  // Singapore's hub capacity before enforcement
        }
    }
}

TEST_CASE("a compliant variant is sold only where its parent may not be", "[market]") {
    // China, denied the H100 in mid-2023, may buy the H20; the US (its home) and India, which
    // may buy the H100, are not its market.
    Fixture f;
    f.build({2023, 6});
    f.w.skus[1].inventory_units = 1'000'000;
    const ClearingResult r = clear_market(f.w, f.g, {2.0e9, 3.0e9, 1.0e9});
    std::int64_t cn_h20 = 0;
    for (const auto& d : r.deliveries)
        if (d.sku == 1) {
            REQUIRE(d.lab == cn_lab);
            cn_h20 += d.units;
        }
    REQUIRE(cn_h20 > 0);
}
