#include <catch2/catch.hpp>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/policy.hpp"

using namespace polarity::model;

namespace {
ChipSku chip(double tpp, double link, double density = 0) {
    ChipSku c;
    c.name = "x";
    c.tpp = tpp;
    c.interconnect_gbps = link;
    c.performance_density = density;
    return c;
}
}  // namespace

TEST_CASE("Oct 2022 criteria need both TPP and interconnect", "[policy]") {
    ChipCriteria c;
    c.tpp_at_least = 4800;
    c.interconnect_at_least_gbps = 600;
    CHECK(chip_matches(c, chip(15830, 900)));   // H100
    CHECK_FALSE(chip_matches(c, chip(15830, 400)));  // H800: the design-around
    CHECK_FALSE(chip_matches(c, chip(2368, 900)));   // H20
}

TEST_CASE("Oct 2023 criteria: TPP alone, or moderate TPP packed densely", "[policy]") {
    ChipCriteria c;
    c.tpp_at_least = 4800;
    c.density_tpp_at_least = 1600;
    c.performance_density_at_least = 5.92;
    CHECK(chip_matches(c, chip(15830, 400)));        // H800 now covered
    CHECK(chip_matches(c, chip(2000, 900, 6.5)));    // dense mid-range chip
    CHECK_FALSE(chip_matches(c, chip(2368, 900, 2.9)));  // H20 stays outside
    CHECK_FALSE(chip_matches(c, chip(1500, 900, 9.0)));  // too little TPP for the density test
}

TEST_CASE("named SKUs are covered whatever their performance", "[policy]") {
    ChipCriteria c;
    c.skus = {"x"};
    CHECK(chip_matches(c, chip(10, 10)));
}

TEST_CASE("the regime follows dates, precedence, reach and tiers", "[policy]") {
    const Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const int h100 = 0, h20 = 1, ascend = 2;
    const int usa = 0, prc = 1, singapore = 2, india = 3;

    // 2023-06: the Oct 2022 rule denies the H100 to China; the tier-2 licence has not started.
    Regime g = regime_in_force(w, idx, CalendarMonth{2023, 6}.serial());
    CHECK(g.at(h100, prc).access == Access::deny);
    CHECK(g.at(h100, india).access == Access::allow);
    CHECK(g.at(h100, usa).access == Access::allow);     // never controlled at home
    CHECK(g.at(h20, prc).access == Access::allow);      // below the thresholds
    CHECK(g.at(ascend, prc).access == Access::allow);   // domestic to China
    // The tier-2 licence has no foreign-direct-product reach: Huawei's chips stay outside it.
    CHECK_FALSE(idx.covers[1][static_cast<std::size_t>(ascend)]);
    CHECK(w.nations[prc].cut_off);
    CHECK(w.skus[h100].restricted_since == CalendarMonth{2022, 10}.serial());

    // 2024-01: the 2022 rule has ended.
    g = regime_in_force(w, idx, CalendarMonth{2024, 1}.serial());
    CHECK(g.at(h100, prc).access == Access::allow);

    // 2025-06: the tier-2 licence applies to Singapore and India, not China (tier 3).
    g = regime_in_force(w, idx, CalendarMonth{2025, 6}.serial());
    CHECK(g.at(h100, singapore).access == Access::license);
    CHECK(g.at(h100, india).access == Access::license);
    CHECK(g.at(h100, prc).access == Access::allow);
    CHECK(g.at(h100, india).rule == 1);
    CHECK(g.remote_open);
    CHECK(g.tool_growth_factor[prc] == Approx(0.4));
    CHECK(g.tool_growth_factor[usa] == 1.0);
}

TEST_CASE("a later rule overrides an earlier one for what it covers", "[policy]") {
    Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    ExportRule allow = sc.policy.rules[0];
    allow.name = "exception";
    allow.start = {2023, 3};
    allow.action = RuleAction::allow;
    sc.policy.rules.push_back(allow);
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    CHECK(regime_in_force(w, idx, CalendarMonth{2023, 2}.serial()).at(0, 1).access == Access::deny);
    CHECK(regime_in_force(w, idx, CalendarMonth{2023, 4}.serial()).at(0, 1).access == Access::allow);
}

TEST_CASE("adaptive enforcement tightens when the rival closes in and stays bounded", "[policy]") {
    const Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    World w = build_world(sc);
    const std::vector<double> close{0, 1.0, 50}, far{0, 100.0, 50};
    apply_adaptive_rules(w, close);
    CHECK(w.nations[0].enforcement_effort == Approx(1.02));
    for (int i = 0; i < 1000; ++i) apply_adaptive_rules(w, close);
    CHECK(w.nations[0].enforcement_effort == Approx(1.8));  // 1 + enforcement capacity 0.8
    for (int i = 0; i < 1000; ++i) apply_adaptive_rules(w, far);
    CHECK(w.nations[0].enforcement_effort == 0.0);
}

TEST_CASE("a foreign direct product rule reaches chips made with the controller's technology", "[policy]") {
    Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml");
    ExportRule fdp = sc.policy.rules[1];
    fdp.name = "fdp";
    fdp.destinations = {"india"};
    fdp.action = RuleAction::deny;
    fdp.foreign_direct_product = true;
    sc.policy.rules.push_back(fdp);
    ExportRule plain = fdp;
    plain.name = "plain";
    plain.foreign_direct_product = false;
    sc.policy.rules.push_back(plain);
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    CHECK(idx.covers[2][2]);        // Ascend 910B, made by Huawei with US technology
    CHECK_FALSE(idx.covers[3][2]);
    CHECK(regime_in_force(w, idx, CalendarMonth{2025, 2}.serial()).at(2, 3).access == Access::deny);
}

TEST_CASE("a rule with enabled: false never comes into force", "[policy]") {
    Scenario sc = polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml",
                                                       {"policy.rules.0.enabled=false"});
    REQUIRE_FALSE(sc.policy.rules[0].enabled);
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const Regime g = regime_in_force(w, idx, CalendarMonth{2023, 6}.serial());
    CHECK(g.at(0, 1).access == Access::allow);  // the H100 to China, denied when the rule is on
    CHECK(g.rule_in_force[0] == 0);
    // Off, it may even start after the run ends (how the playground switches rules off).
    CHECK_NOTHROW(polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml",
                                                       {"policy.rules.0.enabled=false", "policy.rules.0.start=2199-01",
                                                        "policy.rules.0.end=2199-02"}));
}
