// Dynamics that must stay sane (docs/model.md, "Algorithms", "Training and capability",
// "Money"): algorithmic progress bounded over every input a study may sample, diffusion that
// is delayed and partial, the RL paradigm's catch-up, and spending that rises with
// capability and with faster algorithms.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <vector>

#include "polarity/config/scenario_loader.hpp"
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

}  // namespace

TEST_CASE("algorithmic progress stays inside Ho et al.'s range over every input a study samples", "[dynamics][property]") {
    // The ranges of scenarios/studies/*.yaml that act on algorithms or on the research compute
    // behind them, at their extremes (2^6 corners), over the whole baseline horizon (to 2030,
    // longer than the studies' 60 months), each corner with its own seed.
    const std::vector<std::pair<double, double>> diffusion{{0.02, 0.15}}, small_jumps{{0.8, 2.5}},
        acceleration{{0.0, 3.0}}, threshold{{29.0, 31.0}}, halflife{{1.5, 6.0}}, depreciation{{0.15, 0.33}};
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
