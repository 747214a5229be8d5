// Direction tests: the model responds to policy the way its mechanisms say it must. Each
// compares paired runs (same seeds, so the same random draws) and averages over a few seeds.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/model/simulation.hpp"

using namespace polarity::model;

namespace {

Scenario load(const std::string& rel) {
    return polarity::config::load_scenario_file(std::string(POLARITY_SOURCE_DIR) + "/" + rel);
}

/// Mean over seeds of `measure` applied to a run.
double mean_over_seeds(Scenario sc, const std::function<double(const MemoryRecorder&)>& measure) {
    double sum = 0;
    const int seeds = 3;
    for (int s = 0; s < seeds; ++s) {
        sc.run.seed = 1000 + static_cast<std::uint64_t>(s);
        MemoryRecorder rec;
        run_scenario(sc, rec);
        sum += measure(rec);
    }
    return sum / seeds;
}

int bloc_index(const MemoryRecorder& rec, const std::string& bloc) {
    for (const auto& ax : rec.header.axes)
        if (ax.name == "bloc")
            for (std::size_t i = 0; i < ax.labels.size(); ++i)
                if (ax.labels[i] == bloc) return static_cast<int>(i);
    FAIL("no bloc " << bloc);
    return -1;
}

/// Sum over all months of a per-bloc series for China.
std::function<double(const MemoryRecorder&)> china_total(const std::string& series) {
    return [series](const MemoryRecorder& rec) {
        const auto b = static_cast<std::size_t>(bloc_index(rec, "china"));
        double total = 0;
        for (int m = 0; m < static_cast<int>(rec.months.size()); ++m) total += rec.at(series, m, b);
        return total;
    };
}

double china_mean_lag_from_2025(const MemoryRecorder& rec) {
    const auto b = static_cast<std::size_t>(bloc_index(rec, "china"));
    double total = 0;
    int n = 0;
    for (int m = 24; m < static_cast<int>(rec.months.size()); ++m, ++n) total += rec.at("bloc_lag_months", m, b);
    return total / n;
}

}  // namespace

TEST_CASE("China lags further under strict, enforced controls than under none", "[direction]") {
    const double none = mean_over_seeds(load("scenarios/counterfactual/no_controls.yaml"), china_mean_lag_from_2025);
    const double strict = mean_over_seeds(load("scenarios/counterfactual/strict_enforced.yaml"), china_mean_lag_from_2025);
    const double baseline = mean_over_seeds(load("scenarios/baseline.yaml"), china_mean_lag_from_2025);
    INFO("mean China lag 2025-2030: none " << none << ", baseline " << baseline << ", strict " << strict);
    REQUIRE(strict > none + 3.0);
    REQUIRE(baseline > none);
}

TEST_CASE("raising enforcement lowers gray-market deliveries", "[direction]") {
    Scenario weak = load("scenarios/baseline.yaml"), strong = weak;
    weak.policy.enforcement_scale = 0.5;
    strong.policy.enforcement_scale = 1.5;
    const double gray_weak = mean_over_seeds(weak, china_total("bloc_delivered_gray_units"));
    const double gray_strong = mean_over_seeds(strong, china_total("bloc_delivered_gray_units"));
    INFO("gray chips to China: enforcement x0.5 " << gray_weak << ", x1.5 " << gray_strong);
    REQUIRE(gray_weak > 0);
    REQUIRE(gray_strong < 0.8 * gray_weak);
}

TEST_CASE("turning design-around off lowers China's legal imports", "[direction]") {
    Scenario on = load("scenarios/baseline.yaml"), off = on;
    off.policy.design_around = false;
    const auto legal = [](const MemoryRecorder& rec) {
        return china_total("bloc_delivered_legal_units")(rec) + china_total("bloc_delivered_licensed_units")(rec);
    };
    const double with = mean_over_seeds(on, legal), without = mean_over_seeds(off, legal);
    INFO("legal + licensed chips to China: design-around on " << with << ", off " << without);
    REQUIRE(without < 0.8 * with);
}

TEST_CASE("cutting tool controls raises Chinese domestic chip output", "[direction]") {
    Scenario controlled = load("scenarios/baseline.yaml"), free = controlled;
    REQUIRE_FALSE(free.policy.tool_controls.empty());
    free.policy.tool_controls.clear();
    // SKUs made by suppliers based in China's bloc.
    std::vector<std::string> chinese;
    for (const auto& sup : controlled.suppliers)
        for (const auto& n : controlled.nations)
            if (n.name == sup.nation && n.bloc == "china")
                for (const auto& k : sup.skus) chinese.push_back(k.name);
    REQUIRE_FALSE(chinese.empty());
    const auto domestic_output = [&chinese](const MemoryRecorder& rec) {
        double total = 0;
        const auto s = rec.series_index("sku_produced_units");
        const auto& skus = rec.header.axes[4].labels;
        for (const auto& m : rec.months)
            for (std::size_t k = 0; k < skus.size(); ++k)
                if (std::find(chinese.begin(), chinese.end(), skus[k]) != chinese.end()) total += m.values[s][k];
        return total;
    };
    const double with = mean_over_seeds(controlled, domestic_output), without = mean_over_seeds(free, domestic_output);
    INFO("Chinese-made chips: with tool controls " << with << ", without " << without);
    REQUIRE(with > 0);
    REQUIRE(without > 1.1 * with);
}

TEST_CASE("strict, enforced controls give a longer crossing delay and more unipolar runs than none",
          "[direction][outcome]") {
    // Paired samples of a small study: both scenarios run with the same run indices (the same
    // random draws), so a difference is the policy's. Delays censored at the horizon enter at
    // their bound, which understates the strict arm's delay: the comparison is conservative.
    const Scenario none = load("scenarios/counterfactual/no_controls.yaml");
    const Scenario strict = load("scenarios/counterfactual/strict_enforced.yaml");
    const int runs = 24;
    double delay_none = 0, delay_strict = 0;
    int unipolar_none = 0, unipolar_strict = 0, strict_longer = 0;
    for (int i = 0; i < runs; ++i) {
        Scenario a = none, b = strict;
        a.run.run_index = b.run.run_index = static_cast<std::uint64_t>(i);
        MemoryRecorder ra, rb;
        const Outcome oa = run_scenario(a, ra), ob = run_scenario(b, rb);
        REQUIRE(oa.delay.censoring != Censoring::unknown);
        REQUIRE(ob.delay.censoring != Censoring::unknown);
        delay_none += oa.delay.months / runs;
        delay_strict += ob.delay.months / runs;
        unipolar_none += oa.label == OutcomeClass::unipolar;
        unipolar_strict += ob.label == OutcomeClass::unipolar;
        strict_longer += ob.delay.months > oa.delay.months;
    }
    INFO("mean delay: none " << delay_none << ", strict " << delay_strict << "; unipolar runs: none "
                             << unipolar_none << ", strict " << unipolar_strict);
    CHECK(delay_strict > delay_none + 3);
    CHECK(unipolar_strict > unipolar_none);
    CHECK(strict_longer >= runs * 3 / 4);  // paired: the strict arm's delay is longer in most samples
}
