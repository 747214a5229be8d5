// Dynamics that must stay sane (docs/model.md, "Algorithms", "Training and capability",
// "Money"): algorithmic progress bounded over every input a study may sample, diffusion that
// is delayed and partial, the RL paradigm's catch-up, and spending that rises with
// capability and with faster algorithms.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "polarity/config/scenario_loader.hpp"
#include "polarity/config/study_loader.hpp"
#include "polarity/model/phases.hpp"
#include "polarity/model/simulation.hpp"

using namespace polarity::model;

namespace {

Scenario baseline() { return polarity::config::load_scenario_file(POLARITY_SOURCE_DIR "/scenarios/baseline.yaml"); }
Scenario minimal() { return polarity::config::load_scenario_file(POLARITY_TEST_DATA "/minimal.yaml"); }

constexpr int us_lab = 0, cn_lab = 1;

/// Ho et al. 2024: compute for fixed performance halves every 5-14 months (95% CI), i.e.
/// 1.8x to 5.3x a year.
const double ho_low_log10_per_year = std::log10(1.8);
const double ho_high_log10_per_year = std::log10(5.3);

/// The reference rate of algorithmic progress: drift plus the expected log10 of jumps a year.
double reference_rate(const AlgorithmSettings& a) {
    double r = a.drift_log10_per_year;
    for (const auto& j : a.jumps) r += j.per_year * std::log10(j.multiplier);
    return r;
}

/// Best lab's efficiency at the start of each month, and the largest expected rate of any lab.
struct EfficiencyPath {
    std::vector<double> frontier;
    double max_expected_rate = 0;
};

EfficiencyPath run_efficiency(const Scenario& sc) {
    EfficiencyPath p;
    MemoryRecorder rec;
    const double ref = reference_rate(sc.algorithms);
    (void)run_scenario(sc, rec, [&](const Simulation& s) {
        double best = -1e300;
        for (const auto& l : s.world().labs) {
            best = std::max(best, l.algorithmic_log10);
            p.max_expected_rate = std::max(p.max_expected_rate, l.research_factor * ref);
        }
        p.frontier.push_back(best);
    });
    return p;
}

double lab_total(const MemoryRecorder& rec, const std::string& series, const std::string& lab, int from, int to) {
    std::size_t index = 0;
    for (const auto& ax : rec.header.axes)
        if (ax.name == "lab")
            for (std::size_t i = 0; i < ax.labels.size(); ++i)
                if (ax.labels[i] == lab) index = i;
    double total = 0;
    for (int m = from; m < to; ++m) total += rec.at(series, m, index);
    return total;
}

/// The range the studies in scenarios/studies sample for a scenario key path: the union over
/// every study that samples it, read from the study files themselves so that a study's range
/// cannot move outside what the property test checks. An unbounded distribution (normal,
/// lognormal) counts from its 0.1 % to its 99.9 % quantile.
std::pair<double, double> studied_range(const std::string& path) {
    using namespace polarity::study;
    double low = std::numeric_limits<double>::infinity(), high = -low;
    for (const auto& file : std::filesystem::directory_iterator(POLARITY_SOURCE_DIR "/scenarios/studies")) {
        if (file.path().extension() != ".yaml") continue;
        for (const auto& p : polarity::config::load_study_file(file.path().string()).parameters) {
            if (p.path != path) continue;
            std::pair<double, double> r{quantile(p.distribution, 1e-3), quantile(p.distribution, 1.0 - 1e-3)};
            if (const auto* u = std::get_if<Uniform>(&p.distribution.params)) r = {u->low, u->high};
            else if (const auto* t = std::get_if<Triangular>(&p.distribution.params)) r = {t->low, t->high};
            else if (const auto* c = std::get_if<Choice>(&p.distribution.params))
                r = {*std::min_element(c->values.begin(), c->values.end()), *std::max_element(c->values.begin(), c->values.end())};
            low = std::min(low, r.first);
            high = std::max(high, r.second);
        }
    }
    INFO(path);
    REQUIRE(low <= high);  // some study samples it (a renamed path fails here)
    return {low, high};
}

}  // namespace

