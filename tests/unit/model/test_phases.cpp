// Unit tests for the month's phases, each on a small world built from tests/data/minimal.yaml.
#include <catch2/catch.hpp>

#include <cmath>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/metrics.hpp"
#include "polarity/model/phases.hpp"

using namespace polarity::model;

namespace {

Scenario minimal() { return polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml"); }

constexpr int h100 = 0, h20 = 1, ascend = 2;
constexpr int nvidia = 0, huawei = 1;
constexpr int us_lab = 0, cn_lab = 1;

}  // namespace

TEST_CASE("production is the scarcest of wafers plus banked dies and HBM", "[phases][production]") {
    Scenario sc = minimal();
    auto& hw = sc.suppliers[huawei];
    hw.die_bank_units = 1000;
    hw.die_bank_draw_per_month = 400;
    hw.capacity_growth_per_year = 0;
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const int serial = CalendarMonth{2024, 1}.serial();
    Regime g = regime_in_force(w, idx, serial);
    // Wafers: 20,000 x 0.5 yield x 0.9 (the 2022 tool control's yield factor) = 9,000; HBM
    // 15,000 is not binding, so 400 banked dies are drawn.
    auto made = produce(w, g, serial);
    CHECK(made[ascend] == 9400);
    CHECK(w.suppliers[huawei].die_bank_units == Approx(600));
    // A tool control halving yield makes wafers the bottleneck harder; HBM still not binding.
    g.tool_yield_factor[1] = 0.5;
    w.skus[ascend].inventory_units = 0;
    made = produce(w, g, serial);
    CHECK(made[ascend] == 5400);
    // HBM binds once wafers exceed it.
    w.suppliers[huawei].capacity_units_per_month = 100000;
    w.suppliers[huawei].hbm_bought_stacks_per_month = 15000;  // one stack a chip, none in store
    w.suppliers[huawei].hbm_stock_stacks = 0;
    g.tool_yield_factor[1] = 1.0;
    w.skus[ascend].inventory_units = 0;
    made = produce(w, g, serial);
    CHECK(made[ascend] == 15000);
    CHECK(w.suppliers[huawei].die_bank_units == Approx(200));  // no dies used: wafers alone cover HBM
}

TEST_CASE("capacity growth is slowed by tool controls and sped up by subsidies when cut off", "[phases][production]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const int serial = CalendarMonth{2023, 6}.serial();  // 2022 rule and tool control in force
    Regime g = regime_in_force(w, idx, serial);
    REQUIRE(w.nations[1].cut_off);
    const double before = w.suppliers[huawei].capacity_units_per_month;
    (void)produce(w, g, serial);
    // Huawei's own growth is 0 in minimal.yaml; growth = 0 x 0.4 (tool control) + 0.3 subsidy.
    CHECK(w.suppliers[huawei].capacity_units_per_month == Approx(before * std::pow(1.3, 1.0 / 12)));
    // Nvidia: 0.6 a year, untouched.
    CHECK(w.suppliers[nvidia].capacity_units_per_month == Approx(150000 * std::pow(1.6, 1.0 / 12)));
}

TEST_CASE("a compliant variant appears only after the lag, and never without design-around", "[phases][production]") {
    for (const bool allowed : {true, false}) {
        Scenario sc = minimal();
        sc.policy.design_around = allowed;
        World w = build_world(sc);
        const PolicyIndex idx = build_policy_index(w);
        // The H100 has been restricted since 2022-10; the H20 is released 2024-01, lag 6 months.
        for (int m = 0; m < 24; ++m) {
            const int serial = CalendarMonth{2023, 1}.serial() + m;
            (void)regime_in_force(w, idx, serial);
            update_active_skus(w, serial);
            const bool expect = allowed && serial >= CalendarMonth{2024, 1}.serial();
            INFO("month " << m << " design-around " << allowed);
            CHECK(sku_active(w, h20, serial) == expect);
        }
    }
}

TEST_CASE("suppliers stop making a SKU that piles up unsold", "[phases][production]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const int serial = CalendarMonth{2024, 1}.serial();
    const Regime g = regime_in_force(w, idx, serial);
    w.skus[h100].inventory_units = 10'000'000;
    const auto made = produce(w, g, serial);
    CHECK(made[h100] == 0);
    CHECK(made[ascend] > 0);
}

TEST_CASE("prices rise when sold out with unmet demand and fall with unsold stock, within bounds", "[phases][production]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    ClearingResult c;
    c.unmet_units_by_sku.assign(w.skus.size(), 0.0);
    std::vector<double> produced(w.skus.size(), 1000.0);
    w.skus[h100].inventory_units = 0;
    c.unmet_units_by_sku[h100] = 500;
    w.skus[ascend].inventory_units = 2000;
    update_prices(w, c, produced);
    CHECK(w.skus[h100].price_usd == Approx(25000 * std::exp(0.05 * 0.5)));
    CHECK(w.skus[ascend].price_usd == Approx(16000 * std::exp(-0.05)));
    for (int i = 0; i < 1000; ++i) update_prices(w, c, produced);
    CHECK(w.skus[ascend].price_usd == Approx(16000 * 0.5));   // floor
    c.unmet_units_by_sku[h100] = 1e9;
    for (int i = 0; i < 1000; ++i) update_prices(w, c, produced);
    CHECK(w.skus[h100].price_usd == Approx(25000 * 3.0));     // ceiling
}

TEST_CASE("budgets are capex share of cash after funding", "[phases][economy]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    const auto b = lab_budgets(w);
    // us_frontier: cash 5e9 + 1e9 funding; capex share 0.6 (default).
    CHECK(b[us_lab] == Approx(0.6 * 6.0e9));
    // cn_frontier: state funding 5e8 split over the one lab of its nation.
    CHECK(w.labs[cn_lab].funding_in_usd == Approx(5.0e8));
    CHECK(b[cn_lab] == Approx(0.6 * 5.0e8));
}

TEST_CASE("revenue falls with the gap to the best model on sale and is partly reinvested", "[phases][economy]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    for (auto& l : w.labs) l.serving_h100e = 1000;
    w.labs[us_lab].best_capability = 26;
    w.labs[cn_lab].best_capability = 25;
    w.labs[2].best_capability = 24;
    const double cash = w.labs[cn_lab].cash_usd;
    earn_revenue(w);
    // us_frontier sells in us_aligned and nonaligned, leading both.
    CHECK(w.labs[us_lab].revenue_usd == Approx(1000 * 1500.0));
    // cn_frontier sells only at home (china) where it is the best: full price.
    CHECK(w.labs[cn_lab].revenue_usd == Approx(1000 * 1500.0));
    // in_lab sells in nonaligned, two points behind us_frontier's model: 1 / (1 + 2).
    CHECK(w.labs[2].revenue_usd == Approx(1000 * 1500.0 / 3));
    CHECK(w.labs[cn_lab].cash_usd == Approx(cash + 0.5 * 1000 * 1500.0));
}

TEST_CASE("funding growth halves every half-life", "[phases][economy]") {
    Scenario sc = minimal();
    sc.world.funding_growth_halflife_years = 2;
    World w = build_world(sc);
    CHECK(funding_growth(w, 1.0) == Approx(1.0));
    w.month_index = 24;
    CHECK(funding_growth(w, 1.0) == Approx(0.5));
    w.month_index = 48;
    CHECK(funding_growth(w, 0.8) == Approx(0.2));
}

TEST_CASE("depreciation retires the yearly share", "[phases][compute]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    for (int m = 0; m < 12; ++m) depreciate(w);
    CHECK(w.labs[us_lab].owned_units[h100] == Approx(50000 * 0.8));
    CHECK(w.skus[h100].retired_total == Approx((50000 + 10000) * 0.2));
}

TEST_CASE("training follows the documented FLOP formula and keeps training and serving apart", "[phases][compute]") {
    Scenario sc = minimal();
    sc.paradigm.enabled = false;
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const int serial = CalendarMonth{2023, 1}.serial();
    const Regime g = regime_in_force(w, idx, serial);
    train(w, g, serial);
    const LabState& us = w.labs[us_lab];
    const double flop = 50000 * 0.4 * 989.4e12 * 0.35 * seconds_per_month;  // utilization 0.35 in minimal
    CHECK(us.training_h100e == Approx(50000 * 0.4));
    CHECK(us.capability == Approx(std::log10(flop)));
    // An H20 fleet serves better than it trains.
    w.labs[us_lab].owned_units.assign(w.skus.size(), 0.0);
    w.labs[us_lab].owned_units[h20] = 1000;
    train(w, g, serial);
    CHECK(w.labs[us_lab].serving_h100e > 2 * w.labs[us_lab].training_h100e);
    // The best model never gets worse, even with no chips.
    CHECK(w.labs[us_lab].best_capability == Approx(std::log10(flop)));
}

TEST_CASE("the paradigm term saturates at max_gain", "[phases][compute]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const int serial = CalendarMonth{2025, 1}.serial();
    const Regime g = regime_in_force(w, idx, serial);
    // RL compute of the current run far past saturation (this month's slot is recomputed).
    w.labs[us_lab].recent_rl_flop.assign(w.labs[us_lab].recent_rl_flop.size(), 1e40);
    train(w, g, serial);
    const LabState& us = w.labs[us_lab];
    double run = 0;
    for (double e : us.recent_effective_flop) run += e;
    CHECK(us.capability - std::log10(run) == Approx(0.5));  // max_gain in minimal.yaml
}

TEST_CASE("algorithmic jumps arrive at their documented rate", "[phases][algorithms]") {
    Scenario sc = minimal();
    sc.algorithms.drift_log10_per_year = 0;
    sc.algorithms.diffusion_per_month = 0;
    sc.algorithms.jumps = {{2.0, 6.0}};          // 6 a year: p = 1 - exp(-0.5) per month
    sc.algorithms.research_factor_min = 1.0;     // rate factor exactly 1
    sc.algorithms.research_factor_max = 1.0;
    sc.algorithms.acceleration_max_multiplier = 0;
    World w = build_world(sc);
    const int months = 4000;
    for (int m = 0; m < months; ++m) {
        w.month_index = m;
        advance_algorithms(w);
    }
    const double p = 1 - std::exp(-0.5);
    for (const auto& l : w.labs) {
        const double jumps = (l.algorithmic_log10 - l.spec->algorithmic_efficiency_log10) / std::log10(2.0);
        // Binomial(months, p): 5 sigma.
        CHECK(jumps == Approx(months * p).margin(5 * std::sqrt(months * p * (1 - p))));
    }
}

TEST_CASE("diffusion closes the documented share of the gap and progress stays bounded", "[phases][algorithms]") {
    Scenario sc = minimal();
    sc.algorithms.drift_log10_per_year = 0;
    sc.algorithms.jumps.clear();
    sc.algorithms.diffusion_per_month = 0.1;
    World w = build_world(sc);
    w.labs[us_lab].algorithmic_log10 = 2.0;
    w.labs[cn_lab].algorithmic_log10 = 1.0;
    advance_algorithms(w);
    CHECK(w.labs[cn_lab].algorithmic_log10 == Approx(1.1));
    CHECK(w.labs[us_lab].algorithmic_log10 == Approx(2.0));

    // Even at the largest research factor and full acceleration, a month adds at most the
    // bounded rate: no blow-up however capable the lab.
    Scenario fast = minimal();
    fast.algorithms.diffusion_per_month = 0;
    World f = build_world(fast);
    for (auto& l : f.labs) {
        l.research_h100e = 1e12;
        l.best_capability = 1e6;
    }
    const double max_rate = fast.algorithms.research_factor_max * (1 + fast.algorithms.acceleration_max_multiplier);
    double bound = fast.algorithms.drift_log10_per_year / 12 * max_rate;
    for (const auto& j : fast.algorithms.jumps) bound += std::log10(j.multiplier);
    for (int m = 0; m < 100; ++m) {
        const double before = f.labs[0].algorithmic_log10;
        f.month_index = m;
        advance_algorithms(f);
        REQUIRE(std::isfinite(f.labs[0].algorithmic_log10));
        REQUIRE(f.labs[0].algorithmic_log10 - before <= bound + 1e-12);
    }
}

TEST_CASE("lag is the time since the leader's frontier stood where the bloc stands", "[phases][metrics]") {
    Scenario sc = minimal();
    World w = build_world(sc);
    // Leader grows 0.1 a month for 13 months; the follower sits 0.6 behind.
    BlocMetrics m;
    for (int t = 0; t <= 12; ++t) {
        w.labs[us_lab].best_capability = 25 + 0.1 * t;
        w.labs[cn_lab].best_capability = 24.4 + 0.1 * t;
        w.month_index = t;
        m = measure_polarity(w);
    }
    CHECK(m.frontier_bloc == 0);
    CHECK(m.lag_months[1] == Approx(6.0));
    CHECK(m.rival_lag_months == Approx(6.0));
    CHECK(m.lag_months[0] == 0.0);
    // nonaligned's only lab has trained nothing: the leader stood at 0 before the start, 12
    // months of history plus 25 / (prehistory growth per month) before that.
    CHECK(m.lag_months[2] == Approx(12 + 25.0 / (sc.question.prehistory_growth_log10_per_year / 12)));
}
