// China's domestic supply and the leaks of controlled chips (docs/model.md, "Production" and
// "Smuggling"): the Ascend roadmap's inputs (dies, HBM, yield learning), cost-plus prices, and
// the direction of every lever on the baseline to end-2027: more enforcement means fewer chips
// through every leak, a higher price gap more smuggling, tool controls slower Huawei growth.
#include <catch2/catch.hpp>

#include <functional>
#include <string>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/phases.hpp"
#include "polarity/model/simulation.hpp"

using namespace polarity::model;

namespace {

Scenario baseline_to_2027() {
    Scenario sc = polarity::config::load_scenario_file(std::string(POLARITY_SOURCE_DIR) + "/scenarios/baseline.yaml");
    sc.run.horizon_months = 60;  // 2023-01 .. 2027-12
    return sc;
}

std::size_t axis_index(const MemoryRecorder& rec, const std::string& axis, const std::string& label) {
    for (const auto& ax : rec.header.axes)
        if (ax.name == axis)
            for (std::size_t i = 0; i < ax.labels.size(); ++i)
                if (ax.labels[i] == label) return i;
    FAIL("no " << axis << " " << label);
    return 0;
}

/// Sum over the run's months of one entry of a series.
double total(const MemoryRecorder& rec, const std::string& series, std::size_t entry) {
    double sum = 0;
    for (int m = 0; m < static_cast<int>(rec.months.size()); ++m) sum += rec.at(series, m, entry);
    return sum;
}

/// Chips China's labs received through one leak, summed over months and two seeds.
double prc_leak(const Scenario& base, Leak leak, const std::function<void(Scenario&)>& change) {
    double sum = 0;
    for (std::uint64_t seed : {11u, 12u}) {
        Scenario sc = base;
        sc.run.seed = seed;
        change(sc);
        MemoryRecorder rec;
        run_scenario(sc, rec);
        sum += total(rec, std::string("nation_leaked_") + to_string(leak) + "_units", axis_index(rec, "nation", "prc"));
    }
    return sum;
}

/// Huawei's Ascend output over the run.
double huawei_output(Scenario sc) {
    MemoryRecorder rec;
    run_scenario(sc, rec);
    double sum = 0;
    for (const auto& k : sc.suppliers[static_cast<std::size_t>(find_by_name(sc.suppliers, "huawei"))].skus)
        sum += total(rec, "sku_produced_units", axis_index(rec, "sku", k.name));
    return sum;
}

}  // namespace

TEST_CASE("more enforcement means fewer chips through every leak", "[supply][direction]") {
    const Scenario base = baseline_to_2027();
    for (int k = 0; k < leak_count; ++k) {
        const auto leak = static_cast<Leak>(k);
        const double weak = prc_leak(base, leak, [](Scenario& sc) { sc.policy.enforcement_scale = 0.5; });
        const double strong = prc_leak(base, leak, [](Scenario& sc) { sc.policy.enforcement_scale = 1.5; });
        INFO(to_string(leak) << ": enforcement x0.5 " << weak << ", x1.5 " << strong);
        CHECK(weak > 0);
        CHECK(strong < weak);
    }
}

TEST_CASE("a higher price gap means more smuggling", "[supply][direction]") {
    // Dearer chips at the hubs (Nvidia's and AMD's prices x1.5) narrow the gap between what
    // China's labs pay at home and what smuggled compute costs. China's own options keep their
    // prices: the H20 and the H200, which it may buy legally or under licence, are the
    // numerator of the gap (docs/model.md, "Smuggling"); scaling them too would move both sides.
    const Scenario base = baseline_to_2027();
    const auto narrow = [](Scenario& sc) {
        for (auto& sup : sc.suppliers)
            if (sup.nation == "united_states")
                for (auto& k : sup.skus)
                    if (k.name != "H20" && k.name != "H200") k.price_usd *= 1.5;
    };
    const double wide_gap = prc_leak(base, Leak::hub, [](Scenario&) {}) + prc_leak(base, Leak::shell, [](Scenario&) {});
    const double narrow_gap = prc_leak(base, Leak::hub, narrow) + prc_leak(base, Leak::shell, narrow);
    INFO("hub + shell chips: baseline " << wide_gap << ", US chips x1.5 " << narrow_gap);
    CHECK(narrow_gap < wide_gap);
    // The elasticity is the lever: without it the gap pulls nothing.
    const double inelastic = prc_leak(base, Leak::hub, [](Scenario& sc) { sc.market.smuggling_gap_elasticity = 0; });
    const double elastic = prc_leak(base, Leak::hub, [](Scenario& sc) { sc.market.smuggling_gap_elasticity = 2; });
    CHECK(elastic > inelastic);
}

TEST_CASE("tool controls slow Huawei's growth", "[supply][direction]") {
    const Scenario controlled = baseline_to_2027();
    Scenario free = controlled;
    for (auto& t : free.policy.tool_controls) {
        t.capacity_growth_factor = 1;
        t.yield_factor = 1;
        t.yield_learning_factor = 1;
        t.hbm_import_factor = 1;
    }
    const double with_controls = huawei_output(controlled), without = huawei_output(free);
    INFO("Ascend output 2023-27: with tool controls " << with_controls << ", without " << without);
    CHECK(with_controls < 0.9 * without);
}

TEST_CASE("Ascend output is the scarcer of dies and HBM; HBM and the die bank carry over; cost-plus prices hold",
          "[supply][production]") {
    Scenario sc = baseline_to_2027();
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    const auto hw = static_cast<std::size_t>(find_by_name(sc.suppliers, "huawei"));
    SupplierState& s = w.suppliers[hw];
    const double bank = s.die_bank_units;
    // 2023-06: the die bank is closed until 2024-10, so dies come from SMIC wafers only.
    int serial = CalendarMonth{2023, 6}.serial();
    Regime g = regime_in_force(w, idx, serial);
    update_active_skus(w, serial);
    const double yield_before = s.yield;
    s.hbm_stock_stacks = 0;
    s.hbm_bought_stacks_per_month = 1e9;  // HBM plentiful: dies bind
    const double dies = s.capacity_units_per_month * s.yield * g.tool_yield_factor[static_cast<std::size_t>(s.nation)];
    auto made = produce(w, g, serial);
    const auto b910 = static_cast<std::size_t>(w.suppliers[hw].skus[0]);
    CHECK(made[b910] == std::floor(dies));      // the 910B alone is active: one die a chip
    CHECK(s.die_bank_units == bank);
    CHECK(s.yield > yield_before);              // yield learns toward its ceiling
    CHECK(s.hbm_stock_stacks == Approx(1e9 - 4 * made[b910]));  // unused stacks stay in store
    // HBM binds: 4 stacks a 910B.
    s.hbm_stock_stacks = 4000;
    s.hbm_bought_stacks_per_month = 0;
    w.skus[b910].inventory_units = 0;
    made = produce(w, g, serial);
    CHECK(made[b910] == 1000);
    CHECK(s.hbm_stock_stacks == Approx(0));
    // Cost-plus SKUs keep unit cost x (1 + margin) whatever the excess demand.
    ClearingResult c;
    c.unmet_units_by_sku.assign(w.skus.size(), 1e9);
    w.skus[b910].inventory_units = 0;
    update_prices(w, c, made);
    CHECK(w.skus[b910].price_usd == Approx(sc.suppliers[hw].skus[0].unit_cost_usd * (1 + sc.suppliers[hw].margin)));
}