TEST_CASE("algorithmic progress stays inside Ho et al.'s range over every input a study samples", "[dynamics][property]") {
    // The ranges of scenarios/studies/*.yaml that act on algorithms or on the research compute
    // behind them (read from the files), at their extremes (2^6 corners), over the whole baseline horizon (to 2030,
    // longer than the studies' 60 months), each corner with its own seed.
    const std::vector<std::pair<double, double>> diffusion{studied_range("algorithms.diffusion_per_month")},
        small_jumps{studied_range("algorithms.jumps.0.per_year")},
        acceleration{studied_range("algorithms.acceleration_max_multiplier")},
        threshold{studied_range("world.powerful_ai_capability")},
        halflife{studied_range("world.funding_growth_halflife_years")},
        depreciation{studied_range("world.depreciation_per_year")};
    const Scenario base = baseline();
    double worst_window = 0, lowest_window = 1e9, worst_rate = 0;
    for (int corner = 0; corner < 64; ++corner) {
        Scenario sc = base;
        const auto pick = [&](const std::vector<std::pair<double, double>>& r, int bit) {
            return (corner >> bit) & 1 ? r[0].second : r[0].first;
        };
        sc.algorithms.diffusion_per_month = pick(diffusion, 0);
        sc.algorithms.jumps.at(0).per_year = pick(small_jumps, 1);
        sc.algorithms.acceleration_max_multiplier = pick(acceleration, 2);
        sc.world.powerful_ai_capability = pick(threshold, 3);
        sc.algorithms.acceleration_start_capability = sc.world.powerful_ai_capability;
        sc.world.funding_growth_halflife_years = pick(halflife, 4);
        sc.world.depreciation_per_year = pick(depreciation, 5);
        sc.run.seed = 1 + static_cast<std::uint64_t>(corner);
        const EfficiencyPath p = run_efficiency(sc);
        INFO("corner " << corner);
        // No lab's expected rate ever exceeds Ho's upper bound: the research factor is clamped.
        REQUIRE(p.max_expected_rate <= ho_high_log10_per_year);
        worst_rate = std::max(worst_rate, p.max_expected_rate);
        // Realised, jumps included: over the whole run the frontier grows inside Ho's range at
        // most; a three-year window can exceed it only by one rare 10x jump (a third of a log10
        // a year), never by a runaway.
        const double whole = (p.frontier.back() - p.frontier.front()) / (static_cast<double>(p.frontier.size() - 1) / 12.0);
        CHECK(whole <= ho_high_log10_per_year);
        for (std::size_t m = 36; m < p.frontier.size(); m += 12) {
            const double rate = (p.frontier[m] - p.frontier[m - 36]) / 3.0;
            INFO("window ending at month " << m << ": " << rate << " log10/yr");
            CHECK(rate <= ho_high_log10_per_year + 1.0 / 3.0);
            // The steady part never stops: at least the drift at the research factor's floor.
            CHECK(rate >= sc.algorithms.drift_log10_per_year * sc.algorithms.research_factor_min - 1e-9);
            worst_window = std::max(worst_window, rate);
            lowest_window = std::min(lowest_window, rate);
        }
    }
    // The baseline itself, 2023-2030, on its own seed: inside Ho's range at both ends.
    const EfficiencyPath b = run_efficiency(base);
    const double baseline_rate = (b.frontier.back() - b.frontier.front()) / (static_cast<double>(b.frontier.size() - 1) / 12.0);
    CHECK(baseline_rate >= ho_low_log10_per_year);
    CHECK(baseline_rate <= ho_high_log10_per_year);
    // Where research compute stops growing (funding half-life 1.5 years) ideas get harder to
    // find faster than research grows and progress slows toward the research_factor_min floor.
    // Reported with -s: the spread over the corners.
    INFO("frontier growth over 3-year windows " << lowest_window << " to " << worst_window
         << " log10/yr; largest expected rate " << worst_rate << "; baseline " << baseline_rate);
    CHECK(worst_rate > 0);
}

TEST_CASE("a jump at one lab reaches another only after the delay, and partly", "[dynamics][algorithms]") {
    Scenario sc = minimal();
    sc.algorithms.drift_log10_per_year = 0;
    sc.algorithms.jumps.clear();
    sc.algorithms.diffusion_per_month = 0.5;
    sc.algorithms.diffusion_delay_months = 3;
    sc.algorithms.absorption_research_h100e = 2000;
    World w = build_world(sc);
    for (auto& l : w.labs) l.algorithmic_log10 = 0, l.research_h100e = 1e9;  // absorbs at ~full speed
    w.labs[2].research_h100e = 2000;                                        // absorbs at half speed
    advance_algorithms(w);                                                  // month 0: nothing to absorb
    w.labs[us_lab].algorithmic_log10 = 1.0;                                 // a 10x jump, after month 0
    // The frontier of month-start 2 holds the jump; with a 3-month delay others see it in month 5.
    for (int m = 1; m <= 4; ++m) {
        w.month_index = m;
        advance_algorithms(w);
        REQUIRE(w.labs[cn_lab].algorithmic_log10 == 0.0);
    }
    w.month_index = 5;
    advance_algorithms(w);
    const double full = 0.5 * 1e9 / (1e9 + 2000);
    CHECK(w.labs[cn_lab].algorithmic_log10 == Approx(full));            // half the gap, not all of it
    CHECK(w.labs[2].algorithmic_log10 == Approx(0.5 * 0.5));            // half of that at half absorption
    CHECK(w.labs[us_lab].algorithmic_log10 == 1.0);                     // the leader gains nothing from it
}

