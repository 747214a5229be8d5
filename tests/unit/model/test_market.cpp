#include <catch2/catch.hpp>

#include <map>

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