TEST_CASE("a follower with ample research trails a steadily growing frontier by delay + 1/diffusion months", "[dynamics][algorithms]") {
    // docs/model.md ("Diffusion") and the baseline's calibration: the delay plus the mean
    // catch-up time, 4 + 1/0.5 = 6 months from a lab's progress to a reproduction elsewhere.
    const Scenario base = baseline();
    Scenario sc = minimal();
    sc.algorithms = base.algorithms;
    sc.algorithms.drift_log10_per_year = 0;  // no progress of the follower's own
    sc.algorithms.jumps.clear();
    REQUIRE(base.algorithms.diffusion_delay_months + 1 / base.algorithms.diffusion_per_month == Approx(6.0));
    World w = build_world(sc);
    for (auto& l : w.labs) l.algorithmic_log10 = 0, l.research_h100e = 1e12;  // absorbs at full speed
    const double per_month = 0.04;
    for (int m = 0; m < 240; ++m) {
        w.month_index = m;
        w.labs[us_lab].algorithmic_log10 = per_month * m;  // the frontier's progress this month
        advance_algorithms(w);
    }
    const double lag_months = (w.labs[us_lab].algorithmic_log10 - w.labs[cn_lab].algorithmic_log10) / per_month;
    CHECK(lag_months == Approx(sc.algorithms.diffusion_delay_months + 1 / sc.algorithms.diffusion_per_month).epsilon(1e-6));
}

TEST_CASE("the lagged frontier interpolates between month starts", "[dynamics][algorithms]") {
    const std::vector<double> history{0.0, 1.0, 3.0};
    CHECK(lagged_frontier(history, 0) == 3.0);
    CHECK(lagged_frontier(history, 0.5) == Approx(2.0));
    CHECK(lagged_frontier(history, 1.75) == Approx(0.25));
    CHECK(lagged_frontier(history, 10) == 0.0);
}

TEST_CASE("ideas get harder to find: the research factor falls with efficiency and rises with research", "[dynamics][algorithms]") {
    AlgorithmSettings a;
    a.research_reference_h100e = 1e4;
    a.research_elasticity = 0.2;
    a.idea_difficulty = 0.5;
    a.research_factor_min = 0.01;
    a.research_factor_max = 100;
    a.acceleration_max_multiplier = 1;
    CHECK(research_factor(a, 1e4, 0, 0) == Approx(1.0));
    CHECK(research_factor(a, 1e4, 1, 0) == Approx(std::pow(10.0, -0.5)));
    CHECK(research_factor(a, 1e5, 1, 0) == Approx(std::pow(10.0, 0.2 - 0.5)));
    // Past the full-acceleration capability the factor doubles, and the clamp still holds.
    CHECK(research_factor(a, 1e4, 0, a.acceleration_full_capability) == Approx(2.0));
    a.research_factor_max = 1.5;
    CHECK(research_factor(a, 1e12, 0, 1e6) == 1.5);
}

TEST_CASE("the paradigm reaches the best lab first and the others after the adoption delay", "[dynamics][paradigm]") {
    Scenario sc = minimal();
    sc.paradigm.adoption_delay_months = 3;
    World w = build_world(sc);
    const PolicyIndex idx = build_policy_index(w);
    w.labs[us_lab].best_capability = 27;  // the best model when the paradigm appears
    w.labs[cn_lab].best_capability = 26;
    const int start = sc.paradigm.start.serial();
    for (int serial = start - 1; serial <= start + 3; ++serial) {
        const Regime g = regime_in_force(w, idx, serial);
        train(w, g, serial);
        const double rl_gain_us = w.labs[us_lab].capability - w.labs[us_lab].pretraining_capability;
        const double rl_gain_cn = w.labs[cn_lab].capability - w.labs[cn_lab].pretraining_capability;
        INFO("month " << serial - start << " after the start");
        CHECK((rl_gain_us > 0) == (serial >= start));
        CHECK((rl_gain_cn > 0) == (serial >= start + 3));
        CHECK(rl_gain_us <= sc.paradigm.max_gain);
    }
    CHECK(w.paradigm_pioneer == us_lab);
}

TEST_CASE("the RL catch-up shows in the 2025 lag: R1's lag is shorter than V3's", "[dynamics][paradigm]") {
    const Scenario sc = polarity::config::load_scenario_file(POLARITY_SOURCE_DIR "/scenarios/historical/timeline.yaml");
    MemoryRecorder rec;
    (void)run_scenario(sc, rec);
    const int jan2025 = CalendarMonth{2025, 1}.serial() - sc.run.start.serial();
    const int mar2025 = jan2025 + 2;
    // Adopting the paradigm, China gains what the US gained four months earlier: the lag drops.
    CHECK(rec.at("rival_lag_months", mar2025, 0) < rec.at("rival_lag_months", jan2025 - 1, 0));
    Scenario off = sc;
    off.paradigm.enabled = false;
    MemoryRecorder without;
    (void)run_scenario(off, without);
    CHECK(rec.at("rival_lag_months", mar2025, 0) < without.at("rival_lag_months", mar2025, 0));
}

TEST_CASE("revenue grows with absolute capability, up to its cap and the market's GDP share", "[dynamics][economy]") {
    MarketSettings mk;
    mk.revenue_capability_elasticity = 0.2;
    mk.revenue_reference_capability = 28;
    mk.revenue_value_max_multiplier = 3;
    CHECK(capability_value(mk, 28) == Approx(1.0));
    CHECK(capability_value(mk, 29) == Approx(std::pow(10.0, 0.2)));
    CHECK(capability_value(mk, 27) < 1.0);
    CHECK(capability_value(mk, 40) == 3.0);

    Scenario sc = minimal();
    sc.market.revenue_capability_elasticity = 0.2;
    sc.market.revenue_reference_capability = 26;
    sc.market.revenue_value_max_multiplier = 3;
    World w = build_world(sc);
    for (auto& l : w.labs) l.serving_h100e = 1000, l.best_capability = 26;
    earn_revenue(w);
    const double at_reference = w.labs[cn_lab].revenue_usd;
    for (auto& l : w.labs) l.best_capability = 27;
    earn_revenue(w);
    CHECK(w.labs[cn_lab].revenue_usd == Approx(at_reference * std::pow(10.0, 0.2)));
    // China's market (prc's GDP 0 in minimal.yaml) can pay nothing once the cap is on.
    sc.market.revenue_max_gdp_share = 0.01;
    earn_revenue(w);
    CHECK(w.labs[cn_lab].revenue_usd == 0.0);
}

TEST_CASE("investors fund the compute an efficiency gain saves into the next run", "[dynamics][economy]") {
    Scenario sc = minimal();
    sc.market.savings_reinvest_share = 0.5;
    World w = build_world(sc);
    w.labs[us_lab].training_h100e = 10000;
    w.labs[us_lab].efficiency_gain_log10 = std::log10(2.0);  // the same run now needs half the compute
    earn_revenue(w);
    // Cheapest training H100e in 2023-01: the H100 at $25,000 (the H20 is not out yet).
    CHECK(w.labs[us_lab].savings_funding_usd == Approx(0.5 * 5000 * 25000.0));
    const double funding = w.labs[us_lab].funding_usd_per_month;
    (void)lab_budgets(w);
    CHECK(w.labs[us_lab].funding_in_usd == Approx(funding + 0.5 * 5000 * 25000.0));
}

TEST_CASE("state AI funding grows only while its nation is cut off", "[dynamics][economy]") {
    Scenario sc = minimal();
    sc.nations[1].state_ai_funding_growth_cut_off_per_year = 0.44;
    World w = build_world(sc);
    const double start = w.nations[1].state_ai_funding_usd_per_month;
    for (int m = 0; m < 12; ++m) earn_revenue(w);
    CHECK(w.nations[1].state_ai_funding_usd_per_month == Approx(start));
    w.nations[1].cut_off = true;
    for (int m = 0; m < 12; ++m) earn_revenue(w);
    CHECK(w.nations[1].state_ai_funding_usd_per_month == Approx(start * 1.44));
}

TEST_CASE("faster algorithms raise, not lower, a frontier lab's training spend", "[dynamics][direction]") {
    Scenario slow = baseline();
    slow.run.horizon_months = 72;
    Scenario fast = slow;
    for (auto* a : {&fast.algorithms}) {
        a->drift_log10_per_year *= 2;
        for (auto& j : a->jumps) j.per_year *= 2;
    }
    Scenario none = slow;
    none.algorithms.drift_log10_per_year = 0;
    none.algorithms.jumps.clear();
    none.algorithms.diffusion_per_month = 0;
    double spend[3] = {0, 0, 0};
    int k = 0;
    for (const Scenario* sc : {&none, &slow, &fast}) {
        MemoryRecorder rec;
        (void)run_scenario(*sc, rec);
        // 2026-2028: the years after the calibration window.
        spend[k++] = lab_total(rec, "lab_spend_usd", "openai", 36, 72);
    }
    INFO("openai spend 2026-28, no / baseline / doubled algorithmic progress: " << spend[0] / 1e9 << " / "
         << spend[1] / 1e9 << " / " << spend[2] / 1e9 << " $B");
    CHECK(spend[1] > spend[0]);
    CHECK(spend[2] > spend[1]);
}
